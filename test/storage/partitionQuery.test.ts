import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { allInPartition, queryInPartition } from '../../src/storage/partitionQuery';

/**
 * A query within one partition answers exactly as the SDK's ordinary query does (order, pages,
 * continuation tokens), without the query-plan request the SDK sends beside every query. The server
 * here is this file's own, so its request counts are this file's alone.
 */

jest.setTimeout(120_000);

let cosmos: EmbeddedCosmos;
let db: CosmosDatabase;
beforeAll(async () => {
  cosmos = await startEmbeddedCosmos(0);
  db = await CosmosDatabase.open({ endpoint: cosmos.endpoint, key: cosmos.key, database: 'partition-query', embedded: true });
  const created = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();
  for (let n = 0; n < 27; n++) await db.containers.claims.items.create({ id: `a-${n}`, orgId: 'org-a', createdAt: created((n * 7) % 27), n });
  for (let n = 0; n < 5; n++) await db.containers.claims.items.create({ id: `b-${n}`, orgId: 'org-b', createdAt: created(n), n });
});
afterAll(async () => {
  await db?.close();
  await cosmos?.close();
});

async function queryPlansServed(): Promise<number> {
  const stats = (await (await fetch(`${cosmos.endpoint}_stats`)).json()) as { byKind: Record<string, number> };
  return stats.byKind['claims query plan'] ?? 0;
}

const NEWEST_FIRST = {
  query: 'SELECT c.id, c.createdAt FROM c WHERE c.orgId = @org ORDER BY c.createdAt DESC',
  parameters: [{ name: '@org', value: 'org-a' }],
};

/** Pages of `pageSize` as the claim lists read them: a new iterator per page, from the last page's continuation token. */
async function pages(query: (continuationToken?: string) => Promise<{ resources: { id: string }[]; continuationToken?: string }>) {
  const all: string[][] = [];
  let token: string | undefined;
  do {
    const page = await query(token);
    all.push(page.resources.map((r) => r.id));
    token = page.continuationToken || undefined;
  } while (token);
  return all;
}

test('pages of a single-partition query are those of the ordinary query, in order, with no query plan requested', async () => {
  const options = (continuationToken?: string) => ({ partitionKey: 'org-a', maxItemCount: 10, ...(continuationToken ? { continuationToken } : {}) });

  const before = await queryPlansServed();
  const ordinary = await pages((token) => db.containers.claims.items.query<{ id: string }>(NEWEST_FIRST, options(token)).fetchNext());
  const afterOrdinary = await queryPlansServed();
  const confined = await pages((token) => queryInPartition<{ id: string }>(db.containers.claims, NEWEST_FIRST, options(token)).fetchNext());
  const afterConfined = await queryPlansServed();

  // The SDK's own query asks for a plan on every page: what is saved is real.
  expect(afterOrdinary - before).toBe(ordinary.length);
  expect(afterConfined - afterOrdinary).toBe(0);
  expect(confined).toEqual(ordinary);
  expect(confined.map((page) => page.length)).toEqual([10, 10, 7]);
  expect(confined.flat()).toHaveLength(27);
  expect(new Set(confined.flat()).size).toBe(27);
  expect(confined[0][0]).toBe('a-23'); // created last: 23 * 7 % 27 = 26
});

test('every row of one partition, page after page without a plan', async () => {
  const before = await queryPlansServed();
  // The query names its partition, as every caller's does: the embedded server does not confine a query to the partition key it is sent with.
  const spec = { query: 'SELECT c.id, c.orgId FROM c WHERE c.orgId = @org', parameters: [{ name: '@org', value: 'org-b' }] };
  const rows = await allInPartition<{ id: string; orgId: string }>(db.containers.claims, spec, 'org-b');
  expect(rows.map((r) => r.id).sort()).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
  expect(await queryPlansServed()).toBe(before);
});

test('a query the server refuses is still refused, not answered empty', async () => {
  await expect(queryInPartition(db.containers.claims, { query: 'SELECT FROM WHERE' }, { partitionKey: 'org-a' }).fetchNext()).rejects.toMatchObject({
    code: 400,
  });
});
