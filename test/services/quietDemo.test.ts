import { startBotApp, type BotApp } from '../../app/botApp';
import { ManualClock } from '../../src/clock';
import { seedDemoClaims } from '../../app/demo/demoSeed';
import { silentLogger } from '../../src/logger';
import { PARTNER_AAD, PARTNER_TENANT, postActivity, REVIEWER_AAD, REVIEWER_TENANT, teamsActivity } from '../support/activities';
import { cardProblems } from '../support/cardValidation';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * The demo's claims are seeded as history, not as news: with the demo partner and the reviewers'
 * channel reachable, seeding sends nothing (no notices, no review cards, not even after the
 * sweeper's next runs), and choosing the reviewers' channel shows the demo claims that wait for a
 * reviewer in one digest card.
 */

const connector = new StubConnector();
const clock = new ManualClock('2026-11-23T09:00:00.000Z');
const CHANNEL = '19:demo-reviews@thread.tacv2';
let app: BotApp;

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, clock, delivery: TEST_DELIVERY });
});
afterAll(async () => {
  await app.close();
  await connector.stop();
});

const say = (aad: string, tenantId: string, conversation: { id: string; conversationType: string }, text: string) =>
  postActivity(
    app.url,
    teamsActivity({ serviceUrl: connector.url, aadObjectId: aad, tenantId, conversation }, { type: 'message', text, deliveryMode: 'expectReplies' }),
  );

test("seeded demo claims notify no one; the reviewers' channel gets one digest of the claims waiting for a reviewer", async () => {
  // The demo partner's chat is known, so a notice would reach them.
  await say(PARTNER_AAD, PARTNER_TENANT, { id: 'a:demo-avery', conversationType: 'personal' }, 'help');
  expect(await seedDemoClaims(app.services)).toBe(6);
  await app.background.drain();
  const seeded = (await app.services.claims.listByOrganisation('fabrikam-consulting', { pageSize: 10 })).claims;
  expect(seeded.map((c) => c.outbox ?? []).flat()).toEqual([]);

  const chosen = await say(REVIEWER_AAD, REVIEWER_TENANT, { id: CHANNEL, conversationType: 'channel' }, 'use this channel for reviews');
  const replies = chosen.body!.activities! as { text?: string; attachments?: { content: Record<string, unknown> }[] }[];
  expect(replies[0].text).toContain("This conversation is now the reviewers' conversation");
  expect(replies).toHaveLength(2);
  const digest = replies[1].attachments![0].content;
  expect(cardProblems(digest)).toEqual([]);
  const text = JSON.stringify(digest);
  // Only the claim that waits for a reviewer (submitted, review not started): not those under review or decided.
  expect(text).toContain('1 claim waiting for a reviewer');
  expect(text).toContain('Northwind Teams adoption');
  for (const other of ['Adventure Works', 'Tailwind', 'Litware', 'Wingtip', 'Contoso']) expect(text).not.toContain(other);

  // Minutes and days later (every dispatch grace period over, the sweeper run): still nothing sent proactively.
  for (const minutes of [2, 60, 24 * 60]) {
    clock.advanceMs(minutes * 60_000);
    await app.notifications.sweeper.runOnce();
    await app.background.drain();
  }
  expect(connector.calls.map((c) => `${c.conversationId}: ${JSON.stringify(c.activity).slice(0, 120)}`)).toEqual([]);
});
