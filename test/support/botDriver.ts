import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { postActivity, teamsActivity } from './activities';
import { StubConnector } from './stubConnector';
import { TEST_DELIVERY, testConfig } from './testStorage';

/** Who is talking and where: a person's ids and the conversation Teams puts the activity in. */
export interface Speaker {
  aadObjectId: string;
  tenantId: string;
  conversation: Record<string, unknown>;
  name?: string;
}

/**
 * The bot in this process (anonymous, on the test's embedded stores, no demo data, no sweep loop) and a
 * stub Bot Connector on loopback that receives what it sends, started before a file's tests and
 * stopped after them. Talk to it as Teams does: `post` an activity, `say` something as a person,
 * `settle` to wait for the background work (notifications, timers) of every change so far.
 */
export class BotDriver {
  readonly connector = new StubConnector();
  private running?: BotApp;

  get app(): BotApp {
    if (!this.running) throw new Error('The bot starts in beforeAll: use it inside a test.');
    return this.running;
  }

  async start(env: Record<string, string> = {}): Promise<void> {
    await this.connector.start();
    this.running = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0', ...env }), { log: silentLogger, delivery: TEST_DELIVERY });
  }

  async stop(): Promise<void> {
    await this.running?.close();
    await this.connector.stop();
  }

  /** An activity over HTTP to /api/messages; the status and the parsed answer. */
  post(activity: unknown) {
    return postActivity(this.app.url, activity);
  }

  /** A message or card press from `who`, replies expected in the answer (deliveryMode expectReplies); the replies. */
  async say(who: Speaker, extra: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const { body } = await this.post(teamsActivity({ serviceUrl: this.connector.url, ...who }, { type: 'message', deliveryMode: 'expectReplies', ...extra }));
    return body?.activities ?? [];
  }

  settle(): Promise<void> {
    return this.app.background.drain();
  }
}

/** A BotDriver started in beforeAll and stopped in afterAll of the calling test file. */
export function botForTests(env: Record<string, string> = {}): BotDriver {
  const bot = new BotDriver();
  beforeAll(() => bot.start(env));
  afterAll(() => bot.stop());
  return bot;
}
