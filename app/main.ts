// First: telemetry must wrap http and the Azure SDKs before anything loads them.
import { stopTelemetry } from '../src/observability/startTelemetry';
import { formatConfigErrors, loadConfig } from '../src/config/config';
import { consoleLogger } from '../src/logger';
import { newInstanceId, setProcessInstance } from '../src/observability/logContext';
import { startBotApp } from './botApp';
import { DataDirectoryInUseError } from '../src/storage/dataDirectory';
import { EmbeddedStoreUnavailableError } from '../src/storage/embeddedServerProcess';

/**
 * Entry point: validate configuration, start storage (Azure or embedded), the bot and the server;
 * stop gracefully on SIGINT/SIGTERM within 2 seconds.
 */
const SHUTDOWN_DEADLINE_MS = 1800;

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    console.error(formatConfigErrors(loaded.errors));
    process.exit(2);
  }
  const started = Date.now();
  const instanceId = newInstanceId();
  setProcessInstance(instanceId);
  const app = await startBotApp(loaded.config, { log: consoleLogger, instanceId });
  const { observability } = loaded.config;
  consoleLogger.info(
    `Telemetry: ${observability.applicationInsights ? 'traces and metrics to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING)' : 'off (set APPLICATIONINSIGHTS_CONNECTION_STRING to send traces and metrics to Application Insights)'}; logs as ${observability.logFormat === 'json' ? 'JSON lines' : 'text'}; instance ${instanceId}`,
  );
  consoleLogger.info(`Ready in ${Date.now() - started} ms. Probes: ${app.url}/healthz/live (process) and ${app.url}/healthz/ready (stores)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    consoleLogger.info(`${signal}: shutting down`);
    // If something hangs, leave anyway: the deadline is part of the contract with the host.
    setTimeout(() => {
      consoleLogger.warn('Shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () =>
        stopTelemetry()
          .catch((error) => consoleLogger.warn(`Telemetry: could not send the last of it: ${(error as Error).message}`))
          .then(() => process.exit(0)),
      (error) => {
        consoleLogger.error('Shutdown failed', error);
        process.exit(1);
      },
    );
  };
  // The roster file is reloaded when it changes on disk (rosterFileWatcher.ts); SIGHUP forces a reload.
  process.on('SIGHUP', () => {
    if (!app.rosterWatcher) return consoleLogger.warn('SIGHUP: no roster file to reload (set ROSTER_FILE)');
    void app.rosterWatcher.reload('SIGHUP');
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error) => {
  // A folder in use, or missing settings on a production install, is the operator's to resolve, not a
  // fault: the message says what to do.
  if (error instanceof DataDirectoryInUseError || error instanceof EmbeddedStoreUnavailableError)
    consoleLogger.error(`The bot could not start: ${error.message}`);
  else consoleLogger.error('The bot could not start', error);
  process.exit(1);
});
