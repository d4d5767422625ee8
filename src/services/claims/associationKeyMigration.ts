import { associationKeys, LEGACY_KEY_PREFIXES, migratedKeys } from '../../domain/associationKeys';
import type { Claim } from '../../domain/claim';
import type { CustomerSubscription } from '../../domain/customerSubscriptions';
import type { AssociationStore } from '../../storage/associationStore';
import type { ClaimStore } from '../../storage/claimStore';
import type { TenantClaimIndex } from '../../storage/tenantClaimIndex';
import type { CustomerChecks } from './customerDirectory';

/**
 * Brings associations and tenant-index entries stored under the keys of before issue 17 (no program,
 * `workload:`/`subscription:`/`product:`) to program-scoped keys, once, at start. Each association is
 * copied under its new key(s) first and the old document deleted after, so a crash loses none and a
 * second run (or a second instance starting at the same time) finishes the work instead of repeating it.
 */

export interface KeyMigrationDeps {
  associations: AssociationStore;
  tenantIndex: TenantClaimIndex;
  claims: ClaimStore;
  customerChecks?: CustomerChecks;
  log?: (message: string) => void;
}

/** An association left under its old key, and why. */
export interface KeptAssociation {
  tenantId: string;
  key: string;
  claimId: string;
  reason: 'claimNotFound' | 'noProgram' | 'heldByAnotherClaim';
}

export interface KeyMigrationReport {
  associationsMoved: number;
  associationsKept: KeptAssociation[];
  tenantsReindexed: number;
}

export async function migrateAssociationKeys(deps: KeyMigrationDeps): Promise<KeyMigrationReport> {
  const claims = new Map<string, Promise<Claim | undefined>>();
  const claim = (orgId: string, claimId: string) => {
    const id = `${orgId}/${claimId}`;
    if (!claims.has(id))
      claims.set(
        id,
        deps.claims.get(orgId, claimId).then((s) => s?.claim),
      );
    return claims.get(id)!;
  };
  const tenants = new Map<string, Promise<CustomerSubscription[] | undefined>>();
  const subscriptionsOf = (tenantId: string) => {
    if (!tenants.has(tenantId)) tenants.set(tenantId, deps.customerChecks ? deps.customerChecks.tenantSubscriptions(tenantId) : Promise.resolve(undefined));
    return tenants.get(tenantId)!;
  };

  const report: KeyMigrationReport = { associationsMoved: 0, associationsKept: [], tenantsReindexed: 0 };
  // Oldest first: where two partners' old keys turn out to be one subscription, the earlier association keeps it.
  const docs = (await deps.associations.listByKeyPrefix(LEGACY_KEY_PREFIXES)).sort((a, b) =>
    (a.liveSince ?? a.createdAt).localeCompare(b.liveSince ?? b.createdAt),
  );
  for (const { etag, ...doc } of docs) {
    const holder = await claim(doc.orgId, doc.claimId);
    const keep = (reason: KeptAssociation['reason']) => report.associationsKept.push({ tenantId: doc.tenantId, key: doc.id, claimId: doc.claimId, reason });
    if (!holder) {
      keep('claimNotFound');
      continue;
    }
    const keys = migratedKeys(doc.id, holder.fields, await subscriptionsOf(doc.tenantId));
    if (!keys?.length) {
      keep('noProgram');
      continue;
    }
    const copied = await Promise.all(keys.map((key) => deps.associations.copyTo(doc, key)));
    if (copied.every(Boolean)) {
      await deps.associations.remove(doc.tenantId, doc.id, etag);
      report.associationsMoved++;
    } else keep('heldByAnotherClaim');
  }
  for (const kept of report.associationsKept) {
    deps.log?.(
      `Association key migration: ${kept.tenantId} ${kept.key} of claim ${kept.claimId} left under its old key (${kept.reason}); reviewers see the claims that compete for it`,
    );
  }

  for (const tenantId of await deps.tenantIndex.tenantsWithOldKeys()) {
    const subscriptions = await subscriptionsOf(tenantId);
    await deps.tenantIndex.change(
      tenantId,
      (entries) =>
        Promise.all(
          entries.map(async (entry) => {
            const indexed = await claim(entry.orgId, entry.claimId);
            return indexed ? { ...entry, keys: associationKeys(indexed.fields, subscriptions) } : entry;
          }),
        ),
      true,
    );
    report.tenantsReindexed++;
  }
  return report;
}
