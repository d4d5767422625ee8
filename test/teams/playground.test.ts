import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { playgroundCli } from '../../scripts/playground';
import {
  AgentsPlayground,
  cardActions,
  cardOf,
  cardText,
  eventText,
  hasCard,
  inConversation,
  type CardAction,
  type PlaygroundConfig,
  type PlaygroundEvent,
} from '../support/agentsPlayground';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * End to end through the Microsoft 365 Agents Playground, as a newcomer uses it: the bot (in process,
 * anonymous, on the test's embedded stores) and `npm run playground` as a process, which starts the
 * partner's and the reviewers' playgrounds with the repository's .m365agentsplayground*.yml. The test
 * then does what a person does in the playground's web page, through the same HTTP and WebSocket API
 * that page uses (test/support/agentsPlayground.ts): Avery (partner) creates a claim with the card
 * forms and submits it, Riley (reviewer) makes the channel the reviews channel, presses Open review on
 * the claim's card in the channel, starts the review and approves from it, and Avery is told and sees Approved.
 *
 * By button presses and typed form fields only, as the README's walk-through: the playground can't
 * attach files, so the PoE step's "Attach the sample PoE (local demo)" (offered because the bot runs
 * without an app id) adds the claim's own template through the bot's intake path (content check,
 * Blob storage, the claim's history). No JSON is edited and no custom activity is sent.
 */

const ROOT = join(__dirname, '..', '..');
const cli = playgroundCli();
if (!cli) {
  console.warn(
    'SKIPPED test/teams/playground.test.ts: the Agents Playground is not installed (devDependency @microsoft/m365agentsplayground; npm ci installs it).',
  );
}
const describeIfPlayground = cli ? describe : describe.skip;

const roster = JSON.parse(readFileSync(join(ROOT, 'data', 'demo-roster.json'), 'utf8')) as {
  organisations: { id: string; tenantId: string; users: { aadObjectId: string; name: string; email: string; role: string }[] }[];
  reviewers: { aadObjectId: string; tenantId: string; name: string; email: string }[];
};
const rosterPeople = [...roster.organisations.flatMap((o) => o.users), ...roster.reviewers];
const fabrikam = roster.organisations.find((o) => o.id === 'fabrikam-consulting')!;
const avery = fabrikam.users.find((u) => u.role === 'GlobalAdmin')!;
const riley = roster.reviewers[0];
const REVIEW_CHANNEL_NAME = 'Claims review';

/** `npm run playground` in its own process group (so the test can stop it and everything it started). */
function startLauncher(
  botEndpoint: string,
  logDir: string,
): { child: ChildProcess; urls: Promise<Record<'partner' | 'reviewers', string>>; output: () => string } {
  const child = spawn('npm', ['run', '--silent', 'playground'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No browser tabs; free ports; the bot under test; and no app id from a developer's .env.
    env: { ...process.env, BOT_ENDPOINT: botEndpoint, PLAYGROUND_PORT: '0', TEAMSAPPTESTER_BROWSER: 'none', MicrosoftAppId: '', PLAYGROUND_LOG_DIR: logDir },
  });
  let output = '';
  const urls = new Promise<Record<'partner' | 'reviewers', string>>((resolve, reject) => {
    const found: Partial<Record<'partner' | 'reviewers', string>> = {};
    const timer = setTimeout(() => reject(new Error(`npm run playground did not print both addresses within 60 s. Output:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const m of output.matchAll(/^\s+(partner|reviewers)\s+(http:\/\/localhost:\d+)\s/gm)) found[m[1] as 'partner' | 'reviewers'] = m[2];
      if (found.partner && found.reviewers) {
        clearTimeout(timer);
        resolve(found as Record<'partner' | 'reviewers', string>);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run playground exited (${code}) before both playgrounds listened. Output:\n${output}`));
    });
  });
  urls.catch(() => undefined);
  return { child, urls, output: () => output };
}

async function stopLauncher(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  try {
    process.kill(-child.pid, 'SIGKILL'); // anything still left of the group this test started
  } catch {
    // gone already
  }
}

