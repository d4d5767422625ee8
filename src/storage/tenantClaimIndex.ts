import type { Container, ItemDefinition } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed } from './cosmosDatabase';

/**
 * Which claims of which partner organisations compete for a customer tenant: one small document per
 * tenant, read with a point read. Competing claims are looked up on every reviewer card and before
 * every submission, and a query across all claims would grow with the number of claims.
 */

export interface IndexedClaim {
  claimId: string;
  orgId: string;
  status: string;
  keys: string[];
}

interface TenantIndexDoc {
  id: string;
  claims: IndexedClaim[];
}

export class TenantClaimIndex {
  constructor(private readonly container: Container) {}

  async claimsFor(tenantId: string): Promise<IndexedClaim[]> {
    return (await this.read(tenantId))?.doc.claims ?? [];
  }

  /** Records the claim's current status and keys for its tenant; `undefined` entry removes it. */
  async put(tenantId: string, claimId: string, entry: IndexedClaim | undefined): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.read(tenantId);
      const others = (current?.doc.claims ?? []).filter((c) => c.claimId !== claimId);
      const next: TenantIndexDoc = { id: tenantId.toLowerCase(), claims: entry ? [...others, entry] : others };
      if (current && JSON.stringify(current.doc.claims) === JSON.stringify(next.claims)) return;
      try {
        if (current) await this.container.item(next.id, next.id).replace(next, { accessCondition: { type: 'IfMatch', condition: current.etag } });
        else await this.container.items.create(next);
        return;
      } catch (error) {
        if (!isPreconditionFailed(error) && !isConflict(error)) throw error;
      }
    }
    throw new Error(`Tenant index of ${tenantId} kept changing`);
  }

  private async read(tenantId: string): Promise<{ doc: TenantIndexDoc; etag: string } | undefined> {
    const id = tenantId.toLowerCase();
    try {
      const { resource } = await this.container.item(id, id).read<TenantIndexDoc & ItemDefinition>();
      return resource ? { doc: { id: resource.id, claims: resource.claims }, etag: resource._etag as string } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
