import { readFile } from 'node:fs/promises';
import type { Container } from '@azure/cosmos';
import { parseRoster, type Organisation, type PartnerUser, type Reviewer, type Roster } from '../domain/roster';
import { isNotFound } from './cosmosDatabase';

/**
 * Rosters in Cosmos DB, one document per organisation, partner user and reviewer, looked up by point
 * reads. Loading a roster file replaces the roster (entries no longer in the file are removed) and
 * never touches claims.
 */

type RosterDoc =
  ({ id: string; kind: 'organisation' } & Organisation) | ({ id: string; kind: 'partnerUser' } & PartnerUser) | ({ id: string; kind: 'reviewer' } & Reviewer);

const orgDocId = (id: string) => `org:${id}`;
const userDocId = (aad: string) => `user:${aad.toLowerCase()}`;
const reviewerDocId = (aad: string) => `reviewer:${aad.toLowerCase()}`;

export class RosterFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`Roster file ${file} is not valid:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}

export interface RosterLoadSummary {
  organisations: number;
  partnerUsers: number;
  reviewers: number;
  removed: number;
}

/** Identity look-ups happen on every turn; a short cache spares two reads per message. */
const CACHE_TTL_MS = 30_000;

export class RosterStore {
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly container: Container,
    private readonly now: () => number = Date.now,
  ) {}

  async loadFile(path: string): Promise<RosterLoadSummary> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new RosterFileError(path, [(error as Error).message]);
    }
    const parsed = parseRoster(raw);
    if (!parsed.ok) throw new RosterFileError(path, parsed.errors);
    return this.replace(parsed.roster);
  }

  async replace(roster: Roster): Promise<RosterLoadSummary> {
    const docs: RosterDoc[] = [
      ...roster.organisations.map((o) => ({ ...o, id: orgDocId(o.id), kind: 'organisation' as const, orgKey: o.id })),
      ...roster.partnerUsers.map((u) => ({ ...u, id: userDocId(u.aadObjectId), kind: 'partnerUser' as const })),
      ...roster.reviewers.map((r) => ({ ...r, id: reviewerDocId(r.aadObjectId), kind: 'reviewer' as const })),
    ];
    const keep = new Set(docs.map((d) => d.id));
    for (const doc of docs) await this.container.items.upsert(doc);
    const { resources: existing } = await this.container.items.query<{ id: string }>('SELECT c.id FROM c').fetchAll();
    let removed = 0;
    for (const { id } of existing) {
      if (keep.has(id)) continue;
      await this.container
        .item(id, id)
        .delete()
        .catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      removed += 1;
    }
    this.cache.clear();
    return { organisations: roster.organisations.length, partnerUsers: roster.partnerUsers.length, reviewers: roster.reviewers.length, removed };
  }

  async organisation(orgId: string): Promise<Organisation | undefined> {
    const doc = await this.read(orgDocId(orgId));
    return doc?.kind === 'organisation'
      ? { id: (doc as unknown as { orgKey: string }).orgKey, name: doc.name, tenantId: doc.tenantId, mpnIds: doc.mpnIds }
      : undefined;
  }

  async partnerUser(aadObjectId: string): Promise<PartnerUser | undefined> {
    const doc = await this.read(userDocId(aadObjectId));
    return doc?.kind === 'partnerUser'
      ? { aadObjectId: doc.aadObjectId, tenantId: doc.tenantId, orgId: doc.orgId, name: doc.name, email: doc.email, role: doc.role }
      : undefined;
  }

  async reviewer(aadObjectId: string): Promise<Reviewer | undefined> {
    const doc = await this.read(reviewerDocId(aadObjectId));
    return doc?.kind === 'reviewer' ? { aadObjectId: doc.aadObjectId, tenantId: doc.tenantId, name: doc.name, email: doc.email } : undefined;
  }

  async partnerUsersOf(orgId: string): Promise<PartnerUser[]> {
    return this.cached(`query:partnerUsers:${orgId}`, async () => {
      const { resources } = await this.container.items
        .query<PartnerUser>({ query: "SELECT * FROM c WHERE c.kind = 'partnerUser' AND c.orgId = @o", parameters: [{ name: '@o', value: orgId }] })
        .fetchAll();
      return resources.map(({ aadObjectId, tenantId, orgId: o, name, email, role }) => ({ aadObjectId, tenantId, orgId: o, name, email, role }));
    });
  }

  async reviewers(): Promise<Reviewer[]> {
    return this.cached('query:reviewers', async () => {
      const { resources } = await this.container.items.query<Reviewer>("SELECT * FROM c WHERE c.kind = 'reviewer'").fetchAll();
      return resources.map(({ aadObjectId, tenantId, name, email }) => ({ aadObjectId, tenantId, name, email }));
    });
  }

  async isEmpty(): Promise<boolean> {
    const { resources } = await this.container.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
    return (resources[0] ?? 0) === 0;
  }

  private read(id: string): Promise<RosterDoc | undefined> {
    return this.cached(id, async () => {
      try {
        return (await this.container.item(id, id).read<RosterDoc>()).resource ?? undefined;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  /** Roster answers are kept for CACHE_TTL_MS: rosters change rarely, and a reload on this instance clears them. */
  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < CACHE_TTL_MS) return hit.value as T;
    const value = await load();
    this.cache.set(key, { at: this.now(), value });
    return value;
  }
}
