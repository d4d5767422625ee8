import { context, createContextKey, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HttpClient, PipelineRequest } from '@azure/core-rest-pipeline';

/**
 * Cosmos DB requests as Application Insights dependencies, recorded by the Cosmos DB client's transport
 * instead of OpenTelemetry's HTTP instrumentation. The instrumentation works out a span, its attributes
 * and its metrics for every request, also in the traces sampling drops (most of them: the distro keeps 5
 * a second), and a status turn makes two Cosmos DB requests. Here a request whose turn is not being
 * recorded costs no span at all; one that is gets the same dependency as before (name, URL, target,
 * result code). The bot connector's and Blob storage's requests stay with the instrumentation.
 *
 * Loaded by startTelemetry before anything else: nothing here may load `http` (the instrumentation must
 * wrap it first), so the HTTP client type is imported as a type only.
 */

/** Set on the context of a request this transport records: the HTTP instrumentation skips it. */
const RECORDED_BY_TRANSPORT = createContextKey('cpor.cosmosDependency');

let recording = false;

/** Telemetry is on: Cosmos DB clients built from now on record their requests (startTelemetry calls this). */
export function recordCosmosDependencies(): void {
  recording = true;
}

export function cosmosDependenciesRecorded(): boolean {
  return recording;
}

/** For the HTTP instrumentation's `ignoreOutgoingRequestHook`: the request is one this transport records. */
export function isRecordedByCosmosTransport(): boolean {
  return context.active().getValue(RECORDED_BY_TRANSPORT) === true;
}

/** `inner` (the SDK's default transport) with each request recorded as a dependency of the turn that made it. */
export function recordingCosmosTransport(inner: HttpClient): HttpClient {
  const tracer = trace.getTracer('cpor-claims-bot/cosmos');
  return {
    sendRequest: async (request) => {
      const active = context.active();
      const parent = trace.getSpan(active);
      // A turn whose trace is not kept: its dependency would not be kept either.
      if (parent && !parent.isRecording()) return context.with(active.setValue(RECORDED_BY_TRANSPORT, true), () => inner.sendRequest(request));
      const span = tracer.startSpan(request.method, { kind: SpanKind.CLIENT, attributes: attributesOf(request) }, active);
      try {
        const response = await context.with(trace.setSpan(active, span).setValue(RECORDED_BY_TRANSPORT, true), () => inner.sendRequest(request));
        span.setAttribute('http.status_code', response.status);
        // As the HTTP instrumentation marks a client request: 4xx and 5xx answers are failed dependencies.
        if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  };
}

/** The attributes the HTTP instrumentation gives a client request (the exporter's dependency name, data and target). */
function attributesOf(request: PipelineRequest): Record<string, string | number> {
  const url = new URL(request.url);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return {
    'http.method': request.method,
    'http.url': request.url,
    // The dependency's target: one node per Cosmos DB account in the application map, not one per document.
    'http.host': `${url.hostname}:${port}`,
    'net.peer.name': url.hostname,
    'net.peer.port': port,
  };
}
