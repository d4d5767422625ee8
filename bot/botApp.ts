import type { CloudAdapter } from 'botbuilder';
import type { AppConfig } from '../src/config/config';
import type { Clock } from '../src/clock';
import type { Logger } from '../src/logger';
import { openServices, type AppServices } from '../src/services/appServices';
import { startHttpServer } from '../src/server/httpServer';
import { createAdapter } from './adapter';
import { CporBot } from './cporBot';
import { BackgroundTasks } from '../src/services/backgroundTasks';
import { ProactiveMessenger } from './proactive';
import { ReviewCardPublisher } from './reviews/reviewCardPublisher';
import { ReviewCardActions } from './reviews/reviewCardActions';
import { PartnerNotifier } from './reviews/partnerNotifier';

/** The whole running product: services, the Bot Framework adapter and bot, and the HTTP server. */
export interface BotApp {
  url: string;
  port: number;
  services: AppServices;
  adapter: CloudAdapter;
  bot: CporBot;
  /** Work after a change (review cards, partner notices); tests wait for it with drain(). */
  background: BackgroundTasks;
  /** The roster file loaded at start, reloaded on SIGHUP. */
  rosterFile?: string;
  close(): Promise<void>;
}

export async function startBotApp(config: AppConfig, options: { log: Logger; clock?: Clock }): Promise<BotApp> {
  const services = await openServices(config, options);
  try {
    const adapter = createAdapter(config.bot, options.log);
    const messenger = new ProactiveMessenger(adapter, config.bot.appId);
    const publisher = new ReviewCardPublisher(services, messenger, options.log);
    const notifier = new PartnerNotifier(services, messenger, options.log);
    const background = new BackgroundTasks(options.log);
    services.claimService.onChange(({ claim, event }) => {
      background.run(`review card of ${claim.id}`, () => publisher.onChange(claim, event));
      background.run(`partner notice for ${claim.id}`, () => notifier.onChange(claim, event));
    });
    const bot = new CporBot(services, options.log, new ReviewCardActions(services, publisher));
    const http = await startHttpServer({
      host: config.server.host,
      port: config.server.port,
      log: options.log,
      messages: (req, res) => adapter.process(req, res, (context) => bot.run(context)),
      health: () => services.health(),
    });
    options.log.info(
      `Bot: listening on ${http.url}/api/messages (${config.bot.anonymous ? 'no MicrosoftAppId: anonymous requests accepted, for local use' : `app id ${config.bot.appId}, Bot Framework tokens required`})`,
    );
    return {
      url: http.url,
      port: http.port,
      services,
      adapter,
      bot,
      background,
      ...(services.rosterFile ? { rosterFile: services.rosterFile } : {}),
      close: async () => {
        await http.close();
        await background.drain();
        await services.close();
      },
    };
  } catch (error) {
    await services.close();
    throw error;
  }
}
