import { startBotApp, type BotApp } from '../../app/botApp';
import { ManualClock } from '../../src/clock';
import { SYSTEM_ACTOR } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { BusinessCalendar } from '../../src/domain/businessCalendar';
import { MemoryLogger } from '../../src/logger';
import { createConsentToken } from '../../src/services/consent/consentTokens';
import { createConsentHandler, localeFromAcceptLanguage } from '../../src/web/consentHandler';
import { DEFAULT_INCENTIVE_GUIDE_URL } from '../../src/config/config';
import { renderConsentPage, type ConsentFacts } from '../../src/web/consentPage';
import { PARTNER_AAD, PARTNER_TENANT, postActivity, teamsActivity } from '../support/activities';
import { StubConnector } from '../support/stubConnector';
import { TEST_CONSENT_SECRET, TEST_DELIVERY, testConfig } from '../support/testStorage';
import { approvedClaim as approve, avery, type ApprovedClaim } from '../support/consentClaims';

/**
 * The customer's consent page over real HTTP: the bot on the embedded stack, claims driven to
 * Approved through the claim service, links made as the approval e-mail makes them, the partner's
 * Teams chat played by a stub Bot Connector, time moved by a manual clock.
 */

const connector = new StubConnector();
const log = new MemoryLogger();
// Monday 23 November 2026, 09:00 UTC (the test calendar is UTC with no holidays).
const clock = new ManualClock('2026-11-23T09:00:00.000Z');
let app: BotApp;

const AVERY_DM = `a:dm-${PARTNER_AAD}`;
const DAY = 86_400_000;

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log, clock, delivery: TEST_DELIVERY });
  // Avery has a 1:1 chat with the bot, so the partner can be told of the customer's decision.
  const hello = await postActivity(
    app.url,
    teamsActivity(
      { serviceUrl: connector.url, aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT, conversation: { id: AVERY_DM, conversationType: 'personal' } },
      { type: 'message', text: 'help', deliveryMode: 'expectReplies' },
    ),
  );
  // /api/messages still takes its JSON as before, next to the consent form's own parser.
  expect(hello.status).toBe(200);
  expect(hello.body?.activities?.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await app?.close();
  await connector.stop();
});

const approvedClaim = (fields: Record<string, unknown> = {}) => approve(app, fields);

async function current(claim: Claim): Promise<Claim> {
  return (await app.services.claimService.get(claim.id, claim.orgId))!;
}

interface Page {
  status: number;
  headers: Headers;
  html: string;
  /** "name=value" of the CSRF cookie the page set, if it set one. */
  cookie?: string;
}

async function getPage(link: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(link, { headers: { 'accept-language': 'en-US,en;q=0.9', ...headers }, redirect: 'manual' });
  const setCookie = response.headers.get('set-cookie') ?? undefined;
  return { status: response.status, headers: response.headers, html: await response.text(), ...(setCookie ? { cookie: setCookie.split(';')[0] } : {}) };
}

/** The hidden fields of the deny form. */
function formFields(html: string): { t: string; csrf: string } {
  const value = (name: string) => new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1] ?? '';
  const unescape = (s: string) => s.replace(/&amp;/g, '&');
  return { t: unescape(value('t')), csrf: unescape(value('csrf')) };
}

