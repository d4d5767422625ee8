import { startEmbeddedServerProcess } from './embeddedServerProcess';

/**
 * The embedded Cosmos DB (NoSQL API) server on loopback, in a child process of the bot. It keeps
 * everything in memory: a restart loses all data, which the start-up log says.
 */

/** The published key of the Cosmos DB emulator; the embedded server does not check keys. */
export const EMBEDDED_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface EmbeddedCosmos {
  endpoint: string;
  key: string;
  /** The server's process (for memory figures). */
  pid: number;
  /** Requests served so far (what an operation costs, for benchmarks). */
  requestsServed(): Promise<number>;
  close(): Promise<void>;
}

export async function startEmbeddedCosmos(port = 0): Promise<EmbeddedCosmos> {
  const server = await startEmbeddedServerProcess('embeddedCosmosProcess.js', 'Cosmos DB server', port);
  return { endpoint: `http://127.0.0.1:${server.port}/`, key: EMBEDDED_COSMOS_KEY, pid: server.pid, requestsServed: server.requestsServed, close: server.close };
}
