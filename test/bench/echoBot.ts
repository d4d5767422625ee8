import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Request as BotRequest, type Response as BotResponse } from 'botbuilder';
import { startHttpServer, type RequestHandler } from '../../src/server/httpServer';
import { consoleLogger } from '../../src/logger';
import { createAdapter } from '../../bot/adapter';
import { startEmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { FLOOR_PATHS, floorTurn, type FloorPath } from './requestFloors';

/**
 * The benchmark's floors: a bare echo bot on the same restify server as the product, in a process of its
 * own, on a stock Bot Framework `CloudAdapter` (anonymous: no app id), not the product's adapter, so that
 * whatever the product's adapter saves shows in the ratio. `echoBot.js agents` runs the same echo bot on
 * the Microsoft 365 Agents SDK (the Bot Framework SDK's successor), for comparison on this machine.
 * `echoBot.js floor <path>` is a path's floor (requestFloors.ts): the product's adapter, the path's
 * Cosmos DB requests on an embedded server of its own, then the echo.
 */
async function main(): Promise<void> {
  const mode = process.argv[2];
  const messages = mode === 'agents' ? await agentsEcho() : mode === 'floor' ? await floorEcho(process.argv[3] as FloorPath) : botbuilderEcho();
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: Number(process.env.PORT ?? 0),
    log: consoleLogger,
    messages,
    health: async () => ({ ok: true, components: {} }),
  });
  consoleLogger.info(`Bot: listening on ${http.url}/api/messages`);
  consoleLogger.info('Ready in 0 ms.');
  process.on('SIGTERM', () => http.close().then(() => process.exit(0)));
}

function botbuilderEcho(): RequestHandler {
  // As the SDK's samples build it: configuration with no app id (anonymous, for local use).
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
    await next();
  });
  return (req, res) => adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (context) => bot.run(context));
}

async function floorEcho(path: FloorPath): Promise<RequestHandler> {
  if (!FLOOR_PATHS.includes(path)) throw new Error(`No floor for "${path}": one of ${FLOOR_PATHS.join(', ')}`);
  const cosmos = await startEmbeddedCosmos(0);
  // As the bench's product prints it, so the bench meters this store's CPU and counts its requests too.
  consoleLogger.info(`Cosmos DB: embedded server at ${cosmos.endpoint}, database "cpor" (in memory, process ${cosmos.pid})`);
  const db = await CosmosDatabase.open({ endpoint: cosmos.endpoint, key: cosmos.key, database: 'cpor', embedded: true });
  const requests = await floorTurn(db, path, Number(process.env.BENCH_CONNECTIONS ?? 20));
  // The product's adapter as app/botApp.ts builds it without an app id (kept connector clients among it).
  const adapter = createAdapter(
    { appId: '', appPassword: '', appType: 'MultiTenant', appTenantId: '', anonymous: true, allowedChannels: ['msteams'] },
    consoleLogger,
  );
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    const text = context.activity.text ?? '';
    await requests(Number(/(\d+)$/.exec(text)?.[1] ?? 0));
    await context.sendActivity(`echo: ${text}`);
    await next();
  });
  return (req, res) => adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (context) => bot.run(context));
}

async function agentsEcho(): Promise<RequestHandler> {
  // Loaded only here: a dev dependency, for the bench.
  const agents = await import('@microsoft/agents-hosting');
  const adapter = new agents.CloudAdapter({});
  const authorize = agents.authorizeJWT({});
  const bot = new agents.ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
    await next();
  });
  type AgentsRequest = Parameters<typeof adapter.process>[0];
  type AgentsResponse = Parameters<typeof adapter.process>[1];
  return async (req, res) => {
    // As the SDK's express host does: its token middleware (anonymous without a client id), then the turn.
    let authorized = false;
    await authorize(req as unknown as AgentsRequest, res as never, () => (authorized = true));
    if (authorized) await adapter.process(req as unknown as AgentsRequest, res as unknown as AgentsResponse, (context) => bot.run(context));
  };
}

main().catch((error) => {
  consoleLogger.error('The echo bot could not start', error);
  process.exit(1);
});
