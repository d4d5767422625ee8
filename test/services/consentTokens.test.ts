import { consentLink, createConsentToken, verifyConsentToken } from '../../src/services/consent/consentTokens';

const SECRET = 'unit-test-secret-0123456789-abcdefghijklmn';
const NOW = new Date('2026-11-21T10:00:00Z');
const token = createConsentToken(SECRET, { claimId: 'CL-AAAA1111', expiresAt: NOW.getTime() / 1000 + 3600, nonce: 'CL-AAAA1111:7:customer' });

describe('consent link tokens', () => {
  test('a token opens its own claim until it expires', () => {
    expect(verifyConsentToken(SECRET, token, 'CL-AAAA1111', NOW)).toEqual({
      ok: true,
      payload: { claimId: 'CL-AAAA1111', expiresAt: NOW.getTime() / 1000 + 3600, nonce: 'CL-AAAA1111:7:customer' },
    });
    expect(verifyConsentToken(SECRET, token, 'CL-AAAA1111', new Date(NOW.getTime() + 3600_000))).toEqual({ ok: false, reason: 'expired' });
  });

  test('tampered, re-signed with another secret, for another claim or malformed: refused', () => {
    const [v, body, sig] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify({ c: 'CL-BBBB2222', e: NOW.getTime() / 1000 + 3600, n: 'x' })).toString('base64url');
    expect(verifyConsentToken(SECRET, `${v}.${otherBody}.${sig}`, 'CL-BBBB2222', NOW)).toEqual({ ok: false, reason: 'tampered' });
    expect(verifyConsentToken(SECRET, `${v}.${body}.${sig.slice(0, -2)}AA`, 'CL-AAAA1111', NOW)).toEqual({ ok: false, reason: 'tampered' });
    expect(verifyConsentToken('another-secret-0123456789-abcdefghijklmnopq', token, 'CL-AAAA1111', NOW)).toEqual({ ok: false, reason: 'tampered' });
    expect(verifyConsentToken(SECRET, token, 'CL-BBBB2222', NOW)).toEqual({ ok: false, reason: 'otherClaim' });
    for (const bad of ['', 'v1..', 'v2.a.b', 'v1.a<b.c', token.replace('v1.', 'v1.x.')])
      expect(verifyConsentToken(SECRET, bad, 'CL-AAAA1111', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  test('the link names the claim in its path and carries the token', () => {
    const url = new URL(consentLink('https://cpor.example/', 'CL-AAAA1111', token));
    expect(url.pathname).toBe('/consent/CL-AAAA1111');
    expect(url.searchParams.get('t')).toBe(token);
  });
});
