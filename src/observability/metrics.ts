import { metrics, trace, type Counter, type Histogram, type MeterProvider, type ObservableGauge, type Tracer } from '@opentelemetry/api';

/**
 * The bot's own metrics and spans, through the OpenTelemetry API: with APPLICATIONINSIGHTS_CONNECTION_STRING
 * they go to Application Insights (startTelemetry.ts), in tests to in-memory exporters, otherwise nowhere
 * (the API's no-op, at no cost). Names are listed in docs/operations.md.
 */
export const TELEMETRY_SCOPE = 'cpor-claims-bot';

export const METRIC = {
  turns: 'cpor.turns',
  turnDuration: 'cpor.turn.duration',
  notificationBacklog: 'cpor.notifications.backlog',
  notificationOldestAge: 'cpor.notifications.oldest_age',
  teamsThrottled: 'cpor.teams.throttled',
  sweepLag: 'cpor.sweep.lag',
  mailSent: 'cpor.mail.sent',
  mailBounced: 'cpor.mail.bounced',
} as const;

interface Instruments {
  turns: Counter;
  turnDuration: Histogram;
  teamsThrottled: Counter;
  sweepLag: Histogram;
  mailSent: Counter;
  mailBounced: Counter;
  backlog: ObservableGauge;
  oldestAge: ObservableGauge;
}

// The metrics API has no stand-in that follows a provider registered later: instruments are made from
// the provider in place when first used, and again if it changes (a test registers its own).
let made: { provider: MeterProvider; instruments: Instruments } | undefined;
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (made?.provider === provider) return made.instruments;
  const meter = provider.getMeter(TELEMETRY_SCOPE);
  const instruments: Instruments = {
    turns: meter.createCounter(METRIC.turns, { description: 'Turns handled (activities from Teams), by kind and HTTP status' }),
    turnDuration: meter.createHistogram(METRIC.turnDuration, { description: 'Time from receiving an activity to answering it, by kind', unit: 'ms' }),
    teamsThrottled: meter.createCounter(METRIC.teamsThrottled, { description: "Proactive messages Teams answered with 429 after the connector's own retries" }),
    sweepLag: meter.createHistogram(METRIC.sweepLag, { description: 'How late a due timer (deadline, reminder, dispatch) was fired', unit: 's' }),
    mailSent: meter.createCounter(METRIC.mailSent, { description: 'Approval e-mails sent (or kept in the outbox)' }),
    mailBounced: meter.createCounter(METRIC.mailBounced, { description: "Approval e-mails refused for good by the recipient's mail server" }),
    backlog: meter.createObservableGauge(METRIC.notificationBacklog, { description: 'Notification work and proactive messages waiting in this instance' }),
    oldestAge: meter.createObservableGauge(METRIC.notificationOldestAge, {
      description: 'Age of the oldest notification work waiting in this instance',
      unit: 's',
    }),
  };
  made = { provider, instruments };
  return instruments;
}

export const tracer = (): Tracer => trace.getTracer(TELEMETRY_SCOPE);

export const telemetry = {
  turn(kind: string, status: number, durationMs: number): void {
    const i = instruments();
    const attributes = { 'cpor.turn.kind': kind, 'http.response.status_code': status };
    i.turns.add(1, attributes);
    i.turnDuration.record(durationMs, attributes);
  },
  teamsThrottled(): void {
    instruments().teamsThrottled.add(1);
  },
  timerFired(purpose: string, lateBySeconds: number): void {
    instruments().sweepLag.record(Math.max(0, lateBySeconds), { 'cpor.timer.purpose': purpose });
  },
  mail(outcome: 'sent' | 'bounced', transport: 'smtp' | 'outbox'): void {
    const i = instruments();
    (outcome === 'sent' ? i.mailSent : i.mailBounced).add(1, { 'cpor.mail.transport': transport });
  },
  /** Reports this instance's notification backlog on every collection; returns the way to stop. */
  observeBacklog(read: () => { waiting: number; oldestAgeMs: number }, instance: string): () => void {
    const { backlog, oldestAge } = instruments();
    const reportBacklog = (result: { observe(value: number, attributes?: Record<string, string>): void }) =>
      result.observe(read().waiting, { 'service.instance.id': instance });
    const reportAge = (result: { observe(value: number, attributes?: Record<string, string>): void }) =>
      result.observe(read().oldestAgeMs / 1000, { 'service.instance.id': instance });
    backlog.addCallback(reportBacklog);
    oldestAge.addCallback(reportAge);
    return () => {
      backlog.removeCallback(reportBacklog);
      oldestAge.removeCallback(reportAge);
    };
  },
};
