import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The customer's consent link: no login, so the link itself is the credential. It names one claim,
 * carries an expiry and a nonce (the approval e-mail it was made for), and is signed with HMAC-SHA256
 * under the configured secret. The claim id is in the path and in the signed payload, so a token can't
 * be moved to another claim; "already used" is decided by the claim itself (the decline is recorded
 * with the nonce as its idempotency key).
 */

export interface ConsentTokenPayload {
  claimId: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
  /** Identifies the e-mail the link was sent in (its outbox entry); the decline's idempotency key. */
  nonce: string;
}

export type ConsentTokenCheck = { ok: true; payload: ConsentTokenPayload } | { ok: false; reason: 'malformed' | 'tampered' | 'expired' | 'otherClaim' };

const VERSION = 'v1';

function signature(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`cpor-consent:${VERSION}:${body}`).digest();
}

export function createConsentToken(secret: string, payload: ConsentTokenPayload): string {
  const body = Buffer.from(JSON.stringify({ c: payload.claimId, e: payload.expiresAt, n: payload.nonce })).toString('base64url');
  return `${VERSION}.${body}.${signature(secret, body).toString('base64url')}`;
}

/** Checks a token for the claim named in the link, at `now`. The signature is compared in constant time. */
export function verifyConsentToken(secret: string, token: string, claimId: string, now: Date): ConsentTokenCheck {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || parts[0] !== VERSION || !/^[A-Za-z0-9_-]+$/.test(parts[1]) || !/^[A-Za-z0-9_-]+$/.test(parts[2]))
    return { ok: false, reason: 'malformed' };
  const expected = signature(secret, parts[1]);
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  let decoded: { c?: unknown; e?: unknown; n?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof decoded.c !== 'string' || typeof decoded.e !== 'number' || typeof decoded.n !== 'string') return { ok: false, reason: 'malformed' };
  if (decoded.c !== claimId) return { ok: false, reason: 'otherClaim' };
  if (now.getTime() >= decoded.e * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, payload: { claimId: decoded.c, expiresAt: decoded.e, nonce: decoded.n } };
}

/** The link a customer follows: the bot's own server, the claim in the path, the token in the query. */
export function consentLink(baseUrl: string, claimId: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/consent/${encodeURIComponent(claimId)}?t=${encodeURIComponent(token)}`;
}

/** A secret for a process without CONSENT_LINK_SECRET (the embedded store): links die with the process, as its data does. */
export function ephemeralConsentSecret(): string {
  return randomBytes(48).toString('base64url');
}

/**
 * Consent links as the running bot makes and checks them: its secret, how long links last, and where
 * customers reach its server (PUBLIC_BASE_URL, or the address it listens on when that is not set).
 */
export class ConsentLinks {
  private baseUrl?: string;

  constructor(
    private readonly secret: string,
    readonly linkDays: number,
    publicBaseUrl?: string,
  ) {
    this.baseUrl = publicBaseUrl;
  }

  /** The server's own address, used when no public URL is configured (local use). */
  useListeningUrl(url: string): void {
    this.baseUrl ??= url;
  }

  /** Where people reach the bot's server: PUBLIC_BASE_URL, or the listening address (also the host of claim links). */
  get serverUrl(): string {
    return this.baseUrl ?? 'http://localhost:3978';
  }

  linkFor(claimId: string, nonce: string, now: Date): string {
    const expiresAt = Math.floor(now.getTime() / 1000) + this.linkDays * 24 * 3600;
    return consentLink(this.serverUrl, claimId, createConsentToken(this.secret, { claimId, expiresAt, nonce }));
  }

  check(token: string, claimId: string, now: Date): ConsentTokenCheck {
    return verifyConsentToken(this.secret, token, claimId, now);
  }
}
