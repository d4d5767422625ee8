import { ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { ClaimDialog } from '../../bot/claimDialog/claimDialog';
import { CosmosBotStorage } from '../../bot/cosmosBotStorage';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { silentLogger } from '../../src/logger';
import { demoPdf } from '../../app/demo/demoSeed';
import type { Claim } from '../../src/domain/claim';
import { cardProblems } from '../support/cardValidation';
import { FileServer, teamsFileAt } from '../support/fileServer';
import { jpegOfSize, pdfWithCatalog, pngOfSize, zipBombDocx } from '../support/poeFixtures';
import { buildZip, docxEntries } from '../support/zipFixture';
import { PARTNER_AAD, PARTNER_TENANT, TAILSPIN_TENANT } from '../support/activities';

/** Each demo partner user's tenant, as Teams would send it (Tailspin's users start with b2c3d4e5). */
const tenantOf = (aadObjectId: string) => (aadObjectId.startsWith('b2c3d4e5') ? TAILSPIN_TENANT : PARTNER_TENANT);
import { testConfig } from '../support/testStorage';

/**
 * The claim dialog driven turn by turn with botbuilder-testing's DialogTestClient, against the real
 * stores on the embedded Cosmos DB and Azurite: every solution area x activity, and a bad value at every step.
 */

let services: AppServices;
const files = new FileServer();
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger });
  await files.start();
});
afterAll(async () => {
  await files.stop();
  await services.close();
});

type Reply = { text?: string; attachments?: { content: { body: unknown[]; actions?: unknown[] } }[] };

class Partner {
  readonly client: DialogTestClient;
  claimId = '';
  constructor(
    readonly aadObjectId = PARTNER_AAD,
    locale = 'en-US',
  ) {
    const state = new ConversationState(new CosmosBotStorage(services.cosmos.containers.botState));
    this.client = new DialogTestClient('msteams', new ClaimDialog(services, silentLogger), undefined, [], state);
    this.locale = locale;
  }
  private readonly locale: string;

  // Each partner has a 1:1 chat of its own: dialog state is per conversation, in Cosmos DB.
  private get conversation() {
    return { id: this.conversationId, conversationType: 'personal', tenantId: tenantOf(this.aadObjectId) };
  }
  private readonly conversationId = `a:dialog-test-${Math.random().toString(36).slice(2)}`;

  private activity(extra: Record<string, unknown>) {
    return {
      type: 'message',
      locale: this.locale,
      conversation: this.conversation,
      from: { id: `29:${this.aadObjectId}`, aadObjectId: this.aadObjectId, name: 'Partner' },
      ...extra,
    };
  }

  /** Sends a turn and returns every reply of it (sendActivity hands back the first one itself). */
  async send(extra: Record<string, unknown>): Promise<Reply[]> {
    const first = await this.client.sendActivity(this.activity(extra) as never);
    const replies: Reply[] = first ? [first as Reply] : [];
    for (let r = this.client.getNextReply(); r; r = this.client.getNextReply()) replies.push(r as Reply);
    for (const reply of replies) for (const a of reply.attachments ?? []) expect(cardProblems(a.content)).toEqual([]);
    // The draft this chat works on is the one the bot says it started (a resume card lists older ones).
    const started = allText(replies).match(/I started draft (CL-[0-9A-Z]{8})|我已创建草稿 (CL-[0-9A-Z]{8})/);
    if (started) this.claimId = started[1] ?? started[2];
    return replies;
  }

  text(value: string) {
    return this.send({ text: value });
  }

  /** "new claim", choosing a new draft if earlier tests left this person one to continue. */
  async startNewClaim(): Promise<Reply[]> {
    const replies = await this.text('new claim');
    if (lastCard(replies).title !== 'Continue a draft?') return replies;
    return this.send({ value: { action: 'form.claim', step: 'resume', button: 'new' } });
  }

  card(step: string, action: string, inputs: Record<string, unknown> = {}) {
    return this.send({ value: { action: 'form.claim', step, claimId: this.claimId, button: action, ...inputs } });
  }

  attach(...attachments: unknown[]) {
    return this.send({ text: '', attachments });
  }

  async claim(): Promise<Claim> {
    return (await services.claimService.get(this.claimId))!;
  }
}

