import { ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { ClaimDialog } from '../../bot/claimDialog/claimDialog';
import { CosmosBotStorage } from '../../bot/cosmosBotStorage';
import { ReviewCardView } from '../../bot/reviews/reviewCardView';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { fieldErrorMessage } from '../../src/domain/claimFields';
import { render } from '../../src/i18n/locales';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import type { ServiceResult } from '../../src/services/claims/claimService';
import { PARTNER_AAD, PARTNER_TENANT } from '../support/activities';
import { claimIn, poeFile } from '../support/claimFixtures';
import { testConfig } from '../support/testStorage';
import { AVERY as avery, ROBIN as robin, RILEY as reviewer } from '../support/personas';

/**
 * The customer directory's checks on every change of customer, products or subscriptions that is not a
 * draft's (submit, edit in Submitted and Partner action required, resubmit), and the association rule
 * per incentive program, against the demo directory (data/customer-directory.json) and the real stores.
 */

const CONTOSO = { customerDomain: 'contoso.com', customerTenantId: '66666666-7777-4888-8999-aaaaaaaaaaaa' }; // d365-sales x1, d365-field-service x2
const ADVENTURE_WORKS = { customerDomain: 'adventure-works.example', customerTenantId: '22222222-3333-4444-8555-666666666666' }; // d365-customer-service not provisioned, power-bi x1
const FIELD_SERVICE_1 = 'c3000000-0000-4000-8000-000000000002';
const POWER_BI = 'a1000000-0000-4000-8000-000000000006';

let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger });
});
afterAll(() => services.close());

const contacts = {
  customerContact: { name: 'Dana', title: 'CIO', email: 'dana@contoso.example' },
  technicalContact: { name: 'Lee', title: 'CRM admin', email: 'lee@contoso.example' },
  partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
};

function ok(result: ServiceResult): Claim {
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  return result.claim;
}

/** What the partner reads when a change is refused: one sentence per field error. */
function sentences(result: ServiceResult): string[] {
  if (result.ok) return [];
  return ('fieldErrors' in result.refusal ? (result.refusal.fieldErrors ?? []) : []).map((e) => render('en-US', fieldErrorMessage(e)));
}

async function draft(owner: Actor, fields: Record<string, unknown>): Promise<Claim> {
  const created = ok(
    await services.claimService.createDraft(owner, {
      mpnId: owner === avery ? '4412345' : '5523456',
      solutionArea: 'BusinessApplications',
      activity: 'UsageAndOrPreSales',
      claimName: 'Directory checks',
      ...contacts,
      ...fields,
    }),
  );
  return ok(await services.claimService.act(created.id, { type: 'addPoe', files: [poeFile(`${created.id}-poe`)] }, owner));
}

async function submitted(owner: Actor, fields: Record<string, unknown>): Promise<Claim> {
  return ok(await services.claimService.act((await draft(owner, fields)).id, { type: 'submit' }, owner));
}

