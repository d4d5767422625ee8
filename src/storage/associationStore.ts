import { BulkOperationType, type Container, type ItemDefinition } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed } from './cosmosDatabase';
import { allInPartition } from './partitionQuery';

/**
 * The association rule enforced by the store itself: one document per customer tenant + workload or
 * subscription, whose id can be created only once. Approval first acquires the documents as
 * "pending" with a short lease, then commits the claim, then confirms them "live". Two concurrent
 * approvals can't both create one document, so they can't both win.
 */

export interface AssociationDoc {
  id: string;
  tenantId: string;
  claimId: string;
  orgId: string;
  state: 'pending' | 'live';
  createdAt: string;
  leaseExpiresAt?: string;
  liveSince?: string;
}

export interface Holder {
  claimId: string;
  orgId: string;
}

/**
 * `newlyAcquired`: the keys this call created (others were already this holder's, e.g. a concurrent
 * approval of the same claim); `etags` and `created`: each created document's ETag and body, for `confirm`.
 */
export type AcquireResult =
  | { ok: true; keys: string[]; newlyAcquired: string[]; etags: Record<string, string>; created: Record<string, AssociationDoc> }
  | { ok: false; conflicts: AssociationDoc[] };

/** How long a pending association protects an approval in progress. */
export const PENDING_LEASE_MS = 30_000;

/** Tells whether the claim named by an association still holds it (its claim is Approved). */
export type HolderCheck = (doc: AssociationDoc) => Promise<boolean>;

export class AssociationStore {
  constructor(private readonly container: Container) {}

  async acquire(tenantId: string, keys: string[], holder: Holder, now: Date, holderIsLive: HolderCheck): Promise<AcquireResult> {
    const acquired: string[] = [];
    const etags: Record<string, string> = {};
    const conflicts: AssociationDoc[] = [];
    const docs = Object.fromEntries(keys.map((key) => [key, pendingDoc(tenantId, key, holder, now)]));
    // The usual case, nobody holds any key: one request creates them all (the documents share the
    // tenant's partition). Azure Cosmos DB runs the batch atomically and the embedded server does not,
    // so what each operation answered is read either way; whatever was not created takes the careful path.
    const created = await this.createAll(tenantId, Object.values(docs));
    for (const [key, etag] of Object.entries(created)) {
      acquired.push(key);
      etags[key] = etag;
    }
    for (const key of keys.filter((k) => !created[k])) {
      const outcome = await this.acquireOne(tenantId, key, holder, now, holderIsLive);
      if (typeof outcome === 'object' && 'etag' in outcome) {
        acquired.push(key);
        etags[key] = outcome.etag;
      } else if (outcome !== 'alreadyOurs') conflicts.push(outcome);
    }
    if (conflicts.length) {
      await this.release(tenantId, acquired, holder.claimId);
      return { ok: false, conflicts };
    }
    return { ok: true, keys, newlyAcquired: acquired, etags, created: Object.fromEntries(acquired.map((key) => [key, docs[key]])) };
  }

  /** The ETag of each document the batch created, by key. */
  private async createAll(tenantId: string, docs: AssociationDoc[]): Promise<Record<string, string>> {
    if (docs.length < 2) return {};
    let response: Awaited<ReturnType<Container['items']['batch']>>;
    try {
      response = await this.container.items.batch(
        docs.map((doc) => ({ operationType: BulkOperationType.Create, resourceBody: { ...doc } })),
        tenantId,
      );
    } catch (error) {
      // A failed batch (a conflict reported as an error) created nothing: one request per key decides.
      if (isConflict(error)) return {};
      throw error;
    }
    const created: Record<string, string> = {};
    response.result?.forEach((answer, i) => {
      if (answer.statusCode === 201 && answer.eTag) created[docs[i].id] = answer.eTag;
    });
    return created;
  }

