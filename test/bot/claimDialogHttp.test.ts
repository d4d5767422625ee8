import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { demoPdf } from '../../app/demo/demoSeed';
import { unzip } from '../../src/services/poe/zipWriter';
import { cardProblems } from '../support/cardValidation';
import { FileServer } from '../support/fileServer';
import { PARTNER_AAD, PARTNER_TENANT, personalMessage, postActivity } from '../support/activities';
import { TEST_DELIVERY, testConfig, uniqueName } from '../support/testStorage';

/** The claim dialog as Teams drives it: HTTP activities with card submits and file attachments. */

const files = new FileServer();
beforeAll(() => files.start());
afterAll(() => files.stop());

type Activity = { text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[] };

class Chat {
  claimId = '';
  /** A 1:1 chat of its own, so tests don't continue each other's dialogs. */
  private readonly conversation = { id: `a:${uniqueName('chat-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
  constructor(
    private readonly app: () => BotApp,
    readonly aadObjectId = PARTNER_AAD,
  ) {}

  async send(extra: Record<string, unknown>): Promise<Activity[]> {
    const activity = { ...personalMessage('', { aadObjectId: this.aadObjectId }), conversation: this.conversation, ...extra };
    const { status, body } = await postActivity(this.app().url, activity);
    expect(status).toBe(200);
    const replies = (body?.activities ?? []) as Activity[];
    for (const r of replies) for (const a of r.attachments ?? []) if (a.contentType.includes('adaptive')) expect(cardProblems(a.content)).toEqual([]);
    const started = replies
      .map((r) => r.text ?? '')
      .join('\n')
      .match(/I started draft (CL-[0-9A-Z]{8})/);
    if (started) this.claimId = started[1];
    return replies;
  }
  say(text: string) {
    return this.send({ text });
  }
  press(step: string, action: string, inputs: Record<string, unknown> = {}) {
    return this.send({ text: undefined, value: { action: 'form.claim', step, claimId: this.claimId, button: action, ...inputs } });
  }
  attach(...attachments: unknown[]) {
    return this.send({ text: '', attachments });
  }
}

const texts = (replies: Activity[]) =>
  replies
    .map((r) => r.text ?? '')
    .filter(Boolean)
    .join('\n');
const cardTitle = (replies: Activity[]) => {
  const card = [...replies].reverse().find((r) => r.attachments?.length)?.attachments?.[0].content as { body: { text?: string }[] } | undefined;
  return card?.body[0].text;
};

async function fillUpToPoe(chat: Chat, tenant = '11111111-2222-4333-8444-555555555555', products = 'teams', domain = 'northwind.example') {
  await chat.press('customer', 'next', { mpnId: '4412345', customerDomain: domain, customerTenantId: tenant });
  await chat.press('area', 'next', { areaActivity: 'Microsoft365|Usage' });
  await chat.press('products', 'next', { products });
  return chat.press('contacts', 'next', {
    customerContact_name: 'Dana',
    customerContact_title: 'CIO',
    customerContact_email: 'dana@northwind.example',
    partnerContact_name: 'Avery',
    partnerContact_email: 'avery@fabrikam.example',
    claimName: 'Northwind Teams',
  });
}

describe('claim dialog over HTTP', () => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(testConfig({ DEMO_DATA: 'false', MAX_POE_SIZE_MB: '1' }), { log: silentLogger, delivery: TEST_DELIVERY });
  });
  afterAll(() => app.close());

  test('the welcome card on install offers "New claim"', async () => {
    const install = { ...personalMessage(''), type: 'installationUpdate', action: 'add', text: undefined };
    const { body } = await postActivity(app.url, install);
    const card = JSON.stringify(body?.activities?.[0]);
    expect(card).toContain('Welcome to CPOR claims');
    expect(card).toContain('"data":{"action":"command","command":"new claim"}');
  });

  test('PoE files from Teams land in Blob storage; refused files leave the draft as it was', async () => {
    const chat = new Chat(() => app);
    await chat.send({ text: undefined, value: { action: 'command', command: 'new claim' } }); // the welcome card's button
    expect(chat.claimId).toMatch(/^CL-/);
    expect(cardTitle(await fillUpToPoe(chat))).toBe('Proof of execution');
    const before = await app.services.claimService.get(chat.claimId);

    const refused = await chat.attach(
      files.teamsFile('contract.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)])), // an executable renamed
      files.teamsFile('notes.pdf', Buffer.from('just some text, not a PDF')), // the wrong type
      files.teamsFile('scan.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024 * 1024 + 10)])), // over MAX_POE_SIZE_MB=1
    );
    expect(texts(refused).split(/\n+/)).toEqual([
      'Not added: contract.pdf is a program, not a document.',
      'Not added: notes.pdf is not a PDF, Word (.docx), PNG or JPEG file or an e-mail (.eml, Outlook .msg) (checked by its content, not its name).',
      'Not added: scan.pdf is larger than 1 MB.',
    ]);
    const unchanged = await app.services.claimService.get(chat.claimId);
    expect(unchanged).toEqual(before);

    const pdf = demoPdf('Signed statement of work');
    const added = await chat.attach(files.teamsFile('Signed SOW.pdf', pdf));
    expect(texts(added)).toMatch(/^Added Signed SOW\.pdf/);
    const claim = (await app.services.claimService.get(chat.claimId))!;
    expect(claim.fields).toEqual(before!.fields);
    expect(claim.poe).toMatchObject([{ fileName: 'Signed SOW.pdf', contentType: 'application/pdf', size: pdf.length }]);
    expect(claim.poe[0].blobName.startsWith(`${chat.claimId}/`)).toBe(true);
    const link = await app.services.poe.readLink(claim.poe[0].blobName, { now: new Date(), ttlMinutes: 5 });
    expect(Buffer.from(await (await fetch(link)).arrayBuffer())).toEqual(pdf);
  });

  test('"template" returns a short-lived link to a Word document filled in for this claim', async () => {
    const chat = new Chat(() => app, 'a1b2c3d4-0002-4000-8000-000000000002');
    await chat.say('new claim');
    await fillUpToPoe(chat, '11111111-2222-4333-8444-555555555555', 'teams,sharepoint-online');
    const replies = await chat.press('poe', 'template');
    const url = /\((http:\/\/127\.0\.0\.1:\d+\/[^)]+)\)/.exec(texts(replies))![1];
    expect(url).toContain('sp=r');
    expect(texts(replies)).toContain('The link works for 15 minutes.');
    const docx = Buffer.from(await (await fetch(url)).arrayBuffer());
    const documentXml = unzip(docx).get('word/document.xml')!.toString('utf8');
    const text = documentXml.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    for (const expected of [
      'Fabrikam Consulting Ltd',
      '4412345',
      'northwind.example',
      '11111111-2222-4333-8444-555555555555',
      'Microsoft Teams',
      'SharePoint Online',
      'Description of services delivered',
      'Signature',
      'Date',
    ]) {
      expect(text).toContain(expected);
    }
  });

  test('a claim for a workload another partner already claims is told it goes to arbitration, without naming them', async () => {
    const tenant = '77777777-0000-4000-8000-000000000001';
    // Tailspin Partners already submitted a claim for Teams at this customer.
    const rival = {
      kind: 'partner' as const,
      id: 'b2c3d4e5-0001-4000-8000-000000000001',
      name: 'Robin Tailspin',
      orgId: 'tailspin-partners',
      role: 'BillingAdmin' as const,
    };
    const draft = await app.services.claimService.createDraft(rival, {
      mpnId: '5523456',
      customerDomain: 'fourthcoffee.example',
      customerTenantId: tenant,
      solutionArea: 'Microsoft365',
      activity: 'Usage',
      claimName: 'Rival claim',
      products: ['teams'],
      customerContact: { name: 'D', title: 'T', email: 'd@northwind.example' },
      partnerContact: { name: 'R', email: 'r@tailspin.example' },
    });
    if (!draft.ok) throw new Error('draft refused');
    await app.services.claimService.act(
      draft.claim.id,
      {
        type: 'addPoe',
        files: [
          {
            id: 'p',
            blobName: 'x',
            fileName: 'x.pdf',
            contentType: 'application/pdf',
            size: 1,
            sha256: 'x',
            uploadedAt: new Date().toISOString(),
            uploadedBy: { kind: 'partner', id: rival.id, name: rival.name },
          },
        ],
      },
      rival,
    );
    expect(await app.services.claimService.act(draft.claim.id, { type: 'submit' }, rival)).toMatchObject({ ok: true, claim: { status: 'Submitted' } });

    const chat = new Chat(() => app, 'a1b2c3d4-0001-4000-8000-000000000001');
    const start = await chat.say('new claim');
    if (cardTitle(start) === 'Continue a draft?') await chat.press('resume', 'new');
    await fillUpToPoe(chat, tenant, 'teams', 'fourthcoffee.example');
    await chat.attach(files.teamsFile('sow.pdf', demoPdf('sow')));
    await chat.say('done');
    const summary = await chat.say('skip');
    const summaryJson = JSON.stringify(summary);
    expect(summaryJson).toContain('the claim will go to arbitration');
    expect(summaryJson).not.toMatch(/Tailspin|Robin/);
    const submitted = await chat.press('summary', 'submit');
    expect(texts(submitted)).toMatch(/is now Submitted[\s\S]*will go to arbitration/);
    expect(texts(submitted)).not.toMatch(/Tailspin|Robin/);
  });

  test('"new claim" in a channel points to the 1:1 chat', async () => {
    const message = { ...personalMessage('new claim'), conversation: { id: '19:channel@thread.tacv2', conversationType: 'channel', tenantId: PARTNER_TENANT } };
    const { body } = await postActivity(app.url, message);
    expect(body?.activities?.[0]).toMatchObject({ text: expect.stringContaining('Claims are created in a 1:1 chat with me') });
  });
});

describe('resuming after a restart', () => {
  test('a new bot process on the same Cosmos DB continues the dialog where the partner was', async () => {
    const env = { DEMO_DATA: 'false', COSMOS_DATABASE: uniqueName('restart-'), POE_CONTAINER: uniqueName('poe-') };
    let app = await startBotApp(testConfig(env), { log: silentLogger, delivery: TEST_DELIVERY });
    const chat = new Chat(() => app);
    await chat.say('new claim');
    await chat.press('customer', 'next', { mpnId: '4412345', customerDomain: 'northwind.example', customerTenantId: '11111111-2222-4333-8444-555555555555' });
    await app.close();

    app = await startBotApp(testConfig(env), { log: silentLogger, delivery: TEST_DELIVERY });
    try {
      const replies = await chat.press('area', 'next', { areaActivity: 'Microsoft365|PreSales' });
      expect(cardTitle(replies)).toBe('Products and workloads');
      const claim = await app.services.claimService.get(chat.claimId);
      expect(claim?.fields).toMatchObject({ customerDomain: 'northwind.example', solutionArea: 'Microsoft365', activity: 'PreSales' });
    } finally {
      await app.close();
    }
  });
});
