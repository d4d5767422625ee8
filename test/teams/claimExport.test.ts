import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { TZDate } from '@date-fns/tz';
import { startBotApp, type BotApp } from '../../app/botApp';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { silentLogger } from '../../src/logger';
import { ClaimQueries, type Viewer } from '../../src/services/claims/claimQueries';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, TAILSPIN_TENANT, teamsActivity } from '../support/activities';
import { AVERY, submittedWithPoe } from '../support/seededClaims';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * Exports over HTTP through the real adapter: "export my claims" offers a file consent card in the 1:1
 * chat; accepting (fileConsent/invoke) builds the workbook for the person answering, PUTs it to the
 * upload URL (a loopback stub here, as Teams' OneDrive upload session) and sends the file info card;
 * declining is answered politely; in a group chat the person is pointed to the 1:1 chat. The uploaded
 * workbook is opened again with exceljs and compared with the store. Also: paging stays exact with a
 * filter while claims are added between pages.
 */

const connector = new StubConnector();
let app: BotApp;
const ROBIN: Extract<Actor, { kind: 'partner' }> = {
  kind: 'partner',
  id: 'b2c3d4e5-0001-4000-8000-000000000001',
  name: 'Robin Tailspin',
  orgId: 'tailspin-partners',
  role: 'BillingAdmin',
};
const STRANGER_AAD = 'ffffffff-0001-4000-8000-00000000dead';
const SENDERS = {
  avery: { aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT },
  robin: { aadObjectId: ROBIN.id, tenantId: TAILSPIN_TENANT },
  riley: { aadObjectId: REVIEWER_AAD, tenantId: REVIEWER_TENANT },
  stranger: { aadObjectId: STRANGER_AAD, tenantId: PARTNER_TENANT },
} as const;
type Sender = keyof typeof SENDERS;

/** The upload URL's stub: what was PUT, with its headers. */
const uploads: { path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
let uploadServer: Server;
let uploadBase = '';

const personal = (who: Sender) => ({ id: `a:dm-export-${who}`, conversationType: 'personal' });
type Activity = { type?: string; text?: string; attachments?: { contentType: string; name?: string; contentUrl?: string; content: Record<string, unknown> }[] };

async function say(
  who: Sender,
  text: string,
  conversation: Record<string, unknown> = personal(who),
  value?: Record<string, unknown>,
  locale = 'en-US',
): Promise<Activity[]> {
  const activity = teamsActivity(
    { serviceUrl: connector.url, ...SENDERS[who], conversation },
    { type: 'message', deliveryMode: 'expectReplies', locale, ...(value ? { value } : { text }) },
  );
  const response = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return ((await response.json()) as { activities: Activity[] }).activities;
}

/** Answers a consent card as Teams does: an invoke, the bot's messages going to the connector. */
async function answerConsent(
  who: Sender,
  action: 'accept' | 'decline',
  context: unknown,
  name = 'cpor-claims.xlsx',
  locale = 'en-US',
  id?: string,
): Promise<{ status: number; sent: Activity[] }> {
  const since = connector.calls.length;
  const conversation = personal(who);
  const value = {
    type: 'fileUpload',
    action,
    context,
    ...(action === 'accept'
      ? { uploadInfo: { name, uploadUrl: `${uploadBase}/upload/${who}`, contentUrl: `${uploadBase}/files/${name}`, uniqueId: `u-${who}`, fileType: 'xlsx' } }
      : {}),
  };
  const activity = teamsActivity(
    { serviceUrl: connector.url, ...SENDERS[who], conversation },
    { type: 'invoke', name: 'fileConsent/invoke', replyToId: 'consent-1', locale, value, ...(id ? { id } : {}) },
  );
  const response = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return {
    status: response.status,
    sent: connector.calls
      .slice(since)
      .filter((c) => c.conversationId === conversation.id)
      .map((c) => c.activity as Activity),
  };
}

const consentOf = (replies: Activity[]) =>
  replies.flatMap((r) => r.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent');

async function rowsOf(body: Buffer): Promise<Record<string, unknown>[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const values = (row.values as unknown[]).slice(1);
    rows.push(Object.fromEntries(header.map((h, i) => [h, values[i] ?? null])));
  });
  return rows;
}

let fabrikam: Claim[];
let tailspin: Claim;

beforeAll(async () => {
  await connector.start();
  uploadServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      uploads.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = 201;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => uploadServer.listen(0, '127.0.0.1', resolve));
  uploadBase = `http://127.0.0.1:${(uploadServer.address() as AddressInfo).port}`;
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY });
  fabrikam = [await submittedWithPoe(app.services, AVERY, 801, 'Export'), await submittedWithPoe(app.services, AVERY, 802, 'Export')];
  tailspin = await submittedWithPoe(app.services, ROBIN, 803, 'Export');
}, 60_000);

afterAll(async () => {
  await app.close();
  await connector.stop();
  await new Promise((resolve) => uploadServer.close(resolve));
});

