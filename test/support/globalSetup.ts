import { startEmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { startEmbeddedBlob } from '../../src/storage/embeddedBlob';

/**
 * Starts the embedded Cosmos DB server and Azurite once, on random loopback ports, for all test files.
 * Test files reach them through the environment; each file uses its own database and container.
 */
export default async function globalSetup(): Promise<void> {
  const cosmos = await startEmbeddedCosmos(0);
  const blob = await startEmbeddedBlob(0);
  process.env.TEST_COSMOS_ENDPOINT = cosmos.endpoint;
  process.env.TEST_COSMOS_KEY = cosmos.key;
  process.env.TEST_BLOB_CONNECTION_STRING = blob.connectionString;
  (globalThis as Record<string, unknown>).__cporTestServers = { cosmos, blob };
}
