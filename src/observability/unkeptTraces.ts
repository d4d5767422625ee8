import { trace, TraceFlags, type Context } from '@opentelemetry/api';

/**
 * Outgoing requests of a turn whose trace is not being kept get no span. Sampling (the distro's default keeps
 * 5 traces a second) drops nearly every turn's trace on a busy bot, and with it every dependency under it; but
 * OpenTelemetry's HTTP instrumentation still made each of those dependencies' spans, attributes and metrics
 * before they were dropped: a status turn's two Cosmos DB requests and its Bot Connector reply, three per
 * turn. A turn whose trace is kept, and a request outside any turn (start-up, the timer sweep: the sampler
 * decides for it), is recorded as before.
 *
 * For the instrumentation's `ignoreOutgoingRequestHook`, which it calls inside the request's context.
 */
export function inUnkeptTrace(active: Context): boolean {
  const span = trace.getSpan(active);
  // The sampled flag, not isRecording(): a kept turn's span that has ended (work that follows the answer) no
  // longer records, and its requests still belong in its trace.
  return span !== undefined && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0;
}
