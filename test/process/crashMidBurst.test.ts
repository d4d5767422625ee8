import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, postActivity, teamsActivity } from '../support/activities';
import { killBotProcess, startBotProcess, type BotProcess } from '../support/botProcess';
import { claimThrough } from '../support/seededClaims';
import { StubConnector, type ConnectorCall } from '../support/stubConnector';

/**
 * `kill -9` in the middle of a burst of approvals, with the partner's notices in flight to a slow Teams,
 * on the default data folder. After a restart: every approval the reviewer was told about is there,
 * every approved claim's notice reaches the partner, and nothing the bot had recorded as sent is sent
 * again. The one message that may come twice is the send the kill cut off between Teams taking it and
 * the bot writing that down (Teams offers no way to ask); it comes once more, saying so.
 */

jest.setTimeout(240_000);

const CLAIMS = 12;
/** The bot has one message per conversation in flight at a time (so a person reads them in order). */
const IN_FLIGHT = 1;
const connector = new StubConnector();
const dataDir = mkdtempSync(join(tmpdir(), 'cpor-crash-'));
const env = { PORT: '0', DATA_DIR: dataDir, DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '5' };
const PARTNER_CHAT = `a:crash-${PARTNER_AAD}`;
const REVIEWER_CHAT = `a:crash-${REVIEWER_AAD}`;
let bot: BotProcess | undefined;

beforeAll(() => connector.start());
afterAll(async () => {
  if (bot) await killBotProcess(bot);
  await connector.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const partnerSays = (text: string) =>
  postActivity(
    bot!.url,
    teamsActivity(
      { serviceUrl: connector.url, aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT, conversation: { id: PARTNER_CHAT, conversationType: 'personal' } },
      { type: 'message', text, deliveryMode: 'expectReplies' },
    ),
  );
const approve = (claimId: string) =>
  postActivity(
    bot!.url,
    teamsActivity(
      {
        serviceUrl: connector.url,
        aadObjectId: REVIEWER_AAD,
        tenantId: REVIEWER_TENANT,
        name: 'Riley Reviewer',
        conversation: { id: REVIEWER_CHAT, conversationType: 'personal' },
      },
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'review.approve', data: { action: 'review.approve', claimId } }, trigger: 'manual' },
      },
    ),
  );

/** The partner's approval notices for one claim, in the order Teams got them. */
const approvalNotices = (claimId: string): ConnectorCall[] =>
  connector
    .to(PARTNER_CHAT)
    .filter((c) => c.method === 'POST' && JSON.stringify(c.activity).includes(claimId) && /approved/i.test(JSON.stringify(c.activity.attachments ?? [])));

async function until(what: string, condition: () => boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kill -9 mid-burst: acknowledged approvals survive, every partner is told, nothing Teams answered is sent again', async () => {
  // Claims under review, made with the real services on the data folder before the bot starts on it.
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const seeding = await openServices(loaded.config, { log: silentLogger });
  const ids: string[] = [];
  try {
    for (let i = 0; i < CLAIMS; i++) ids.push((await claimThrough(seeding, 'UnderReview', `crash-burst-${i}`, 9000 + i)).id);
  } finally {
    await seeding.close();
  }

  bot = await startBotProcess(env);
  expect((await partnerSays('help')).status).toBe(200);
  // The seeded claims' own notices (submitted, under review) reach the partner first.
  await until('the seeded notices', () => ids.every((id) => connector.to(PARTNER_CHAT).some((c) => JSON.stringify(c.activity).includes(id))));

  // A slow Teams: each notice is posted at once but answered 60 ms later, so the kill finds sends in flight.
  connector.answerDelayMs = 60;
  const acknowledged = new Set<string>();
  const burst = ids.map(async (id) => {
    try {
      const { status, body } = await approve(id);
      if (status === 200 && JSON.stringify(body).includes(`approved claim ${id}`)) acknowledged.add(id);
    } catch {
      // The kill cut this request: not acknowledged, so the reviewer knows to look again.
    }
  });
  await until('a third of the approval notices', () => ids.filter((id) => approvalNotices(id).length > 0).length >= CLAIMS / 3, 60_000);
  await killBotProcess(bot);
  await Promise.all(burst);
  // What Teams had from the bot at the kill, newest last: only the newest sends can have been in flight.
  const partnerChatAtKill = connector.to(PARTNER_CHAT).filter((c) => c.method === 'POST');
  const inFlightAtKill = new Set(partnerChatAtKill.slice(-IN_FLIGHT));
  expect(acknowledged.size).toBeGreaterThan(0);

  connector.answerDelayMs = 0;
  bot = await startBotProcess(env);
  expect(bot.output()).not.toMatch(/ERROR/);
  // Approvals the reviewer never heard back about may or may not have been made: the reviewer presses again.
  for (const id of ids.filter((i) => !acknowledged.has(i))) expect((await approve(id)).status).toBe(200);
  await until('every partner notice', () => ids.every((id) => approvalNotices(id).length > 0));
  await new Promise((r) => setTimeout(r, 3_000)); // a few sweeps more: nothing else may come

  let repeated = 0;
  for (const id of ids) {
    const status = JSON.stringify((await partnerSays(`claim ${id}`)).body);
    expect(status).toContain('Approved');
    const notices = approvalNotices(id);
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.length).toBeLessThanOrEqual(2);
    // A send the kill cut before it reached Teams comes once, saying it may be a repeat: that is all the bot can know.
    if (notices.length === 2) {
      // Teams had it when the bot died before writing it down: sent once more, saying why.
      repeated++;
      expect(inFlightAtKill.has(notices[0])).toBe(true);
      expect(notices[1].activity.text).toMatch(/^Sent again: the bot restarted while it was sending this message/);
    }
  }
  expect(repeated).toBeLessThanOrEqual(IN_FLIGHT);
  expect(bot.output()).toMatch(/Data folder: the previous bot process stopped without finishing/);
});
