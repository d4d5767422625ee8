import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { PARTNER_AAD, PARTNER_TENANT, postActivity, teamsActivity } from '../support/activities';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * A person's language with two bot instances on one store: each keeps the language for a while
 * (src/storage/languagePreferences.ts), and a write always starts from the stored record, so a choice
 * made through the other instance is not overwritten with an older copy.
 */

const connector = new StubConnector();
let app: BotApp;

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY });
});
afterAll(async () => {
  await app.close();
  await connector.stop();
});

test("a language chosen through another instance is kept: this instance's copy answers for a while, but a write starts from the stored choice", async () => {
  const other = await startBotApp(
    { ...testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), cosmos: app.services.config.cosmos },
    { log: silentLogger, delivery: TEST_DELIVERY },
  );
  try {
    const chat = { id: 'a:language-two-instances', conversationType: 'personal' };
    const via = (bot: BotApp, extra: Record<string, unknown>) =>
      postActivity(
        bot.url,
        teamsActivity(
          { serviceUrl: connector.url, aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT, conversation: chat },
          { type: 'message', deliveryMode: 'expectReplies', ...extra },
        ),
      ).then(({ body }) => JSON.stringify(body?.activities ?? []));
    await via(app, { text: 'language English' });
    expect(await via(app, { text: 'my claims' })).toContain('Claims of Fabrikam Consulting Ltd'); // this instance now holds "English"
    await via(other, { text: 'language 中文' });
    // Chinese typed here makes this instance store the typed language: from the stored record, so the choice stays.
    expect(await via(app, { text: '我的声明' })).toContain('Fabrikam Consulting Ltd 的声明');
    expect(await via(other, { value: { action: 'command', command: 'my claims' } })).toContain('Fabrikam Consulting Ltd 的声明');
    expect(await app.services.languages.get(PARTNER_TENANT, PARTNER_AAD, { fresh: true })).toEqual({ chosen: 'zh-CN', typed: 'zh-CN' });
  } finally {
    await other.close();
  }
});
