import { startBotApp, type BotApp } from '../../app/botApp';
import { PartnerNotifier } from '../../bot/reviews/partnerNotifier';
import { ReviewCardPublisher } from '../../bot/reviews/reviewCardPublisher';
import { ManualClock } from '../../src/clock';
import type { Claim } from '../../src/domain/claim';
import { formatDateTime, render } from '../../src/i18n/locales';
import { silentLogger } from '../../src/logger';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';
import { AVERY as avery, RILEY as riley } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';

/**
 * Every date a person reads is in their locale's format and in the configured time zone (here
 * America/Los_Angeles, so neither UTC nor the server's zone): partner notices in the partner's
 * locale, refusals (built by the domain, which does not know its reader) when they are rendered,
 * the reviewers' shared card in REVIEW_LOCALE and a reviewer's own view in theirs.
 */

const ZONE = 'America/Los_Angeles';
const clock = new ManualClock('2026-11-02T17:00:00Z'); // Monday 2 November, 09:00 in Los Angeles
let app: BotApp;

// en-US puts a space (or, with newer ICU data, a narrow no-break space) before AM/PM: \s matches both.
const EN_SUBMITTED = /Nov 2, 2026, 9:00\sAM \(America\/Los_Angeles\)/;
const ZH_SUBMITTED = '2026年11月2日 09:00（America/Los_Angeles）';
// Five business days from Monday 2 November: the end of Monday 9 November, shown as its last minute.
const EN_RESPOND_BY = /Nov 9, 2026, 11:59\sPM \(America\/Los_Angeles\)/;
const ZH_RESPOND_BY = '2026年11月9日 23:59（America/Los_Angeles）';
/** The locale-neutral form used before: no person should read it any more. */
const NEUTRAL = /\d{4}-\d\d-\d\d \d\d:\d\d/;

beforeAll(async () => {
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0', BUSINESS_TIME_ZONE: ZONE, REVIEW_LOCALE: 'zh-CN' }), {
    log: silentLogger,
    clock,
    delivery: TEST_DELIVERY,
  });
});
afterAll(async () => {
  await app?.close();
});

let tenantCounter = 0;
async function claimNeedingInfo(): Promise<Claim> {
  const svc = app.services.claimService;
  const n = ++tenantCounter;
  const draft = await svc.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: `dates${n}.example`,
    customerTenantId: `00000000-0000-4000-8000-0000000007${String(n).padStart(2, '0')}`,
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: `Dated claim ${n}`,
    products: ['teams'],
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@dates.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const poe = poeRecordFor(id, avery, clock.now());
  await svc.act(id, { type: 'addPoe', files: [poe] }, avery, {}, avery.orgId);
  await svc.act(id, { type: 'submit' }, avery, {}, avery.orgId);
  await svc.act(id, { type: 'startReview' }, riley, {}, avery.orgId);
  const result = await svc.act(id, { type: 'requestInfo', reasons: ['MissingOrOldDates'], comment: 'Please date the SOW.' }, riley, {}, avery.orgId);
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  return result.claim;
}

describe("dates follow the reader's locale and the configured time zone", () => {
  test("the one formatter: en-US and zh-CN, in the instant's zone", () => {
    const at = { instant: '2026-11-10T07:59:00.000Z', timeZone: ZONE };
    expect(formatDateTime('en-US', at)).toMatch(new RegExp(`^${EN_RESPOND_BY.source}$`));
    expect(formatDateTime('zh-CN', at)).toBe(ZH_RESPOND_BY);
    expect(formatDateTime('zh-CN', { instant: at.instant, timeZone: 'Europe/Berlin' })).toBe('2026年11月10日 08:59（Europe/Berlin）');
  });

  test("a partner notice: the date to respond by, in the partner's locale", async () => {
    const claim = await claimNeedingInfo();
    const event = claim.history.at(-1)!;
    expect(event.action).toBe('requestInfo');
    const notifier = new PartnerNotifier(app.services);
    const en = JSON.stringify(notifier.card(claim, event, 'en-US'));
    const zh = JSON.stringify(notifier.card(claim, event, 'zh-CN'));
    expect(en).toMatch(new RegExp(`resubmit by ${EN_RESPOND_BY.source}, or the claim will be rejected`));
    expect(zh).toContain(ZH_RESPOND_BY);
    expect(zh).not.toMatch(/[AP]M \(/);
    for (const card of [en, zh]) expect(card).not.toMatch(NEUTRAL);
  });

  test("a refusal from the domain carries the instant and is written in each reader's locale", async () => {
    const claim = await claimNeedingInfo();
    const again = await app.services.claimService.act(
      claim.id,
      { type: 'requestInfo', reasons: ['MissingOrOldDates'], comment: 'Again.' },
      riley,
      {},
      avery.orgId,
    );
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.refusal.code).toBe('alreadyDone');
    // Data until it is rendered: the instant and the business calendar's zone, no text.
    expect(again.refusal.message.params?.when).toEqual({ instant: claim.history.at(-1)!.at, timeZone: ZONE });
    expect(render('en-US', again.refusal.message)).toMatch(
      new RegExp(`^The claim is already Partner action required: Riley Reviewer did that on ${EN_SUBMITTED.source}\\.$`),
    );
    expect(render('zh-CN', again.refusal.message)).toContain(`Riley Reviewer 已于 ${ZH_SUBMITTED} 完成此操作`);
  });

  test("the reviewers' card: the shared card in REVIEW_LOCALE (zh-CN), a reviewer's own view in theirs (en-US)", async () => {
    const claim = await claimNeedingInfo();
    const publisher = new ReviewCardPublisher(app.services);
    const shared = JSON.stringify(await publisher.sharedCard(claim));
    expect(shared).toContain(`${ZH_RESPOND_BY} · 剩余`);
    expect(shared).toContain(ZH_SUBMITTED);
    expect(shared).not.toMatch(/[AP]M \(/);
    const own = JSON.stringify(await publisher.view.render(claim, { locale: 'en-US', viewer: riley, refreshUserIds: [] }));
    expect(own).toMatch(new RegExp(`${EN_RESPOND_BY.source} · \\d+ business days? left`));
    expect(own).toMatch(new RegExp(`Last change: Riley Reviewer [a-z ]+ on ${EN_SUBMITTED.source}\\.`));
    expect(own).not.toContain('年');
    for (const card of [shared, own]) expect(card).not.toMatch(NEUTRAL);
    // The history card: event times, and a changed instant (submittedAt) as a date rather than as stored.
    const history = JSON.stringify(publisher.view.history(claim, 'zh-CN', false));
    expect(history).toContain(`Riley Reviewer 于 ${ZH_SUBMITTED} 开始了评审。`);
    expect(history).toContain(`→ ${ZH_SUBMITTED}`);
    expect(history).not.toMatch(/→ \d{4}-\d\d-\d\dT/);
  });
});
