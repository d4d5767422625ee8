import type { Container, ItemDefinition } from '@azure/cosmos';
import type { Claim } from '../domain/claim';
import type { ClaimStatus } from '../domain/claimStatus';
import { isConflict, isNotFound, isPreconditionFailed, withoutSystemProperties } from './cosmosDatabase';

/**
 * Claims in Cosmos DB, partitioned by partner organisation. Every write is conditional on the ETag
 * read just before it; a stale write re-runs the caller's decision on fresh data (so a second approval
 * sees "already approved"), and history can only grow.
 */

export interface StoredClaim {
  claim: Claim;
  etag: string;
}

/** What a mutation decides on the current claim: a next version to write, or nothing (a refusal). */
export type ClaimMutation<R> = (current: Claim) => { next?: Claim; result: R };

export type UpdateOutcome<R> = { found: false } | { found: true; written: boolean; result: R; claim: Claim; etag: string };

export class HistoryRewriteError extends Error {}
export class ConcurrencyExhaustedError extends Error {}

const MAX_ATTEMPTS = 8;
/** A write that lost to a concurrent change (412): read again and try again. */
const STALE = Symbol('stale');

/** The ETag each claim object handed out was read or written with (what a cache of its rendering is keyed by). */
const etags = new WeakMap<Claim, string>();

/** The ETag `claim` came from the store with; undefined for a claim built or copied elsewhere. */
export function etagOf(claim: Claim): string | undefined {
  return etags.get(claim);
}

function strip(resource: ItemDefinition): Claim {
  const claim = withoutSystemProperties<Claim>(resource);
  if (typeof resource._etag === 'string') etags.set(claim, resource._etag);
  return claim;
}

/** The store's own guard: a next version keeps every earlier history event as it was. */
export function assertHistoryAppendOnly(current: Claim, next: Claim): void {
  if (next.id !== current.id || next.orgId !== current.orgId) throw new HistoryRewriteError('A claim keeps its id and organisation');
  if (next.version !== current.version + 1)
    throw new HistoryRewriteError(`Claim ${current.id}: version must go from ${current.version} to ${current.version + 1}`);
  if (next.history.length <= current.history.length) throw new HistoryRewriteError(`Claim ${current.id}: a change must append to its history`);
  for (let i = 0; i < current.history.length; i++) {
    // The lifecycle appends to the events it was given (the same objects): only another object is compared by content.
    if (current.history[i] !== next.history[i] && JSON.stringify(current.history[i]) !== JSON.stringify(next.history[i])) {
      throw new HistoryRewriteError(`Claim ${current.id}: history event ${i + 1} may not be rewritten`);
    }
  }
}

export interface ClaimPage {
  claims: Claim[];
  continuation?: string;
}

export class ClaimStore {
  constructor(private readonly container: Container) {}

