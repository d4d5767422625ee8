import { associationKeys, describeKey, isLegacyKey, migratedKeys } from '../../src/domain/associationKeys';
import type { DraftFields, FieldError } from '../../src/domain/claimFields';
import { validateFields } from '../../src/domain/claimFields';
import {
  directoryChecksFor,
  domainTenantErrors,
  productsNeedingSubscriptionIds,
  subscriptionErrors,
  type CustomerSubscription,
} from '../../src/domain/customerSubscriptions';
import { INCENTIVE_PROGRAMS, programOf } from '../../src/domain/incentivePrograms';
import { ACTIVITIES_BY_AREA, SOLUTION_AREAS } from '../../src/domain/productCatalogue';

/**
 * The association rule (docs/association-rule.md) as tables, written out here from that page: which program a claim is of, which
 * key it holds, what a key of the earlier format becomes, and the customer directory's rules.
 */

const TENANT = '11111111-2222-4333-8444-555555555555';
const SUB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const SUB_B = 'aaaaaaaa-0000-4000-8000-000000000002';
const SUB_C = 'aaaaaaaa-0000-4000-8000-000000000003';
const sub = (subscriptionId: string, productId: string, extra: Partial<CustomerSubscription> = {}): CustomerSubscription => ({
  subscriptionId,
  productId,
  csp: false,
  provisioned: true,
  ...extra,
});

const m365 = (activity: 'Usage' | 'PreSales', products: string[], subscriptions?: { productId: string; subscriptionId: string }[]): DraftFields =>
  ({ customerTenantId: TENANT, solutionArea: 'Microsoft365', activity, products, ...(subscriptions ? { subscriptions } : {}) }) as DraftFields;
const bizApps = (
  activity: 'UsageAndOrPreSales' | 'RevenueAssociation',
  products: string[],
  subscriptions?: { productId: string; subscriptionId: string }[],
): DraftFields =>
  ({ customerTenantId: TENANT, solutionArea: 'BusinessApplications', activity, products, ...(subscriptions ? { subscriptions } : {}) }) as DraftFields;

describe('the program of each solution area and activity (docs/association-rule.md, "Programs")', () => {
  const EXPECTED: Record<string, [string, 'workload' | 'subscription']> = {
    'Microsoft365|Usage': ['osu-m365', 'workload'],
    'Microsoft365|PreSales': ['osa-sell', 'subscription'],
    'BusinessApplications|UsageAndOrPreSales': ['osu-osa-bizapps', 'subscription'],
    'BusinessApplications|RevenueAssociation': ['revenue-association', 'subscription'],
  };
  const combos = SOLUTION_AREAS.flatMap((area) => (ACTIVITIES_BY_AREA[area] as readonly string[]).map((activity) => `${area}|${activity}`));
  test.each(combos)('%s', (combo) => {
    const [solutionArea, activity] = combo.split('|');
    const program = programOf({ solutionArea, activity });
    expect(program && [program.id, program.unit]).toEqual(EXPECTED[combo]);
  });
  test('every program is reached by exactly one combination', () => {
    expect(INCENTIVE_PROGRAMS.map((p) => p.id).sort()).toEqual(
      Object.values(EXPECTED)
        .map(([id]) => id)
        .sort(),
    );
  });
});

