import { Agent } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { Pipeline } from '@azure/storage-blob';

/**
 * Stand-ins for Microsoft Entra ID in tests: a token credential where DefaultAzureCredential would be
 * (it hands out unsigned tokens shaped like Entra's and records what was asked), and Azurite over HTTPS
 * with its OAuth check on, which accepts such tokens and serves user delegation keys.
 */

export const STUB_TENANT = '6f1c2c3d-0000-4000-8000-00000000e1d0';
export const STUB_IDENTITY = '0b7e9c1a-0000-4000-8000-00000000a11d';

export class StubTokenCredential implements TokenCredential {
  /** Every scope a token was asked for, in order. */
  readonly scopes: string[] = [];
  readonly tokens: string[] = [];

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const asked = Array.isArray(scopes) ? scopes : [scopes];
    this.scopes.push(...asked);
    const now = Math.floor(Date.now() / 1000);
    const audience = asked[0].replace(/\/\.default$/, '');
    const token = unsignedJwt({
      aud: audience,
      iss: `https://sts.windows.net/${STUB_TENANT}/`,
      iat: now,
      nbf: now - 60,
      exp: now + 3600,
      oid: STUB_IDENTITY,
      tid: STUB_TENANT,
      n: this.tokens.length,
    });
    this.tokens.push(token);
    return { token, expiresOnTimestamp: (now + 3600) * 1000 };
  }
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** The certificate the embedded Cosmos DB server package ships (self-signed): reused for loopback HTTPS in tests. */
export const LOOPBACK_CERT = join(__dirname, '..', '..', 'node_modules', '@vercel', 'cosmosdb-server', 'cert.pem');
export const LOOPBACK_KEY = join(__dirname, '..', '..', 'node_modules', '@vercel', 'cosmosdb-server', 'key.pem');

/** Makes a storage client's requests trust a loopback server's self-signed certificate. */
export function trustLoopbackCertificate(pipeline: Pipeline): void {
  const agent = new Agent({ rejectUnauthorized: false, keepAlive: false });
  pipeline.factories.unshift({
    create: (next) => ({ sendRequest: (request) => next.sendRequest(Object.assign(request, { agent })) }),
  });
}

export interface OAuthAzurite {
  /** The account's blob endpoint, path-style: https://127.0.0.1:PORT/devstoreaccount1 */
  accountUrl: string;
  close(): Promise<void>;
}

/** Azurite's blob service in this process, over HTTPS, with OAuth ("basic": token shape and lifetime checked). */
export async function startOAuthAzurite(): Promise<OAuthAzurite> {
  const BlobServer = require('azurite/dist/src/blob/BlobServer').default;
  const BlobConfiguration = require('azurite/dist/src/blob/BlobConfiguration').default;
  const workDir = mkdtempSync(join(tmpdir(), 'cpor-azurite-oauth-'));
  const config = new BlobConfiguration(
    '127.0.0.1',
    0,
    undefined,
    join(workDir, 'db.json'),
    join(workDir, 'extent.json'),
    [{ locationId: 'Default', locationPath: join(workDir, 'blobs'), maxConcurrency: 1 }],
    false,
    undefined,
    false,
    undefined,
    false, // loose
    true, // skip API version check
    LOOPBACK_CERT,
    LOOPBACK_KEY,
    '',
    'basic', // OAuth
    false,
    true, // in memory
  );
  const server = new BlobServer(config);
  await server.start();
  const port = Number(new URL(server.getHttpServerAddress()).port);
  return {
    accountUrl: `https://127.0.0.1:${port}/devstoreaccount1`,
    close: async () => {
      await server.close();
      await server.clean().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
