import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What every log line of a turn is correlated with: the activity, its conversation, the claim once the
 * turn knows it, and the instance that served it. Set once at the turn's start (bot/turnTelemetry.ts)
 * and read by the logger, so no call site passes ids along. Work a turn starts in the background
 * (notifications after a change) keeps the turn's ids: its lines say which turn caused them.
 */
export interface LogContext {
  activityId?: string;
  conversationId?: string;
  claimId?: string;
  instance?: string;
}

const storage = new AsyncLocalStorage<LogContext>();
let processInstance: string | undefined;

/** Runs `fn` with these ids added to the current ones (a fresh record: what `fn` adds stays inside). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...definedOnly(fields) }, fn);
}

/** Adds ids learnt during the turn (the claim an action is about) to the lines that follow. */
export function addToLogContext(fields: LogContext): void {
  const current = storage.getStore();
  if (current) Object.assign(current, definedOnly(fields));
}

/** The ids for a line logged now: the turn's, else this process's instance alone. */
export function currentLogContext(): LogContext {
  const current = storage.getStore();
  return current ? { ...(processInstance ? { instance: processInstance } : {}), ...current } : processInstance ? { instance: processInstance } : {};
}

/** Names this process in lines logged outside a turn (start-up, sweeps, shutdown). */
export function setProcessInstance(id: string): void {
  processInstance = id;
}

/**
 * An id for this process among the bot's instances (lease holder, log lines, telemetry): the replica's
 * name where the host gives one (Container Apps, App Service), plus a random part, since a restarted
 * process on the same replica must not be taken for the old one.
 */
export function newInstanceId(env: NodeJS.ProcessEnv = process.env): string {
  const host = (env.CONTAINER_APP_REPLICA_NAME ?? env.WEBSITE_INSTANCE_ID?.slice(0, 12) ?? 'instance').replace(/[^A-Za-z0-9-]/g, '').slice(0, 60) || 'instance';
  return `${host}-${randomUUID().slice(0, 8)}`;
}

function definedOnly(fields: LogContext): LogContext {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== '')) as LogContext;
}