/** The card of the last reply: its title, the errors it shows and its input values. */
function lastCard(replies: Reply[]) {
  const card = [...replies].reverse().find((r) => r.attachments?.length)?.attachments?.[0].content;
  if (!card) throw new Error(`No card in ${JSON.stringify(replies)}`);
  const json = JSON.stringify(card);
  const texts = [...json.matchAll(/"text":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  const inputs = Object.fromEntries(
    [...json.matchAll(/"id":"([^"]+)","label":"(?:[^"\\]|\\.)*","value":"((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], JSON.parse(`"${m[2]}"`) as string]),
  );
  return { title: texts[0], errors: texts.filter((s) => s.startsWith('- ')).map((s) => s.slice(2)), inputs, texts };
}

const allText = (replies: Reply[]) =>
  replies
    .map((r) => r.text ?? '')
    .filter(Boolean)
    .join('\n');

interface Combination {
  area: 'Microsoft365' | 'BusinessApplications';
  activity: string;
  domain: string;
  tenant: string;
  products: string;
  /** Good and bad subscription IDs when a product with several subscriptions is claimed in a subscription-keyed program. */
  subscriptions?: { product: string; bad: string; good: string; reason: string };
}

const COMBINATIONS: Combination[] = [
  // OSA-Sell is held per subscription: the customer's two Teams subscriptions make the form ask which.
  {
    area: 'Microsoft365',
    activity: 'PreSales',
    domain: 'northwind.example',
    tenant: '11111111-2222-4333-8444-555555555555',
    products: 'teams,intune',
    subscriptions: {
      product: 'teams',
      bad: 'a1000000-0000-4000-8000-000000000001',
      good: 'd4000000-0000-4000-8000-000000000002',
      reason: "is not a subscription of this customer's tenant",
    },
  },
  { area: 'Microsoft365', activity: 'Usage', domain: 'northwind.onmicrosoft.com', tenant: '11111111-2222-4333-8444-555555555555', products: 'exchange-online' },
  {
    area: 'BusinessApplications',
    activity: 'UsageAndOrPreSales',
    domain: 'adventure-works.example',
    tenant: '22222222-3333-4444-8555-666666666666',
    products: 'd365-sales,power-bi',
    subscriptions: {
      product: 'd365-sales',
      bad: 'a1000000-0000-4000-8000-000000000003',
      good: 'a1000000-0000-4000-8000-000000000002',
      reason: 'is a CSP subscription',
    },
  },
  {
    area: 'BusinessApplications',
    activity: 'RevenueAssociation',
    domain: 'contoso.com',
    tenant: '66666666-7777-4888-8999-aaaaaaaaaaaa',
    products: 'd365-field-service',
    subscriptions: {
      product: 'd365-field-service',
      bad: 'c3000000-0000-4000-8000-000000000001',
      good: 'c3000000-0000-4000-8000-000000000003',
      reason: 'is not a Dynamics 365 Field Service subscription',
    },
  },
];

describe('the claim dialog, step by step', () => {
  test.each(COMBINATIONS.map((c) => [`${c.area} / ${c.activity}`, c] as const))(
    '%s: every step refuses a bad value, keeps what was valid, and the claim is submitted',
    async (_name, combo) => {
      const partner = new Partner();
      let replies = await partner.startNewClaim();
      expect(allText(replies)).toMatch(/I started draft CL-/);
      expect(lastCard(replies).title).toBe('Customer');
      expect((await partner.claim()).status).toBe('Editing');

      // 1. Customer: a bad domain and tenant id; the valid MPN ID is kept, the bad values are shown again as typed.
      replies = await partner.card('customer', 'next', { mpnId: '4467890', customerDomain: 'not a domain', customerTenantId: '1234' });
      let card = lastCard(replies);
      expect(card.title).toBe('Customer');
      expect(card.errors).toEqual([
        'Customer domain name: enter a domain name such as contoso.onmicrosoft.com or contoso.com.',
        'Customer directory (tenant) ID: enter a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47.',
      ]);
      expect(card.inputs).toMatchObject({ mpnId: '4467890', customerDomain: 'not a domain', customerTenantId: '1234' });
      expect((await partner.claim()).fields.mpnId).toBe('4467890');
      replies = await partner.card('customer', 'next', { mpnId: '4467890', customerDomain: combo.domain, customerTenantId: combo.tenant });
      expect(lastCard(replies).title).toBe('Solution area and activity');

      // 2. Area and activity: nothing chosen is refused; then the combination.
      replies = await partner.card('area', 'next', {});
      expect(lastCard(replies).errors).toEqual(['Solution area: this is required.']);
      replies = await partner.card('area', 'next', { areaActivity: `${combo.area}|${combo.activity}` });

      if (combo.activity === 'RevenueAssociation') {
        expect(lastCard(replies).title).toBe('Revenue association details');
        replies = await partner.card('revenue', 'next', { solutionSellerName: 'Fabrikam Sales', customerName: 'Contoso', isvSolutionName: '' });
        expect(lastCard(replies).errors).toEqual(['ISV product or solution name: this is required.']);
        expect(lastCard(replies).inputs).toMatchObject({ solutionSellerName: 'Fabrikam Sales', customerName: 'Contoso' });
        replies = await partner.card('revenue', 'next', {
          solutionSellerName: 'Fabrikam Sales',
          customerName: 'Contoso',
          isvSolutionName: 'Contoso Field App',
        });
      }

      // 3. Products: a product of the other solution area is refused.
      expect(lastCard(replies).title).toBe('Products and workloads');
      const wrongArea = combo.area === 'Microsoft365' ? 'd365-sales' : 'teams';
      replies = await partner.card('products', 'next', { products: wrongArea });
      expect(lastCard(replies).errors[0]).toMatch(/^Products and workloads: .* is not a (Microsoft 365|Business Applications) product\.$/);
      replies = await partner.card('products', 'next', { products: combo.products });

      if (combo.subscriptions) {
        const { product, bad, good, reason } = combo.subscriptions;
        expect(lastCard(replies).title).toBe('Subscription IDs');
        replies = await partner.card('subscriptions', 'next', { [`sub_${product}`]: bad });
        expect(lastCard(replies).errors).toEqual([expect.stringContaining(`${bad} ${reason}`)]);
        expect((await partner.claim()).fields.subscriptions ?? []).toEqual([]);
        replies = await partner.card('subscriptions', 'next', { [`sub_${product}`]: good });
        expect((await partner.claim()).fields.subscriptions).toEqual([{ productId: product, subscriptionId: good }]);
      }

      // 4. Contacts: a bad e-mail is refused and every typed value is shown again.
      card = lastCard(replies);
      expect(card.title).toBe('Contacts and claim name');
      const dynamics = combo.area === 'BusinessApplications' && /d365/.test(combo.products);
      expect(card.inputs).toMatchObject({ partnerContact_name: 'Avery Fabrikam', partnerContact_email: 'avery@fabrikam.example' });
      expect('technicalContact_name' in card.inputs).toBe(dynamics);
      const contacts = {
        customerContact_name: 'Dana Customer',
        customerContact_title: 'CIO',
        customerContact_email: 'dana@customer',
        partnerContact_name: 'Avery Fabrikam',
        partnerContact_email: 'avery@fabrikam.example',
        claimName: `Claim ${combo.activity}`,
        ...(dynamics ? { technicalContact_name: 'Lee Admin', technicalContact_title: 'CRM admin', technicalContact_email: 'lee@customer.example' } : {}),
      };
      replies = await partner.card('contacts', 'next', contacts);
      expect(lastCard(replies).errors).toEqual(['Customer contact e-mail: enter an e-mail address such as name@contoso.com.']);
      expect(lastCard(replies).inputs.customerContact_email).toBe('dana@customer');
      replies = await partner.card('contacts', 'next', { ...contacts, customerContact_email: 'dana@customer.example' });

      // 5. PoE: Next without a file is refused; a renamed executable is refused; a PDF is kept.
      expect(lastCard(replies).title).toBe('Proof of execution');
      replies = await partner.card('poe', 'next');
      expect(lastCard(replies).errors).toEqual(['Attach at least one proof of execution document before you submit.']);
      replies = await partner.attach(files.teamsFile('SOW.pdf', Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(64)])));
      expect(allText(replies)).toBe('Not added: SOW.pdf is a program, not a document.');
      expect((await partner.claim()).poe).toEqual([]);
      replies = await partner.attach(files.teamsFile('Signed SOW.pdf', demoPdf('Signed SOW')));
      expect(allText(replies)).toMatch(/^Added Signed SOW\.pdf \(PDF, \d+ (B|KB)\)\.\n\nChecking Signed SOW\.pdf… the PoE checklist follows in a moment\.$/);
      expect(lastCard(replies).texts).toEqual(expect.arrayContaining([expect.stringMatching(/^1\. Signed SOW\.pdf · PDF · /)]));
      replies = await partner.text('done');

      // 6. Comment (typed), then the summary with every section and Submit.
      expect(lastCard(replies).title).toBe('Comment');
      replies = await partner.text('Signed SOW attached; kick-off was in October.');
      card = lastCard(replies);
      expect(card.title).toBe(`Check and submit: Claim ${combo.activity}`);
      expect(card.errors).toEqual([]);
      replies = await partner.card('summary', 'submit');
      expect(allText(replies)).toMatch(
        new RegExp(
          `^Claim ${partner.claimId} "Claim ${combo.activity}" is now Submitted\\. A reviewer will start the review by [A-Z][a-z]{2} \\d{1,2}, \\d{4}, 11:59\\sPM \\(UTC\\);`,
        ),
      );

      const claim = await partner.claim();
      expect(claim).toMatchObject({
        status: 'Submitted',
        fields: { solutionArea: combo.area, activity: combo.activity, mpnId: '4467890', customerTenantId: combo.tenant },
      });
      expect(claim.fields.products).toEqual(combo.products.split(','));
      expect(claim.poe).toHaveLength(1);
      expect(claim.comments.map((c) => c.text)).toEqual(['Signed SOW attached; kick-off was in October.']);
      expect(claim.deadlines.reviewStart).toBeDefined();
      expect(claim.history.map((e) => e.action)).toEqual(expect.arrayContaining(['create', 'edit', 'addPoe', 'submit']));
      expect(await services.poe.download(claim.poe[0].blobName)).toEqual(demoPdf('Signed SOW'));
    },
  );
});

describe('around the steps', () => {
  test('a Referrals admin is told who may create claims', async () => {
    const partner = new Partner('a1b2c3d4-0003-4000-8000-000000000003');
    const replies = await partner.text('new claim');
    expect(allText(replies)).toBe(
      'Your role in your partner organisation (Referrals admin) can view claims but not create or change them: only a Global admin, Billing admin or Incentives admin can.',
    );
  });

  test('cancel asks whether to keep or discard; keep leaves the draft, and "new claim" offers it again', async () => {
    const partner = new Partner('a1b2c3d4-0002-4000-8000-000000000002');
    await partner.text('new claim');
    await partner.card('customer', 'next', { mpnId: '4412345', customerDomain: 'northwind.example', customerTenantId: '11111111-2222-4333-8444-555555555555' });
    let replies = await partner.text('cancel');
    expect(lastCard(replies).title).toBe('Stop for now?');
    replies = await partner.card('cancel', 'keep');
    // Not named yet: shown as untitled, not under its id as a name.
    expect(allText(replies)).toContain(`Untitled draft (${partner.claimId}) is kept.`);
    expect((await partner.claim()).fields.customerDomain).toBe('northwind.example');

    const again = new Partner('a1b2c3d4-0002-4000-8000-000000000002');
    replies = await again.text('new claim');
    const resume = lastCard(replies);
    expect(resume.title).toBe('Continue a draft?');
    // Each draft's last change, in the reader's locale and the configured zone (UTC here).
    expect(JSON.stringify(replies)).toMatch(new RegExp(`\\(${partner.claimId}\\) · [A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d\\d\\s[AP]M \\(UTC\\)`));
    again.claimId = partner.claimId;
    replies = await again.send({ value: { action: 'form.claim', step: 'resume', button: 'continue', draftId: partner.claimId } });
    expect(lastCard(replies).title).toBe('Solution area and activity'); // where the partner stopped
  });

  test('discard deletes the draft and its files', async () => {
    const partner = new Partner('b2c3d4e5-0001-4000-8000-000000000001'); // Tailspin's billing admin
    await partner.text('new claim');
    await partner.attach(files.teamsFile('early.pdf', demoPdf('early')));
    const claim = await partner.claim();
    expect(claim.poe).toHaveLength(1);
    await partner.card('customer', 'cancel');
    const replies = await partner.card('cancel', 'discard');
    expect(allText(replies)).toBe(`Draft ${claim.id} and its files are discarded.`);
    expect(await services.claimService.get(claim.id)).toBeUndefined();
    await expect(services.poe.download(claim.poe[0].blobName)).rejects.toMatchObject({ statusCode: 404 });
  });

  test('files refused by their content, or by where their link points, are each named with the reason, and the draft stays as it was', async () => {
    const partner = new Partner();
    await partner.startNewClaim();
    const before = await partner.claim();
    const pdf = demoPdf('Signed SOW');
    const cosmosPort = new URL((services.config.cosmos as { endpoint: string }).endpoint).port;
    const replies = await partner.attach(
      files.teamsFile('Signed SOW.docx', zipBombDocx(200 * 1024 * 1024)),
      files.teamsFile('Budget.docx', buildZip([...docxEntries('x'), { name: 'word/vbaProject.bin', data: 'Attribute VB_Name' }])),
      files.teamsFile('sow.pdf', pdfWithCatalog('/OpenAction 4 0 R', ['<< /S /J#61vaScript /JS (app.alert\\(1\\)) >>'])),
      files.teamsFile('scan.pdf', Buffer.concat([pdf, buildZip([{ name: 'invoice.exe', data: Buffer.from('MZ\x90\0') }])])),
      files.teamsFile('bundle.pdf', pdfWithCatalog('/Names << /EmbeddedFiles 4 0 R >>', ['<< /Names [(a.exe) 5 0 R] >>'])),
      files.teamsFile('photo.png', pngOfSize(100_000, 100_000)),
      files.teamsFile('invoice\u202Efdp.exe', Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(64)])),
      teamsFileAt('store.pdf', `http://127.0.0.1:${cosmosPort}/dbs`),
    );
    expect(allText(replies).split('\n\n')).toEqual([
      'Not added: Signed SOW.docx is a compressed file that unpacks to far more than it holds, or whose contents are not what its index says (a "zip bomb").',
      'Not added: Budget.docx contains macros. Save it as a Word document without macros (.docx) or as a PDF and attach it again.',
      'Not added: sow.pdf is a PDF that runs scripts or other actions when opened. Save it again without them (for example with "Print to PDF") and attach it again.',
      'Not added: scan.pdf has an archive or a program hidden inside it.',
      'Not added: bundle.pdf is a PDF with files embedded in it. Attach each document on its own.',
      'Not added: photo.png is not an image that can be opened safely (damaged, or larger than 20000 pixels on a side or 90 megapixels).',
      'Not added: invoicefdp.exe is a program, not a document.',
      'Not added: store.pdf is not a link to a file stored in Teams (SharePoint or OneDrive). Please attach the file itself in this chat.',
    ]);
    expect(await partner.claim()).toEqual(before);

    // Good files are still taken, under a clean name: a PDF named with a right-to-left override, a JPEG.
    const added = await partner.attach(files.teamsFile('SOW\u202Efdp.exe', pdf), files.teamsFile('site.jpg', jpegOfSize(640, 480)));
    expect(allText(added)).toMatch(
      /^Added SOWfdp\.exe \(PDF, \d+ B\)\.\n\nAdded site\.jpg \(JPEG, \d+ B\)\.\n\nChecking SOWfdp\.exe, site\.jpg… the PoE checklist follows in a moment\.$/,
    );
    expect((await partner.claim()).poe.map((f) => f.fileName)).toEqual(['SOWfdp.exe', 'site.jpg']);
  });

  test('a pressed button of an old card is not acted on', async () => {
    const partner = new Partner();
    await partner.startNewClaim();
    const replies = await partner.card('contacts', 'next', { claimName: 'x' });
    expect(allText(replies)).toBe('That card is out of date. Please use the latest one below.');
    expect(lastCard(replies).title).toBe('Customer');
  });

  test('help during the dialog answers and shows the same step again', async () => {
    const partner = new Partner();
    await partner.startNewClaim();
    const replies = await partner.text('help');
    expect(allText(replies)).toMatch(/^You are creating a claim\./);
    expect(lastCard(replies).title).toBe('Customer');
  });

  test('the cards speak Chinese to a zh-CN client', async () => {
    const partner = new Partner(PARTNER_AAD, 'zh-CN');
    let replies = await partner.text('new claim');
    expect(lastCard(replies).title).toBe('继续草稿？'); // earlier tests left this partner drafts
    expect(JSON.stringify(replies)).toMatch(/[)）] · \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（UTC）/);
    replies = await partner.send({ value: { action: 'form.claim', step: 'resume', button: 'new' } });
    expect(lastCard(replies).title).toBe('客户');
    expect(lastCard(replies).texts).toEqual(expect.arrayContaining([expect.stringMatching(/^第 1 步，共 \d 步/)]));
    replies = await partner.card('customer', 'next', { mpnId: '4412345', customerDomain: 'northwind.example', customerTenantId: 'x' });
    expect(lastCard(replies).errors).toEqual(['客户目录（租户）ID：请输入 GUID，例如 72f988bf-86f1-41af-91ab-2d7cd011db47。']);
    replies = await partner.text('cancel');
    expect(lastCard(replies).title).toBe('暂时停止？');
  });
});
