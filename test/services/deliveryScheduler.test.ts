import { DeliveryError, DeliveryScheduler, TEAMS_SEND_LIMITS, type RateWindow, type SendLimits } from '../../src/services/notifications/deliveryScheduler';

/** Pacing rules with small windows, so the test runs in a fraction of a second on real time. */
const SMALL: SendLimits = {
  perConversation: [
    { limit: 3, windowMs: 100 },
    { limit: 4, windowMs: 200 },
  ],
  perTenant: [{ limit: 10, windowMs: 100 }],
};

/** The largest number of sends that fall in any window of the given span. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j] - sorted[i] < windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

function expectWithin(times: number[], windows: readonly RateWindow[]) {
  for (const w of windows) expect(busiestWindow(times, w.windowMs)).toBeLessThanOrEqual(w.limit);
}

describe('delivery scheduler', () => {
  test("Teams' documented limits are the default", () => {
    expect(TEAMS_SEND_LIMITS.perConversation.map((w) => [w.limit, w.windowMs])).toEqual([
      [7, 1000],
      [8, 2000],
      [60, 30000],
      [1800, 3600000],
    ]);
    expect(TEAMS_SEND_LIMITS.perTenant.map((w) => [w.limit, w.windowMs])).toEqual([[50, 1000]]);
  });

  test('sends to one conversation keep every window, in order; other conversations are not held up', async () => {
    const scheduler = new DeliveryScheduler({ limits: SMALL, marginMs: 2 });
    const sent: { conversation: string; n: number; at: number }[] = [];
    const job = (conversation: string, tenant: string, n: number) =>
      scheduler.deliver({ conversationKey: conversation, tenantKey: tenant, send: async () => sent.push({ conversation, n, at: performance.now() }) });
    await Promise.all([...Array.from({ length: 9 }, (_, n) => job('busy', 't1', n)), ...Array.from({ length: 12 }, (_, n) => job(`c${n % 6}`, 't2', n))]);
    const busy = sent.filter((s) => s.conversation === 'busy');
    expect(busy.map((s) => s.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expectWithin(
      busy.map((s) => s.at),
      SMALL.perConversation,
    );
    for (let c = 0; c < 6; c++)
      expectWithin(
        sent.filter((s) => s.conversation === `c${c}`).map((s) => s.at),
        SMALL.perConversation,
      );
    expectWithin(
      sent.filter((s) => !s.conversation.startsWith('busy')).map((s) => s.at),
      SMALL.perTenant,
    );
    // The other tenant's twelve messages did not wait behind the busy conversation's nine.
    const lastOther = Math.max(...sent.filter((s) => s.conversation !== 'busy').map((s) => s.at));
    expect(lastOther).toBeLessThan(busy.at(-1)!.at);
  });

  test('429 waits for Retry-After; 500 is tried again with back-off; 403 and 404 are final at once', async () => {
    const scheduler = new DeliveryScheduler({ limits: SMALL, baseBackoffMs: 20, maxAttempts: 3, random: () => 0.5 });
    const attempts: number[] = [];
    const throttled = await scheduler.deliver({
      conversationKey: 'a',
      tenantKey: 't',
      send: async () => {
        attempts.push(performance.now());
        if (attempts.length < 3) throw new DeliveryError('throttled', 429, 150);
        return 'ok';
      },
    });
    expect(throttled).toMatchObject({ ok: true, value: 'ok' });
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(145);
    expect(attempts[2] - attempts[1]).toBeGreaterThanOrEqual(145);

    let serverErrors = 0;
    const failing = await scheduler.deliver({
      conversationKey: 'b',
      tenantKey: 't',
      send: async () => {
        serverErrors++;
        throw new DeliveryError('boom', 500);
      },
    });
    expect(failing).toMatchObject({ ok: false, status: 500, final: false, attempts: 3 });
    expect(serverErrors).toBe(3);

    for (const status of [403, 404, 400]) {
      let tries = 0;
      const refused = await scheduler.deliver({
        conversationKey: `c${status}`,
        tenantKey: 't',
        send: async () => {
          tries++;
          throw new DeliveryError('no', status);
        },
      });
      expect(refused).toMatchObject({ ok: false, status, final: true });
      expect(tries).toBe(1);
    }
  });

  test('stop answers everything still waiting with "try later"', async () => {
    const scheduler = new DeliveryScheduler({ limits: { perConversation: [{ limit: 1, windowMs: 60_000 }], perTenant: [{ limit: 100, windowMs: 1000 }] } });
    const first = scheduler.deliver({ conversationKey: 'a', tenantKey: 't', send: async () => 1 });
    const second = scheduler.deliver({ conversationKey: 'a', tenantKey: 't', send: async () => 2 });
    expect(await first).toMatchObject({ ok: true });
    void scheduler.stop(); // not awaited: what callers get while it stops is the point
    expect(await second).toMatchObject({ ok: false, final: false });
    // After stop, nothing new starts and a failing send is not retried (shutdown must not wait on back-off).
    let tries = 0;
    expect(await scheduler.deliver({ conversationKey: 'b', tenantKey: 't', send: async () => ++tries })).toMatchObject({
      ok: false,
      final: false,
      attempts: 0,
    });
    expect(tries).toBe(0);
  });

  test('a send that fails while the scheduler stops is answered "try later" instead of backing off', async () => {
    const scheduler = new DeliveryScheduler({ baseBackoffMs: 10_000 });
    let fail!: () => void;
    const outcome = scheduler.deliver({
      conversationKey: 'a',
      tenantKey: 't',
      send: () => new Promise((_, reject) => (fail = () => reject(new DeliveryError('down', 503)))),
    });
    await new Promise((r) => setTimeout(r, 10));
    void scheduler.stop(); // not awaited: what callers get while it stops is the point
    fail();
    expect(await outcome).toMatchObject({ ok: false, status: 503, final: false, attempts: 1 });
  });
});
