import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { inUnkeptTrace } from '../../src/observability/unkeptTraces';

/**
 * Which outgoing requests the HTTP instrumentation skips (src/observability/startTelemetry.ts gives it this
 * rule as its ignoreOutgoingRequestHook): those of a turn whose trace sampling dropped, and only those.
 */
describe('outgoing requests of unkept traces', () => {
  const kept = new BasicTracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('test');
  const dropped = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('test');

  test('a request in a turn whose trace is dropped gets no span', () => {
    const turn = dropped.startSpan('turn message');
    expect(inUnkeptTrace(trace.setSpan(ROOT_CONTEXT, turn))).toBe(true);
    // A trace dropped upstream (the incoming request's traceparent says not sampled) is not kept either.
    const remote = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true });
    expect(inUnkeptTrace(trace.setSpan(ROOT_CONTEXT, remote))).toBe(true);
  });

  test('a request in a kept trace, or outside any turn, is recorded as before', () => {
    const turn = kept.startSpan('turn message');
    expect(inUnkeptTrace(trace.setSpan(ROOT_CONTEXT, turn))).toBe(false);
    // Start-up and the timer sweep: no turn around the request, so the sampler decides for it.
    expect(inUnkeptTrace(ROOT_CONTEXT)).toBe(false);
    // Work that follows the answer runs after the turn's span has ended: its requests stay in the kept trace.
    turn.end();
    expect(turn.isRecording()).toBe(false);
    expect(inUnkeptTrace(trace.setSpan(ROOT_CONTEXT, turn))).toBe(false);
  });
});
