import { AsyncLocalStorage } from 'node:async_hooks';
import { CosmosClient } from '@azure/cosmos';
import { currentLogContext, withLogContext } from '../../src/observability/logContext';

/**
 * Run by test/process/asyncContextFrames.test.ts in a process of its own, with the image's NODE_OPTIONS:
 * two turns at once, each awaiting Cosmos DB requests on the embedded server and a timer, then saying
 * which ids a log line of theirs would carry. Prints one JSON line.
 */
async function main(): Promise<void> {
  const client = new CosmosClient({
    endpoint: process.env.TEST_COSMOS_ENDPOINT!,
    key: process.env.TEST_COSMOS_KEY!,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: process.env.PROBE_DATABASE! });
  const { container } = await database.containers.createIfNotExists({ id: 'activities', partitionKey: { paths: ['/id'] } });
  const turn = (activityId: string, waitMs: number) =>
    withLogContext({ activityId, conversationId: `conversation-of-${activityId}` }, async () => {
      await container.items.create({ id: activityId });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      await container.item(activityId, activityId).read();
      return currentLogContext();
    });
  const turns = await Promise.all([turn('activity-1', 30), turn('activity-2', 5)]);
  // Node's hook-based AsyncLocalStorage keeps its store under a key of its own on each instance; the
  // implementation on async context frames has none.
  const frames = !Object.keys(new AsyncLocalStorage()).includes('kResourceStore');
  console.log(JSON.stringify({ frames, turns, outside: currentLogContext() }));
  await database.delete();
  client.dispose();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
