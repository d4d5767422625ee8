import { startBotApp, type BotApp } from '../../app/botApp';
import { ProactiveMessenger } from '../../bot/proactive';
import { ManualClock } from '../../src/clock';
import { reminderDueAt } from '../../src/domain/claimTimers';
import type { Claim } from '../../src/domain/claim';
import { silentLogger } from '../../src/logger';
import type { DeliveryOutcome } from '../../src/services/notifications/deliveryScheduler';
import type { SweepRound } from '../../src/services/notifications/sweeper';
import { PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, postActivity, teamsActivity } from '../support/activities';
import { StubConnector } from '../support/stubConnector';
import { testConfig, uniqueName } from '../support/testStorage';
import { AVERY as avery } from '../support/personas';
import { uniqueTenant } from '../support/consentClaims';
import { poeRecordFor } from '../support/claimFixtures';

/**
 * Two bot instances on one Cosmos DB database, as behind a load balancer: Teams' rate limits hold for
 * the bot as a whole (the stub Bot Connector answers 429 over them, as Teams does), every message
 * arrives once, and the sweep loop runs on one instance at a time.
 */

jest.setTimeout(120_000);

const connector = new StubConnector();
const clock = new ManualClock('2026-11-23T09:00:00.000Z');
const CHANNEL = '19:multi-reviews@thread.tacv2';
const NOOR = 'a1b2c3d4-0002-4000-8000-000000000002';
const NOOR_CHAT = `a:dm-${NOOR}`;
let a: BotApp;
let b: BotApp;

beforeAll(async () => {
  await connector.start();
  const database = uniqueName('multi-');
  // Short send leases, so a take-over after a holder dies comes within seconds.
  const start = () =>
    startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0', COSMOS_DATABASE: database }), {
      log: silentLogger,
      clock,
      sendLeases: { leaseMs: 2_000, renewMs: 250 },
    });
  a = await start();
  b = await start();
  const from = (aad: string, tenantId: string, conversation: { id: string; conversationType: string }, extra: Record<string, unknown>) =>
    teamsActivity({ serviceUrl: connector.url, aadObjectId: aad, tenantId, conversation }, extra);
  await postActivity(a.url, from(REVIEWER_AAD, REVIEWER_TENANT, { id: CHANNEL, conversationType: 'channel' }, { type: 'installationUpdate', action: 'add' }));
  await a.services.reviews.setReviewConversation(CHANNEL, 'test');
  await postActivity(
    b.url,
    from(NOOR, PARTNER_TENANT, { id: NOOR_CHAT, conversationType: 'personal' }, { type: 'message', text: 'help', deliveryMode: 'expectReplies' }),
  );
  // From here on the connector answers 429 over Teams' limits (the set-up's replies in the turn are not paced notifications).
  connector.enforceTeamsLimits = true;
});
afterAll(async () => {
  await a.close();
  await b.close();
  await connector.stop();
});

async function settle(): Promise<void> {
  await Promise.all([a.background.drain(), b.background.drain()]);
}

/** A claim ready to submit, created on the given instance. */
async function draftOn(app: BotApp): Promise<string> {
  const { claimService } = app.services;
  const draft = await claimService.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: 'fourthcoffee.example',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams'],
    customerTenantId: uniqueTenant(),
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@fourthcoffee.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
    claimName: uniqueName('Multi claim '),
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const file = poeRecordFor(draft.claim.id, avery, clock.now());
  await claimService.act(draft.claim.id, { type: 'addPoe', files: [file] }, avery);
  return draft.claim.id;
}

async function submitOn(app: BotApp, id: string): Promise<Claim> {
  const submitted = await app.services.claimService.act(id, { type: 'submit' }, avery);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.refusal));
  return submitted.claim;
}

