import { startEmbeddedServerProcess, type EmbeddedServerKind } from './embeddedServerProcess';

/**
 * The embedded Cosmos DB (NoSQL API) server on loopback, in a child process of the bot. With a data
 * folder it journals every accepted write there before answering and restores it at start (see
 * embeddedCosmosProcess.js); without one it keeps everything in memory and a restart loses it.
 */

/** The published key of the Cosmos DB emulator; the embedded server does not check keys. */
export const EMBEDDED_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

const EMBEDDED_COSMOS: EmbeddedServerKind = {
  script: 'embeddedCosmosProcess.js',
  name: 'Cosmos DB server',
  devPackage: '@vercel/cosmosdb-server',
  azureSetting: 'COSMOS_ENDPOINT',
};

export interface EmbeddedCosmos {
  endpoint: string;
  key: string;
  /** The server's process (for memory figures). */
  pid: number;
  /** Requests served so far (what an operation costs, for benchmarks). */
  requestsServed(): Promise<number>;
  /** What was restored from the data folder at start (none in memory). */
  restored?: { documents: number; ms: number; tornLines: number };
  close(): Promise<void>;
}

/** `dataDir`: the folder its journal and snapshots are kept in; none: in memory only. */
export async function startEmbeddedCosmos(port = 0, dataDir?: string): Promise<EmbeddedCosmos> {
  const server = await startEmbeddedServerProcess(EMBEDDED_COSMOS, port, dataDir);
  const restored = server.ready.restored as EmbeddedCosmos['restored'];
  return {
    endpoint: `http://127.0.0.1:${server.port}/`,
    key: EMBEDDED_COSMOS_KEY,
    pid: server.pid,
    requestsServed: server.requestsServed,
    ...(restored ? { restored } : {}),
    close: server.close,
  };
}