describe('association keys', () => {
  const oneTeams = [sub(SUB_A, 'teams'), sub(SUB_B, 'intune')];
  const rows: [string, DraftFields, CustomerSubscription[] | undefined, string[]][] = [
    ['M365 Usage: one key per workload', m365('Usage', ['teams', 'intune']), oneTeams, ['osu-m365:workload:teams', 'osu-m365:workload:intune']],
    ['M365 Usage: the directory is not asked', m365('Usage', ['teams']), undefined, ['osu-m365:workload:teams']],
    ['M365 Pre-sales (OSA-Sell): the only subscription, resolved', m365('PreSales', ['teams']), oneTeams, [`osa-sell:subscription:${SUB_A}`]],
    [
      'M365 Pre-sales: the same subscription typed has the same key',
      m365('PreSales', ['teams'], [{ productId: 'teams', subscriptionId: SUB_A.toUpperCase() }]),
      oneTeams,
      [`osa-sell:subscription:${SUB_A}`],
    ],
    ['M365 Pre-sales: customer not known, keyed by product', m365('PreSales', ['teams']), undefined, ['osa-sell:product:teams']],
    [
      'Power BI (Usage and/or Pre-sales): per subscription, like Dynamics 365',
      bizApps('UsageAndOrPreSales', ['power-bi']),
      [sub(SUB_C, 'power-bi')],
      [`osu-osa-bizapps:subscription:${SUB_C}`],
    ],
    [
      'Power BI typed: the same key',
      bizApps('UsageAndOrPreSales', ['power-bi'], [{ productId: 'power-bi', subscriptionId: SUB_C }]),
      [sub(SUB_C, 'power-bi')],
      [`osu-osa-bizapps:subscription:${SUB_C}`],
    ],
    [
      "Revenue association: its own program, never the usage claim's key",
      bizApps('RevenueAssociation', ['power-bi']),
      [sub(SUB_C, 'power-bi')],
      [`revenue-association:subscription:${SUB_C}`],
    ],
    [
      'several subscriptions, none named: not resolved (the IDs are asked for)',
      bizApps('UsageAndOrPreSales', ['d365-sales']),
      [sub(SUB_A, 'd365-sales'), sub(SUB_B, 'd365-sales')],
      ['osu-osa-bizapps:product:d365-sales'],
    ],
    [
      'CSP and unprovisioned subscriptions do not count',
      bizApps('UsageAndOrPreSales', ['d365-sales']),
      [sub(SUB_A, 'd365-sales', { csp: true }), sub(SUB_B, 'd365-sales', { provisioned: false }), sub(SUB_C, 'd365-sales')],
      [`osu-osa-bizapps:subscription:${SUB_C}`],
    ],
    [
      'named subscriptions: one key each',
      bizApps(
        'UsageAndOrPreSales',
        ['d365-sales'],
        [
          { productId: 'd365-sales', subscriptionId: SUB_A },
          { productId: 'd365-sales', subscriptionId: SUB_B },
        ],
      ),
      undefined,
      [`osu-osa-bizapps:subscription:${SUB_A}`, `osu-osa-bizapps:subscription:${SUB_B}`],
    ],
    ['no activity yet: no keys', { customerTenantId: TENANT, solutionArea: 'Microsoft365', products: ['teams'] } as DraftFields, oneTeams, []],
  ];
  test.each(rows)('%s', (_name, fields, directory, expected) => {
    expect(associationKeys(fields, directory)).toEqual(expected);
  });

  test('keys read back as their program and what they hold; an unresolved product is "not verified"', () => {
    expect(describeKey(`osa-sell:subscription:${SUB_A}`)).toEqual({ program: 'osa-sell', label: SUB_A, verified: true });
    expect(describeKey('osu-osa-bizapps:product:power-bi')).toEqual({ program: 'osu-osa-bizapps', label: 'Power BI', verified: false });
    expect(describeKey('osu-m365:workload:teams')).toEqual({ program: 'osu-m365', label: 'Microsoft Teams', verified: true });
  });
});