/** New messages (not card updates) in a conversation that name the claim. */
const postsAbout = (conversationId: string, claimId: string) =>
  connector.to(conversationId).filter((c) => c.method === 'POST' && JSON.stringify(c.activity).includes(claimId));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("Teams' limits hold for the bot as a whole", () => {
  test("claims submitted on both instances at once: the reviewers' channel and the partner's chat get every card and notice once, and Teams never answers 429", async () => {
    const drafts = await Promise.all([...Array.from({ length: 12 }, () => draftOn(a)), ...Array.from({ length: 12 }, () => draftOn(b))]);
    connector.clear();
    // Both instances at once: each alone would keep the channel's 7 per second, together they would not.
    const claims = await Promise.all(drafts.map((id, i) => submitOn(i < 12 ? a : b, id)));
    await settle();
    for (const claim of claims) {
      expect(postsAbout(CHANNEL, claim.id)).toHaveLength(1);
      expect(postsAbout(NOOR_CHAT, claim.id).map((c) => JSON.stringify(c.activity))).toEqual([expect.stringContaining('is Submitted')]);
    }
    expect(connector.to(CHANNEL).filter((c) => c.method === 'POST')).toHaveLength(24);
    expect(connector.refused).toEqual([]);
  });

  test("a tenant's 50 messages per second across many conversations, sent from both instances: every message once, none refused", async () => {
    const tenantId = '88888888-0000-4000-8000-000000000001';
    const conversations = Array.from({ length: 30 }, (_, c) => `a:tenant-chat-${c}`);
    const messengers = new Map([a, b].map((app) => [app, new ProactiveMessenger(app.adapter, '')]));
    const sends: Promise<DeliveryOutcome<string | undefined>>[] = [];
    for (let m = 0; m < 4; m++) {
      for (const conversationId of conversations) {
        const app = m % 2 ? b : a;
        const reference = {
          serviceUrl: connector.url,
          channelId: 'msteams',
          conversation: { id: conversationId, conversationType: 'personal', tenantId },
          bot: { id: '28:cpor-bot', name: 'CPOR' },
          user: { id: `29:${conversationId}`, name: 'User' },
        };
        sends.push(
          app.services.scheduler.deliver({
            conversationKey: conversationId,
            tenantKey: tenantId,
            send: () => messengers.get(app)!.send(reference, { type: 'message', text: `message ${m} to ${conversationId}` }),
          }),
        );
      }
    }
    const outcomes = await Promise.all(sends);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    for (const conversationId of conversations) {
      expect(
        connector
          .to(conversationId)
          .map((c) => c.activity.text)
          .sort(),
      ).toEqual([0, 1, 2, 3].map((m) => `message ${m} to ${conversationId}`));
    }
    expect(connector.refused).toEqual([]);
  });
});

