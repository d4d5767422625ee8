import pino, { type DestinationStream } from 'pino';
import { trace } from '@opentelemetry/api';
import { currentLogContext } from './observability/logContext';

/**
 * The log: one line per event, details (errors, stacks) only in the log, never in a reply to a person.
 * Two formats: human-readable lines on the console (the local default), or JSON lines through pino
 * (LOG_FORMAT=json, and by default where APPLICATIONINSIGHTS_CONNECTION_STRING is set), each carrying
 * the turn's activity, conversation and claim ids, the instance, and the trace it belongs to.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, detail?: unknown): void;
}

export type LogFormat = 'json' | 'text';

/** A count in an English operator log line: "1 reviewer", "2 reviewers" (people's messages use the string tables' plural forms). */
export const counted = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** LOG_FORMAT when it says json or text; otherwise JSON where Application Insights is configured (a deployed bot). */
export function logFormatFrom(env: NodeJS.ProcessEnv): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (asked === 'json' || asked === 'text') return asked;
  return env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() ? 'json' : 'text';
}

/** The console as it always read: plain lines, WARN and ERROR marked, a stack after an error. */
export const textLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`WARN ${m}`),
  error: (m, detail) => console.error(`ERROR ${m}`, detail instanceof Error ? `\n${detail.stack}` : (detail ?? '')),
};

/** JSON lines (stdout unless told otherwise), written synchronously so nothing is lost when the process exits. */
export function jsonLogger(destination: DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
  const lines = pino(
    {
      base: { service: 'cpor-claims-bot' },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: correlation,
    },
    destination,
  );
  return {
    info: (m) => lines.info(m),
    warn: (m) => lines.warn(m),
    error: (m, detail) => {
      if (detail === undefined || detail === '') lines.error(m);
      else if (detail instanceof Error) lines.error({ err: detail }, m);
      else lines.error({ detail: typeof detail === 'string' ? detail : String(detail) }, m);
    },
  };
}

/** The ids a line carries: the turn's (logContext.ts) and the active trace's, for joining logs to traces. */
function correlation(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  const ids: Record<string, string> = { ...currentLogContext() } as Record<string, string>;
  if (span && span.traceId !== '00000000000000000000000000000000') {
    ids.traceId = span.traceId;
    ids.spanId = span.spanId;
  }
  return ids;
}

/** The process's log, in the format its environment asks for (read when first used, after .env is loaded). */
let processLog: Logger | undefined;
const processLogger = (): Logger => (processLog ??= logFormatFrom(process.env) === 'json' ? jsonLogger() : textLogger);

export const consoleLogger: Logger = {
  info: (m) => processLogger().info(m),
  warn: (m) => processLogger().warn(m),
  error: (m, detail) => processLogger().error(m, detail),
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Collects lines, for tests that check what an operator would read. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${m}`);
  }
  error(m: string, detail?: unknown): void {
    this.lines.push(`ERROR ${m} ${detail instanceof Error ? detail.message : ''}`);
  }
}