describe('keys of the earlier format, and what they become', () => {
  const rows: [string, string, DraftFields, CustomerSubscription[] | undefined, string[] | undefined][] = [
    ['a usage workload', 'workload:teams', m365('Usage', ['teams']), undefined, ['osu-m365:workload:teams']],
    ['a pre-sales workload: the only subscription', 'workload:teams', m365('PreSales', ['teams']), [sub(SUB_A, 'teams')], [`osa-sell:subscription:${SUB_A}`]],
    ['a pre-sales workload, customer not known', 'workload:teams', m365('PreSales', ['teams']), undefined, ['osa-sell:product:teams']],
    [
      'a subscription of a usage claim',
      `subscription:${SUB_A.toUpperCase()}`,
      bizApps('UsageAndOrPreSales', ['d365-sales']),
      undefined,
      [`osu-osa-bizapps:subscription:${SUB_A}`],
    ],
    [
      'a subscription of a revenue association',
      `subscription:${SUB_A}`,
      bizApps('RevenueAssociation', ['d365-sales']),
      undefined,
      [`revenue-association:subscription:${SUB_A}`],
    ],
    [
      'a product: the only subscription',
      'product:power-bi',
      bizApps('UsageAndOrPreSales', ['power-bi']),
      [sub(SUB_C, 'power-bi')],
      [`osu-osa-bizapps:subscription:${SUB_C}`],
    ],
    ['a product, customer not known', 'product:power-bi', bizApps('UsageAndOrPreSales', ['power-bi']), undefined, ['osu-osa-bizapps:product:power-bi']],
    ['a key already of the new format is left alone', 'osu-m365:workload:teams', m365('Usage', ['teams']), undefined, undefined],
    ["a claim without a program can't be told", 'workload:teams', { products: ['teams'] } as DraftFields, undefined, undefined],
  ];
  test.each(rows)('%s', (_name, legacy, fields, directory, expected) => {
    expect(migratedKeys(legacy, fields, directory)).toEqual(expected);
  });
  test('which keys are of the earlier format', () => {
    expect(['workload:teams', `subscription:${SUB_A}`, 'product:power-bi'].map(isLegacyKey)).toEqual([true, true, true]);
    expect(['osu-m365:workload:teams', `osa-sell:subscription:${SUB_A}`, 'osa-sell:product:teams'].map(isLegacyKey)).toEqual([false, false, false]);
  });
});