describe('the sweep loop runs on one instance at a time', () => {
  /** Watches both instances' sweep loops: who led each round, and how many sweeps ran at once. */
  function watchSweeps() {
    const seen = {
      rounds: new Map<BotApp, SweepRound[]>([
        [a, []],
        [b, []],
      ]),
      inside: 0,
      mostAtOnce: 0,
    };
    for (const app of [a, b]) {
      const sweeper = app.notifications.sweeper;
      sweeper.onRound((round) => seen.rounds.get(app)!.push(round));
      const runOnce = sweeper.runOnce.bind(sweeper);
      sweeper.runOnce = async (signal) => {
        seen.mostAtOnce = Math.max(seen.mostAtOnce, ++seen.inside);
        try {
          return await runOnce(signal);
        } finally {
          seen.inside--;
        }
      };
    }
    return seen;
  }
  /** When the "start-review target passed" reminder is due: the first business-hours opening after the target. */
  const reviewStartReminderAt = (claim: Claim) => reminderDueAt(a.services.calendar, 'reviewStartPassed', claim.deadlines.reviewStart!);
  const reviewStartReminders = async (app: BotApp, claim: Claim) =>
    ((await app.services.claimService.get(claim.id, claim.orgId))?.history ?? []).filter((e) => e.action === 'remind' && e.reminder === 'reviewStartPassed');
  let seen: ReturnType<typeof watchSweeps>;

  test('with both loops running only the leader sweeps, each due timer fires once; when the leader stops, the other leads', async () => {
    seen = watchSweeps();
    const first = await Promise.all(Array.from({ length: 6 }, async (_, i) => submitOn(i % 2 ? b : a, await draftOn(i % 2 ? b : a))));
    await settle();
    clock.set(new Date(Date.parse(reviewStartReminderAt(first[0])) + 1000));
    a.notifications.sweeper.start(50, 60_000);
    b.notifications.sweeper.start(50, 60_000);
    await until(() => [a, b].every((app) => seen.rounds.get(app)!.length >= 6));
    const leaders = [a, b].filter((app) => seen.rounds.get(app)!.some((r) => r.led));
    expect(leaders).toHaveLength(1);
    const [leader] = leaders;
    const follower = leader === a ? b : a;
    expect(seen.rounds.get(leader)!.every((r) => r.led)).toBe(true);
    expect(seen.mostAtOnce).toBe(1);
    await settle();
    for (const claim of first) {
      expect(await reviewStartReminders(a, claim)).toHaveLength(1);
      expect(
        connector.to(CHANNEL).filter((c) => String(c.activity.text ?? '').includes(claim.id) && String(c.activity.text).includes('start-review target')),
      ).toHaveLength(1);
    }

    // The leader stops (a deployment, a scale-in): it lets the lease go and the other instance leads.
    await leader.notifications.sweeper.stop();
    const later = await Promise.all(Array.from({ length: 2 }, async () => submitOn(follower, await draftOn(follower))));
    await settle();
    const led = seen.rounds.get(follower)!.length;
    clock.set(new Date(Date.parse(reviewStartReminderAt(later[0])) + 1000));
    await until(
      () =>
        seen.rounds
          .get(follower)!
          .slice(led)
          .filter((r) => r.led).length >= 2,
    );
    await follower.notifications.sweeper.stop();
    await settle();
    for (const claim of later) expect(await reviewStartReminders(follower, claim)).toHaveLength(1);
    expect(seen.mostAtOnce).toBe(1);
  });

  test('a leader that dies holding the lease is replaced once its lease runs out', async () => {
    const claim = await submitOn(b, await draftOn(b));
    await settle();
    // An instance killed while leading: its lease stays until it runs out.
    const dead = await a.services.leases.acquire('sweep-leader', 'instance-killed', clock.now().getTime(), 60_000);
    expect(dead).toBeDefined();
    const rounds = seen.rounds.get(b)!;
    const from = rounds.length;
    b.notifications.sweeper.start(50, 60_000);
    await until(() => rounds.length >= from + 3);
    expect(rounds.slice(from).some((r) => r.led)).toBe(false);
    // Its lease runs out (and the claim's review-start target passes): the living instance leads and sweeps.
    clock.set(new Date(Math.max(Date.parse(reviewStartReminderAt(claim)), clock.now().getTime() + 60_000) + 1000));
    await until(() => rounds.slice(from).some((r) => r.led && r.report.fired > 0));
    await b.notifications.sweeper.stop();
    await settle();
    expect(await reviewStartReminders(b, claim)).toHaveLength(1);
  });
});

describe('a sending instance that dies', () => {
  test('another instance takes its tenant over once the send lease runs out, within the windows: all messages once, none refused', async () => {
    const tenantId = '88888888-0000-4000-8000-000000000002';
    const conversationId = 'a:takeover-chat';
    const reference = {
      serviceUrl: connector.url,
      channelId: 'msteams',
      conversation: { id: conversationId, conversationType: 'personal', tenantId },
      bot: { id: '28:cpor-bot', name: 'CPOR' },
      user: { id: '29:takeover', name: 'User' },
    };
    const send = (app: BotApp, n: number) =>
      app.services.scheduler.deliver({
        conversationKey: conversationId,
        tenantKey: tenantId,
        send: () => new ProactiveMessenger(app.adapter, '').send(reference, { type: 'message', text: `message ${n}` }),
      });
    // Instance a starts ten messages; the conversation's 7 per second lets seven go, the rest wait.
    for (let n = 1; n <= 10; n++) void send(a, n);
    await until(() => connector.to(conversationId).length >= 7);
    // It dies (kill -9): its send lease is not given back. Its last three are sent by b (a sweep would find them in the outbox).
    // (b's count runs since it started: a holder renewing late on a loaded machine may have been taken over before.)
    const takenOverBefore = b.services.sendLeases.counts.takenOver;
    a.services.sendLeases.abandon();
    const outcomes = await Promise.all([8, 9, 10].map((n) => send(b, n)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(b.services.sendLeases.counts.takenOver - takenOverBefore).toBe(1);
    expect(connector.to(conversationId).map((c) => c.activity.text)).toEqual(Array.from({ length: 10 }, (_, i) => `message ${i + 1}`));
    expect(connector.refused).toEqual([]);
  });
});
