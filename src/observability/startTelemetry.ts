import 'dotenv/config';
import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import { context } from '@opentelemetry/api';
import { inUnkeptTrace } from './unkeptTraces';

/**
 * Application Insights through OpenTelemetry, started before anything else is loaded (the entry points
 * import this module first): its HTTP and Azure SDK instrumentations must wrap `http`, Cosmos DB and
 * Blob storage before they are used, so every outbound call (Teams connector, Cosmos DB, Blob storage)
 * is a dependency under the turn that made it. Without APPLICATIONINSIGHTS_CONNECTION_STRING nothing
 * is loaded and the telemetry API stays a no-op.
 */

let started: typeof AzureMonitor | undefined;

const connectionString = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
if (connectionString) {
  // The cloud role name in Application Insights (instances are told apart by their host name).
  process.env.OTEL_SERVICE_NAME ||= 'cpor-claims-bot';
  // The distro sets the Azure SDKs' log level to "warning" unless AZURE_LOG_LEVEL says otherwise, and the SDKs
  // log every non-2xx answer at that level: each expected 404 (a person without a language record), 409 (a
  // re-delivered activity) or 412 (a write that lost to another) became a line on stderr. The bot logs what
  // matters itself; the SDKs' errors still show.
  process.env.AZURE_LOG_LEVEL ||= 'error';
  // Loaded only when used: it is large, and a local bot has no use for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  started = require('@azure/monitor-opentelemetry') as typeof AzureMonitor;
  // No spans for the outgoing requests of turns whose trace sampling drops (unkeptTraces.ts); the options go
  // to OpenTelemetry's HttpInstrumentation, whose hook the distro's type does not list.
  const http = { enabled: true, ignoreOutgoingRequestHook: () => inUnkeptTrace(context.active()) };
  started.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    instrumentationOptions: { http, azureSdk: { enabled: true } },
  });
}

/** Sends what is buffered and stops (at shutdown, within its deadline). */
export async function stopTelemetry(): Promise<void> {
  await started?.shutdownAzureMonitor();
}
