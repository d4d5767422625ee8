import { ManualClock } from '../../src/clock';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { ProcessedActivities } from '../../src/storage/processedActivities';
import { openTestDatabase } from '../support/testStorage';

/** The record that makes a re-delivered activity act once: first, repeat, released, expired. */

const clock = new ManualClock('2026-11-02T09:00:00Z');
let db: CosmosDatabase;
let records: ProcessedActivities;
beforeAll(async () => {
  db = await openTestDatabase();
  records = new ProcessedActivities(db.containers.activities, () => clock.now());
});
afterAll(() => db.close());

test('the first delivery acts, a repeat does not; a released or expired record lets the next delivery act', async () => {
  expect(await records.claim('a:chat', 'm-1')).toBe(true);
  expect(await records.claim('a:chat', 'm-1')).toBe(false);
  expect(await records.claim('a:chat', 'm-1')).toBe(false);
  expect(await records.claim('a:other-chat', 'm-1')).toBe(true); // ids are per conversation

  // A turn that failed gives its activity back: Teams' retry acts.
  expect(await records.claim('a:chat', 'm-2')).toBe(true);
  await records.release('a:chat', 'm-2');
  expect(await records.claim('a:chat', 'm-2')).toBe(true);

  // A day later the records have expired: a store without TTL purges them, and an id seen again acts.
  clock.advanceMs(25 * 60 * 60_000);
  expect(await records.claim('a:chat', 'm-2')).toBe(true);
  expect(await records.purgeExpired()).toBe(2); // a:chat/m-1 and a:other-chat/m-1; m-2 was renewed
  expect(await records.claim('a:chat', 'm-1')).toBe(true);
});
