import { ClaimCards } from '../../bot/commands/claimCards';
import { ManualClock } from '../../src/clock';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { ClaimQueries } from '../../src/services/claims/claimQueries';
import { AVERY, claimThrough, RILEY } from '../support/seededClaims';
import { testConfig } from '../support/testStorage';

/**
 * Status cards are drawn again only when what they show changed, and never show a stale claim: the
 * cache is keyed by the claim as just read (its ETag), the viewer, the locale and the business date.
 */

const clock = new ManualClock('2026-11-30T09:00:00Z');
let services: AppServices;
let cards: ClaimCards;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger, clock });
  cards = new ClaimCards(services, ClaimQueries.fromServices(services));
});
afterAll(() => services.close());

const partner = { kind: 'partner' as const, actor: AVERY, organisation: { id: AVERY.orgId, name: 'Fabrikam Consulting Ltd', mpnIds: [] } };
const reviewer = { kind: 'reviewer' as const, actor: RILEY };
const read = async (id: string) => (await services.claimService.get(id, AVERY.orgId))!;
const statusCard = async (id: string, viewer: typeof partner | typeof reviewer = partner, locale: 'en-US' | 'zh-CN' = 'en-US') =>
  JSON.stringify(await cards.status(await read(id), viewer as never, locale));

test('after a change (a comment, a review started) the next status card shows it', async () => {
  const claim = await claimThrough(services, 'Submitted', 'cardcache-change', 1);
  const before = await statusCard(claim.id);
  expect(before).not.toContain('A note added later');
  await services.claimService.act(claim.id, { type: 'comment', text: 'A note added later' }, AVERY, {}, AVERY.orgId);
  expect(await statusCard(claim.id)).toContain('A note added later');
  await services.claimService.act(claim.id, { type: 'startReview' }, RILEY, {}, AVERY.orgId);
  expect(await statusCard(claim.id)).toContain('Under review');
});

test('the same claim unchanged, asked again, is the same card; another locale or viewer gets its own', async () => {
  const claim = await claimThrough(services, 'Submitted', 'cardcache-same', 2);
  const first = await cards.status(await read(claim.id), partner as never, 'en-US');
  expect(await cards.status(await read(claim.id), partner as never, 'en-US')).toBe(first);
  const chinese = await statusCard(claim.id, partner, 'zh-CN');
  expect(chinese).not.toBe(JSON.stringify(first));
  expect(chinese).toMatch(/[\u4e00-\u9fff]/);
  // The reviewer's card has the review button and no partner steps.
  const forReviewer = await statusCard(claim.id, reviewer);
  expect(forReviewer).not.toEqual(JSON.stringify(first));
});

test('partner users of one role share a card; a role with other steps open gets its own', async () => {
  const claim = await claimThrough(services, 'Submitted', 'cardcache-roles', 4);
  const first = await cards.status(await read(claim.id), partner as never, 'en-US');
  const colleague = { ...partner, actor: { ...AVERY, id: 'a1b2c3d4-0009-4000-8000-000000000009', name: 'Another Admin' } };
  expect(await cards.status(await read(claim.id), colleague as never, 'en-US')).toBe(first);
  // A referrals admin may not act on claims: no steps to take, so not the global admin's card.
  const referrals = { ...partner, actor: { ...AVERY, id: 'a1b2c3d4-0003-4000-8000-000000000003', name: 'Sam Referrals', role: 'ReferralsAdmin' as const } };
  const theirs = await cards.status(await read(claim.id), referrals as never, 'en-US');
  expect(JSON.stringify(theirs)).not.toEqual(JSON.stringify(first));
  expect(JSON.stringify(first)).toContain('Withdraw');
  expect(JSON.stringify(theirs)).not.toContain('Withdraw');
});

test('time passing changes the card without a change to the claim: the days left count down and a passed deadline says so', async () => {
  const claim = await claimThrough(services, 'PartnerActionRequired', 'cardcache-time', 3);
  const now = await statusCard(claim.id);
  expect(now).toMatch(/\d+ business days? left/);
  clock.advanceMs(60 * 24 * 60 * 60 * 1000);
  try {
    const later = await statusCard(claim.id);
    expect(later).not.toEqual(now);
    expect(later).toContain('passed');
  } finally {
    clock.set('2026-11-30T09:00:00Z');
  }
});
