import { ClaimCards } from '../../bot/commands/claimCards';
import { PartnerNotifier } from '../../bot/reviews/partnerNotifier';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { ClaimQueries } from '../../src/services/claims/claimQueries';
import { renderConsentPage } from '../../src/web/consentPage';
import { AVERY, claimThrough, RILEY } from '../support/seededClaims';
import { testConfig } from '../support/testStorage';

/**
 * Approval creates the association, not incentive earnings: approval notices, an approved claim's
 * status card and the customer's consent page say so, with the incentive program guides' link
 * (INCENTIVE_GUIDE_URL).
 */

const GUIDE = 'https://guides.example/incentives';
let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false', INCENTIVE_GUIDE_URL: GUIDE }), { log: silentLogger });
});
afterAll(() => services.close());

const partnerViewer = () => ({ kind: 'partner' as const, actor: AVERY, organisation: { id: AVERY.orgId, name: 'Fabrikam Consulting Ltd', mpnIds: [] } });

test("the approval notice and the approved claim's status card say what approval means, in both languages, with the guides' link", async () => {
  const underReview = await claimThrough(services, 'UnderReview', 'meaning-approved', 1);
  const approved = await services.claimService.act(underReview.id, { type: 'approve' }, RILEY, {}, AVERY.orgId);
  if (!approved.ok) throw new Error(JSON.stringify(approved.refusal));
  const notifier = new PartnerNotifier(services);
  const cards = new ClaimCards(services, ClaimQueries.fromServices(services));
  for (const [locale, words] of [
    ['en-US', "It doesn't mean that the claim is approved for incentive earnings or payout"],
    ['zh-CN', '这并不意味着批准的奖励收益或付出的比率'],
  ] as const) {
    const notice = JSON.stringify(notifier.card(approved.claim, approved.event, locale));
    expect(notice).toContain(words);
    expect(notice).toContain(GUIDE);
    const status = JSON.stringify(await cards.status(approved.claim, partnerViewer() as never, locale));
    expect(status).toContain(words);
    expect(status).toContain(GUIDE);
  }
  // Other changes and claims not approved say nothing of it.
  const submitted = await claimThrough(services, 'Submitted', 'meaning-submitted', 2);
  expect(JSON.stringify(await cards.status(submitted, partnerViewer() as never, 'en-US'))).not.toContain(GUIDE);
  expect(JSON.stringify(notifier.card(underReview, underReview.history.at(-1)!, 'en-US'))).not.toContain(GUIDE);
});

test('the consent page links the guides', () => {
  const facts = {
    claimId: 'CL-AAAA1111',
    claimName: 'x',
    partnerName: 'Fabrikam',
    products: [],
    subscriptions: [],
    customerDomain: 'c.example',
    customerTenantId: 't',
    consent: { kind: 'unknown' as const },
  };
  const html = renderConsentPage('en-US', { kind: 'form', facts, token: 't', csrf: 'c', guideUrl: GUIDE }, 'nonce');
  expect(html).toContain(`<a href="${GUIDE}">${GUIDE}</a>`);
});

test("INCENTIVE_GUIDE_URL: Partner Center's link by default, an https address otherwise", () => {
  expect(loadConfig({})).toMatchObject({ ok: true, config: { incentiveGuideUrl: 'https://aka.ms/partnerincentives' } });
  expect(loadConfig({ INCENTIVE_GUIDE_URL: 'http://guides.example/' })).toMatchObject({ ok: false, errors: [expect.stringContaining('INCENTIVE_GUIDE_URL')] });
});
