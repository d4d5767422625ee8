import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { openTestDatabase, sharedServers } from '../support/testStorage';

/**
 * The embedded Cosmos DB server as the SDK uses it: queries page and sort as on Azure Cosmos DB, and the
 * query plan the SDK asks for beside every query is declined instead of running the query a second time.
 */

let db: CosmosDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
  const { timers } = db.containers;
  await Promise.all(['e', 'c', 'a', 'd', 'b'].map((id) => timers.items.create({ id, dueAt: `2026-11-2${'abcde'.indexOf(id) + 1}T00:00:00.000Z` })));
});
afterAll(() => db.close());

test('a query-plan request is declined with a message, not answered with every matching document', async () => {
  const { timers } = db.containers;
  const response = await fetch(new URL(`${timers.url}/docs`, sharedServers().cosmosEndpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/query+json', 'x-ms-documentdb-isquery': 'True', 'x-ms-cosmos-is-query-plan-request': 'True' },
    body: JSON.stringify({ query: 'SELECT * FROM c ORDER BY c.dueAt' }),
  });
  expect(response.status).toBe(400);
  const body = (await response.json()) as { message: string; Documents?: unknown };
  expect(body.Documents).toBeUndefined();
  expect(body.message).toMatch(/does not make query plans/);
});

test('queries still sort and page through the SDK, which asks for that plan on every page', async () => {
  const iterator = db.containers.timers.items.query<{ id: string }>('SELECT c.id FROM c ORDER BY c.dueAt DESC', { maxItemCount: 2 });
  const pages: string[][] = [];
  while (iterator.hasMoreResults()) {
    const { resources } = await iterator.fetchNext();
    if (resources.length) pages.push(resources.map((r) => r.id));
  }
  expect(pages).toEqual([['e', 'd'], ['c', 'b'], ['a']]);
  const { resources: count } = await db.containers.timers.items.query<number>('SELECT VALUE COUNT(1) FROM c').fetchAll();
  expect(count).toEqual([5]);
});