describeIfPlayground('Agents Playground, end to end (npm run playground)', () => {
  let app: BotApp;
  let launcher: ReturnType<typeof startLauncher> | undefined;
  let partner: AgentsPlayground;
  let reviewers: AgentsPlayground;
  let partnerConfig: PlaygroundConfig;
  let reviewersConfig: PlaygroundConfig;
  let personalChat: string;
  let reviewChannel: string;
  let bot: { id: string; name: string };
  let claimId = '';
  let logDir = '';

  beforeAll(async () => {
    app = await startBotApp(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger, delivery: TEST_DELIVERY });
    logDir = mkdtempSync(join(tmpdir(), 'cpor-playground-'));
    launcher = startLauncher(`${app.url}/api/messages`, logDir);
    const urls = await launcher.urls;
    partner = new AgentsPlayground(urls.partner, 'partner');
    reviewers = new AgentsPlayground(urls.reviewers, 'reviewers');
    await Promise.all([partner.open(), reviewers.open()]);
    [partnerConfig, reviewersConfig] = await Promise.all([partner.config(), reviewers.config()]);
    personalChat = partnerConfig.personalChat.id;
    reviewChannel = reviewersConfig.teams[0].channels.find((c) => c.name === REVIEW_CHANNEL_NAME)?.id ?? '';
    bot = reviewersConfig.bot;
  }, 90_000);

  afterAll(async () => {
    partner?.close();
    reviewers?.close();
    await stopLauncher(launcher?.child);
    await app?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  }, 30_000);

  test('the playgrounds hold the demo roster: a partner user in their tenant, a reviewer in theirs, the review channel', () => {
    const person = (u: { aadObjectId: string; name: string; email: string }) => ({ aadObjectId: u.aadObjectId, name: u.name, email: u.email });
    // Everyone in either playground is a person of the roster, with the roster's name and e-mail.
    for (const config of [partnerConfig, reviewersConfig]) {
      const people = [config.currentUser, ...config.users].map(person);
      expect(people).toHaveLength(rosterPeople.length);
      expect(people).toEqual(expect.arrayContaining(rosterPeople.map(person)));
    }
    expect(partnerConfig.tenantId).toBe(fabrikam.tenantId);
    expect(person(partnerConfig.currentUser)).toEqual(person(avery));
    expect(reviewersConfig.tenantId).toBe(riley.tenantId);
    expect(person(reviewersConfig.currentUser)).toEqual(person(riley));
    expect(reviewChannel).toMatch(/^19:/);
    expect(partnerConfig.bot).toEqual(reviewersConfig.bot);
  });

  test("Riley makes the channel the reviewers' conversation", async () => {
    const since = reviewers.mark();
    await reviewers.say(reviewChannel, reviewersConfig.currentUser.id, 'use this channel for reviews', { mentionBot: bot });
    await reviewers.waitForText(since, reviewChannel, /now the reviewers' conversation \(set by Riley Reviewer\)/);
  });

  test('Avery creates a claim with the card forms, attaches the PoE and submits it', async () => {
    const me = partnerConfig.currentUser.id;
    let since = partner.mark();
    await partner.say(personalChat, me, 'new claim');
    const started = await partner.waitForText(since, personalChat, /I started draft CL-[0-9A-Z]{8}/);
    claimId = /CL-[0-9A-Z]{8}/.exec(eventText(started))![0];

    const step = async (title: string | RegExp, button: string, typed: Record<string, string> = {}) => {
      const card = await partner.waitForCard(since, personalChat, title);
      since = partner.mark();
      await partner.submit(card, me, button, typed);
      return card;
    };
    await step('Customer', 'Next', { mpnId: '4412345', customerDomain: 'northwind.example', customerTenantId: '11111111-2222-4333-8444-555555555555' });
    await step('Solution area and activity', 'Next', { areaActivity: 'Microsoft365|Usage' });
    await step('Products and workloads', 'Next', { products: 'teams' });
    const contacts = await step('Contacts and claim name', 'Next', {
      customerContact_name: 'Dana Customer',
      customerContact_title: 'CIO',
      customerContact_email: 'dana@northwind.example',
      claimName: 'Northwind Teams rollout',
    });
    expect(cardText(cardOf(contacts))).toContain('Partner contact'); // prefilled from the roster, submitted as shown

    // The PoE step, by a click: the sample PoE (local demo) is the claim's own template, taken as an upload.
    const sample = `PoE-${claimId}.docx`;
    await step('Proof of execution', 'Attach the sample PoE (local demo)');
    await partner.waitForText(since, personalChat, new RegExp(`^Added ${sample.replace(/[.-]/g, '\\$&')} \\(Word`));
    const withFile = await partner.waitFor(
      since,
      'the PoE card listing the file',
      (e) => inConversation(e, personalChat) && hasCard(e) && /holds 1 file:/.test(cardText(cardOf(e))) && cardText(cardOf(e)).includes(sample),
    );
    since = partner.mark();
    await partner.submit(withFile, me, 'Next');
    await step('Comment', 'Next', { comment: 'Sample PoE attached.' });
    const summary = await partner.waitForCard(since, personalChat, 'Check and submit: Northwind Teams rollout');
    expect(cardText(cardOf(summary))).toContain(sample);
    since = partner.mark();
    await partner.submit(summary, me, 'Submit claim');
    await partner.waitForText(since, personalChat, new RegExp(`Claim ${claimId} "Northwind Teams rollout" is now Submitted`));

    const claim = await app.services.claimService.get(claimId);
    expect(claim).toMatchObject({
      status: 'Submitted',
      fields: { customerDomain: 'northwind.example', products: ['teams'] },
      poe: [{ fileName: `PoE-${claimId}.docx`, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }],
    });
    expect(claim!.history.map((e) => e.action)).toContain('addPoe');
  }, 60_000);

  test("Riley gets the claim's card in the review channel, presses Open review, starts the review and approves it", async () => {
    expect(claimId).toMatch(/^CL-/);
    const me = reviewersConfig.currentUser.id;
    const posted = await reviewers.waitFor(
      0,
      `the card of ${claimId} in the review channel`,
      (e) => inConversation(e, reviewChannel) && e.action === 'createMessage' && hasCard(e) && cardText(cardOf(e)).includes(claimId),
      30_000,
    );
    const shared = cardOf(posted) as { refresh?: { action: CardAction; userIds: string[] }; msteams?: { width?: string } };
    expect(shared.msteams).toEqual({ width: 'Full' });
    // The playground shows no user-specific views (it ignores refresh.userIds): the shared card's one
    // visible button, Open review, is how Riley gets the buttons, as a person does in the web page.
    const visible = cardActions(shared).filter((a) => a.type === 'Action.Execute');
    expect(visible.map((a) => a.title)).toEqual(['Open review']);
    let view = await reviewers.execute(posted, me, visible[0], { trigger: 'manual' });
    const press = async (verb: string) => {
      const action = cardActions(view).find((a) => a.verb === verb);
      if (!action)
        throw new Error(
          `No ${verb} button on Riley's card; it has: ${cardActions(view)
            .map((a) => `${a.title} (${a.verb ?? a.type})`)
            .join(', ')}`,
        );
      view = await reviewers.execute(posted, me, action, { card: view });
      return cardText(view);
    };
    expect(await press('review.start')).toContain('Under review');
    const since = reviewers.mark();
    expect(await press('review.approve')).toMatch(/You approved claim CL-/);
    expect((await app.services.claimService.get(claimId))?.status).toBe('Approved');

    // The shared card is updated in place for everyone in the channel.
    await reviewers.waitFor(
      since,
      'the shared card updated to Approved',
      (e) => e.action === 'updateMessage' && e.message.messageId === posted.message.messageId && /Approved/.test(cardText(cardOf(e))),
      30_000,
    );
  }, 60_000);

  test('Avery is told in the 1:1 chat and sees the claim Approved', async () => {
    expect(claimId).toMatch(/^CL-/);
    const me = partnerConfig.currentUser.id;
    const told: PlaygroundEvent = await partner.waitFor(
      0,
      `the notice that ${claimId} is Approved`,
      (e) => inConversation(e, personalChat) && eventText(e).includes(claimId) && /\bApproved\b/.test(eventText(e)),
      30_000,
    );
    expect(eventText(told)).toContain('Approved');
    const since = partner.mark();
    await partner.say(personalChat, me, `claim ${claimId}`);
    const status = await partner.waitForCard(since, personalChat, 'Northwind Teams rollout');
    expect(cardText(cardOf(status))).toMatch(/Status: Approved/);
  }, 60_000);
});
