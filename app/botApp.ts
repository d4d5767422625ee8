import type { AppConfig } from '../src/config/config';
import { openServices, type ServiceOptions } from './appServices';
import type { AppServices } from '../src/services/services';
import { startHttpServer } from '../src/server/httpServer';
import { createClaimLinkHandler } from '../src/web/claimLinks';
import { createAdapter, type CporAdapter, type SigningKeySource } from '../bot/adapter';
import { messagesEndpoint } from '../bot/messagesEndpoint';
import { CporBot, type CporBotStores } from '../bot/cporBot';
import { CosmosBotStorage } from '../bot/cosmosBotStorage';
import { ProcessedActivities } from '../src/storage/processedActivities';
import { WelcomeRecords } from '../src/storage/welcomeRecords';
import { BackgroundTasks } from '../src/services/notifications/backgroundTasks';
import { ReviewCardActions } from '../bot/reviews/reviewCardActions';
import { wireNotifications, type Notifications } from '../bot/notifications/notificationWiring';
import { createConsentHandler } from '../src/web/consentHandler';
import { telemetry } from '../src/observability/metrics';
import { RosterFileWatcher, type RosterFileWatcherOptions } from '../src/services/roster/rosterFileWatcher';

/** The whole running product: services, the Bot Framework adapter and bot, and the HTTP server. */
export interface BotApp {
  url: string;
  port: number;
  services: AppServices;
  adapter: CporAdapter;
  bot: CporBot;
  /** Work after a change (review cards, partner notices, timers); tests wait for it with drain(). */
  background: BackgroundTasks;
  /** The notification dispatcher and the sweeper of due timers. */
  notifications: Notifications;
  /** The roster file loaded at start, reloaded when it changes on disk and on SIGHUP. */
  rosterFile?: string;
  rosterWatcher?: RosterFileWatcher;
  close(): Promise<void>;
}

/**
 * Claims whose notification work runs at once in this instance: when no turn is in flight, enough to
 * keep Teams' limits busy; while turns are in flight, only work that has waited
 * NOTIFICATION_MAX_WAIT_MS, one claim at a time, so a burst of people acting is answered first.
 */
const NOTIFICATION_WORK_AT_ONCE = 16;
const NOTIFICATION_WORK_WHILE_BUSY = 1;
const NOTIFICATION_MAX_WAIT_MS = 5000;
/** How long without turns counts as a quiet moment. */
const QUIET_MS = 100;

/** How often the bot removes day-old processed-activity records from a store without TTL. */
const PURGE_INTERVAL_MS = 60 * 60_000;

export interface BotAppOptions extends ServiceOptions {
  /** Where Bot Framework tokens' signing keys are fetched from; the public cloud's unless given (tests give a local stub). */
  signingKeys?: SigningKeySource;
  /** How long a turn waits for a PoE download before answering "receiving" (bot/turnBudget.ts); tests shorten it. */
  turnBudgetMs?: number;
  /** Timing of the roster file's reload on change (tests shorten it). */
  rosterWatch?: RosterFileWatcherOptions;
}

