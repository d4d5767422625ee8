import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoPdf } from '../../app/demo/demoSeed';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { embeddedBlobConnectionString } from '../../src/storage/embeddedBlob';
import { EMBEDDED_COSMOS_KEY } from '../../src/storage/embeddedCosmos';
import { PoeBlobStore } from '../../src/storage/poeBlobStore';
import { PARTNER_TENANT, personalMessage, postActivity } from '../support/activities';
import { killBotProcess as killGroup, startBotProcess as startBot, type BotProcess as Bot } from '../support/botProcess';
import { FileServer } from '../support/fileServer';
import { uniqueName } from '../support/testStorage';

/**
 * The default that keeps data: the bot as `npm start` runs it (no storage settings), a partner half-way
 * through a claim with a PoE attached, the whole process group killed with SIGKILL (no graceful anything),
 * and a new bot on the same data folder that lets the partner carry on and submit.
 */

type Reply = { text?: string; attachments?: { contentType: string; content: { body?: { text?: string }[] } }[] };
const texts = (replies: Reply[]) =>
  replies
    .map((r) => r.text ?? '')
    .filter(Boolean)
    .join('\n');
const cardTitle = (replies: Reply[]) => [...replies].reverse().find((r) => r.attachments?.length)?.attachments?.[0].content.body?.[0]?.text;

const files = new FileServer();
beforeAll(() => files.start());
afterAll(() => files.stop());

describe('the default data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cpor-data-'));
  const env = { PORT: '0', DATA_DIR: dataDir, DEMO_DATA: 'false' };
  let bot: Bot | undefined;
  afterAll(async () => {
    if (bot) await killGroup(bot);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a draft, its dialog state and its PoE file survive kill -9 of the bot and its storage processes', async () => {
    const conversation = { id: `a:${uniqueName('chat-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
    let claimId = '';
    const send = async (extra: Record<string, unknown>): Promise<Reply[]> => {
      const { status, body } = await postActivity(bot!.url, { ...personalMessage(''), conversation, ...extra });
      expect(status).toBe(200);
      return (body?.activities ?? []) as Reply[];
    };
    const say = (text: string) => send({ text });
    const press = (step: string, button: string, inputs: Record<string, unknown> = {}) =>
      send({ text: undefined, value: { action: 'form.claim', step, claimId, button, ...inputs } });

    bot = await startBot(env);
    expect(bot.output()).toContain(`kept on disk in ${dataDir}`);
    const started = texts(await say('new claim'));
    claimId = /I started draft (CL-[0-9A-Z]{8})/.exec(started)![1];
    await press('customer', 'next', { mpnId: '4412345', customerDomain: 'northwind.example', customerTenantId: '11111111-2222-4333-8444-555555555555' });
    expect(cardTitle(await press('area', 'next', { areaActivity: 'Microsoft365|Usage' }))).toBe('Products and workloads');
    const pdf = demoPdf('Signed statement of work');
    expect(texts(await send({ text: '', attachments: [files.teamsFile('Signed SOW.pdf', pdf)] }))).toMatch(/^Added Signed SOW\.pdf/);

    await killGroup(bot);
    bot = await startBot(env);

    // The card the partner still has in the chat carries on from where they were.
    expect(cardTitle(await press('products', 'next', { products: 'teams' }))).toBe('Contacts and claim name');
    // The draft is found by its id, with what was filled in before the kill.
    const status = JSON.stringify(await say(`claim ${claimId}`));
    expect(status).toContain(claimId);
    expect(status).toContain('northwind.example');
    expect(status).not.toContain('does not exist');

    const poeCard = JSON.stringify(
      await press('contacts', 'next', {
        customerContact_name: 'Dana',
        customerContact_title: 'CIO',
        customerContact_email: 'dana@northwind.example',
        partnerContact_name: 'Avery',
        partnerContact_email: 'avery@fabrikam.example',
        claimName: 'Northwind Teams',
      }),
    );
    expect(poeCard).toContain('Proof of execution');
    expect(poeCard).toContain('Signed SOW.pdf');

    // The PoE file is still in Blob storage, byte for byte.
    const cosmosEndpoint = /Cosmos DB: embedded server at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(bot.output())![1];
    const blobEndpoint = /Blob storage: embedded Azurite at (http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1)/.exec(bot.output())![1];
    const cosmos = await CosmosDatabase.open({ endpoint: cosmosEndpoint, key: EMBEDDED_COSMOS_KEY, database: 'cpor', embedded: true });
    try {
      const { resources } = await cosmos.containers.claims.items
        .query<{ poe: { blobName: string }[] }>({ query: 'SELECT * FROM c WHERE c.id = @id', parameters: [{ name: '@id', value: claimId }] })
        .fetchAll();
      expect(resources[0].poe).toHaveLength(1);
      const poe = await PoeBlobStore.open(embeddedBlobConnectionString(blobEndpoint), 'poe');
      expect(await poe.download(resources[0].poe[0].blobName)).toEqual(pdf);
    } finally {
      await cosmos.close();
    }

    await say('done');
    expect(cardTitle(await say('skip'))).toBe('Check and submit: Northwind Teams');
    expect(texts(await press('summary', 'submit'))).toMatch(new RegExp(`${claimId}[\\s\\S]*is now Submitted`));
    expect(bot.output()).toMatch(/Cosmos DB: embedded server .*data in .*, [1-9]\d* documents? restored/);
  }, 240_000);
});
