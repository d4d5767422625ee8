import { fieldErrorMessage, validateComplete, validateFields, type FieldError } from '../../src/domain/claimFields';
import { render } from '../../src/i18n/locales';
import { d365Fields, m365Fields } from '../support/claimFixtures';

const messages = (errors: FieldError[], locale: 'en-US' | 'zh-CN' = 'en-US') => errors.map((e) => render(locale, fieldErrorMessage(e)));

function errorsFor(input: Record<string, unknown>, context = {}) {
  const result = validateFields(input, context);
  return result.ok ? [] : result.errors;
}

describe('claim fields: one clear message per bad value', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['MPN ID format', { mpnId: '12ab' }, 'MPN ID: enter the 6 to 10 digit MPN (partner location) ID.'],
    ['empty customer domain', { customerDomain: '  ' }, 'Customer domain name: this is required.'],
    [
      'customer domain without a dot',
      { customerDomain: 'contoso' },
      'Customer domain name: enter a domain name such as contoso.onmicrosoft.com or contoso.com.',
    ],
    [
      'customer domain with a scheme',
      { customerDomain: 'https://contoso.com' },
      'Customer domain name: enter a domain name such as contoso.onmicrosoft.com or contoso.com.',
    ],
    ['tenant id not a GUID', { customerTenantId: '1234' }, 'Customer directory (tenant) ID: enter a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47.'],
    ['unknown solution area', { solutionArea: 'Azure' }, 'Solution area: choose one of Business Applications, Microsoft 365.'],
    ['activity of the other area', { solutionArea: 'Microsoft365', activity: 'RevenueAssociation' }, 'Activity: for Microsoft 365, choose Pre-sales, Usage.'],
    ['claim name too long', { claimName: 'x'.repeat(101) }, 'Claim name: use at most 100 characters.'],
    ['no products', { products: [] }, 'Products and workloads: choose at least one.'],
    ['unknown product', { products: ['azure-vm'] }, 'Products and workloads: "azure-vm" is not in the product catalogue.'],
    [
      'product of the other area',
      { solutionArea: 'Microsoft365', products: ['d365-sales'] },
      'Products and workloads: Dynamics 365 Sales is not a Microsoft 365 product.',
    ],
    [
      'contact e-mail',
      { customerContact: { name: 'Dana', title: 'CIO', email: 'dana@' } },
      'Customer contact e-mail: enter an e-mail address such as name@contoso.com.',
    ],
    ['contact title missing', { customerContact: { name: 'Dana', email: 'dana@contoso.com' } }, 'Customer contact title: this is required.'],
    [
      'partner contact e-mail',
      { partnerContact: { name: 'Avery', email: 'not an email' } },
      'Partner contact e-mail: enter an e-mail address such as name@contoso.com.',
    ],
    [
      'subscription id not a GUID',
      { products: ['d365-sales'], subscriptions: [{ productId: 'd365-sales', subscriptionId: 'sub-1' }] },
      'Subscription ID: enter a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47.',
    ],
    [
      'subscription for a product not claimed',
      { products: ['d365-sales'], subscriptions: [{ productId: 'd365-finance', subscriptionId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }] },
      'Subscription IDs: d365-finance is not one of the products of this claim.',
    ],
    [
      'subscription in a program held per workload',
      {
        solutionArea: 'Microsoft365',
        activity: 'Usage',
        products: ['teams'],
        subscriptions: [{ productId: 'teams', subscriptionId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }],
      },
      'Subscription IDs: OSU-Microsoft 365 associations are held per workload, so no subscription IDs are given.',
    ],
    [
      'revenue fields on a usage claim',
      { activity: 'UsageAndOrPreSales', revenueAssociation: { solutionSellerName: 'a', customerName: 'b', isvSolutionName: 'c' } },
      'Revenue association details: only a Revenue association claim has these details.',
    ],
    ['a field that does not exist', { price: 3 }, 'price: is not a claim field.'],
  ];

  test.each(cases)('%s', (_name, input, message) => {
    expect(messages(errorsFor(input))).toContain(message);
  });

  test("the MPN ID must be one of the organisation's", () => {
    expect(messages(errorsFor({ mpnId: '1111111' }, { organisationMpnIds: ['4412345', '4467890'] }))).toEqual([
      "MPN ID: 1111111 is not one of your organisation's MPN IDs (4412345, 4467890).",
    ]);
  });

  test('messages exist in Chinese too, with the field named', () => {
    expect(messages(errorsFor({ customerTenantId: 'x' }), 'zh-CN')).toEqual(['客户目录（租户）ID：请输入 GUID，例如 72f988bf-86f1-41af-91ab-2d7cd011db47。']);
  });

  test('good values pass and are normalised', () => {
    const result = validateFields({
      ...d365Fields,
      customerDomain: 'Contoso.COM.',
      customerTenantId: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE',
      customerContact: { name: ' Dana ', title: 'CIO', email: 'Dana@Contoso.com' },
    });
    expect(result.ok).toBe(true);
    expect(result.fields).toMatchObject({
      customerDomain: 'contoso.com',
      customerTenantId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      customerContact: { name: 'Dana', email: 'dana@contoso.com' },
    });
  });

  test('valid fields are kept when others are bad, so nothing good is lost', () => {
    const result = validateFields({ mpnId: '4412345', customerDomain: 'bad', claimName: 'Keep me' });
    expect(result.ok).toBe(false);
    expect(result.fields).toEqual({ mpnId: '4412345', claimName: 'Keep me' });
  });

  test('a complete Microsoft 365 claim needs no technical contact; a Dynamics 365 claim does', () => {
    expect(validateComplete(m365Fields as never)).toEqual([]);
    const { technicalContact: _omit, ...withoutTech } = d365Fields;
    expect(messages(validateComplete(withoutTech as never))).toEqual([
      'Customer technical contact: required because the claim includes a Dynamics 365 product.',
    ]);
  });

  test('a revenue association claim needs its three extra fields', () => {
    const revenue = { ...d365Fields, activity: 'RevenueAssociation' };
    expect(messages(validateComplete(revenue as never))).toEqual(['Revenue association details: required for a Revenue association claim.']);
    const withPartial = { ...revenue, revenueAssociation: { solutionSellerName: 'Seller', customerName: '', isvSolutionName: 'ISV App' } };
    expect(messages(validateComplete(withPartial as never))).toContain('Customer name: this is required.');
    expect(
      validateComplete({ ...revenue, revenueAssociation: { solutionSellerName: 'Seller', customerName: 'Contoso', isvSolutionName: 'ISV App' } } as never),
    ).toEqual([]);
  });
});
