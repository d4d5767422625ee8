import { startBotApp, type BotApp } from '../../app/botApp';
import { MemoryLogger } from '../../src/logger';
import { conversationReferenceKey, userReferenceKey } from '../../src/storage/conversationStore';
import { cardProblems } from '../support/cardValidation';
import { channelInstall, PARTNER_AAD, PARTNER_TENANT, personalMessage, postActivity } from '../support/activities';
import { testConfig } from '../support/testStorage';
import { startEmbeddedCosmos } from '../../src/storage/embeddedCosmos';

describe('the bot over HTTP (anonymous, local mode)', () => {
  let app: BotApp;
  const log = new MemoryLogger();
  beforeAll(async () => {
    app = await startBotApp(testConfig(), { log });
  });
  afterAll(() => app.close());

  test('/healthz reports storage reachability', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', components: { cosmos: { ok: true }, blob: { ok: true } } });
  });

  test('"help" in a 1:1 chat gets the help card, naming the person and their organisation', async () => {
    const { status, body } = await postActivity(app.url, personalMessage('help'));
    expect(status).toBe(200);
    const reply = body!.activities![0] as { attachments: { contentType: string; content: unknown }[] };
    const card = reply.attachments[0].content;
    expect(cardProblems(card)).toEqual([]);
    const text = JSON.stringify(card);
    expect(text).toContain('CPOR claims bot');
    expect(text).toContain('You are signed in as Avery Fabrikam, Global admin of Fabrikam Consulting Ltd.');
  });

  test('help answers in Chinese for a zh-CN client', async () => {
    const { body } = await postActivity(app.url, personalMessage('help', { locale: 'zh-CN' }));
    expect(JSON.stringify(body!.activities![0])).toContain('CPOR 声明机器人');
  });

  test('someone not on a roster is told whom to ask', async () => {
    const { body } = await postActivity(app.url, personalMessage('help', { aadObjectId: '99999999-0000-4000-8000-000000000000' }));
    expect(JSON.stringify(body!.activities![0])).toContain("You are not on a roster yet: ask your organisation's Global admin");
  });

  test('a roster entry is only good in its own tenant', async () => {
    const { body } = await postActivity(app.url, personalMessage('help', { tenantId: '12345678-0000-4000-8000-000000000000' }));
    expect(JSON.stringify(body!.activities![0])).toContain('You are not on a roster yet');
  });

  test('an unknown command gets a pointer to help', async () => {
    const { body } = await postActivity(app.url, personalMessage('make me a sandwich'));
    expect(body!.activities![0]).toMatchObject({ text: 'I didn\'t understand that. Type "help" to see what I can do.' });
  });

  test('a conversation reference is kept for each user and each channel the bot sees', async () => {
    await postActivity(app.url, personalMessage('help'));
    const user = await app.services.conversations.get(userReferenceKey(PARTNER_TENANT, PARTNER_AAD));
    expect(user).toMatchObject({
      kind: 'user',
      aadObjectId: PARTNER_AAD,
      reference: { serviceUrl: 'http://127.0.0.1:9/', conversation: { id: `a:personal-${PARTNER_AAD}` } },
    });

    const channelId = '19:reviews@thread.tacv2;messageid=1700000000000';
    await postActivity(app.url, channelInstall(channelId));
    const channel = await app.services.conversations.get(conversationReferenceKey('19:reviews@thread.tacv2'));
    expect(channel).toMatchObject({ kind: 'conversation', conversationType: 'channel', reference: { conversation: { id: '19:reviews@thread.tacv2' } } });
  });

  test('the start-up log names what each component runs against', () => {
    expect(log.lines.some((l) => l.startsWith('Cosmos DB: Azure Cosmos DB at http://127.0.0.1:'))).toBe(true);
    expect(log.lines.some((l) => l.startsWith('Blob storage: Azure Storage account devstoreaccount1'))).toBe(true);
    expect(log.lines.some((l) => l.startsWith('Roster: loaded'))).toBe(true);
  });

  test('/healthz/live and /healthz/ready both answer 200 while the stores are reachable', async () => {
    const live = await fetch(`${app.url}/healthz/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', instance: app.services.instanceId });
    const ready = await fetch(`${app.url}/healthz/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', components: { cosmos: { ok: true }, blob: { ok: true } } });
  });

  test('/healthz and /healthz/ready say 503 when storage can no longer be reached; /healthz/live stays 200', async () => {
    const ownCosmos = await startEmbeddedCosmos(0);
    const closing = await startBotApp(testConfig({ COSMOS_ENDPOINT: ownCosmos.endpoint }), { log: new MemoryLogger() });
    try {
      await ownCosmos.close(); // the database goes away under the running bot
      const response = await fetch(`${closing.url}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'degraded', components: { cosmos: { ok: false }, blob: { ok: true } } });
      const ready = await fetch(`${closing.url}/healthz/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'degraded', components: { cosmos: { ok: false } } });
      // A restart would not bring the database back: the liveness probe keeps the instance.
      expect((await fetch(`${closing.url}/healthz/live`)).status).toBe(200);
    } finally {
      await closing.close();
    }
  });
});

describe("choosing the reviewers' conversation", () => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(testConfig({ REVIEW_CONVERSATION_ID: '19:configured@thread.tacv2' }), { log: new MemoryLogger() });
  });
  afterAll(() => app.close());

  const inChannel = (aad: string, tenantId: string, conversationId = '19:other@thread.tacv2') => ({
    ...personalMessage('use this channel for reviews', { aadObjectId: aad, tenantId }),
    conversation: { id: conversationId, conversationType: 'channel', tenantId },
  });

  test('only a reviewer may, only in a channel or group chat, and configuration wins', async () => {
    const reviewer = 'c3d4e5f6-0001-4000-8000-000000000001';
    const reviewerTenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const byPartner = await postActivity(app.url, inChannel(PARTNER_AAD, PARTNER_TENANT));
    expect(byPartner.body!.activities![0]).toMatchObject({ text: 'Only CPOR reviewers can do this.' });
    const inPersonal = await postActivity(app.url, personalMessage('use this channel for reviews', { aadObjectId: reviewer, tenantId: reviewerTenant }));
    expect(inPersonal.body!.activities![0]).toMatchObject({ text: expect.stringContaining('not in a 1:1 chat') });
    const elsewhere = await postActivity(app.url, inChannel(reviewer, reviewerTenant));
    expect(elsewhere.body!.activities![0]).toMatchObject({ text: expect.stringContaining('REVIEW_CONVERSATION_ID') });
    const configured = await postActivity(app.url, inChannel(reviewer, reviewerTenant, '19:configured@thread.tacv2'));
    expect(configured.body!.activities![0]).toMatchObject({ text: expect.stringContaining("This conversation is now the reviewers' conversation") });
  });
});