export async function startBotApp(config: AppConfig, options: BotAppOptions): Promise<BotApp> {
  const services = await openServices(config, options);
  try {
    // The PoE reader process starts with the bot and loads pdf.js meanwhile (at low priority, not awaited):
    // a partner's first file is read by a warm reader. Only the bot reads files, so not in openServices (CLIs).
    void services.poeReadings.start();
    const adapter = createAdapter(config.bot, options.log, options.signingKeys);
    // Busy while a turn is in flight and for a moment after the last one ended: a gap of a few
    // milliseconds between one person's turns is not the quiet moment notification work waits for.
    let turnsInFlight = 0;
    let lastTurnEnded = 0;
    const busy = () => turnsInFlight > 0 || Date.now() - lastTurnEnded < QUIET_MS;
    const background = new BackgroundTasks(options.log, {
      concurrency: NOTIFICATION_WORK_AT_ONCE,
      busyConcurrency: NOTIFICATION_WORK_WHILE_BUSY,
      busy,
      maxWaitMs: NOTIFICATION_MAX_WAIT_MS,
    });
    services.followUps.yieldTo(busy);
    const notifications = wireNotifications(services, adapter, config.bot.appId, background, options.log);
    const bot = new CporBot(
      services,
      options.log,
      new ReviewCardActions(services, notifications.reviewCards),
      botStores(services),
      options.turnBudgetMs ? { turnBudgetMs: options.turnBudgetMs } : {},
    );
    const endpoint = messagesEndpoint({
      adapter,
      logic: (context) => bot.run(context),
      allowedChannels: new Set(config.bot.allowedChannels),
      log: options.log,
      instanceId: services.instanceId,
    });
    const http = await startHttpServer({
      host: config.server.host,
      port: config.server.port,
      log: options.log,
      messages: async (req, res) => {
        turnsInFlight++;
        try {
          await endpoint(req, res);
        } finally {
          if (--turnsInFlight === 0) {
            lastTurnEnded = Date.now();
            background.idle(QUIET_MS);
            services.followUps.idle(QUIET_MS);
          }
        }
      },
      health: () => services.health(),
      instanceId: services.instanceId,
      consent: createConsentHandler({ ...services, log: options.log }),
      claimLinks: createClaimLinkHandler({ appId: config.bot.appId }),
    });
    // The notification backlog in telemetry: work waiting for a slot here, and messages waiting for Teams' limits.
    const stopObservingBacklog = telemetry.observeBacklog(
      () => ({ waiting: background.waiting + services.scheduler.pending, oldestAgeMs: background.oldestWaitingMs() }),
      services.instanceId,
    );
    if (config.sweepIntervalSeconds > 0) {
      notifications.sweeper.start(config.sweepIntervalSeconds * 1000);
      options.log.info(
        `Timers: swept every ${config.sweepIntervalSeconds} s by whichever instance holds the sweep lease (SWEEP_INTERVAL_SECONDS; 0 leaves it to "npm run sweep")`,
      );
    }
    // The embedded Cosmos DB server has no TTL: old processed-activity records are removed by the bot.
    const purge =
      config.cosmos.mode === 'embedded'
        ? setInterval(() => bot.purgeHandledActivities().catch((e) => options.log.error('Could not purge old activity records', e)), PURGE_INTERVAL_MS).unref()
        : undefined;
    const rosterWatcher = services.rosterFile
      ? new RosterFileWatcher(services.rosterFile, (file) => services.rosters.loadFile(file), options.log, options.rosterWatch)
      : undefined;
    await rosterWatcher?.start();
    services.consentLinks.useListeningUrl(http.url);
    services.ownPorts.add(http.port); // a PoE link to the bot itself is never fetched
    options.log.info(
      `Bot: listening on ${http.url}/api/messages (${config.bot.anonymous ? 'no MicrosoftAppId: anonymous requests accepted, for local use' : `app id ${config.bot.appId}, Bot Framework tokens required`}; channels served: ${config.bot.allowedChannels.join(', ')})`,
    );
    return {
      url: http.url,
      port: http.port,
      services,
      adapter,
      bot,
      background,
      notifications,
      ...(services.rosterFile ? { rosterFile: services.rosterFile } : {}),
      ...(rosterWatcher ? { rosterWatcher } : {}),
      close: async () => {
        await http.close();
        await rosterWatcher?.stop();
        stopObservingBacklog();
        if (purge) clearInterval(purge);
        await bot.budget.settle();
        await notifications.sweeper.stop();
        await services.scheduler.stop();
        await background.close();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}

/** The bot's own records, in the Cosmos DB database the services opened. */
function botStores(services: AppServices): CporBotStores {
  const { containers } = services.cosmos;
  return {
    state: new CosmosBotStorage(containers.botState),
    processed: new ProcessedActivities(containers.activities, () => services.clock.now()),
    welcomes: new WelcomeRecords(containers.conversations, () => services.clock.now()),
  };
}
