import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { startBotApp, type BotApp } from '../../app/botApp';
import { messagesEndpoint } from '../../bot/messagesEndpoint';
import { jsonLogger, logFormatFrom, type Logger } from '../../src/logger';
import { METRIC } from '../../src/observability/metrics';
import { observedMailer } from '../../src/services/notifications/observedMailer';
import type { MailOutcome } from '../../src/services/notifications/mailer';
import { startHttpServer, type HttpServerHandle } from '../../src/server/httpServer';
import { personalMessage, postActivity } from '../support/activities';
import { testConfig } from '../support/testStorage';

/**
 * Logs and telemetry an operator reads: JSON lines that carry the turn's ids, and the spans and metrics
 * a turn produces (exported here to in-memory exporters where Application Insights would receive them).
 */

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const contextManager = new AsyncLocalStorageContextManager().enable();

/** Every JSON line the bot logged, parsed. */
const lines: Record<string, unknown>[] = [];
let log: Logger;
let app: BotApp;
let wrapped: HttpServerHandle;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  log = jsonLogger({ write: (line: string) => void lines.push(JSON.parse(line)) });
  app = await startBotApp(testConfig(), { log });
  // The bot's own turn, and a line logged after it inside the same turn (as any handler's line would be).
  const endpoint = messagesEndpoint({
    adapter: app.adapter,
    logic: async (turn) => {
      await app.bot.run(turn);
      log.warn('a line logged at the end of the turn');
    },
    allowedChannels: new Set(['msteams']),
    log,
    instanceId: app.services.instanceId,
  });
  wrapped = await startHttpServer({ host: '127.0.0.1', port: 0, log, messages: endpoint, health: async () => ({ ok: true, components: {} }) });
});

afterAll(async () => {
  await wrapped.close();
  await app.close();
  trace.disable();
  metrics.disable();
  context.disable();
});