async function partnerActionRequired(fields: Record<string, unknown>): Promise<Claim> {
  const claim = await submitted(avery, fields);
  ok(await services.claimService.act(claim.id, { type: 'startReview' }, reviewer));
  return ok(await services.claimService.act(claim.id, { type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Please name the products.' }, reviewer));
}

const stored = async (claim: Claim) => (await services.claimService.get(claim.id))!;

describe('directory checks on every change after the draft', () => {
  test("domain and tenant: a tenant that is not the domain's is refused at submission, and the claim stays a draft", async () => {
    const claim = await draft(avery, { ...CONTOSO, customerTenantId: ADVENTURE_WORKS.customerTenantId, products: ['d365-finance'] });
    const result = await services.claimService.act(claim.id, { type: 'submit' }, avery);
    expect(sentences(result)).toEqual(['Customer directory (tenant) ID: this tenant ID does not belong to contoso.com. Check both values with the customer.']);
    expect((await stored(claim)).status).toBe('Editing');
  });

  test('IDs required: an edit in Submitted adding a product with several subscriptions and no ID is refused; with the ID it is kept', async () => {
    const claim = await submitted(avery, { ...CONTOSO, products: ['d365-sales'] });
    const refused = await services.claimService.act(claim.id, { type: 'edit', changes: { products: ['d365-sales', 'd365-field-service'] } }, avery);
    expect(sentences(refused)).toEqual([
      'Subscription IDs: the customer has more than one Dynamics 365 Field Service subscription; enter the ID of each subscription your work covers.',
    ]);
    expect((await stored(claim)).fields.products).toEqual(['d365-sales']);
    const kept = ok(
      await services.claimService.act(
        claim.id,
        {
          type: 'edit',
          changes: { products: ['d365-sales', 'd365-field-service'], subscriptions: [{ productId: 'd365-field-service', subscriptionId: FIELD_SERVICE_1 }] },
        },
        avery,
      ),
    );
    expect(kept).toMatchObject({
      status: 'Submitted',
      fields: { products: ['d365-sales', 'd365-field-service'], subscriptions: [{ subscriptionId: FIELD_SERVICE_1 }] },
    });
  });

  test("not on the tenant: an edit in Partner action required naming another customer's subscription is refused", async () => {
    const claim = await partnerActionRequired({ ...CONTOSO, products: ['d365-sales'] });
    const result = await services.claimService.act(
      claim.id,
      {
        type: 'edit',
        changes: { products: ['d365-sales', 'd365-field-service'], subscriptions: [{ productId: 'd365-field-service', subscriptionId: POWER_BI }] },
      },
      avery,
    );
    expect(sentences(result)).toEqual([`Subscription IDs: ${POWER_BI} is not a subscription of this customer's tenant.`]);
    expect((await stored(claim)).fields.subscriptions).toBeUndefined();
  });

  test('not on the tenant: a product the customer has no subscription of is refused after submission', async () => {
    const claim = await submitted(avery, { ...CONTOSO, products: ['d365-sales'] });
    const result = await services.claimService.act(claim.id, { type: 'edit', changes: { products: ['d365-sales', 'power-apps'] } }, avery);
    expect(sentences(result)).toEqual([
      "Products and workloads: the customer's tenant has no Power Apps subscription, so Power Apps can't be claimed for this customer.",
    ]);
  });

  test('not provisioned: the product, or its subscription named, is refused after submission', async () => {
    const claim = await submitted(avery, { ...ADVENTURE_WORKS, products: ['d365-finance'] });
    const byProduct = await services.claimService.act(claim.id, { type: 'edit', changes: { products: ['d365-finance', 'd365-customer-service'] } }, avery);
    expect(sentences(byProduct)).toEqual(["Products and workloads: the customer's Dynamics 365 Customer Service subscription is not provisioned yet."]);
    const bySubscription = await services.claimService.act(
      claim.id,
      {
        type: 'edit',
        changes: {
          products: ['d365-finance', 'd365-customer-service'],
          subscriptions: [{ productId: 'd365-customer-service', subscriptionId: 'a1000000-0000-4000-8000-000000000004' }],
        },
      },
      avery,
    );
    expect(sentences(bySubscription)).toEqual(['Subscription IDs: a1000000-0000-4000-8000-000000000004 is not provisioned yet.']);
    expect((await stored(claim)).fields.products).toEqual(['d365-finance']);
  });

  test('resubmission: a claim the directory now objects to (a second subscription appeared) is not resubmitted until the IDs are given', async () => {
    // Submitted when the directory knew one Field Service subscription: stored as it was then.
    const earlier = {
      ...claimIn('PartnerActionRequired', {
        ...CONTOSO,
        mpnId: '4412345',
        solutionArea: 'BusinessApplications',
        activity: 'UsageAndOrPreSales',
        claimName: 'Earlier',
        products: ['d365-field-service'],
        ...contacts,
      }),
      id: 'CL-EARLIER1',
    };
    await services.claims.create(earlier);
    const refused = await services.claimService.act(earlier.id, { type: 'resubmit', comment: 'Products named.' }, avery);
    expect(sentences(refused)).toEqual([
      'Subscription IDs: the customer has more than one Dynamics 365 Field Service subscription; enter the ID of each subscription your work covers.',
    ]);
    ok(
      await services.claimService.act(
        earlier.id,
        { type: 'edit', changes: { subscriptions: [{ productId: 'd365-field-service', subscriptionId: FIELD_SERVICE_1 }] } },
        avery,
      ),
    );
    expect(ok(await services.claimService.act(earlier.id, { type: 'resubmit', comment: 'Products named.' }, avery)).status).toBe('UnderReview');
  });

  test('changes the directory has nothing to say about (contacts) are not held up by it', async () => {
    const claim = await submitted(avery, { ...CONTOSO, products: ['d365-sales'] });
    ok(await services.claimService.act(claim.id, { type: 'edit', changes: { partnerContact: { name: 'Avery F.', email: 'avery@fabrikam.example' } } }, avery));
  });
});

describe('the association rule per program', () => {
  async function underReview(owner: Actor, fields: Record<string, unknown>): Promise<Claim> {
    const claim = await submitted(owner, fields);
    return ok(await services.claimService.act(claim.id, { type: 'startReview' }, reviewer));
  }

  test('one subscription, claimed with and without its ID by two partners: one association; a revenue association of it is another program', async () => {
    const withoutId = await underReview(avery, { ...ADVENTURE_WORKS, products: ['power-bi'] });
    const withId = await underReview(robin, {
      ...ADVENTURE_WORKS,
      products: ['power-bi'],
      subscriptions: [{ productId: 'power-bi', subscriptionId: POWER_BI }],
    });
    const revenue = await underReview(robin, {
      ...ADVENTURE_WORKS,
      activity: 'RevenueAssociation',
      products: ['power-bi'],
      revenueAssociation: { solutionSellerName: 'Tailspin', customerName: 'Adventure Works', isvSolutionName: 'Tailspin BI' },
    });
    // The reviewers see the two usage claims compete, and for which program.
    const card = JSON.stringify(await new ReviewCardView(services).render(withoutId, { locale: 'en-US', refreshUserIds: [] }));
    expect(card).toContain(`Competing claim ${withId.id}`);
    expect(card).toContain('Incentive program: OSU/OSA-Business Applications');
    expect(card).not.toContain(`Competing claim ${revenue.id}`);

    ok(await services.claimService.act(withoutId.id, { type: 'approve' }, reviewer));
    const second = await services.claimService.act(withId.id, { type: 'approve' }, reviewer);
    expect(second).toMatchObject({ ok: false, refusal: { code: 'associationConflict' } });
    if (!second.ok)
      expect(render('en-US', second.refusal.message)).toContain(
        `Another partner already holds the OSU/OSA-Business Applications association for ${POWER_BI} of this customer`,
      );
    ok(await services.claimService.act(revenue.id, { type: 'approve' }, reviewer));
    const live = await services.associations.listForTenant(ADVENTURE_WORKS.customerTenantId);
    expect(live.map((a) => [a.id, a.claimId]).sort()).toEqual([
      [`osu-osa-bizapps:subscription:${POWER_BI}`, withoutId.id],
      [`revenue-association:subscription:${POWER_BI}`, revenue.id],
    ]);
  });

  test('a customer the directory does not know: keyed by product, and the reviewer reads "subscription not verified"', async () => {
    const claim = await underReview(avery, {
      customerDomain: 'unknown-customer.example',
      customerTenantId: '55555555-0000-4000-8000-000000000005',
      products: ['power-bi'],
    });
    const card = JSON.stringify(await new ReviewCardView(services).render(claim, { locale: 'en-US', refreshUserIds: [] }));
    expect(card).toContain('Not verified for Power BI: the customer directory does not know this customer, so check the subscription by hand.');
    ok(await services.claimService.act(claim.id, { type: 'approve' }, reviewer));
    expect((await services.associations.listForTenant('55555555-0000-4000-8000-000000000005')).map((a) => a.id)).toEqual(['osu-osa-bizapps:product:power-bi']);
  });
});

/** A partner's 1:1 chat with the claim form (`options`: amend a claim instead of starting a draft). */
function formChat(aadObjectId: string, options?: { claimId: string; mode: 'amend' }) {
  const state = new ConversationState(new CosmosBotStorage(services.cosmos.containers.botState));
  const client = new DialogTestClient('msteams', new ClaimDialog(services, silentLogger), options, [], state);
  const conversation = { id: `a:form-${aadObjectId}-${Math.random().toString(36).slice(2)}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
  let claimId = options?.claimId ?? '';
  const send = async (extra: Record<string, unknown>) => {
    const replies = [
      await client.sendActivity({
        type: 'message',
        locale: 'en-US',
        conversation,
        from: { id: `29:${aadObjectId}`, aadObjectId, name: 'Partner' },
        ...extra,
      } as never),
    ];
    for (let r = client.getNextReply(); r; r = client.getNextReply()) replies.push(r);
    const text = JSON.stringify(replies);
    claimId = /I started draft (CL-[0-9A-Z]{8})/.exec(text)?.[1] ?? claimId;
    return text;
  };
  return {
    send,
    press: (step: string, button: string, inputs: Record<string, unknown> = {}) => send({ value: { action: 'form.claim', step, claimId, button, ...inputs } }),
    claim: async () => (await services.claimService.get(claimId))!,
  };
}

describe('the claim form, step by step', () => {
  test("the customer step says when the tenant is not the domain's; the products step, when the customer has no subscription of a product", async () => {
    const chat = formChat('a1b2c3d4-0002-4000-8000-000000000002');
    expect(await chat.send({ text: 'new claim' })).toContain('I started draft');
    let reply = await chat.press('customer', 'next', { mpnId: '4412345', customerDomain: 'contoso.com', customerTenantId: ADVENTURE_WORKS.customerTenantId });
    expect(reply).toContain('Customer directory (tenant) ID: this tenant ID does not belong to contoso.com.');
    reply = await chat.press('customer', 'next', { mpnId: '4412345', ...CONTOSO });
    expect(reply).toContain('Solution area and activity');
    await chat.press('area', 'next', { areaActivity: 'BusinessApplications|UsageAndOrPreSales' });
    reply = await chat.press('products', 'next', { products: 'power-apps' });
    expect(reply).toContain("Products and workloads: the customer's tenant has no Power Apps subscription");
    expect(reply).not.toContain('Contacts and claim name');
    reply = await chat.press('products', 'next', { products: 'd365-sales' });
    expect(reply).toContain('Contacts and claim name');
  });
});

describe('the claim form, amending a submitted claim', () => {
  test('a product that needs subscription IDs is held for the subscriptions step and saved with them in one change', async () => {
    const claim = await submitted(avery, { ...CONTOSO, products: ['d365-sales'] });
    const { send, press } = formChat(PARTNER_AAD, { claimId: claim.id, mode: 'amend' });

    expect(await send({ text: 'edit' })).toContain('Edit claim: Directory checks');
    expect(await press('summary', 'edit', { section: 'products' })).toContain('Products and workloads');
    let reply = await press('products', 'next', { products: 'd365-sales,d365-field-service' });
    expect(reply).toContain('Subscription IDs');
    expect(reply).toContain('Dynamics 365 Field Service: subscription IDs');
    expect((await stored(claim)).fields.products).toEqual(['d365-sales']);
    reply = await press('subscriptions', 'next', { 'sub_d365-field-service': '' });
    expect(reply).toContain('enter the ID of each subscription your work covers');
    expect((await stored(claim)).fields.products).toEqual(['d365-sales']);
    reply = await press('subscriptions', 'next', { 'sub_d365-field-service': FIELD_SERVICE_1 });
    expect(reply).toContain('Edit claim: Directory checks');
    const after = await stored(claim);
    expect(after.fields).toMatchObject({
      products: ['d365-sales', 'd365-field-service'],
      subscriptions: [{ productId: 'd365-field-service', subscriptionId: FIELD_SERVICE_1 }],
    });
    expect(after.history.filter((e) => e.action === 'edit')).toHaveLength(1);
  });
});
