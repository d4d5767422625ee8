import aliasFile from '../../data/products/aliases.json';
import { productAliases, ProductAliases } from '../../src/domain/productAliases';
import { productCatalogue, ProductCatalogue } from '../../src/domain/productCatalogue';

const named = (text: string) => productAliases.mentions(text).map((m) => m.productId);

describe('product aliases: catalogue names plus the common names a PoE uses', () => {
  test.each([
    ['We rolled out Microsoft Teams to 300 users', ['teams']],
    ['MS Teams and SharePoint Online', ['teams', 'sharepoint-online']],
    ['Migrated mailboxes to EXO', ['exchange-online']],
    ['Azure AD Premium P1 conditional access', ['entra-id-p1']],
    ['Deployed Teams Phone for the call centre', ['teams-phone']],
    ['Microsoft Teams Phone System', ['teams-phone']],
    ['Microsoft Defender for Office 365 and Office 365 ProPlus', ['defender-office-365', 'm365-apps']],
    ['Built apps on PowerApps and flows in Microsoft Flow', ['power-apps', 'power-automate']],
    ['Power BI Premium dashboards', ['power-bi']],
    ['部署了 Microsoft Teams 和 Exchange Online', ['teams', 'exchange-online']],
    ['实施 Dynamics 365 销售', ['d365-sales']],
    ['the intune rollout', ['intune']],
    ['MICROSOFT TEAMS AND EXCHANGE ONLINE, IN CAPITALS', ['teams', 'exchange-online']],
    ['D365 BC go-live', ['d365-business-central']],
    // Names between punctuation, with punctuation inside, and Chinese words beside Latin ones.
    ['(Microsoft Teams), Exchange Online; Intune.', ['teams', 'exchange-online', 'intune']],
    ['D365 F&O 上线', ['d365-finance']],
    ['完成 Microsoft 365 企业应用版 部署', ['m365-apps']],
    // Chinese puts no spaces around Latin words: a CJK character is an edge.
    ['为客户部署Exchange Online和SharePoint Online，并上线D365 BC', ['exchange-online', 'sharepoint-online', 'd365-business-central']],
  ])('%s', (text, ids) => {
    expect(named(text)).toEqual(ids);
  });

  test.each([
    ['teamsters union', []],
    ['the mde and aip acronyms only count in capitals', []],
    ['MDE and AIP in capitals', ['defender-endpoint', 'purview-information-protection']],
    ['Microsoft Power Platform', []],
    ['部署Teamsters工会系统', []],
    ['升级Intunes和SharePointOnline', []],
  ])('no false product: %s', (text, ids) => {
    expect(named(text)).toEqual(ids);
  });

  test('a text asked about again gets the same answer (remembered), which the first caller cannot spoil', () => {
    const text = 'Microsoft Teams Phone for the call centre, then Exchange Online';
    const first = productAliases.mentions(text);
    first.splice(0);
    expect(productAliases.mentions(text).map((m) => m.productId)).toEqual(['teams-phone', 'exchange-online']);
  });

  test('quotes the words as written, across a line break', () => {
    expect(productAliases.mentions('using Exchange\nOnline since May')).toEqual([{ productId: 'exchange-online', quote: 'Exchange\nOnline', index: 6 }]);
  });

  test('every catalogue product has its catalogue name first, and the alias data names only catalogue products', () => {
    for (const area of ['Microsoft365', 'BusinessApplications'] as const) {
      for (const product of productCatalogue.products(area)) expect(productAliases.namesOf(product.id)[0]).toBe(product.name);
    }
    expect(() => new ProductAliases({ aliases: { 'no-such-product': ['X Y'] } }, productCatalogue)).toThrow(/no-such-product/);
    expect(Object.keys(aliasFile.aliases).length).toBeGreaterThan(20);
    expect(
      () =>
        new ProductAliases(
          aliasFile,
          new ProductCatalogue([{ solutionArea: 'Microsoft365', products: [{ id: 'teams', name: 'Microsoft Teams', dynamics365: false }] }]),
        ),
    ).toThrow();
  });
});
