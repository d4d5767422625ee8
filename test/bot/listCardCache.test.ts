import { ClaimCards, type ClaimListView } from '../../bot/commands/claimCards';
import { ManualClock } from '../../src/clock';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { ClaimQueries, type Viewer } from '../../src/services/claims/claimQueries';
import { AVERY, claimThrough, RILEY } from '../support/seededClaims';
import { testConfig } from '../support/testStorage';

/**
 * List cards are drawn again only when what they show changed: the cache is keyed by the page as this
 * turn's query and clock gave it (each row's fields and running deadline), the page's texts and the
 * locale, so a list never shows a claim as it was before a change, nor days left as they were yesterday.
 */

const clock = new ManualClock('2026-11-30T09:00:00Z');
let services: AppServices;
let queries: ClaimQueries;
let cards: ClaimCards;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger, clock });
  queries = ClaimQueries.fromServices(services);
  cards = new ClaimCards(services, queries);
});
afterAll(() => services.close());

const partner: Viewer = {
  kind: 'partner',
  actor: AVERY,
  organisation: { id: AVERY.orgId, name: 'Fabrikam Consulting Ltd', tenantId: 'partner-tenant', mpnIds: [] },
};
const reviewer: Viewer = { kind: 'reviewer', actor: RILEY };

/** The first page of the viewer's claims, as "my claims" asks for it. */
async function view(viewer: Viewer): Promise<ClaimListView> {
  const { rows } = await queries.list(viewer, {}, { pageSize: 10 });
  return { title: 'Claims', subtitle: 'Page 1', lines: [], empty: 'None', rows, pager: [], filter: {}, list: 'mine' };
}
const listCard = async (viewer: Viewer = partner, locale: 'en-US' | 'zh-CN' = 'en-US') => cards.list(await view(viewer), viewer, locale);

test('the same page unchanged, asked again, is the same card; another locale or viewer gets its own', async () => {
  await claimThrough(services, 'Submitted', 'listcache-same', 1);
  const first = await listCard();
  expect(await listCard()).toBe(first);
  expect(JSON.stringify(first)).toContain('listcache-same');
  const chinese = JSON.stringify(await listCard(partner, 'zh-CN'));
  expect(chinese).toMatch(/[\u4e00-\u9fff]/);
  // A reviewer's list names each claim's organisation.
  expect(JSON.stringify(await listCard(reviewer))).toContain('Fabrikam');
});

test('a claim on the page changes: the next list shows it as it is now', async () => {
  const claim = await claimThrough(services, 'Submitted', 'listcache-change', 2);
  const before = JSON.stringify(await listCard());
  const row = (card: string) => card.slice(card.indexOf(claim.id) - 400, card.indexOf(claim.id) + 400);
  expect(row(before)).not.toContain('Under review');
  await services.claimService.act(claim.id, { type: 'startReview' }, RILEY, {}, AVERY.orgId);
  expect(row(JSON.stringify(await listCard()))).toContain('Under review');
});

test('time passing changes the list without a change to any claim: the days left count down and a passed deadline says so', async () => {
  await claimThrough(services, 'PartnerActionRequired', 'listcache-time', 3);
  const now = JSON.stringify(await listCard());
  expect(now).toMatch(/\d+ business days? left/);
  clock.advanceMs(60 * 24 * 60 * 60 * 1000);
  try {
    const later = JSON.stringify(await listCard());
    expect(later).not.toEqual(now);
    expect(later).toContain('passed');
  } finally {
    clock.set('2026-11-30T09:00:00Z');
  }
});

test("a change to any field the card shows (a row's name or domain, the pager) draws it again", async () => {
  const base = await view(partner);
  const card = await cards.list(base, partner, 'en-US');
  const renamed = { ...base, rows: base.rows.map((r, i) => (i === 0 ? { ...r, claimName: `${r.claimName ?? ''} renamed` } : r)) };
  expect(JSON.stringify(await cards.list(renamed, partner, 'en-US'))).toContain('renamed');
  const otherDomain = { ...base, rows: base.rows.map((r, i) => (i === 0 ? { ...r, customerDomain: 'other.example' } : r)) };
  expect(JSON.stringify(await cards.list(otherDomain, partner, 'en-US'))).toContain('other.example');
  const withPager = { ...base, pager: [{ title: 'Next', data: { action: 'command', command: 'my claims', page: 2 } }] };
  expect(JSON.stringify(await cards.list(withPager, partner, 'en-US'))).toContain('"page":2');
  expect(JSON.stringify(card)).not.toContain('renamed');
});