  /** Creates a new claim; false when the id is taken (the caller picks another id). */
  async create(claim: Claim): Promise<StoredClaim | undefined> {
    try {
      const { resource } = await this.container.items.create(claim);
      return { claim: strip(resource!), etag: resource!._etag };
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  async get(orgId: string, id: string): Promise<StoredClaim | undefined> {
    try {
      const { resource } = await this.container.item(id, orgId).read();
      return resource ? { claim: strip(resource), etag: resource._etag } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** For reviewers and deadlines, who know a claim by id only. */
  async findById(id: string): Promise<StoredClaim | undefined> {
    const { resources } = await this.container.items
      .query<ItemDefinition>({ query: 'SELECT * FROM c WHERE c.id = @id', parameters: [{ name: '@id', value: id }] })
      .fetchAll();
    const found = resources[0];
    return found ? { claim: strip(found), etag: found._etag as string } : undefined;
  }

  /** One organisation's claims, newest first: a single-partition query. */
  async listByOrganisation(orgId: string, options: { status?: ClaimStatus; pageSize?: number; continuation?: string } = {}): Promise<ClaimPage> {
    const parameters = [{ name: '@orgId', value: orgId }];
    let where = 'c.orgId = @orgId';
    if (options.status) {
      where += ' AND c.status = @status';
      parameters.push({ name: '@status', value: options.status });
    }
    const iterator = this.container.items.query<ItemDefinition>(
      { query: `SELECT * FROM c WHERE ${where} ORDER BY c.createdAt DESC`, parameters },
      { partitionKey: orgId, maxItemCount: options.pageSize ?? 25, ...(options.continuation ? { continuationToken: options.continuation } : {}) },
    );
    const page = await iterator.fetchNext();
    return { claims: page.resources.map(strip), ...(page.continuationToken ? { continuation: page.continuationToken } : {}) };
  }

  /**
   * Reads, decides, writes with the read ETag; on a concurrent change (412) reads again and decides
   * again on the fresh claim. Nothing is ever overwritten blindly.
   */
  async update<R>(
    orgId: string,
    id: string,
    mutation: ClaimMutation<R>,
    options: { current?: StoredClaim; beforeWrite?: (current: Claim, next: Claim) => Promise<void> } = {},
  ): Promise<UpdateOutcome<R>> {
    const outcome = await this.withFreshCopy(orgId, id, options.current, 'gave up', async (current): Promise<UpdateOutcome<R> | typeof STALE> => {
      const { next, result } = mutation(current.claim);
      if (!next) return { found: true, written: false, result, claim: current.claim, etag: current.etag };
      assertHistoryAppendOnly(current.claim, next);
      await options.beforeWrite?.(current.claim, next);
      const resource = await this.replaceIfMatch(orgId, id, next, current.etag);
      return resource === STALE ? STALE : { found: true, written: true, result, claim: strip(resource), etag: resource._etag as string };
    });
    return outcome ?? { found: false };
  }

  /**
   * Takes delivered notifications out of the claim's outbox. This is bookkeeping, not a change of the
   * claim: no version, no history event; the ETag still guards the write. With the copy the caller
   * last wrote (`known`), no read comes first: when nothing changed the claim since, one write does it,
   * and when something did, the 412 leads to a fresh read as in every other write.
   */
  async removeFromOutbox(orgId: string, id: string, entryIds: readonly string[], known?: StoredClaim): Promise<void> {
    const remove = new Set(entryIds);
    await this.withFreshCopy(orgId, id, known, 'its outbox was not cleared', async (current) => {
      if (!current.claim.outbox?.some((e) => remove.has(e.id))) return true;
      const next: Claim = { ...current.claim, outbox: current.claim.outbox.filter((e) => !remove.has(e.id)) };
      return (await this.replaceIfMatch(orgId, id, next, current.etag)) === STALE ? STALE : true;
    });
  }

  /**
   * The ETag loop every write shares: take the caller's fresh copy or read one, try the write, and when
   * someone else changed the claim in between, back off a little and try again on a fresh read.
   * Undefined when the claim does not exist.
   */
  private async withFreshCopy<T>(
    orgId: string,
    id: string,
    first: StoredClaim | undefined,
    givingUp: string,
    attempt: (current: StoredClaim) => Promise<T | typeof STALE>,
  ): Promise<T | undefined> {
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const current = n === 1 && first ? first : await this.get(orgId, id);
      if (!current) return undefined;
      const outcome = await attempt(current);
      if (outcome !== STALE) return outcome;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10 * n)));
    }
    throw new ConcurrencyExhaustedError(`Claim ${id} kept changing; ${givingUp} after ${MAX_ATTEMPTS} attempts`);
  }

  private async replaceIfMatch(orgId: string, id: string, next: Claim, etag: string): Promise<ItemDefinition | typeof STALE> {
    try {
      const { resource } = await this.container.item(id, orgId).replace(next, { accessCondition: { type: 'IfMatch', condition: etag } });
      return resource!;
    } catch (error) {
      if (isPreconditionFailed(error)) return STALE;
      throw error;
    }
  }

  /** Discards a draft; conditional on the ETag so a draft changed meanwhile is not lost. */
  async delete(orgId: string, id: string, etag: string): Promise<boolean> {
    try {
      await this.container.item(id, orgId).delete({ accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }
}
