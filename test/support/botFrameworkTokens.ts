import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Bot Framework's token signing keys on loopback: an OpenID metadata document and its
 * JWKS with one generated RSA key, and RS256 tokens signed by hand with it (or with another key, or
 * not at all), so the real adapter checks real signatures.
 */

/** The issuer of tokens from Bot Framework channels in the public cloud. */
export const CHANNEL_ISSUER = 'https://api.botframework.com';
const KEY_ID = 'stub-signing-key';

export type Claims = Record<string, unknown>;

export interface SigningKeyStub {
  /** The OpenID metadata document (what the adapter is pointed at). */
  metadataUrl: string;
  /** An RS256 token signed with the published key, or with `key` (a key nobody published). */
  sign(claims: Claims, key?: KeyObject): string;
  /** A token that says it needs no signature (alg "none"). */
  unsigned(claims: Claims): string;
  close(): Promise<void>;
}

export function newRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** `answer` lets a test make the metadata endpoint fail (e.g. 500). */
export async function startSigningKeyStub(answer: 'keys' | 'server error' = 'keys'): Promise<SigningKeyStub> {
  const privateKey = newRsaKey();
  const publicJwk = { ...privateKey.export({ format: 'jwk' }) };
  const jwk = { kty: publicJwk.kty, n: publicJwk.n, e: publicJwk.e, kid: KEY_ID, use: 'sig', endorsements: ['msteams'] };
  let base = '';
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (answer === 'server error') return send(500, { error: 'down' });
    if (req.url === '/v1/.well-known/openidconfiguration')
      return send(200, { issuer: CHANNEL_ISSUER, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    if (req.url === '/v1/keys') return send(200, { keys: [jwk] });
    send(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    sign: (claims, key = privateKey) => {
      const unsignedPart = `${part({ alg: 'RS256', typ: 'JWT', kid: KEY_ID })}.${part(claims)}`;
      return `${unsignedPart}.${createSign('RSA-SHA256').update(unsignedPart).sign(key).toString('base64url')}`;
    },
    unsigned: (claims) => `${part({ alg: 'none', typ: 'JWT', kid: KEY_ID })}.${part(claims)}.`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The claims of a Teams token for the bot `appId`, for an activity sent with `serviceUrl`; `overrides` spoil it. */
export function channelClaims(appId: string, serviceUrl: string, overrides: Claims = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  return { iss: CHANNEL_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...overrides };
}

/** An address on loopback where nothing listens. */
export async function closedPortUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
