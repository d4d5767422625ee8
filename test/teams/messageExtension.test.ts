import { startBotApp, type BotApp } from '../../app/botApp';
import type { Claim } from '../../src/domain/claim';
import { t } from '../../src/i18n/teamsMarkdown';
import { silentLogger } from '../../src/logger';
import { botChatDeepLink, claimIdOfLink, createClaimLinkHandler } from '../../src/web/claimLinks';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, TAILSPIN_TENANT, postActivity, teamsActivity } from '../support/activities';
import { cardProblems } from '../support/cardValidation';
import { AVERY, submittedWithPoe } from '../support/seededClaims';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig, uniqueName } from '../support/testStorage';
import { ROBIN } from '../support/personas';

/**
 * The message extension over HTTP through the real adapter, as Teams sends it from a group chat:
 * searching from the compose box (composeExtension/query), choosing a result (selectItem), a pasted
 * claim link (queryLink), and the shared card's Open (Action.Execute, and the Action.Submit of older
 * clients), for each kind of sender: the claim's own partner, another organisation's partner, a
 * reviewer, and someone on no roster. Nobody who may not see a claim gets anything of it.
 */

const connector = new StubConnector();
let app: BotApp;

const STRANGER_AAD = 'ffffffff-0001-4000-8000-00000000dead';

const SENDERS = {
  'owner partner': { aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT },
  "other organisation's partner": { aadObjectId: ROBIN.id, tenantId: TAILSPIN_TENANT },
  reviewer: { aadObjectId: REVIEWER_AAD, tenantId: REVIEWER_TENANT },
  stranger: { aadObjectId: STRANGER_AAD, tenantId: PARTNER_TENANT },
} as const;
type SenderName = keyof typeof SENDERS;
const SENDER_NAMES = Object.keys(SENDERS) as SenderName[];
/** Who may see a claim of Avery's organisation (Fabrikam). */
const ENTITLED: Record<SenderName, boolean> = { 'owner partner': true, "other organisation's partner": false, reviewer: true, stranger: false };

const GROUP_CHAT = { id: '19:shared-chat@thread.v2', conversationType: 'groupChat' };

type Answer = { status: number; body: Record<string, unknown>; text: string };

async function invoke(sender: SenderName, name: string, value: unknown, conversation: Record<string, unknown> = GROUP_CHAT): Promise<Answer> {
  const who = SENDERS[sender];
  const activity = teamsActivity({ serviceUrl: connector.url, ...who, conversation }, { type: 'invoke', name, value });
  const response = await postActivity(app.url, activity);
  return { status: response.status, body: (response.body ?? {}) as Record<string, unknown>, text: JSON.stringify(response.body ?? {}) };
}

type Attachment = { contentType: string; content: Record<string, unknown>; preview?: { content: { title?: string; text?: string; tap?: { value: unknown } } } };
const extensionOf = (answer: Answer) => answer.body.composeExtension as { type: string; text?: string; attachments?: Attachment[] };
const resultIds = (answer: Answer) =>
  (extensionOf(answer).attachments ?? []).map((a) => (a.content.actions as { data: { claimId: string } }[])[0].data.claimId);

const search = (sender: SenderName, query: string, extra: { status?: string; skip?: number; count?: number } = {}) =>
  invoke(sender, 'composeExtension/query', {
    commandId: 'findClaims',
    parameters: [{ name: 'query', value: query }, ...(extra.status ? [{ name: 'status', value: extra.status }] : [])],
    queryOptions: { skip: extra.skip ?? 0, count: extra.count ?? 25 },
  });

/** What must never reach someone who may not see the claim, nor a compact card anyone may see. */
function secretsOf(claim: Claim): string[] {
  return [
    claim.fields.customerDomain!,
    claim.fields.customerTenantId!,
    claim.fields.customerContact!.email,
    claim.fields.claimName!,
    ...claim.poe.map((f) => f.blobName.split('/')[1]),
    'sig=',
  ];
}