test("a partner accepts the consent card: the workbook is uploaded with its byte range, its rows are the store's, and a file card follows", async () => {
  const consent = consentOf(await say('avery', 'export my claims'));
  expect(consent).toBeDefined();
  expect(consent!.name).toMatch(/^cpor-claims-\d{4}-\d{2}-\d{2}\.xlsx$/);
  expect(consent!.content.description).toContain('2 claims');
  const before = uploads.length;
  const { status, sent } = await answerConsent('avery', 'accept', consent!.content.acceptContext);
  expect(status).toBe(200);
  const upload = uploads[before];
  expect(upload.path).toBe('/upload/avery');
  expect(upload.headers['content-range']).toBe(`bytes 0-${upload.body.length - 1}/${upload.body.length}`);
  const rows = await rowsOf(upload.body);
  // One row per claim of Avery's organisation, none of another's, with the store's values.
  expect(rows.map((r) => r['Claim ID']).sort()).toEqual(fabrikam.map((c) => c.id).sort());
  const zone = app.services.calendar.timeZone;
  for (const claim of fabrikam) {
    const row = rows.find((r) => r['Claim ID'] === claim.id)!;
    expect(row).toMatchObject({
      'Claim name': claim.fields.claimName,
      Status: 'Submitted',
      'MPN ID': claim.fields.mpnId,
      'Customer domain name': claim.fields.customerDomain,
      'Customer directory (tenant) ID': claim.fields.customerTenantId,
      'Solution area': 'Microsoft 365',
      'Products and workloads': 'Microsoft Teams',
      'Partner organisation': 'Fabrikam Consulting Ltd',
    });
    // A real date: the business time zone's wall time of the instant.
    const created = row[`Created (${zone})`] as Date;
    expect(created).toBeInstanceOf(Date);
    const local = new TZDate(Date.parse(claim.createdAt), zone);
    expect([created.getUTCFullYear(), created.getUTCMonth(), created.getUTCDate(), created.getUTCHours(), created.getUTCMinutes()]).toEqual([
      local.getFullYear(),
      local.getMonth(),
      local.getDate(),
      local.getHours(),
      local.getMinutes(),
    ]);
    expect(typeof row['Days left']).toBe('number');
  }
  const info = sent.flatMap((a) => a.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.info');
  expect(info).toMatchObject({
    name: 'cpor-claims.xlsx',
    contentUrl: `${uploadBase}/files/cpor-claims.xlsx`,
    content: { uniqueId: 'u-avery', fileType: 'xlsx' },
  });
});

test('an acceptance Teams delivers twice uploads one workbook and posts one file card; both deliveries are answered 200', async () => {
  const consent = consentOf(await say('avery', 'export my claims'));
  const before = uploads.length;
  const first = await answerConsent('avery', 'accept', consent!.content.acceptContext, 'twice.xlsx', 'en-US', 'consent-twice-1');
  const repeat = await answerConsent('avery', 'accept', consent!.content.acceptContext, 'twice.xlsx', 'en-US', 'consent-twice-1');
  expect([first.status, repeat.status]).toEqual([200, 200]);
  expect(uploads.length - before).toBe(1);
  expect(first.sent.length).toBeGreaterThan(0);
  expect(repeat.sent).toEqual([]);
});

test("the filter goes with the offer, and a partner gets only their organisation's claims whatever the filter says", async () => {
  const consent = consentOf(await say('robin', `export my claims customer ${fabrikam[0].fields.customerDomain}`));
  expect(consent).toBeUndefined(); // nothing of Fabrikam's matches for Robin
  const own = consentOf(await say('robin', 'export my claims status submitted'))!;
  const before = uploads.length;
  await answerConsent('robin', 'accept', own.content.acceptContext);
  expect((await rowsOf(uploads[before].body)).map((r) => r['Claim ID'])).toEqual([tailspin.id]);
  // A reviewer's queue holds every organisation's submitted claims (here filtered to Fabrikam's MPN ID); in Chinese, so are the headers.
  const queue = consentOf(await say('riley', '导出 评审队列 mpn 4412345', personal('riley'), undefined, 'zh-CN'))!;
  expect(queue.content.description).toContain('2 个声明');
  const at = uploads.length;
  await answerConsent('riley', 'accept', queue.content.acceptContext, 'cpor-queue.xlsx', 'zh-CN');
  const rows = await rowsOf(uploads[at].body);
  expect(rows.map((r) => r['声明 ID']).sort()).toEqual(fabrikam.map((c) => c.id).sort());
  expect(rows[0]).toMatchObject({ 状态: '已提交', 解决方案区域: 'Microsoft 365' });
});

test('declined, answered by someone else, or asked in a group chat: nothing is uploaded and the person is told why', async () => {
  const consent = consentOf(await say('avery', 'export my claims csv'))!;
  expect(consent.name).toMatch(/\.csv$/);
  const before = uploads.length;
  const declined = await answerConsent('avery', 'decline', consent.content.declineContext);
  expect(declined.status).toBe(200);
  expect(declined.sent.map((a) => a.text).join(' ')).toContain('No problem: I did not save the file.');
  // The offer names whom it was made to: anyone else's accept (a stranger, another organisation's partner) builds nothing of it.
  const stranger = await answerConsent('stranger', 'accept', consent.content.acceptContext);
  expect(stranger.sent.map((a) => a.text).join(' ')).toContain('You are not on a roster of this bot');
  const other = await answerConsent('robin', 'accept', consent.content.acceptContext);
  expect(other.sent.map((a) => a.text).join(' ')).toContain("can't be used any more");
  expect(uploads.length).toBe(before);
  const group = await say('avery', 'export my claims', { id: '19:group@thread.v2', conversationType: 'groupChat' });
  expect(group.map((a) => a.text).join(' ')).toContain('Exports come as a file in our 1:1 chat');
  expect(consentOf(group)).toBeUndefined();
});

test("the list card's filter form (Action.Submit) keeps the filters, and a bad value is named", async () => {
  const replies = await say('avery', '', personal('avery'), {
    action: 'command',
    command: 'my claims',
    filter: true,
    filterStatus: 'Submitted',
    filterArea: 'Microsoft365',
    filterMpn: '4412345',
    filterSort: 'created asc',
  });
  const card = JSON.stringify(replies[0].attachments![0].content);
  for (const c of fabrikam) expect(card).toContain(c.id);
  expect(card).toContain('Page 1 · oldest first');
  expect(card).toContain('"id":"filterMpn"');
  expect(card).toContain('"value":"4412345"');
  const bad = await say('avery', '', personal('avery'), { action: 'command', command: 'my claims', filter: true, filterMpn: '12ab' });
  expect(bad.map((a) => a.text).join(' ')).toContain('"12ab" is not an MPN ID');
});

test('paging with a filter stays exact while claims are added between pages (newest first, and by status)', async () => {
  const queries = ClaimQueries.fromServices(app.services);
  const avery: Viewer = { kind: 'partner', actor: AVERY, organisation: { id: AVERY.orgId, name: 'Fabrikam Consulting Ltd' } } as unknown as Viewer;
  for (const sort of [undefined, { key: 'status', direction: 'asc' } as const, { key: 'deadline', direction: 'asc' } as const]) {
    const existing = (await queries.exportRows(avery, 'all', { status: 'Submitted', ...(sort ? { sort } : {}) })).rows.map((r) => r.id);
    const seen: string[] = [];
    let continuation: string | undefined;
    let n = 900 + (sort ? sort.key.length * 10 : 0);
    do {
      const page = await queries.list(
        avery,
        { status: 'Submitted', mpnId: '4412345', ...(sort ? { sort } : {}) },
        { pageSize: 1, ...(continuation ? { continuation } : {}) },
      );
      seen.push(...page.rows.map((r) => r.id));
      continuation = page.continuation;
      // A new claim between pages: newest first it belongs before what was shown, so it never shifts a page.
      await submittedWithPoe(app.services, AVERY, ++n, 'Paging');
    } while (continuation);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of existing) expect(seen).toContain(id);
  }
}, 60_000);