async function postForm(claimId: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(`${app.url}/consent/${encodeURIComponent(claimId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en-US', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** Opens the link as a browser would and returns what the form would send, with the cookie. */
async function openForm(link: string, headers: Record<string, string> = {}) {
  const page = await getPage(link, headers);
  expect(page.status).toBe(200);
  expect(page.cookie).toMatch(/^cpor_consent=[A-Za-z0-9_-]{43}$/);
  return { page, fields: formFields(page.html), cookie: page.cookie! };
}

function expectNoInternals(html: string) {
  expect(html).not.toMatch(/\bat .+\(.*:\d+:\d+\)|node_modules|Error:|stack/i);
}

function expectSecurityHeaders(headers: Headers) {
  const csp = headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
  expect(csp).toMatch(/style-src 'nonce-[A-Za-z0-9+/=]+'/);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
}

describe('the consent page shows the approved association', () => {
  test('in en-US: partner, solution area, products, customer domain and tenant, approval and consent period end, and the deny form', async () => {
    const { claim, link } = await approvedClaim();
    const page = await getPage(link);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page.headers);
    const { html } = page;
    expect(html).toContain('<html lang="en-US">');
    expect(html).toContain('<main>');
    expect(html).toContain('<h1>Review a partner association</h1>');
    for (const fact of [
      'Fabrikam Consulting Ltd',
      'Microsoft 365',
      'Microsoft Teams',
      'Exchange Online',
      'fourthcoffee.example',
      claim.fields.customerTenantId!,
      claim.id,
      claim.fields.claimName!,
    ])
      expect(html).toContain(fact);
    expect(html).toContain('<dt>Approved on</dt>');
    expect(html).toContain(`You may deny consent until ${formatDeadline(app.services, claim.deadlines.consentEnds!, 'en-US')}.`);
    // Dates in the page's locale, in the configured zone (UTC here).
    expect(html).toMatch(/You may deny consent until [A-Z][a-z]{2} \d{1,2}, 2026, 11:59\sPM \(UTC\)\./);
    expect(html).toMatch(/<dt>Approved on<\/dt>\n<dd>[A-Z][a-z]{2} \d{1,2}, 2026, \d{1,2}:\d\d\s[AP]M \(UTC\)<\/dd>/);
    expect(html).toMatch(/<input type="checkbox" id="confirm" name="confirm" value="yes" required>/);
    expect(html).toContain('<label for="confirm">I confirm that I want to deny consent to this association.');
    expect(html).toContain('<button type="submit">Deny this association</button>');
    expect(html).toContain(`<form method="post" action="/consent/${claim.id}"`);
    expect(html).toContain(':focus-visible');
    // The cookie of the double-submit check: not readable by scripts, not sent cross-site, only for /consent.
    const setCookie = page.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^cpor_consent=[A-Za-z0-9_-]{43}; Path=\/consent; HttpOnly; SameSite=Strict$/);
    // The nonce of the CSP is the style element's.
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy')!)![1];
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toContain('<script');
  });

  test('in zh-CN for a Chinese browser, by Accept-Language', async () => {
    const { claim, link } = await approvedClaim();
    const page = await getPage(link, { 'accept-language': 'zh-CN,zh;q=0.9,en-US;q=0.8,en;q=0.7' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-language')).toBe('zh-CN');
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain('<h1>查看合作伙伴关联</h1>');
    expect(page.html).toContain('<dt>合作伙伴组织</dt>');
    expect(page.html).toContain('<dt>客户目录（租户）ID</dt>');
    expect(page.html).toContain('<button type="submit">拒绝此关联</button>');
    expect(page.html).toContain(`你可以在 ${formatDeadline(app.services, claim.deadlines.consentEnds!, 'zh-CN')} 之前拒绝同意。`);
    expect(page.html).toMatch(/你可以在 2026年\d{1,2}月\d{1,2}日 23:59（UTC） 之前拒绝同意。/);
    expect(page.html).toMatch(/<dd>2026年\d{1,2}月\d{1,2}日 \d\d:\d\d（UTC）<\/dd>/);
    expect(page.html).toContain('Microsoft Teams');
  });

  test('Business Applications: the subscriptions claimed are shown with their products', async () => {
    const { link } = await approvedClaim({
      solutionArea: 'BusinessApplications',
      activity: 'UsageAndOrPreSales',
      products: ['d365-sales', 'power-bi'],
      subscriptions: [{ productId: 'd365-sales', subscriptionId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }],
      technicalContact: { name: 'Lee Admin', title: 'CRM Administrator', email: 'lee@fourthcoffee.example' },
    });
    const { html } = await getPage(link);
    expect(html).toContain('Business Applications');
    expect(html).toContain('<dt>Subscription IDs</dt>');
    expect(html).toContain('Dynamics 365 Sales: aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(html).toContain('Power BI');
  });

  test('claim values are escaped: a claim name with markup is shown as text', async () => {
    const { link } = await approvedClaim({ claimName: '<script>alert(1)</script> & "Co" <img src=x onerror=alert(2)>' });
    const { html } = await getPage(link);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; &lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
  });

  test('a cookie goes out with Secure when the request came over HTTPS (X-Forwarded-Proto)', async () => {
    const { link } = await approvedClaim();
    const page = await getPage(link, { 'x-forwarded-proto': 'https' });
    expect(page.headers.get('set-cookie')).toMatch(/; Secure$/);
  });
});

describe('links that are refused, each with its own clear page and no internals', () => {
  let approved: ApprovedClaim;
  beforeAll(async () => {
    approved = await approvedClaim();
  });

  test('a tampered token: 403, "not valid"', async () => {
    const url = new URL(approved.link);
    const token = url.searchParams.get('t')!;
    url.searchParams.set('t', `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`);
    const page = await getPage(url.toString());
    expect(page.status).toBe(403);
    expect(page.html).toContain('<h1>This link is not valid</h1>');
    expectSecurityHeaders(page.headers);
    expectNoInternals(page.html);
    expect(page.html).not.toContain(approved.claim.fields.customerDomain!);
  });

  test('a token for another claim: 403, "not valid", in the browser\'s language', async () => {
    const other = await approvedClaim();
    const token = new URL(other.link).searchParams.get('t')!;
    const page = await getPage(`${app.url}/consent/${approved.claim.id}?t=${encodeURIComponent(token)}`, { 'accept-language': 'zh-CN' });
    expect(page.status).toBe(403);
    expect(page.html).toContain('<h1>此链接无效</h1>');
    expectNoInternals(page.html);
  });

  test('malformed or missing tokens: 400; a genuine token for a claim that does not exist: 404; the same page', async () => {
    for (const link of [
      `${app.url}/consent/${approved.claim.id}?t=garbage`,
      `${app.url}/consent/${approved.claim.id}`,
      `${app.url}/consent/${approved.claim.id}?t=${'x'.repeat(5000)}`,
    ]) {
      const page = await getPage(link);
      expect([link.slice(-20), page.status]).toEqual([link.slice(-20), 400]);
      expect(page.html).toContain('<h1>This link is not valid</h1>');
    }
    const page = await getPage(app.services.consentLinks.linkFor('CL-NOSUCH00', 'CL-NOSUCH00:5:customer', clock.now()));
    expect(page.status).toBe(404);
    expect(page.html).toContain('<h1>This link is not valid</h1>');
    expectNoInternals(page.html);
  });

  test('an expired token: 410, the link expired, contact the partner', async () => {
    const expired = createConsentToken(TEST_CONSENT_SECRET, {
      claimId: approved.claim.id,
      expiresAt: Math.floor(clock.now().getTime() / 1000) - 60,
      nonce: approved.nonce,
    });
    const page = await getPage(`${app.url}/consent/${approved.claim.id}?t=${encodeURIComponent(expired)}`);
    expect(page.status).toBe(410);
    expect(page.html).toContain('<h1>This link has expired</h1>');
    expect(page.html).toContain('contact the partner named in the e-mail');
    expectNoInternals(page.html);
    // Nor can an expired link be used to post the form.
    const { cookie, fields } = await openForm(approved.link);
    const posted = await postForm(approved.claim.id, { t: expired, csrf: fields.csrf, confirm: 'yes' }, { cookie });
    expect(posted.status).toBe(410);
    expect((await current(approved.claim)).status).toBe('Approved');
  });

  test('a claim that is no longer approved (withdrawn by the partner): 409, no longer active', async () => {
    const { claim, link } = await approvedClaim();
    const withdrawn = await app.services.claimService.act(claim.id, { type: 'withdraw' }, avery);
    expect(withdrawn.ok).toBe(true);
    const page = await getPage(link);
    expect(page.status).toBe(409);
    expect(page.html).toContain('<h1>This association is no longer active</h1>');
    expect(page.html).toContain('is now Rejected (final), so there is no association to deny.');
    expect(page.html).not.toContain('<form');
  });
});

describe('the deny form is safe against cross-site requests', () => {
  test('without the cookie, with a wrong csrf value, with another token or from a foreign Origin: 403, and the claim stays Approved', async () => {
    const { claim, link } = await approvedClaim();
    const { cookie, fields } = await openForm(link);
    const other = await openForm((await approvedClaim()).link, { cookie });
    const attempts: [string, Record<string, string>, Record<string, string>][] = [
      ['no cookie', { ...fields, confirm: 'yes' }, {}],
      ['no csrf field', { t: fields.t, confirm: 'yes' }, { cookie }],
      ['wrong csrf value', { ...fields, csrf: fields.csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), confirm: 'yes' }, { cookie }],
      ['another cookie', { ...fields, confirm: 'yes' }, { cookie: 'cpor_consent=' + 'A'.repeat(43) }],
      ["csrf of another claim's form", { t: fields.t, csrf: other.fields.csrf, confirm: 'yes' }, { cookie }],
      ['foreign Origin', { ...fields, confirm: 'yes' }, { cookie, origin: 'https://evil.example' }],
      ['opaque Origin from another site', { ...fields, confirm: 'yes' }, { cookie, origin: 'null', 'sec-fetch-site': 'cross-site' }],
      ['cross-site fetch metadata', { ...fields, confirm: 'yes' }, { cookie, 'sec-fetch-site': 'cross-site' }],
      ['same-site (another subdomain) fetch metadata', { ...fields, confirm: 'yes' }, { cookie, 'sec-fetch-site': 'same-site' }],
      ['garbage Origin', { ...fields, confirm: 'yes' }, { cookie, origin: 'not a url' }],
    ];
    for (const [what, form, headers] of attempts) {
      const page = await postForm(claim.id, form, headers);
      expect([what, page.status]).toEqual([what, 403]);
      expect(page.html).toContain('<h1>Your request could not be accepted</h1>');
      expectSecurityHeaders(page.headers);
      expectNoInternals(page.html);
    }
    const after = await current(claim);
    expect(after.status).toBe('Approved');
    expect(after.history.filter((e) => e.action === 'customerDecline')).toEqual([]);
    expect(log.lines.some((l) => l.startsWith('WARN Consent: refused a form for ') && l.includes('evil.example'))).toBe(true);
  });

  test("the page's own form as a browser sends it under Referrer-Policy no-referrer (Origin null, Sec-Fetch-Site same-origin) is accepted", async () => {
    const { claim, link } = await approvedClaim();
    const { cookie, fields } = await openForm(link);
    const page = await postForm(claim.id, { ...fields, confirm: 'yes' }, { cookie, origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(page.status).toBe(200);
    expect((await current(claim)).status).toBe('Rejected');
  });

  test('a JSON body is not read as the form (only the urlencoded form is parsed on this route)', async () => {
    const { claim, link } = await approvedClaim();
    const { cookie, fields } = await openForm(link);
    const response = await fetch(`${app.url}/consent/${claim.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ ...fields, confirm: 'yes' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<h1>This link is not valid</h1>');
    expect((await current(claim)).status).toBe('Approved');
  });
});

