import { ManualClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { migrateAssociationKeys } from '../../src/services/claims/associationKeyMigration';
import { ClaimService } from '../../src/services/claims/claimService';
import { CustomerChecks, DataFileCustomerDirectory } from '../../src/services/claims/customerDirectory';
import { AssociationStore } from '../../src/storage/associationStore';
import { ClaimStore } from '../../src/storage/claimStore';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { RosterStore } from '../../src/storage/rosterStore';
import { TenantClaimIndex } from '../../src/storage/tenantClaimIndex';
import { calendar, claimIn, m365Fields, otherOrgPartner, partner, T0 } from '../support/claimFixtures';
import { DEMO_ROSTER, openTestDatabase } from '../support/testStorage';

/**
 * The one-time migration of stored associations and tenant-index entries to program-scoped keys, on a
 * store written as the code before issue 17 wrote it (keys without a program), run twice.
 */

const TENANT = '31313131-0000-4000-8000-000000000001';
const TEAMS = 'e5000000-0000-4000-8000-000000000001';
const POWER_BI = 'e5000000-0000-4000-8000-000000000002';
const SALES_1 = 'e5000000-0000-4000-8000-000000000003';
const SALES_2 = 'e5000000-0000-4000-8000-000000000004';
const directory = new DataFileCustomerDirectory({
  tenants: [
    {
      tenantId: TENANT,
      domains: ['migrated.example'],
      subscriptions: [TEAMS, POWER_BI, SALES_1, SALES_2].map((subscriptionId, i) => ({
        subscriptionId,
        productId: ['teams', 'power-bi', 'd365-sales', 'd365-sales'][i],
        csp: false,
        provisioned: true,
      })),
    },
  ],
});
const customerChecks = new CustomerChecks(directory);

let db: CosmosDatabase;
let claims: ClaimStore;
let associations: AssociationStore;
let tenantIndex: TenantClaimIndex;
beforeAll(async () => {
  db = await openTestDatabase();
  claims = new ClaimStore(db.containers.claims);
  associations = new AssociationStore(db.containers.associations);
  tenantIndex = new TenantClaimIndex(db.containers.tenantIndex);
});
afterAll(() => db.close());

const base = { ...m365Fields, customerDomain: 'migrated.example', customerTenantId: TENANT };
const bizApps = {
  ...base,
  solutionArea: 'BusinessApplications',
  activity: 'UsageAndOrPreSales',
  technicalContact: { name: 'Lee', title: 'Admin', email: 'lee@migrated.example' },
};

async function stored(id: string, status: 'Approved' | 'UnderReview', fields: Record<string, unknown>, owner: Actor) {
  const claim = { ...claimIn(status, fields, owner), id };
  await claims.create(claim);
  return claim;
}

/** An association as the code before issue 17 stored it: acquired and confirmed under a key without a program. */
async function oldAssociation(claimId: string, orgId: string, keys: string[], approvedAt: Date) {
  const acquired = await associations.acquire(TENANT, keys, { claimId, orgId }, approvedAt, async () => true);
  if (!acquired.ok) throw new Error(`could not store ${keys.join(', ')}`);
  await associations.confirm(TENANT, keys, claimId, approvedAt, acquired.etags);
}

const day = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const snapshot = async () => (await associations.listForTenant(TENANT)).map((a) => [a.id, a.claimId, a.state, a.liveSince]).sort();

test('stored associations and index entries move to program-scoped keys once; a second run changes nothing', async () => {
  const usage = await stored('CL-MIGR0001', 'Approved', { ...base, products: ['teams', 'intune'] }, partner);
  const preSales = await stored('CL-MIGR0002', 'UnderReview', { ...base, mpnId: '5523456', activity: 'PreSales', products: ['teams'] }, otherOrgPartner);
  const byProduct = await stored('CL-MIGR0003', 'Approved', { ...bizApps, products: ['power-bi'] }, partner);
  const byId = await stored(
    'CL-MIGR0004',
    'Approved',
    { ...bizApps, mpnId: '5523456', products: ['power-bi'], subscriptions: [{ productId: 'power-bi', subscriptionId: POWER_BI }] },
    otherOrgPartner,
  );
  const revenue = await stored(
    'CL-MIGR0005',
    'Approved',
    {
      ...bizApps,
      mpnId: '5523456',
      activity: 'RevenueAssociation',
      products: ['d365-sales'],
      subscriptions: [{ productId: 'd365-sales', subscriptionId: SALES_1 }],
      revenueAssociation: { solutionSellerName: 'Tailspin', customerName: 'Migrated', isvSolutionName: 'App' },
    },
    otherOrgPartner,
  );

  // The store as today's code leaves it: Power BI held twice (by product and by ID: the bug), a pre-sales
  // claim competing with a usage claim for one workload, and the tenant index without a key format.
  await oldAssociation(usage.id, usage.orgId, ['workload:teams', 'workload:intune'], day(1));
  await oldAssociation(byProduct.id, byProduct.orgId, ['product:power-bi'], day(2));
  await oldAssociation(byId.id, byId.orgId, [`subscription:${POWER_BI}`], day(3));
  await oldAssociation(revenue.id, revenue.orgId, [`subscription:${SALES_1}`], day(4));
  const entry = (claim: typeof usage, keys: string[]) => ({ claimId: claim.id, orgId: claim.orgId, status: claim.status, keys });
  await db.containers.tenantIndex.items.create({
    id: TENANT,
    claims: [
      entry(usage, ['workload:teams', 'workload:intune']),
      entry(preSales, ['workload:teams']),
      entry(byProduct, ['product:power-bi']),
      entry(byId, [`subscription:${POWER_BI}`]),
      entry(revenue, [`subscription:${SALES_1}`]),
    ],
  });

  const first = await migrateAssociationKeys({ associations, tenantIndex, claims, customerChecks });
  expect(first).toEqual({
    associationsMoved: 4,
    // The earlier association keeps the subscription; the later one stays where it was, for the reviewers.
    associationsKept: [{ tenantId: TENANT, key: `subscription:${POWER_BI}`, claimId: byId.id, reason: 'heldByAnotherClaim' }],
    tenantsReindexed: 1,
  });
  const after = await snapshot();
  expect(after).toEqual([
    ['osu-m365:workload:intune', usage.id, 'live', day(1).toISOString()],
    ['osu-m365:workload:teams', usage.id, 'live', day(1).toISOString()],
    [`osu-osa-bizapps:subscription:${POWER_BI}`, byProduct.id, 'live', day(2).toISOString()],
    [`revenue-association:subscription:${SALES_1}`, revenue.id, 'live', day(4).toISOString()],
    [`subscription:${POWER_BI}`, byId.id, 'live', day(3).toISOString()],
  ]);
  expect(Object.fromEntries((await tenantIndex.claimsFor(TENANT)).map((c) => [c.claimId, c.keys]))).toEqual({
    [usage.id]: ['osu-m365:workload:teams', 'osu-m365:workload:intune'],
    [preSales.id]: [`osa-sell:subscription:${TEAMS}`],
    [byProduct.id]: [`osu-osa-bizapps:subscription:${POWER_BI}`],
    [byId.id]: [`osu-osa-bizapps:subscription:${POWER_BI}`],
    [revenue.id]: [`revenue-association:subscription:${SALES_1}`],
  });

  const second = await migrateAssociationKeys({ associations, tenantIndex, claims, customerChecks });
  expect(second).toEqual({ associationsMoved: 0, associationsKept: first.associationsKept, tenantsReindexed: 0 });
  expect(await snapshot()).toEqual(after);

  // Reviewers see the two Power BI claims compete; the pre-sales claim no longer competes with the usage claim.
  const rosters = new RosterStore(db.containers.rosters);
  await rosters.loadFile(DEMO_ROSTER);
  const service = new ClaimService({
    claims,
    associations,
    rosters,
    tenantIndex,
    clock: new ManualClock(T0),
    calendar,
    policy: DEFAULT_DEADLINE_POLICY,
    customerChecks,
  });
  expect((await service.competingClaims(byProduct)).map((c) => [c.claim.id, c.sharedKeys])).toEqual([[byId.id, [`osu-osa-bizapps:subscription:${POWER_BI}`]]]);
  expect(await service.competingClaims(preSales)).toEqual([]);
  // Ending the kept association (withdrawal) releases it under its old key too.
  await service.act(byId.id, { type: 'withdraw', comment: 'Arbitration' }, otherOrgPartner, {}, byId.orgId);
  expect((await snapshot()).map(([id]) => id)).not.toContain(`subscription:${POWER_BI}`);
});
