import { AssociationStore } from '../../src/storage/associationStore';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/storage/embeddedCosmos';

/**
 * An approval's associations made live after its claim is committed: the documents it created, all in
 * one request (counted by an embedded server of this file's own); one changed meanwhile is checked on
 * its own and reported lost, the others still go live.
 */

jest.setTimeout(60_000);

let cosmos: EmbeddedCosmos;
let db: CosmosDatabase;
let store: AssociationStore;
beforeAll(async () => {
  cosmos = await startEmbeddedCosmos(0);
  db = await CosmosDatabase.open({ endpoint: cosmos.endpoint, key: cosmos.key, database: 'associations-confirm', embedded: true });
  store = new AssociationStore(db.containers.associations);
});
afterAll(async () => {
  db?.close();
  await cosmos?.close();
});

async function served(): Promise<Record<string, number>> {
  return ((await (await fetch(`${cosmos.endpoint}_stats`)).json()) as { byKind: Record<string, number> }).byKind;
}

const keys = ['osu-m365:workload:teams', 'osu-m365:workload:exchange', 'osu-m365:workload:sharepoint'];
const holder = { claimId: 'CL-CONFIRM1', orgId: 'fabrikam-consulting' };
const notLive = async () => false;

test('the documents an approval created go live in one request, each only if unchanged since', async () => {
  const acquired = await store.acquire('tenant-1', keys, holder, new Date('2026-11-30T10:00:00Z'), notLive);
  if (!acquired.ok) throw new Error('not acquired');
  const before = await served();
  const lost = await store.confirm('tenant-1', keys, holder.claimId, new Date('2026-11-30T10:00:05Z'), acquired.etags, acquired.created);
  const after = await served();
  expect(lost).toEqual([]);
  const requests = Object.fromEntries(
    Object.entries(after)
      .filter(([k, n]) => n !== (before[k] ?? 0))
      .map(([k, n]) => [k, n - (before[k] ?? 0)]),
  );
  expect(requests).toEqual({ 'associations batch': 1 });
  for (const doc of await store.listForTenant('tenant-1')) {
    expect(doc).toMatchObject({ claimId: holder.claimId, orgId: holder.orgId, state: 'live', liveSince: '2026-11-30T10:00:05.000Z' });
    expect(doc.leaseExpiresAt).toBeUndefined();
  }
});

test('a document taken over meanwhile is reported lost; the others go live', async () => {
  const acquired = await store.acquire('tenant-2', keys, holder, new Date('2026-11-30T10:00:00Z'), notLive);
  if (!acquired.ok) throw new Error('not acquired');
  // Its lease ran out and another claim's approval took the second key.
  await store.release('tenant-2', [keys[1]], holder.claimId);
  const other = await store.acquire('tenant-2', [keys[1]], { claimId: 'CL-OTHER001', orgId: 'tailspin' }, new Date('2026-11-30T10:01:00Z'), notLive);
  expect(other.ok).toBe(true);
  const lost = await store.confirm('tenant-2', keys, holder.claimId, new Date('2026-11-30T10:01:05Z'), acquired.etags, acquired.created);
  expect(lost).toEqual([keys[1]]);
  const docs = Object.fromEntries((await store.listForTenant('tenant-2')).map((d) => [d.id, d]));
  expect(docs[keys[0]]).toMatchObject({ claimId: holder.claimId, state: 'live' });
  expect(docs[keys[2]]).toMatchObject({ claimId: holder.claimId, state: 'live' });
  expect(docs[keys[1]]).toMatchObject({ claimId: 'CL-OTHER001', state: 'pending' });
});
