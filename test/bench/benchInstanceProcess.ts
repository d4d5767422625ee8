import { createAdapter } from '../../bot/adapter';
import { ProactiveMessenger } from '../../bot/proactive';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { benchReference, notificationJobs, type NotificationLoad } from './notificationBench';

/**
 * One bot instance for the two-instance notification row of `npm run bench`: the product's services
 * (its delivery scheduler with the per-tenant send leases) on the shared Cosmos DB, sending its share
 * of the notifications through the Bot Framework send path when told to go.
 */
type Command =
  { type: 'open'; env: Record<string, string> } | { type: 'go'; url: string; load: NotificationLoad; instance: number; instances: number } | { type: 'stop' };

let services: AppServices | undefined;
let messenger: ProactiveMessenger | undefined;

process.on('message', (command: Command) => {
  void handle(command).catch((error) => process.send!({ type: 'failed', message: String(error?.stack ?? error) }));
});

async function handle(command: Command): Promise<void> {
  if (command.type === 'open') {
    const loaded = loadConfig(command.env);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    services = await openServices(loaded.config, { log: silentLogger });
    messenger = new ProactiveMessenger(createAdapter(loaded.config.bot, silentLogger), '');
    process.send!({ type: 'ready' });
  } else if (command.type === 'go') {
    // This instance's share: every other message of each conversation, so both want every tenant all along.
    const mine = notificationJobs(command.load).filter((job) => job.m % command.instances === command.instance);
    const outcomes = await Promise.all(
      mine.map(({ tenantId, conversationId, text }) => {
        const reference = benchReference(command.url, tenantId, conversationId);
        return services!.scheduler.deliver({
          conversationKey: conversationId,
          tenantKey: tenantId,
          send: () => messenger!.send(reference, { type: 'message', text }),
        });
      }),
    );
    process.send!({
      type: 'done',
      failed: outcomes.filter((o) => !o.ok).length,
      leases: services!.sendLeases.counts,
      leaseRequests: services!.leases.requests,
    });
  } else {
    await services?.close();
    process.exit(0);
  }
}