describe('denying consent', () => {
  test('without the confirmation the form comes back with the error next to the checkbox, and what was typed is kept', async () => {
    const { claim, link } = await approvedClaim();
    const { cookie, fields } = await openForm(link);
    const page = await postForm(claim.id, { ...fields, comment: 'We never worked with <b>them</b>.' }, { cookie, origin: app.url });
    expect(page.status).toBe(422);
    expect(page.html).toContain('<title>There is a problem: Review a partner association');
    expect(page.html).toContain('role="alert"');
    expect(page.html).toContain('<a href="#confirm">Tick the box to confirm that you want to deny consent.</a>');
    expect(page.html).toContain('<p class="error" id="confirm-error">Tick the box to confirm that you want to deny consent.</p>');
    expect(page.html).toMatch(/<input type="checkbox" id="confirm" name="confirm" value="yes" required aria-describedby="confirm-error" aria-invalid="true">/);
    expect(page.html).toContain('>We never worked with &lt;b&gt;them&lt;/b&gt;.</textarea>');
    expect((await current(claim)).status).toBe('Approved');
    // The form it gave back works.
    const again = formFields(page.html);
    const denied = await postForm(claim.id, { ...again, confirm: 'yes', comment: 'We never worked with them.' }, { cookie, origin: app.url });
    expect(denied.status).toBe(200);
    const after = await current(claim);
    expect(after.status).toBe('Rejected');
    expect(after.comments.at(-1)).toMatchObject({ author: { kind: 'customer' }, text: 'We never worked with them.' });
  });

  test('a reason longer than a comment may be is refused next to the text box', async () => {
    const { claim, link } = await approvedClaim();
    const { cookie, fields } = await openForm(link);
    const page = await postForm(claim.id, { ...fields, confirm: 'yes', comment: 'x'.repeat(2001) }, { cookie });
    expect(page.status).toBe(422);
    expect(page.html).toContain('<p class="error" id="comment-error">Use at most 2000 characters for the reason.</p>');
    expect(page.html).toContain('aria-describedby="comment-hint comment-error" aria-invalid="true"');
    expect(page.html).toContain('value="yes" required checked>');
    expect((await current(claim)).status).toBe('Approved');
  });

  test('a confirmed denial: Rejected (Customer decline), the customer in history, the association released, the partner told; a replay is "already used"', async () => {
    const { claim, link, nonce } = await approvedClaim();
    const tenant = claim.fields.customerTenantId!;
    expect((await app.services.associations.listForTenant(tenant)).filter((a) => a.claimId === claim.id).length).toBe(2);
    connector.clear();
    const { cookie, fields } = await openForm(link);
    const page = await postForm(claim.id, { ...fields, confirm: 'yes' }, { cookie, origin: app.url });
    expect(page.status).toBe(200);
    expectSecurityHeaders(page.headers);
    expect(page.html).toContain('<h1>You denied consent</h1>');
    expect(page.html).toMatch(
      /You denied consent to the association of Fabrikam Consulting Ltd with fourthcoffee\.example on [A-Z][a-z]{2} \d{1,2}, 2026, \d{1,2}:\d\d\s[AP]M \(UTC\)\./,
    );
    await app.background.drain();

    const after = await current(claim);
    expect(after).toMatchObject({
      status: 'Rejected',
      rejection: { reason: 'CustomerDecline', by: { kind: 'customer', id: 'dana@fourthcoffee.example', name: 'Dana Customer' } },
    });
    expect(after.history.at(-1)).toMatchObject({
      action: 'customerDecline',
      outcome: 'applied',
      fromStatus: 'Approved',
      toStatus: 'Rejected',
      reason: 'CustomerDecline',
      actor: { kind: 'customer', id: 'dana@fourthcoffee.example', name: 'Dana Customer' },
      actionId: `consent:${nonce}`,
    });
    expect((await app.services.associations.listForTenant(tenant)).filter((a) => a.claimId === claim.id)).toEqual([]);
    // The partner hears of it in their Teams chat (the outbox entry written with the change, delivered).
    const told = connector.to(AVERY_DM).filter((c) => c.method === 'POST' && JSON.stringify(c.activity).includes(claim.id));
    expect(told.length).toBe(1);
    expect(JSON.stringify(told[0].activity)).toContain('Customer decline');

    // The same link again, and the same form again: already used, nothing more happens.
    const replayGet = await getPage(link);
    expect(replayGet.status).toBe(409);
    expect(replayGet.html).toContain('<h1>This link has already been used</h1>');
    expect(replayGet.html).toMatch(
      /You already denied consent to the association of Fabrikam Consulting Ltd with fourthcoffee\.example on [A-Z][a-z]{2} \d{1,2}, 2026, \d{1,2}:\d\d\s[AP]M \(UTC\)\./,
    );
    expect(replayGet.html).not.toContain('<form');
    const replayPost = await postForm(claim.id, { ...fields, confirm: 'yes' }, { cookie, origin: app.url });
    expect(replayPost.status).toBe(409);
    expect(replayPost.html).toContain('<h1>This link has already been used</h1>');
    expectNoInternals(replayPost.html);
    expect((await current(claim)).history.filter((e) => e.action === 'customerDecline')).toHaveLength(1);
  });

  test('two presses at once decline once', async () => {
    const { claim, link } = await approvedClaim();
    const { cookie, fields } = await openForm(link);
    const pages = await Promise.all([1, 2].map(() => postForm(claim.id, { ...fields, confirm: 'yes' }, { cookie })));
    expect(pages.map((p) => p.status).sort()).toEqual([200, 409]);
    expect((await current(claim)).history.filter((e) => e.action === 'customerDecline')).toHaveLength(1);
  });

  test('after the consent period (sent for eligibility assessment) the customer may still deny, which ends the association', async () => {
    const { claim, link } = await approvedClaim();
    clock.advanceMs(8 * DAY);
    const over = await app.services.claimService.act(claim.id, { type: 'consentPeriodOver' }, SYSTEM_ACTOR, {}, claim.orgId);
    expect(over.ok).toBe(true);
    const { page, cookie, fields } = await openForm(link);
    expect(page.html).toContain(
      'The consent period is over: the claim has been sent for eligibility assessment. You can still deny consent, which ends the association.',
    );
    const denied = await postForm(claim.id, { ...fields, confirm: 'yes' }, { cookie });
    expect(denied.status).toBe(200);
    const after = await current(claim);
    expect(after).toMatchObject({ status: 'Rejected', rejection: { reason: 'CustomerDecline' } });
    expect((await app.services.associations.listForTenant(claim.fields.customerTenantId!)).filter((a) => a.claimId === claim.id)).toEqual([]);
  });
});