let own: Claim;
let foreign: Claim;
let label: string;

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY });
  label = uniqueName('Mx');
  own = await submittedWithPoe(app.services, AVERY, 701, label);
  foreign = await submittedWithPoe(app.services, ROBIN, 702, label);
}, 60_000);

afterAll(async () => {
  await app.close();
  await connector.stop();
});

describe('composeExtension/query: finding a claim from the compose box', () => {
  test.each([
    ['its id', () => own.id],
    ['part of its name', () => `${label} claim 701`],
    ['part of its customer domain', () => 'secret-701-fabrikam'],
    ["its customer's tenant ID", () => own.fields.customerTenantId!],
  ])(
    'by %s: the owner partner and reviewers find it, others do not',
    async (_by, query) => {
      for (const sender of SENDER_NAMES) {
        const answer = await search(sender, query());
        expect({ sender, status: answer.status }).toEqual({ sender, status: 200 });
        const ids = extensionOf(answer).attachments ? resultIds(answer) : [];
        expect({ sender, found: ids.includes(own.id) }).toEqual({ sender, found: ENTITLED[sender] });
        if (!ENTITLED[sender]) expect({ sender, leaked: secretsOf(own).filter((s) => answer.text.includes(s)) }).toEqual({ sender, leaked: [] });
      }
    },
    60_000,
  );

  test("a partner finds their organisation's claims only, a reviewer every organisation's; the preview shows the searcher name, domain and status", async () => {
    const avery = await search('owner partner', label);
    const robin = await search("other organisation's partner", label);
    const riley = await search('reviewer', label);
    for (const answer of [avery, robin, riley]) expect({ status: answer.status, type: extensionOf(answer)?.type }).toEqual({ status: 200, type: 'result' });
    expect(resultIds(avery)).toEqual([own.id]);
    expect(resultIds(robin)).toEqual([foreign.id]);
    expect(resultIds(riley).sort()).toEqual([own.id, foreign.id].sort());
    const [result] = extensionOf(avery).attachments!;
    expect(result.preview?.content.title).toBe(own.fields.claimName);
    expect(result.preview?.content.text).toBe(`${own.id} · ${own.fields.customerDomain} · Submitted`);
    expect(result.preview?.content.tap).toEqual({ type: 'invoke', value: { claimId: own.id } });
    // What is inserted into the conversation carries nothing only the entitled may see.
    expect(cardProblems(result.content)).toEqual([]);
    expect(secretsOf(own).filter((s) => JSON.stringify(result.content).includes(s))).toEqual([]);
  });

  test('someone on no roster is told why, and gets no results', async () => {
    const answer = await search('stranger', label);
    expect(extensionOf(answer)).toEqual({ type: 'message', text: t('en-US', 'access.notOnRoster') });
  });

  test('the status parameter and typed status words filter the results', async () => {
    expect(resultIds(await search('reviewer', label, { status: 'Submitted' })).sort()).toEqual([own.id, foreign.id].sort());
    expect(resultIds(await search('reviewer', label, { status: 'approved' }))).toEqual([]);
    expect(resultIds(await search('reviewer', `submitted ${label}`)).sort()).toEqual([own.id, foreign.id].sort());
    expect(resultIds(await search('reviewer', label, { status: 'all' })).sort()).toEqual([own.id, foreign.id].sort());
    // The list filters typed in the compose box work as in `my claims` (MPN ID, solution area).
    expect(resultIds(await search('reviewer', `${label} mpn ${own.fields.mpnId}`))).toEqual([own.id]);
    expect(resultIds(await search('reviewer', `${label} area business applications`))).toEqual([]);
  });

  test('skip and count page the results exactly', async () => {
    const first = resultIds(await search('reviewer', label, { skip: 0, count: 1 }));
    const second = resultIds(await search('reviewer', label, { skip: 1, count: 1 }));
    const past = await search('reviewer', label, { skip: 2, count: 1 });
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect([...first, ...second].sort()).toEqual([own.id, foreign.id].sort());
    expect(extensionOf(past)).toEqual({ type: 'result', attachmentLayout: 'list', attachments: [] });
    expect(resultIds(await search('reviewer', label, { count: 500 })).length).toBe(2); // never more than Teams may show (25)
  });

  test('bad input is answered with what is expected, never echoed, and never breaks the turn', async () => {
    const long = await search('owner partner', `<script>alert(1)</script>${'x'.repeat(120)}`);
    expect(extensionOf(long)).toEqual({ type: 'message', text: t('en-US', 'extension.badText', { max: 100 }) });
    const status = await search('owner partner', label, { status: '<b>sneaky</b>' });
    expect(extensionOf(status)).toEqual({ type: 'message', text: t('en-US', 'extension.badStatus') });
    expect(status.text).not.toContain('sneaky');
    const malformed = await invoke('owner partner', 'composeExtension/query', { commandId: 'findClaims', parameters: 'contoso', queryOptions: { skip: -1 } });
    expect(malformed.status).toBe(200);
    expect(extensionOf(malformed)).toEqual({ type: 'message', text: t('en-US', 'extension.badRequest') });
    // Markup typed into the box is a search for those characters, not markup.
    expect(extensionOf(await search('owner partner', '**[x](https://evil.example)**')).attachments).toEqual([]);
  });
});

