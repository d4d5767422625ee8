import { ClaimCards } from '../../bot/commands/claimCards';
import { silentLogger } from '../../src/logger';
import { demoPdf } from '../../app/demo/demoSeed';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { ClaimQueries } from '../../src/services/claims/claimQueries';
import { d365Fields } from '../support/claimFixtures';
import { AVERY } from '../support/seededClaims';
import { testConfig } from '../support/testStorage';

/** The partner's status card shows everything they submitted, as the reviewers see it. */

let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger });
});
afterAll(() => services.close());

test('subscriptions, revenue-association details, contacts, PoE links and the latest comments are on the status card', async () => {
  const svc = services.claimService;
  const draft = await svc.createDraft(AVERY, {
    ...d365Fields,
    customerTenantId: '18181818-0000-4000-8000-000000000001',
    activity: 'RevenueAssociation',
    revenueAssociation: { solutionSellerName: 'Seller Co', customerName: 'Contoso Retail', isvSolutionName: 'Shelf Planner' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const stored = await services.poe.upload({ claimId: id, fileName: 'signed-sow.pdf', contentType: 'application/pdf', data: demoPdf('sow') });
  await svc.act(
    id,
    {
      type: 'addPoe',
      files: [
        {
          id: `${id}-1`,
          fileName: 'signed-sow.pdf',
          ...stored,
          uploadedAt: new Date().toISOString(),
          uploadedBy: { kind: 'partner', id: AVERY.id, name: AVERY.name },
        },
      ],
    },
    AVERY,
    {},
    AVERY.orgId,
  );
  for (let i = 1; i <= 7; i++) await svc.act(id, { type: 'comment', text: `Note ${i}` }, AVERY, {}, AVERY.orgId);
  const claim = (await svc.get(id, AVERY.orgId))!;

  const viewer = { kind: 'partner' as const, actor: AVERY, organisation: { id: AVERY.orgId, name: 'Fabrikam Consulting Ltd', mpnIds: [] } };
  const card = JSON.stringify(await new ClaimCards(services, ClaimQueries.fromServices(services)).status(claim, viewer as never, 'en-US'));
  for (const shown of [
    'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    'Seller Co',
    'Contoso Retail',
    'Shelf Planner',
    'dana@contoso.example',
    'lee@contoso.example',
    'avery@fabrikam.example',
  ]) {
    expect({ shown, found: card.includes(shown) }).toEqual({ shown, found: true });
  }
  expect(card).toMatch(/\[signed-sow\.pdf\]\(http[^)]*sig=/); // a read-only link to the file
  expect(card).toContain('Note 7');
  expect(card).toContain('Note 3');
  expect(card).not.toContain('Note 2:'); // older comments are in the history
  expect(card).toContain("2 earlier comments are in the claim's history.");
});
