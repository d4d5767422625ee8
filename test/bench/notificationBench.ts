import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createAdapter } from '../../bot/adapter';
import { ProactiveMessenger } from '../../bot/proactive';
import { silentLogger } from '../../src/logger';
import { DeliveryScheduler, TEAMS_SEND_LIMITS } from '../../src/services/notifications/deliveryScheduler';
import { printGrid } from './benchTable';

/**
 * Notifications at volume: messages to many conversations in several tenants through the product's
 * delivery scheduler and its Bot Framework send path (continueConversationAsync), into a stub Bot
 * Connector that enforces Teams' limits. Reported against the minimum time those limits allow.
 */
export interface NotificationRow {
  name: string;
  seconds: number;
  minimumSeconds: number;
  delivered: number;
  expected: number;
  duplicates: number;
  throttled: number;
  target: string;
  met: boolean;
}

interface Stats {
  accepted: number;
  unique: number;
  throttled: number;
}

/** The least time Teams' limits allow: per tenant (50/s) and per conversation (7/1s, 8/2s...), by simulation of the windows. */
export function minimumSeconds(perTenant: number, perConversation: number): number {
  const earliest = (count: number, windows: readonly { limit: number; windowMs: number }[]) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      let at = times.length ? times[times.length - 1] : 0;
      for (const { limit, windowMs } of windows) if (times.length >= limit) at = Math.max(at, times[times.length - limit] + windowMs);
      times.push(at);
    }
    return times.length ? times[times.length - 1] : 0;
  };
  return Math.max(earliest(perTenant, TEAMS_SEND_LIMITS.perTenant), earliest(perConversation, TEAMS_SEND_LIMITS.perConversation)) / 1000;
}

export interface NotificationLoad {
  tenants: number;
  conversationsPerTenant: number;
  messagesPerConversation: number;
}

/** A bench helper process (tsx, IPC): `ask` sends a message and waits for the first answer of a type. */
export function forkHelper(file: string) {
  const child = fork(join(__dirname, file), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: ({ type: string } & Record<string, unknown>) | undefined, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const listener = (reply: { type: string } & T) => {
        if (reply.type === 'failed') reject(new Error(`${file}: ${(reply as { message?: string }).message}`));
        if (reply.type !== answer) return;
        child.off('message', listener);
        resolve(reply);
      };
      child.on('message', listener);
      if (message) child.send(message);
    });
  return { child, ask };
}

/** The stub Bot Connector enforcing Teams' limits, in its own process. */
export async function forkStubConnector() {
  const { child, ask } = forkHelper('stubConnectorProcess.ts');
  const { url } = await ask<{ url: string }>(undefined, 'listening');
  return { url, stats: () => ask<Stats>({ type: 'stats' }, 'stats'), stop: () => child.send({ type: 'stop' }) };
}

/** What the stub counted against what was sent: the table's row. */
export function notificationRow(name: string, load: NotificationLoad, seconds: number, stats: Stats): NotificationRow {
  const { tenants, conversationsPerTenant, messagesPerConversation } = load;
  const expected = tenants * conversationsPerTenant * messagesPerConversation;
  const minimum = minimumSeconds(conversationsPerTenant * messagesPerConversation, messagesPerConversation);
  return {
    name,
    seconds,
    minimumSeconds: minimum,
    delivered: stats.unique,
    expected,
    duplicates: stats.accepted - stats.unique,
    throttled: stats.throttled,
    target: 'time <= 1.10 x minimum, all once',
    met: seconds / minimum <= 1.1 && stats.unique === expected && stats.accepted === stats.unique,
  };
}

/** The messages of one load, in the order a burst of work would queue them. */
export function notificationJobs(load: NotificationLoad): { tenantId: string; conversationId: string; m: number; text: string }[] {
  const jobs = [];
  for (let m = 0; m < load.messagesPerConversation; m++) {
    for (let t = 0; t < load.tenants; t++) {
      for (let c = 0; c < load.conversationsPerTenant; c++) {
        const conversationId = `a:bench-${t}-${c}`;
        jobs.push({ tenantId: `bench-tenant-${t}`, conversationId, m, text: `Notification ${m} for ${conversationId}` });
      }
    }
  }
  return jobs;
}

export function benchReference(url: string, tenantId: string, conversationId: string) {
  return {
    serviceUrl: url,
    channelId: 'msteams',
    conversation: { id: conversationId, conversationType: 'personal', tenantId },
    bot: { id: '28:bot', name: 'CPOR' },
    user: { id: `29:user-${conversationId}`, name: 'User' },
  };
}

export const conversationsOf = (load: NotificationLoad) =>
  `${(load.tenants * load.conversationsPerTenant).toLocaleString('en-US')} conversations (${load.tenants} tenants)`;

export async function notificationScenario(options: NotificationLoad): Promise<NotificationRow> {
  const stub = await forkStubConnector();
  const { url } = stub;
  try {
    const adapter = createAdapter({ appId: '', appPassword: '', appTenantId: '', appType: 'MultiTenant', anonymous: true } as never, silentLogger);
    const messenger = new ProactiveMessenger(adapter, '');
    const scheduler = new DeliveryScheduler();
    const jobs: Promise<unknown>[] = [];
    const started = performance.now();
    for (const { tenantId, conversationId, text } of notificationJobs(options)) {
      const reference = benchReference(url, tenantId, conversationId);
      jobs.push(scheduler.deliver({ conversationKey: conversationId, tenantKey: tenantId, send: () => messenger.send(reference, { type: 'message', text }) }));
    }
    await Promise.all(jobs);
    const seconds = (performance.now() - started) / 1000;
    const expected = options.tenants * options.conversationsPerTenant * options.messagesPerConversation;
    return notificationRow(`${expected.toLocaleString('en-US')} notifications to ${conversationsOf(options)}`, options, seconds, await stub.stats());
  } finally {
    stub.stop();
  }
}

export function printNotificationTable(rows: NotificationRow[]): void {
  printGrid(
    ['path', 'taken s', 'minimum s', 'ratio', 'delivered', 'twice', '429s', 'target', 'met'],
    rows.map((r) => [
      r.name,
      r.seconds.toFixed(1),
      r.minimumSeconds.toFixed(1),
      (r.seconds / r.minimumSeconds).toFixed(2),
      `${r.delivered}/${r.expected}`,
      String(r.duplicates),
      String(r.throttled),
      r.target,
      r.met ? 'yes' : 'NO',
    ]),
  );
}
