import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createAdapter } from '../../bot/adapter';
import { ProactiveMessenger } from '../../bot/proactive';
import { silentLogger } from '../../src/logger';
import { DeliveryScheduler, TEAMS_SEND_LIMITS } from '../../src/services/deliveryScheduler';
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

export async function notificationScenario(options: { tenants: number; conversationsPerTenant: number; messagesPerConversation: number }): Promise<NotificationRow> {
  const stub = fork(join(__dirname, 'stubConnectorProcess.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(type: string, answer: string) =>
    new Promise<T>((resolve) => {
      const listener = (message: { type: string } & T) => {
        if (message.type !== answer) return;
        stub.off('message', listener);
        resolve(message);
      };
      stub.on('message', listener);
      if (type) stub.send({ type });
    });
  const { url } = await ask<{ url: string }>('', 'listening');
  try {
    const adapter = createAdapter({ appId: '', appPassword: '', appTenantId: '', appType: 'MultiTenant', anonymous: true } as never, silentLogger);
    const messenger = new ProactiveMessenger(adapter, '');
    const scheduler = new DeliveryScheduler();
    const { tenants, conversationsPerTenant, messagesPerConversation } = options;
    const jobs: Promise<unknown>[] = [];
    const started = performance.now();
    for (let m = 0; m < messagesPerConversation; m++) {
      for (let t = 0; t < tenants; t++) {
        for (let c = 0; c < conversationsPerTenant; c++) {
          const tenantId = `bench-tenant-${t}`;
          const conversationId = `a:bench-${t}-${c}`;
          const reference = { serviceUrl: url, channelId: 'msteams', conversation: { id: conversationId, conversationType: 'personal', tenantId }, bot: { id: '28:bot', name: 'CPOR' }, user: { id: `29:user-${t}-${c}`, name: 'User' } };
          const text = `Notification ${m} for ${conversationId}`;
          jobs.push(scheduler.deliver({ conversationKey: conversationId, tenantKey: tenantId, send: () => messenger.send(reference, { type: 'message', text }) }));
        }
      }
    }
    await Promise.all(jobs);
    const seconds = (performance.now() - started) / 1000;
    const stats = await ask<Stats>('stats', 'stats');
    const expected = tenants * conversationsPerTenant * messagesPerConversation;
    const minimum = minimumSeconds(conversationsPerTenant * messagesPerConversation, messagesPerConversation);
    const ratio = seconds / minimum;
    return {
      name: `${expected.toLocaleString('en-US')} notifications to ${(tenants * conversationsPerTenant).toLocaleString('en-US')} conversations (${tenants} tenants)`,
      seconds,
      minimumSeconds: minimum,
      delivered: stats.unique,
      expected,
      duplicates: stats.accepted - stats.unique,
      throttled: stats.throttled,
      target: 'time <= 1.10 x minimum, all once',
      met: ratio <= 1.1 && stats.unique === expected && stats.accepted === stats.unique,
    };
  } finally {
    stub.send({ type: 'stop' });
  }
}

export function printNotificationTable(rows: NotificationRow[]): void {
  printGrid(
    ['path', 'taken s', 'minimum s', 'ratio', 'delivered', 'twice', '429s', 'target', 'met'],
    rows.map((r) => [r.name, r.seconds.toFixed(1), r.minimumSeconds.toFixed(1), (r.seconds / r.minimumSeconds).toFixed(2), `${r.delivered}/${r.expected}`, String(r.duplicates), String(r.throttled), r.target, r.met ? 'yes' : 'NO']),
  );
}
