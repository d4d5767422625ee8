import { ActivityHandler } from 'botbuilder';
import { createAdapter } from '../../bot/adapter';
import { startHttpServer } from '../../src/server/httpServer';
import { consoleLogger } from '../../src/logger';

/**
 * The benchmark's ceiling: a bare echo bot on the same restify server and CloudAdapter setup as the
 * product (anonymous, loopback), in a process of its own. Whatever a product turn costs above this is ours.
 */
async function main(): Promise<void> {
  const adapter = createAdapter({ appId: '', appPassword: '', appType: 'MultiTenant', appTenantId: '', anonymous: true }, consoleLogger);
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
    await next();
  });
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 0),
    log: consoleLogger,
    messages: (req, res) => adapter.process(req, res, (context) => bot.run(context)),
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
