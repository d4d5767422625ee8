import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { PoeBlobStore } from '../../src/storage/poeBlobStore';

/** Each test file gets its own database and blob container on the shared embedded servers. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export function sharedServers(): { cosmosEndpoint: string; cosmosKey: string; blobConnectionString: string } {
  const cosmosEndpoint = process.env.TEST_COSMOS_ENDPOINT;
  const cosmosKey = process.env.TEST_COSMOS_KEY;
  const blobConnectionString = process.env.TEST_BLOB_CONNECTION_STRING;
  if (!cosmosEndpoint || !cosmosKey || !blobConnectionString) throw new Error('The embedded test servers are not running (jest globalSetup)');
  return { cosmosEndpoint, cosmosKey, blobConnectionString };
}

export async function openTestDatabase(): Promise<CosmosDatabase> {
  const { cosmosEndpoint, cosmosKey } = sharedServers();
  return CosmosDatabase.open({ endpoint: cosmosEndpoint, key: cosmosKey, database: uniqueName('test-'), embedded: true });
}

export async function openTestBlobStore(): Promise<PoeBlobStore> {
  return PoeBlobStore.open(sharedServers().blobConnectionString, uniqueName('poe-'));
}

export const DEMO_ROSTER = join(__dirname, '..', '..', 'data', 'demo-roster.json');

/** A configuration as an operator would give it, pointing at the shared embedded servers. */
/** The consent-link secret of test bots (tests sign their own tokens with it). */
export const TEST_CONSENT_SECRET = 'test-consent-secret-0123456789-abcdefghijklmnop';

export function testConfig(env: Record<string, string> = {}): AppConfig {
  const { cosmosEndpoint, cosmosKey, blobConnectionString } = sharedServers();
  const loaded = loadConfig({
    PORT: '0',
    COSMOS_ENDPOINT: cosmosEndpoint,
    COSMOS_KEY: cosmosKey,
    COSMOS_DATABASE: uniqueName('app-'),
    AZURE_STORAGE_CONNECTION_STRING: blobConnectionString,
    POE_CONTAINER: uniqueName('poe-'),
    ROSTER_FILE: DEMO_ROSTER,
    CONSENT_LINK_SECRET: TEST_CONSENT_SECRET,
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.config;
}

/**
 * For tests that are not about pacing: Teams' limits would make a busy test wait for its 30-second
 * window, and retries back off quickly.
 */
export const TEST_DELIVERY = {
  limits: { perConversation: [{ limit: 1000, windowMs: 1000 }], perTenant: [{ limit: 1000, windowMs: 1000 }] },
  maxAttempts: 2,
  baseBackoffMs: 50,
};
