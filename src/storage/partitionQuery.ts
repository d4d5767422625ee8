import type { Container, FeedOptions, PartitionKey, QueryIterator, SqlQuerySpec } from '@azure/cosmos';

/**
 * A query confined to one partition, without the query-plan request @azure/cosmos 4 sends beside every
 * query. The SDK asks the gateway for a plan in parallel with the query and reads it only when the query
 * itself is refused for needing one (a cross-partition ORDER BY, an aggregate over partitions); a query
 * sent with its partition key is answered whole by that partition, so the plan is a request made and
 * thrown away on every page of every list (a third of a "my claims" turn's requests).
 *
 * The SDK has no option to skip it: the iterator fetches a plan only when it holds none, so it is
 * given a stand-in that says "no plan". Should a query still be refused for lacking one, the stand-in's
 * error is what the caller gets, not a wrong answer. `test/bot/requestsPerTurn.test.ts` counts the
 * list turn's requests: an SDK version that no longer honours the stand-in fails it, and
 * `test/storage/partitionQuery.test.ts` shows the answers are those of the ordinary query.
 */
export function queryInPartition<T>(container: Container, spec: SqlQuerySpec, options: FeedOptions & { partitionKey: PartitionKey }): QueryIterator<T> {
  const iterator = container.items.query<T>(spec, options);
  const internals = iterator as unknown as { queryPlanPromise?: Promise<unknown> };
  if ('queryPlanPromise' in internals && internals.queryPlanPromise === undefined) {
    // Resolved with an Error, as the SDK keeps a failed plan request: it is thrown only if a plan is needed.
    internals.queryPlanPromise = Promise.resolve(new Error(`No query plan was fetched for this single-partition query: ${spec.query}`));
  }
  return iterator;
}

/** Every row of a query confined to one partition, page by page (`fetchAll` would start over and fetch a plan). */
export async function allInPartition<T>(container: Container, spec: SqlQuerySpec, partitionKey: PartitionKey): Promise<T[]> {
  const iterator = queryInPartition<T>(container, spec, { partitionKey });
  const rows: T[] = [];
  while (iterator.hasMoreResults()) rows.push(...(await iterator.fetchNext()).resources);
  return rows;
}
