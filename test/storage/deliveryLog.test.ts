import { DeliveryLog } from '../../src/storage/deliveryLog';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { openTestDatabase } from '../support/testStorage';

/**
 * The delivery log is what keeps a notice from being sent twice: a message recorded as sent is never
 * sent again, one being sent by a live instance is left to it, and one a stopped process was sending is
 * taken over as a possible repeat (immediately when the data folder says that process is gone).
 */

let db: CosmosDatabase;
let now = new Date('2026-11-30T10:00:00Z');
let log: DeliveryLog;
beforeAll(async () => {
  db = await openTestDatabase();
  log = new DeliveryLog(db.containers.deliveries, () => now);
});
afterAll(() => db.close());

test('a sent message is never claimed again; a live sender keeps its message', async () => {
  const first = await log.begin('n1>alex', 'a', 60_000);
  expect(first).toMatchObject({ state: 'mine' });
  expect((first as { resumed?: boolean }).resumed).toBeUndefined();
  expect(await log.begin('n1>alex', 'b', 60_000)).toEqual({ state: 'busy' });
  await log.sent('n1>alex', 'a', 'activity-1');
  expect(await log.begin('n1>alex', 'b', 60_000)).toEqual({ state: 'sent' });
});

test('a send cut off by a crash is taken over after its lease, marked as a possible repeat', async () => {
  expect(await log.begin('n2>alex', 'a', 60_000)).toMatchObject({ state: 'mine' });
  expect(await log.begin('n2>alex', 'b', 60_000)).toEqual({ state: 'busy' });
  now = new Date(now.getTime() + 61_000);
  expect(await log.begin('n2>alex', 'b', 60_000)).toMatchObject({ state: 'mine', resumed: true });
});

test("after a restart on the same data folder, the stopped process's sends are taken over at once", async () => {
  expect(await log.begin('n3>alex', 'a', 120_000)).toMatchObject({ state: 'mine' });
  await log.sent('n4>alex', 'a', 'activity-4');
  expect(await log.releaseInterrupted()).toBeGreaterThanOrEqual(1);
  expect(await log.begin('n3>alex', 'b', 120_000)).toMatchObject({ state: 'mine', resumed: true });
  // What was recorded as sent stays sent.
  expect(await log.begin('n4>alex', 'b', 120_000)).toEqual({ state: 'sent' });
});
