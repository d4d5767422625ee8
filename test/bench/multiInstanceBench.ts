import { startEmbeddedBlob } from '../../src/storage/embeddedBlob';
import { startEmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { conversationsOf, forkHelper, forkStubConnector, notificationRow, type NotificationLoad, type NotificationRow } from './notificationBench';

/**
 * The notification load of the single-instance row, sent by two bot instances (processes of their own)
 * on one Cosmos DB: each has every other message of every conversation, so both want every tenant the
 * whole time. Teams' limits are per bot, so the least time is the single app's; the instances take
 * turns with each tenant through its send lease (src/services/notifications/tenantSendLeases.ts).
 */
const INSTANCES = 2;

export interface MultiInstanceRow extends NotificationRow {
  handOvers: number;
  leaseRequests: number;
}

export async function multiInstanceScenario(load: NotificationLoad): Promise<MultiInstanceRow> {
  const cosmos = await startEmbeddedCosmos(0);
  const blob = await startEmbeddedBlob(0);
  const stub = await forkStubConnector();
  const instances = Array.from({ length: INSTANCES }, () => forkHelper('benchInstanceProcess.ts'));
  try {
    const env = {
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: 'multi-instance',
      AZURE_STORAGE_CONNECTION_STRING: blob.connectionString,
      CONSENT_LINK_SECRET: 'bench-consent-secret-0123456789-abcdefghijkl',
      SWEEP_INTERVAL_SECONDS: '0',
    };
    // One after the other: the first creates the database and its containers.
    for (const instance of instances) await instance.ask({ type: 'open', env }, 'ready');
    const started = performance.now();
    const done = await Promise.all(
      instances.map((instance, i) =>
        instance.ask<{ failed: number; leases: { handedOver: number }; leaseRequests: number }>(
          { type: 'go', url: stub.url, load, instance: i, instances: INSTANCES },
          'done',
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const expected = load.tenants * load.conversationsPerTenant * load.messagesPerConversation;
    const row = notificationRow(
      `${expected.toLocaleString('en-US')} notifications to ${conversationsOf(load)} sent by two bot instances sharing one store`,
      load,
      seconds,
      await stub.stats(),
    );
    return { ...row, handOvers: done.reduce((n, d) => n + d.leases.handedOver, 0), leaseRequests: done.reduce((n, d) => n + d.leaseRequests, 0) };
  } finally {
    await Promise.all(
      instances.map(
        (instance) =>
          new Promise((resolve) => {
            instance.child.once('exit', resolve);
            instance.child.send({ type: 'stop' });
          }),
      ),
    );
    stub.stop();
    await blob.close();
    await cosmos.close();
  }
}

/** What sharing cost: hand-overs and the Cosmos DB requests of the send leases, per message. */
export function sharingLine(row: MultiInstanceRow): string {
  return `Two instances: ${row.handOvers} hand-over(s) of a tenant's send lease, ${row.leaseRequests} Cosmos DB request(s) for the leases (${(row.leaseRequests / row.expected).toFixed(3)} per message)`;
}
