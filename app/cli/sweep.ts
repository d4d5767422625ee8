// First: telemetry must wrap http and the Azure SDKs before anything loads them.
import { stopTelemetry } from '../../src/observability/startTelemetry';
import { formatConfigErrors, loadConfig } from '../../src/config/config';
import { consoleLogger } from '../../src/logger';
import { openServices } from '../appServices';
import { BackgroundTasks } from '../../src/services/notifications/backgroundTasks';
import { createAdapter } from '../../bot/adapter';
import { wireNotifications } from '../../bot/notifications/notificationWiring';

/**
 * `npm run sweep`: one sweep for an external scheduler (cron, an Azure Container Apps job), for bots
 * run with SWEEP_INTERVAL_SECONDS=0. Fires every due timer (deadlines, reminders, dispatch work left
 * by a stopped instance), delivers the notifications that follow, and exits. Safe to run beside bots
 * that sweep themselves: each timer is taken by exactly one of them.
 */
const MAX_PASSES = 50;

async function main(): Promise<number> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    console.error(formatConfigErrors(loaded.errors));
    return 2;
  }
  const config = loaded.config;
  if (config.cosmos.mode === 'embedded') {
    console.error(
      "COSMOS_ENDPOINT is not set: the embedded store lives inside the running bot, which sweeps it itself (SWEEP_INTERVAL_SECONDS). Point COSMOS_ENDPOINT (with COSMOS_KEY, or the managed identity) at the bot's database to sweep from outside.",
    );
    return 2;
  }
  const log = consoleLogger;
  const services = await openServices({ ...config, demoData: false }, { log: { ...log, info: () => undefined } });
  const background = new BackgroundTasks(log);
  try {
    const { sweeper } = wireNotifications(services, createAdapter(config.bot, log), config.bot.appId, background, log);
    const total = { due: 0, fired: 0, dropped: 0, taken: 0, failed: 0 };
    let passes = 0;
    for (;;) {
      const report = await sweeper.runOnce();
      await background.drain();
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += report[key];
      // More may be due: a full batch, or timers the fired ones armed (a dispatch after a long outage
      // arms deadlines that have passed). Timers another instance holds are left to it.
      if (report.fired + report.dropped === 0 || ++passes >= MAX_PASSES) break;
    }
    log.info(
      `Sweep: ${total.due} due, ${total.fired} fired, ${total.dropped} no longer applied, ${total.taken} taken by another instance, ${total.failed} failed`,
    );
    return total.failed ? 1 : 0;
  } finally {
    await background.drain();
    await services.close();
  }
}

main().then(
  (code) =>
    stopTelemetry()
      .catch(() => undefined)
      .then(() => process.exit(code)),
  (error) => {
    consoleLogger.error('The sweep could not run', error);
    process.exit(1);
  },
);