describe('composeExtension/selectItem and queryLink: the compact card, for people who may see the claim only', () => {
  const link = (claimId: string) => `${app.services.consentLinks.serverUrl}/claims/${claimId}`;

  test.each([
    ['a chosen search result (selectItem)', 'composeExtension/selectItem', (c: Claim) => ({ claimId: c.id })],
    ['a pasted claim link (queryLink)', 'composeExtension/queryLink', (c: Claim) => ({ url: link(c.id) })],
  ])(
    '%s',
    async (_what, name, value) => {
      for (const sender of SENDER_NAMES) {
        const answer = await invoke(sender, name, value(own));
        expect({ sender, status: answer.status }).toEqual({ sender, status: 200 });
        const attachments = extensionOf(answer).attachments ?? [];
        expect({ sender, cards: attachments.length }).toEqual({ sender, cards: ENTITLED[sender] ? 1 : 0 });
        // The card everyone in the conversation will see: the id, status and program, and Open; nothing else.
        expect({ sender, leaked: secretsOf(own).filter((s) => answer.text.includes(s)) }).toEqual({ sender, leaked: [] });
        if (!attachments.length) continue;
        const card = attachments[0].content;
        expect(cardProblems(card)).toEqual([]);
        const text = JSON.stringify(card);
        expect(text).toContain(own.id);
        expect(text).toContain('Microsoft 365 · Usage');
        expect(card.actions).toEqual([
          expect.objectContaining({
            type: 'Action.Execute',
            verb: 'claim.open',
            data: { claimId: own.id },
            fallback: expect.objectContaining({ type: 'Action.Submit', data: { action: 'claim.open', claimId: own.id } }),
          }),
        ]);
      }
    },
    60_000,
  );

  test('links elsewhere, malformed ids and other paths unfurl nothing', async () => {
    for (const url of ['https://evil.example/claims/' + own.id, link('CL-NOPE'), `${app.services.consentLinks.serverUrl}/consent/${own.id}`, 42]) {
      expect(extensionOf(await invoke('reviewer', 'composeExtension/queryLink', { url })).attachments).toEqual([]);
    }
  });
});

