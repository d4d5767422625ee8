import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Azurite's blob service, in-process on loopback with in-memory persistence. Azurite has no public
 * API for this, so its internal classes are used through one small typed surface here.
 */

/** The Azure Storage emulator's well-known development account and key. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface AzuriteBlobServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

export interface EmbeddedBlob {
  connectionString: string;
  endpoint: string;
  close(): Promise<void>;
}

export async function startEmbeddedBlob(port = 0): Promise<EmbeddedBlob> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const BlobServer = require('azurite/dist/src/blob/BlobServer').default;
  const BlobConfiguration = require('azurite/dist/src/blob/BlobConfiguration').default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Azurite writes nothing with in-memory persistence, but its configuration wants paths: give it a private temp dir.
  const workDir = mkdtempSync(join(tmpdir(), 'cpor-azurite-'));
  const persistence = [{ locationId: 'Default', locationPath: join(workDir, 'blobs'), maxConcurrency: 1 }];
  const config = new BlobConfiguration(
    '127.0.0.1',
    port,
    undefined, // keep-alive timeout: Azurite's default
    join(workDir, '__azurite_db_blob__.json'),
    join(workDir, '__azurite_db_blob_extent__.json'),
    persistence,
    false, // access log
    undefined,
    false, // debug log
    undefined,
    false, // loose
    true, // skip API version check: the SDK may be newer than the emulator
    '',
    '',
    '',
    undefined,
    false,
    true, // in-memory persistence
  );
  const server: AzuriteBlobServer = new BlobServer(config);
  await server.start();
  const endpoint = `${server.getHttpServerAddress()}/${DEV_ACCOUNT}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=${endpoint};`,
    close: async () => {
      await server.close();
      await server.clean().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