describe('customer directory rules', () => {
  const codes = (errors: FieldError[]) => errors.map((e) => `${e.field}:${e.code}`);
  const directory = [
    sub(SUB_A, 'd365-sales'),
    sub(SUB_B, 'd365-sales'),
    sub(SUB_C, 'd365-sales', { csp: true }),
    sub('bbbbbbbb-0000-4000-8000-000000000001', 'd365-finance', { provisioned: false }),
    sub('bbbbbbbb-0000-4000-8000-000000000002', 'd365-commerce', { csp: true }),
    sub('bbbbbbbb-0000-4000-8000-000000000003', 'teams'),
    sub('bbbbbbbb-0000-4000-8000-000000000004', 'teams'),
    sub('bbbbbbbb-0000-4000-8000-000000000005', 'power-bi'),
  ];
  const rows: [string, DraftFields, CustomerSubscription[] | undefined, string[]][] = [
    ['the only subscription: nothing to give', bizApps('UsageAndOrPreSales', ['power-bi']), directory, []],
    ['several subscriptions, none named: IDs required', bizApps('UsageAndOrPreSales', ['d365-sales']), directory, ['subscriptions:subscriptionsRequired']],
    [
      'several Teams subscriptions in OSA-Sell: IDs required (not only Dynamics 365)',
      m365('PreSales', ['teams']),
      directory,
      ['subscriptions:subscriptionsRequired'],
    ],
    ['several Teams subscriptions in OSU-Microsoft 365: per workload, nothing asked', m365('Usage', ['teams']), directory, []],
    [
      'a named subscription of the customer: fine',
      bizApps('UsageAndOrPreSales', ['d365-sales'], [{ productId: 'd365-sales', subscriptionId: SUB_B }]),
      directory,
      [],
    ],
    [
      'a named subscription not on the tenant',
      bizApps('UsageAndOrPreSales', ['d365-sales'], [{ productId: 'd365-sales', subscriptionId: 'cccccccc-0000-4000-8000-000000000009' }]),
      directory,
      ['subscriptions:subscriptionNotOnTenant'],
    ],
    [
      'a named subscription of another product',
      bizApps('UsageAndOrPreSales', ['power-bi'], [{ productId: 'power-bi', subscriptionId: SUB_A }]),
      directory,
      ['subscriptions:subscriptionOtherProduct'],
    ],
    [
      'a named CSP subscription',
      bizApps('UsageAndOrPreSales', ['d365-sales'], [{ productId: 'd365-sales', subscriptionId: SUB_C }]),
      directory,
      ['subscriptions:subscriptionIsCsp'],
    ],
    [
      'a named subscription not provisioned',
      bizApps('UsageAndOrPreSales', ['d365-finance'], [{ productId: 'd365-finance', subscriptionId: 'bbbbbbbb-0000-4000-8000-000000000001' }]),
      directory,
      ['subscriptions:subscriptionNotProvisioned'],
    ],
    ['a product the customer has no subscription of', bizApps('UsageAndOrPreSales', ['power-apps']), directory, ['products:productNotOnTenant']],
    ['a product whose only subscription is not provisioned', bizApps('RevenueAssociation', ['d365-finance']), directory, ['products:productNotProvisioned']],
    ['a product with CSP subscriptions only', bizApps('UsageAndOrPreSales', ['d365-commerce']), directory, ['products:productOnlyCsp']],
    ['customer not known: nothing can be told', bizApps('UsageAndOrPreSales', ['d365-sales', 'power-apps']), undefined, []],
  ];
  test.each(rows)('%s', (_name, fields, subscriptions, expected) => {
    expect(codes(subscriptionErrors(fields, subscriptions))).toEqual(expected);
  });

  test('products needing subscription IDs: those of a subscription-keyed program with more than one claimable subscription', () => {
    expect(productsNeedingSubscriptionIds(bizApps('UsageAndOrPreSales', ['d365-sales', 'power-bi', 'd365-commerce']), directory)).toEqual(['d365-sales']);
    expect(productsNeedingSubscriptionIds(m365('PreSales', ['teams']), directory)).toEqual(['teams']);
    expect(productsNeedingSubscriptionIds(m365('Usage', ['teams']), directory)).toEqual([]);
    expect(productsNeedingSubscriptionIds(m365('PreSales', ['teams']), undefined)).toEqual([]);
  });

  test.each([
    ["the domain's own tenant", TENANT.toUpperCase(), []],
    ['another tenant', '99999999-0000-4000-8000-000000000000', ['customerTenantId:tenantDomainMismatch']],
    ['a domain the directory does not know', undefined, []],
  ] as const)('domain and tenant: %s', (_name, tenantOfDomain, expected) => {
    const fields = { customerDomain: 'northwind.example', customerTenantId: TENANT } as DraftFields;
    expect(codes(domainTenantErrors(fields, tenantOfDomain ? { tenantOfDomain } : {}))).toEqual(expected);
  });

  test('subscription IDs are refused in a program held per workload, whatever the product', () => {
    expect(validateFields({ ...m365('Usage', ['teams']), subscriptions: [{ productId: 'teams', subscriptionId: SUB_A }] })).toMatchObject({
      ok: false,
      errors: [{ field: 'subscriptions', code: 'subscriptionsNotForWorkloads' }],
    });
    expect(validateFields({ ...bizApps('UsageAndOrPreSales', ['power-bi']), subscriptions: [{ productId: 'power-bi', subscriptionId: SUB_A }] }).ok).toBe(true);
  });

  const changes: [string, string, { type: string; changes?: Record<string, unknown> }, string][] = [
    ['submit', 'Editing', { type: 'submit' }, 'all'],
    ['resubmit', 'PartnerActionRequired', { type: 'resubmit' }, 'all'],
    ['products edited in Submitted', 'Submitted', { type: 'edit', changes: { products: ['d365-sales'] } }, 'subscriptions'],
    ['subscriptions edited in Partner action required', 'PartnerActionRequired', { type: 'edit', changes: { subscriptions: [] } }, 'subscriptions'],
    ['contacts edited in Submitted', 'Submitted', { type: 'edit', changes: { partnerContact: {} } }, 'none'],
    ["a draft's products (checked by the form step by step, in full at submission)", 'Editing', { type: 'edit', changes: { products: ['teams'] } }, 'none'],
    ['a comment', 'Submitted', { type: 'comment' }, 'none'],
  ];
  test.each(changes)('which checks a change must pass: %s', (_name, status, action, expected) => {
    expect(directoryChecksFor(status, action)).toBe(expected);
  });
});