  private async acquireOne(
    tenantId: string,
    key: string,
    holder: Holder,
    now: Date,
    holderIsLive: HolderCheck,
  ): Promise<{ etag: string } | 'alreadyOurs' | AssociationDoc> {
    const doc = pendingDoc(tenantId, key, holder, now);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const { resource } = await this.container.items.create(doc);
        return { etag: resource!._etag as string };
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const existing = await this.read(tenantId, key);
      if (!existing) continue; // released meanwhile: try again
      if (existing.doc.claimId === holder.claimId) return 'alreadyOurs';
      const abandoned = existing.doc.state === 'pending' && (existing.doc.leaseExpiresAt ?? '') < now.toISOString() && !(await holderIsLive(existing.doc));
      if (!abandoned) return existing.doc;
      // An approval that crashed between acquiring and committing: its lease ran out and its claim is not Approved.
      await this.deleteIfMatch(tenantId, key, existing.etag);
    }
    const last = await this.read(tenantId, key);
    return last ? last.doc : 'alreadyOurs';
  }

  /**
   * Marks the holder's documents live once its claim is committed as Approved. Documents this approval
   * created are replaced with the ETag their creation returned, without reading them again: all in one
   * request when there are several (`created` gives their bodies), else one patch each.
   */
  async confirm(
    tenantId: string,
    keys: string[],
    claimId: string,
    now: Date,
    knownEtags: Record<string, string> = {},
    created: Record<string, AssociationDoc> = {},
  ): Promise<string[]> {
    const lost: string[] = [];
    const confirmed = await this.replaceAllLive(
      tenantId,
      keys.filter((key) => knownEtags[key] && created[key]?.claimId === claimId).map((key) => ({ doc: created[key], etag: knownEtags[key] })),
      now,
    );
    // One claim's documents are independent of each other: the rest confirmed side by side.
    await Promise.all(
      keys
        .filter((key) => !confirmed.has(key))
        .map(async (key) => {
          if (knownEtags[key]) {
            try {
              const current = await this.container.item(key, tenantId).patch(
                [
                  { op: 'set', path: '/state', value: 'live' },
                  { op: 'set', path: '/liveSince', value: now.toISOString() },
                  { op: 'remove', path: '/leaseExpiresAt' },
                ],
                { accessCondition: { type: 'IfMatch', condition: knownEtags[key] } },
              );
              if (current.resource) return;
            } catch (error) {
              if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
            }
            // Changed since we created it: fall through to the careful path.
          }
          const existing = await this.read(tenantId, key);
          if (!existing || existing.doc.claimId !== claimId) {
            lost.push(key);
            return;
          }
          if (existing.doc.state === 'live') return;
          try {
            await this.container.item(key, tenantId).replace(liveDoc(existing.doc, now), { accessCondition: { type: 'IfMatch', condition: existing.etag } });
          } catch (error) {
            if (!isPreconditionFailed(error)) throw error;
            lost.push(key);
          }
        }),
    );
    return lost;
  }

  /**
   * Several documents this approval created, made live in one transactional batch, each only if unchanged
   * since (its ETag); the keys that were. A batch that fails as a whole (Azure Cosmos DB's, when one
   * document changed) confirms none: each then takes the one-by-one path.
   */
  private async replaceAllLive(tenantId: string, known: { doc: AssociationDoc; etag: string }[], now: Date): Promise<Set<string>> {
    if (known.length < 2) return new Set();
    let response: Awaited<ReturnType<Container['items']['batch']>>;
    try {
      response = await this.container.items.batch(
        known.map(({ doc, etag }) => ({
          operationType: BulkOperationType.Replace,
          id: doc.id,
          partitionKey: tenantId,
          resourceBody: { ...liveDoc(doc, now) },
          ifMatch: etag,
        })),
        tenantId,
      );
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error) || isConflict(error)) return new Set();
      throw error;
    }
    return new Set(known.filter((_, i) => response.result?.[i]?.statusCode === 200).map(({ doc }) => doc.id));
  }

  /** Ends the holder's associations (customer decline, withdrawal, a failed approval); others' are untouched. */
  async release(tenantId: string, keys: string[], claimId: string): Promise<void> {
    for (const key of keys) {
      const existing = await this.read(tenantId, key);
      if (existing && existing.doc.claimId === claimId) await this.deleteIfMatch(tenantId, key, existing.etag);
    }
  }

  /** Ends every association the claim holds in the tenant, whatever key it is stored under. */
  async releaseAllOf(tenantId: string, claimId: string): Promise<void> {
    const held = (await this.listForTenant(tenantId)).filter((doc) => doc.claimId === claimId).map((doc) => doc.id);
    await this.release(tenantId, held, claimId);
  }

  /** Documents whose id starts with one of the prefixes, across tenants (the key migration's scan). */
  async listByKeyPrefix(prefixes: readonly string[]): Promise<(AssociationDoc & { etag: string })[]> {
    const where = prefixes.map((_, i) => `STARTSWITH(c.id, @p${i})`).join(' OR ');
    const { resources } = await this.container.items
      .query<AssociationDoc & ItemDefinition>({ query: `SELECT * FROM c WHERE ${where}`, parameters: prefixes.map((value, i) => ({ name: `@p${i}`, value })) })
      .fetchAll();
    return resources.map((r) => ({ ...clean(r), etag: r._etag as string }));
  }

  /**
   * Stores a copy of an association under another key, same holder and state. True when the key is now
   * this holder's (created, or already its own); false when another claim holds it.
   */
  async copyTo(doc: AssociationDoc, key: string): Promise<boolean> {
    try {
      await this.container.items.create({ ...doc, id: key });
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await this.read(doc.tenantId, key);
    return existing?.doc.claimId === doc.claimId;
  }

  /** Deletes one document if it has not changed since it was read. */
  async remove(tenantId: string, key: string, etag: string): Promise<void> {
    await this.deleteIfMatch(tenantId, key, etag);
  }

  async listForTenant(tenantId: string): Promise<AssociationDoc[]> {
    const spec = { query: 'SELECT * FROM c WHERE c.tenantId = @t', parameters: [{ name: '@t', value: tenantId }] };
    return (await allInPartition<AssociationDoc>(this.container, spec, tenantId)).map(clean);
  }

  private async read(tenantId: string, key: string): Promise<{ doc: AssociationDoc; etag: string } | undefined> {
    try {
      const { resource } = await this.container.item(key, tenantId).read<AssociationDoc & ItemDefinition>();
      return resource ? { doc: clean(resource), etag: resource._etag as string } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async deleteIfMatch(tenantId: string, key: string, etag: string): Promise<void> {
    try {
      await this.container.item(key, tenantId).delete({ accessCondition: { type: 'IfMatch', condition: etag } });
    } catch (error) {
      if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
    }
  }
}

function pendingDoc(tenantId: string, key: string, holder: Holder, now: Date): AssociationDoc {
  return {
    id: key,
    tenantId,
    claimId: holder.claimId,
    orgId: holder.orgId,
    state: 'pending',
    createdAt: now.toISOString(),
    leaseExpiresAt: new Date(now.getTime() + PENDING_LEASE_MS).toISOString(),
  };
}

/** The document as it is once its approval is committed: live since now, no lease. */
function liveDoc(doc: AssociationDoc, now: Date): AssociationDoc {
  const live: AssociationDoc = { ...doc, state: 'live', liveSince: now.toISOString() };
  delete live.leaseExpiresAt;
  return live;
}

function clean(resource: AssociationDoc & Partial<ItemDefinition>): AssociationDoc {
  const { id, tenantId, claimId, orgId, state, createdAt, leaseExpiresAt, liveSince } = resource;
  return { id, tenantId, claimId, orgId, state, createdAt, ...(leaseExpiresAt ? { leaseExpiresAt } : {}), ...(liveSince ? { liveSince } : {}) };
}
