import { startEmbeddedServerProcess, type EmbeddedServerKind } from './embeddedServerProcess';

/**
 * Azurite's blob service on loopback, in a child process of the bot: on disk in a data folder (kept
 * across restarts), or in memory without one.
 */

/** The Azure Storage emulator's well-known development account and key. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const EMBEDDED_BLOB: EmbeddedServerKind = {
  script: 'embeddedBlobProcess.js',
  name: 'Azurite blob service',
  devPackage: 'azurite',
  azureSetting: 'AZURE_STORAGE_CONNECTION_STRING',
};

export interface EmbeddedBlob {
  connectionString: string;
  endpoint: string;
  /** The emulator's process (for memory figures). */
  pid: number;
  close(): Promise<void>;
}

/** The connection string of an embedded Azurite at `endpoint` (http://127.0.0.1:<port>/devstoreaccount1). */
export const embeddedBlobConnectionString = (endpoint: string): string =>
  `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=${endpoint};`;

export async function startEmbeddedBlob(port = 0, dataDir?: string): Promise<EmbeddedBlob> {
  const server = await startEmbeddedServerProcess(EMBEDDED_BLOB, port, dataDir);
  const endpoint = `http://127.0.0.1:${server.port}/${DEV_ACCOUNT}`;
  return {
    endpoint,
    connectionString: embeddedBlobConnectionString(endpoint),
    pid: server.pid,
    close: server.close,
  };
}