describe('log lines', () => {
  test('every line of a turn carries its activity id, conversation id, claim id and instance, and its trace', async () => {
    const activity = { ...personalMessage(''), text: undefined, value: { action: 'claim.withdraw', claimId: 'CL-7ELE0001' } };
    lines.length = 0;
    spans.reset();
    await postActivity(wrapped.url, activity);
    const line = lines.find((l) => l.message === 'a line logged at the end of the turn');
    expect(line).toMatchObject({
      level: 'warn',
      service: 'cpor-claims-bot',
      activityId: activity.id,
      conversationId: activity.conversation.id,
      claimId: 'CL-7ELE0001',
      instance: app.services.instanceId,
    });
    expect(typeof line!.time).toBe('string');
    const turnSpan = spans.getFinishedSpans().find((s) => s.name === 'turn message:card');
    expect(turnSpan).toBeDefined();
    expect(line!.traceId).toBe(turnSpan!.spanContext().traceId);
    expect(turnSpan!.attributes['cpor.claim.id']).toBe('CL-7ELE0001');
  });

  test('a turn without a claim has no claim id, and two turns never share ids', async () => {
    lines.length = 0;
    const first = personalMessage('help');
    const second = personalMessage('help', { aadObjectId: 'a1b2c3d4-0002-4000-8000-000000000002' });
    await Promise.all([postActivity(wrapped.url, first), postActivity(wrapped.url, second)]);
    const ours = lines.filter((l) => l.message === 'a line logged at the end of the turn');
    expect(ours).toHaveLength(2);
    const byActivity = new Map(ours.map((l) => [l.activityId, l]));
    expect(byActivity.get(first.id)).toMatchObject({ conversationId: first.conversation.id });
    expect(byActivity.get(second.id)).toMatchObject({ conversationId: second.conversation.id });
    for (const l of ours) expect(l).not.toHaveProperty('claimId');
  });

  test('an error line keeps its stack in the log as structured fields', () => {
    lines.length = 0;
    log.error('Could not do the thing', new Error('store unreachable'));
    expect(lines[0]).toMatchObject({
      level: 'error',
      message: 'Could not do the thing',
      err: { type: 'Error', message: 'store unreachable', stack: expect.stringContaining('store unreachable') },
    });
    expect(lines[0]).not.toHaveProperty('activityId'); // outside a turn
  });

  test('JSON with LOG_FORMAT=json, and by default where Application Insights is configured; text otherwise', () => {
    expect(logFormatFrom({})).toBe('text');
    expect(logFormatFrom({ LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatFrom({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x' })).toBe('json');
    expect(logFormatFrom({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x', LOG_FORMAT: 'text' })).toBe('text');
  });
});

describe('traces and metrics', () => {
  test('a turn produces a span named for its kind and counts in the turn counter and latency histogram', async () => {
    spans.reset();
    const activity = personalMessage('help');
    const { status } = await postActivity(app.url, activity);
    expect(status).toBe(200);
    const turn = spans.getFinishedSpans().find((s) => s.name === 'turn message' && s.attributes['cpor.activity.id'] === activity.id);
    expect(turn).toBeDefined();
    expect(turn!.attributes).toMatchObject({
      'cpor.conversation.id': activity.conversation.id,
      'cpor.turn.kind': 'message',
      'service.instance.id': app.services.instanceId,
      'http.response.status_code': 200,
    });

    await reader.forceFlush();
    const collected = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics);
    const metric = (name: string) => collected.find((m) => m.descriptor.name === name);
    const turns = metric(METRIC.turns)!.dataPoints as DataPoint<number>[];
    expect(turns.find((p) => p.attributes['cpor.turn.kind'] === 'message' && p.attributes['http.response.status_code'] === 200)!.value).toBeGreaterThanOrEqual(
      1,
    );
    const latency = metric(METRIC.turnDuration)!;
    expect(latency.descriptor.unit).toBe('ms');
    const histogram = (latency.dataPoints as DataPoint<Histogram>[]).find((p) => p.attributes['cpor.turn.kind'] === 'message')!;
    expect(histogram.value.count).toBeGreaterThanOrEqual(1);
    expect(histogram.value.sum).toBeGreaterThan(0);
    // The notification backlog is reported by each instance on every collection.
    const backlog = metric(METRIC.notificationBacklog)!.dataPoints as DataPoint<number>[];
    expect(backlog.find((p) => p.attributes['service.instance.id'] === app.services.instanceId)!.value).toBeGreaterThanOrEqual(0);
    expect(metric(METRIC.notificationOldestAge)).toBeDefined();
  });

  test("a card's button is its own kind of turn", async () => {
    spans.reset();
    await postActivity(app.url, { ...personalMessage(''), text: undefined, value: { action: 'command.help' } });
    expect(spans.getFinishedSpans().map((s) => s.name)).toContain('turn message:card');
  });

  test('approval e-mails: a send is a span of its own, counted as sent or bounced (a failure to try again is neither)', async () => {
    spans.reset();
    const outcomes: MailOutcome[] = [
      { ok: true },
      { ok: false, permanent: true, status: 550, message: 'mailbox unavailable' },
      { ok: false, permanent: false, status: 451, message: 'try later' },
    ];
    const mailer = observedMailer({ kind: 'smtp', close: () => undefined, send: async () => outcomes.shift()! });
    const message = { id: 'd-1', claimId: 'CL-MAIL0001', to: { address: 'ciso@contoso.example' }, subject: 's', text: 't', html: 'h' };
    for (let i = 0; i < 3; i++) await mailer.send(message);
    const sends = spans.getFinishedSpans().filter((s) => s.name === 'SMTP send');
    expect(sends.map((s) => [s.attributes['cpor.claim.id'], s.status.code, s.attributes['cpor.mail.smtp_status']])).toEqual([
      ['CL-MAIL0001', 0, undefined],
      ['CL-MAIL0001', 2, 550],
      ['CL-MAIL0001', 2, 451],
    ]);
    await reader.forceFlush();
    const collected = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((m) => m.metrics);
    const total = (name: string) =>
      (collected.find((m) => m.descriptor.name === name)!.dataPoints as DataPoint<number>[])
        .filter((p) => p.attributes['cpor.mail.transport'] === 'smtp')
        .reduce((n, p) => n + p.value, 0);
    expect(total(METRIC.mailSent)).toBe(1);
    expect(total(METRIC.mailBounced)).toBe(1);
  });
});
