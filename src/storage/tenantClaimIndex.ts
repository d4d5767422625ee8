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
  /** 2: keys name their incentive program (issue 17). Absent on documents written before. */
  keyFormat?: typeof KEY_FORMAT;
}

export const KEY_FORMAT = 2;

export class TenantClaimIndex {
  constructor(private readonly container: Container) {}

  async claimsFor(tenantId: string): Promise<IndexedClaim[]> {
    return (await this.read(tenantId))?.doc.claims ?? [];
  }

  /** Records the claim's current status and keys for its tenant; `undefined` entry removes it. */
  async put(tenantId: string, claimId: string, entry: IndexedClaim | undefined): Promise<void> {
    await this.change(tenantId, (claims) => {
      const others = claims.filter((c) => c.claimId !== claimId);
      return entry ? [...others, entry] : others;
    });
  }

  /** The tenants whose document was written before keys named their program (the key migration's scan). */
  async tenantsWithOldKeys(): Promise<string[]> {
    const { resources } = await this.container.items
      .query<{ id: string }>({
        query: 'SELECT c.id FROM c WHERE NOT IS_DEFINED(c.keyFormat) OR c.keyFormat < @format',
        parameters: [{ name: '@format', value: KEY_FORMAT }],
      })
      .fetchAll();
    return resources.map((r) => r.id);
  }

  /**
   * Rewrites the tenant's entries (the current ones, read with their ETag, again if they changed
   * meanwhile). A new document is of the current key format; an older one stays marked as it was (its
   * other entries may still hold older keys) until `migrated` says all of them were brought up to date.
   */
  async change(tenantId: string, next: (claims: IndexedClaim[]) => Promise<IndexedClaim[]> | IndexedClaim[], migrated = false): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.read(tenantId);
      const keyFormat = migrated || !current ? KEY_FORMAT : current.doc.keyFormat;
      const doc: TenantIndexDoc = { id: tenantId.toLowerCase(), claims: await next(current?.doc.claims ?? []), ...(keyFormat ? { keyFormat } : {}) };
      if (current && current.doc.keyFormat === doc.keyFormat && JSON.stringify(current.doc.claims) === JSON.stringify(doc.claims)) return;
      try {
        if (current) await this.container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: current.etag } });
        else await this.container.items.create(doc);
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
      return resource
        ? {
            doc: { id: resource.id, claims: resource.claims, ...(resource.keyFormat ? { keyFormat: resource.keyFormat } : {}) },
            etag: resource._etag as string,
          }
        : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
