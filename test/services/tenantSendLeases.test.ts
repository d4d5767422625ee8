import { silentLogger } from '../../src/logger';
import { DeliveryScheduler, type SendLimits } from '../../src/services/notifications/deliveryScheduler';
import { TenantSendLeases } from '../../src/services/notifications/tenantSendLeases';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { LeaseStore } from '../../src/storage/leaseStore';
import { openTestDatabase } from '../support/testStorage';

/**
 * The tenant send lease as the scheduler's gate, on the embedded Cosmos DB: a lane the gate holds back
 * has no timer of its own (the gate wakes the scheduler), so the gate must never go quiet while
 * messages wait for it.
 */

const ROOMY: SendLimits = { perConversation: [{ limit: 1000, windowMs: 1000 }], perTenant: [{ limit: 1000, windowMs: 1000 }] };

let db: CosmosDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

/** Resolves with the outcome, or with 'still waiting' once `ms` have passed (liveness, not speed). */
function orStillWaiting<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
  return Promise.race([promise, waited]).finally(() => clearTimeout(timer));
}

describe("the tenant send lease as the scheduler's gate", () => {
  test('a message that comes while the holder is letting go (the database is slow) is still sent: the gate asks again', async () => {
    const store = new LeaseStore(db.containers.leases);
    const gate = new TenantSendLeases(store, 'instance-a', silentLogger, { renewMs: 20 });
    const scheduler = new DeliveryScheduler({ limits: ROOMY, gate });
    const sent: string[] = [];
    const job = (name: string) => scheduler.deliver({ conversationKey: 'a:dm-noor', tenantKey: 'tenant-1', send: async () => void sent.push(name) });
    try {
      expect(await job('first')).toMatchObject({ ok: true });

      // The next write is the holder letting go (nothing left to send); it is slow, as under load,
      // and the second message comes while it is on its way.
      const realUpdate = store.update.bind(store);
      let writeStarted!: () => void;
      const letGoStarted = new Promise<void>((resolve) => (writeStarted = resolve));
      let finishWrite!: () => void;
      const slowWrite = new Promise<void>((resolve) => (finishWrite = resolve));
      const update = jest.spyOn(store, 'update').mockImplementationOnce(async (...args: Parameters<LeaseStore['update']>) => {
        writeStarted();
        await slowWrite;
        return realUpdate(...args);
      });
      await letGoStarted;
      const second = job('second');
      finishWrite();

      expect(await orStillWaiting(second, 10_000)).toMatchObject({ ok: true });
      expect(sent).toEqual(['first', 'second']);
      update.mockRestore();
    } finally {
      await scheduler.stop();
    }
  });
});