describe('the page logic on its own', () => {
  test('the language: zh* gets zh-CN, anything else en-US, by q-value', () => {
    expect(localeFromAcceptLanguage('zh-TW')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('zh')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en-GB,en;q=0.9')).toBe('en-US');
    expect(localeFromAcceptLanguage('en;q=0.5, zh-CN;q=0.9')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('fr-FR, zh;q=0.4, en;q=0.3')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('zh;q=0, en')).toBe('en-US');
    expect(localeFromAcceptLanguage('de-DE')).toBe('en-US');
    expect(localeFromAcceptLanguage(undefined)).toBe('en-US');
    expect(localeFromAcceptLanguage('garbage;;;q=x')).toBe('en-US');
  });

  test('every value of a claim is escaped, and none is read as a message reference', () => {
    const hostile = '<script>x</script>"\'&';
    const facts: ConsentFacts = {
      claimId: hostile,
      claimName: '@status.Approved',
      partnerName: hostile,
      solutionArea: 'Microsoft365',
      products: [hostile, 'Teams'],
      subscriptions: [{ product: hostile, subscriptionId: hostile }],
      customerDomain: hostile,
      customerTenantId: hostile,
      approvedOn: hostile,
      consent: { kind: 'open', endsOn: hostile },
    };
    for (const view of [
      { kind: 'form' as const, facts, token: hostile, csrf: hostile, comment: hostile, errors: { confirm: true }, guideUrl: DEFAULT_INCENTIVE_GUIDE_URL },
      { kind: 'denied' as const, facts, at: hostile },
      { kind: 'alreadyDenied' as const, facts, at: hostile },
      { kind: 'inactive' as const, facts, status: 'Rejected' as const },
    ]) {
      for (const locale of ['en-US', 'zh-CN'] as const) {
        const html = renderConsentPage(locale, view, 'n0nce');
        expect(html).not.toContain('<script>');
        expect(html).not.toMatch(/"'&(?!amp;|lt;|gt;|quot;|#39;)/);
        expect(html).toContain('&lt;script&gt;x&lt;/script&gt;&quot;&#39;&amp;');
        if (view.kind === 'form') expect(html).toContain('@status.Approved');
      }
    }
  });

  test("an unexpected failure is a 500 page in the customer's language, logged, with no stack trace", async () => {
    const errors = new MemoryLogger();
    const handler = createConsentHandler({
      consentLinks: { check: () => ({ ok: true, payload: { claimId: 'CL-BROKEN01', expiresAt: 0, nonce: 'n' } }) },
      claimService: {
        get: async () => {
          throw new Error('database on fire at /secret/path.ts:12:3');
        },
        act: async () => {
          throw new Error('unused');
        },
      },
      rosters: { organisation: async () => undefined },
      clock,
      calendar: new BusinessCalendar({ timeZone: 'UTC', holidays: [] }),
      config: { consent: {}, incentiveGuideUrl: DEFAULT_INCENTIVE_GUIDE_URL },
      log: errors,
    });
    const answer = await handler({
      method: 'GET',
      params: { claimId: 'CL-BROKEN01' },
      query: { t: 'v1.a.b' },
      headers: { 'accept-language': 'zh-CN' },
      secure: false,
    });
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('<h1>出现错误</h1>');
    expect(answer.body).not.toContain('database on fire');
    expect(answer.body).not.toContain('secret');
    expect(answer.headers['Cache-Control']).toBe('no-store');
    expect(errors.lines).toEqual([expect.stringContaining('ERROR Consent page: GET for claim CL-BROKEN01 failed database on fire')]);
  });
});