test('every kind of sender: the filter form and a declined offer, each answered within what the sender may see', async () => {
  const ids = (replies: Activity[]) => JSON.stringify(replies);
  const expected: Record<Sender, { sees: Claim[]; hidden: Claim[] } | 'refused'> = {
    avery: { sees: fabrikam, hidden: [tailspin] },
    robin: { sees: [tailspin], hidden: fabrikam },
    riley: { sees: [...fabrikam, tailspin], hidden: [] },
    stranger: 'refused',
  };
  for (const who of Object.keys(SENDERS) as Sender[]) {
    // The form asks for every organisation's submitted claims; a partner still gets their own only.
    const form = await say(
      who,
      '',
      { id: `a:form-${who}`, conversationType: 'personal' },
      { action: 'command', command: 'my claims', filter: true, filterStatus: 'Submitted', filterCustomer: 'Export claim' },
    );
    const declined = await answerConsent(who, 'decline', { export: 1, list: 'mine', format: 'xlsx', requestedBy: SENDERS[who].aadObjectId, filter: {} });
    expect({ who, status: declined.status }).toEqual({ who, status: 200 });
    const want = expected[who];
    if (want === 'refused') {
      expect(form.map((a) => a.text).join(' ')).toContain('You are not on a roster of this bot');
      expect(declined.sent.map((a) => a.text).join(' ')).toContain('You are not on a roster of this bot');
      for (const c of [...fabrikam, tailspin]) expect(ids(form) + ids(declined.sent)).not.toContain(c.id);
      continue;
    }
    for (const c of want.sees) expect({ who, shown: ids(form).includes(c.id) }).toEqual({ who, shown: true });
    for (const c of want.hidden)
      expect({ who, leaked: ids(form).includes(c.id) || ids(form).includes(c.fields.customerDomain!) }).toEqual({ who, leaked: false });
    expect(declined.sent.map((a) => a.text).join(' ')).toMatch(/No problem: I did not save the file|没关系/);
  }
}, 60_000);
