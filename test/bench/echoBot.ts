import { ActivityHandler } from 'botbuilder';
import { createAdapter } from '../../bot/adapter';
import { messagesEndpoint } from '../../bot/messagesEndpoint';
import { startHttpServer } from '../../src/server/httpServer';
import { consoleLogger } from '../../src/logger';

/**
 * The benchmark's ceiling: a bare echo bot on the same restify server, /api/messages edge and adapter setup
 * as the product (anonymous, loopback), in a process of its own. Whatever a product turn costs above this is ours.
 */
async function main(): Promise<void> {
  const adapter = createAdapter({ appId: '', appPassword: '', appType: 'MultiTenant', appTenantId: '', anonymous: true, allowedChannels: ['msteams'] }, consoleLogger);
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
    await next();
  });
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 0),
    log: consoleLogger,
    messages: messagesEndpoint({ adapter, logic: (context) => bot.run(context), allowedChannels: new Set(['msteams']), log: consoleLogger }),
    health: async () => ({ ok: true, components: {} }),
  });
  consoleLogger.info(`Bot: listening on ${http.url}/api/messages`);
  consoleLogger.info('Ready in 0 ms.');
  process.on('SIGTERM', () => http.close().then(() => process.exit(0)));
}

main().catch((error) => {
  consoleLogger.error('The echo bot could not start', error);
  process.exit(1);
});