describe('Open on a shared claim card', () => {
  const open = (sender: SenderName, claim: Claim) =>
    invoke(sender, 'adaptiveCard/action', { action: { type: 'Action.Execute', verb: 'claim.open', data: { claimId: claim.id } }, trigger: 'manual' });

  test("shows the full claim to the person who pressed, if they may see it; the others are told it can't be opened", async () => {
    for (const sender of SENDER_NAMES) {
      const answer = await open(sender, own);
      expect({ sender, status: answer.status }).toEqual({ sender, status: 200 });
      const card = (answer.body as { value?: Record<string, unknown> }).value!;
      expect(cardProblems(card)).toEqual([]);
      const text = JSON.stringify(card);
      if (ENTITLED[sender]) {
        expect({ sender, shows: [own.fields.claimName, own.fields.customerDomain].every((s) => text.includes(s!)) }).toEqual({ sender, shows: true });
        // In a group chat the buttons (reply, edit, withdraw...) would act in front of everyone: the 1:1 chat is for that.
        expect(card.actions).toBeUndefined();
      } else {
        expect({ sender, leaked: secretsOf(own).filter((s) => text.includes(s)) }).toEqual({ sender, leaked: [] });
      }
    }
    expect(JSON.stringify((await open("other organisation's partner", own)).body)).toContain(
      t('en-US', 'access.claimNotFound', { claimId: own.id }).replace(/"/g, '\\"'),
    );
    expect(JSON.stringify((await open('stranger', own)).body)).toContain(t('en-US', 'access.notOnRoster').replace(/'/g, "'"));
  }, 60_000);

  test('in a 1:1 chat the full card keeps the steps the partner may take', async () => {
    const answer = await invoke(
      'owner partner',
      'adaptiveCard/action',
      { action: { type: 'Action.Execute', verb: 'claim.open', data: { claimId: own.id } }, trigger: 'manual' },
      { id: `a:${uniqueName('open-')}`, conversationType: 'personal' },
    );
    expect(((answer.body as { value: { actions?: unknown[] } }).value.actions ?? []).length).toBeGreaterThan(0);
  });

  test('the Action.Submit of older clients: in a group chat nothing of the claim is posted, the person is pointed to their 1:1 chat', async () => {
    for (const sender of ['owner partner', 'reviewer'] as const) {
      const who = SENDERS[sender];
      const activity = teamsActivity(
        { serviceUrl: connector.url, ...who, conversation: GROUP_CHAT },
        { type: 'message', deliveryMode: 'expectReplies', value: { action: 'claim.open', claimId: own.id } },
      );
      const { body } = await postActivity(app.url, activity);
      const text = JSON.stringify(body);
      expect(text).toContain(`type claim ${own.id} in your 1:1 chat`);
      expect(secretsOf(own).filter((s) => text.includes(s))).toEqual([]);
    }
  });
});

describe('claim links', () => {
  test('a link to this server names the claim; any other address does not', () => {
    const server = 'https://cpor-bot.example';
    expect(claimIdOfLink('https://cpor-bot.example/claims/cl-7k2m9q4x', server)).toBe('CL-7K2M9Q4X');
    expect(claimIdOfLink('https://CPOR-BOT.example/claims/CL-7K2M9Q4X/', server)).toBe('CL-7K2M9Q4X');
    for (const other of [
      'https://evil.example/claims/CL-7K2M9Q4X',
      'https://cpor-bot.example/claims/CL-7K2M9Q4X/history',
      'javascript:alert(1)',
      'https://cpor-bot.example/claims/CL-7K2M9Q4X' + 'x'.repeat(3000),
      'not a url',
    ]) {
      expect(claimIdOfLink(other, server)).toBeUndefined();
    }
  });

  test('GET /claims/CL-… leads to the bot\'s chat in Teams with "claim CL-…" ready; without an app id, a page says what to type', async () => {
    const appId = '0b6f2b4e-3c1d-4a8e-9f70-2d5e6c7b8a91';
    const redirect = await createClaimLinkHandler({ appId })({ method: 'GET', params: { claimId: 'cl-7k2m9q4x' }, query: {}, headers: {}, secure: true });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.Location).toBe(`https://teams.microsoft.com/l/chat/0/0?users=28%3A${appId}&message=claim%20CL-7K2M9Q4X`);
    expect(botChatDeepLink(appId, 'CL-7K2M9Q4X')).toBe(redirect.headers.Location);

    const local = await fetch(`${app.url}/claims/${own.id}`, { redirect: 'manual' });
    expect(local.status).toBe(200);
    const page = await local.text();
    expect(page).toContain(`claim ${own.id}`);
    expect(secretsOf(own).filter((s) => page.includes(s))).toEqual([]);
    const bad = await fetch(`${app.url}/claims/%3Cscript%3E`, { redirect: 'manual' });
    expect(bad.status).toBe(404);
    expect(await bad.text()).not.toContain('<script>');
  });
});
