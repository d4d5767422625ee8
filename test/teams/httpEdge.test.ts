import { startBotApp, type BotApp } from '../../app/botApp';
import { MemoryLogger } from '../../src/logger';
import { userReferenceKey } from '../../src/storage/conversationStore';
import { PARTNER_TENANT, personalMessage } from '../support/activities';
import { channelClaims, closedPortUrl, newRsaKey, startSigningKeyStub, type SigningKeyStub } from '../support/botFrameworkTokens';
import { testConfig } from '../support/testStorage';

/**
 * /api/messages as a caller meets it: refusals are fixed bodies (no library message, no host name, no
 * stack), malformed activities are refused before the adapter sees them, and only Teams is served.
 */

const APP_ID = '0d2c8b2e-1111-4222-8333-444455556666';
const OTHER_APP_ID = '9f8e7d6c-1111-4222-8333-444455556666';
const WITH_APP_ID = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', PUBLIC_BASE_URL: 'https://cpor-bot.example' };

/** What a caller gets back: status, the body as text, and every header value. */
async function post(baseUrl: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), headers: [...response.headers.values()].join('\n') };
}

/** Someone new for each request, so a test can tell whether the bot processed it (it keeps a reference to each person it hears). */
let people = 0;
function messageFromSomeoneNew(text = 'help') {
  const aadObjectId = `a1b2c3d4-0777-4000-8000-${String(++people).padStart(12, '0')}`;
  return { activity: personalMessage(text, { aadObjectId }), aadObjectId };
}

// What jsonwebtoken and botframework-connector say when they refuse a token.
const LIBRARY_TEXT = /jwt|signature|expired|audience|issuer|appid|algorithm|authoriz|signing key|bearer|at \w+ \(/i;

describe('Bot Framework tokens, checked by the real adapter against a local signing-key endpoint', () => {
  let stub: SigningKeyStub;
  let app: BotApp;
  const log = new MemoryLogger();
  // jsonwebtoken's refusals are also printed by botframework-connector itself; what the caller gets is asserted here.
  let quiet: jest.SpyInstance;
  beforeAll(async () => {
    quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    stub = await startSigningKeyStub();
    app = await startBotApp(testConfig(WITH_APP_ID), { log, signingKeys: { channelOpenIdMetadataUrl: stub.metadataUrl } });
  });
  afterAll(async () => {
    await app.close();
    await stub.close();
    quiet.mockRestore();
  });

  test('a token signed with the published key, for this bot, is accepted: the person gets their help card', async () => {
    const { activity, aadObjectId } = messageFromSomeoneNew();
    const { status, text } = await post(app.url, activity, { authorization: `Bearer ${stub.sign(channelClaims(APP_ID, activity.serviceUrl))}` });
    expect(status).toBe(200);
    expect(text).toContain('CPOR claims bot');
    expect(await app.services.conversations.get(userReferenceKey(PARTNER_TENANT, aadObjectId))).toBeDefined();
  });

  const refusedTokens: [string, (serviceUrl: string) => string | undefined][] = [
    ['no token', () => undefined],
    ['a garbage token', () => 'Bearer not.a.token'],
    ['a token with alg "none"', (serviceUrl) => `Bearer ${stub.unsigned(channelClaims(APP_ID, serviceUrl))}`],
    ['a token signed with a key nobody published', (serviceUrl) => `Bearer ${stub.sign(channelClaims(APP_ID, serviceUrl), newRsaKey())}`],
    [
      'an expired token',
      (serviceUrl) => `Bearer ${stub.sign(channelClaims(APP_ID, serviceUrl, { nbf: 1_600_000_000, iat: 1_600_000_000, exp: 1_600_003_600 }))}`,
    ],
    ['a token for another bot', (serviceUrl) => `Bearer ${stub.sign(channelClaims(OTHER_APP_ID, serviceUrl))}`],
    ['a token from another issuer', (serviceUrl) => `Bearer ${stub.sign(channelClaims(APP_ID, serviceUrl, { iss: 'https://sts.example.com/' }))}`],
  ];

  test.each(refusedTokens)('%s: 401 with a fixed body, no library text, and the message is not processed', async (_case, authorization) => {
    const { activity, aadObjectId } = messageFromSomeoneNew();
    const header = authorization(activity.serviceUrl);
    const { status, text, headers } = await post(app.url, activity, header ? { authorization: header } : {});
    expect(status).toBe(401);
    expect(text).toBe('{"error":"unauthorized"}');
    expect(headers).not.toMatch(LIBRARY_TEXT);
    expect(await app.services.conversations.get(userReferenceKey(PARTNER_TENANT, aadObjectId))).toBeUndefined();
  });

  test('the reason a token was refused is in the log, one line each', () => {
    const refusals = log.lines.filter((l) => l.includes('refused with 401'));
    expect(refusals).toHaveLength(refusedTokens.length);
    expect(refusals.some((l) => /expired/i.test(l))).toBe(true);
  });
});

describe('when the signing keys cannot be fetched', () => {
  let quiet: jest.SpyInstance;
  beforeAll(() => {
    quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => quiet.mockRestore());

  async function askWithKeysAt(metadataUrl: string, signer: SigningKeyStub) {
    const log = new MemoryLogger();
    const app = await startBotApp(testConfig(WITH_APP_ID), { log, signingKeys: { channelOpenIdMetadataUrl: metadataUrl } });
    try {
      const { activity } = messageFromSomeoneNew();
      const answer = await post(app.url, activity, { authorization: `Bearer ${signer.sign(channelClaims(APP_ID, activity.serviceUrl))}` });
      return { ...answer, log: log.lines };
    } finally {
      await app.close();
    }
  }

  test('an endpoint nobody answers on: 503 with a fixed body that does not name the host; the log names the cause', async () => {
    const signer = await startSigningKeyStub();
    try {
      const metadataUrl = await closedPortUrl('/v1/.well-known/openidconfiguration');
      const { host } = new URL(metadataUrl);
      const { status, text, headers, log } = await askWithKeysAt(metadataUrl, signer);
      expect(status).toBe(503);
      expect(text).toBe('{"error":"authentication unavailable"}');
      expect(text + headers).not.toContain('127.0.0.1');
      expect(text + headers).not.toMatch(/ECONNREFUSED/);
      expect(log.filter((l) => l.includes('answered 503'))).toEqual([expect.stringContaining(host)]);
    } finally {
      await signer.close();
    }
  });

  test('an endpoint answering 500: 503 with the same fixed body', async () => {
    const failing = await startSigningKeyStub('server error');
    try {
      const { status, text } = await askWithKeysAt(failing.metadataUrl, failing);
      expect(status).toBe(503);
      expect(text).toBe('{"error":"authentication unavailable"}');
    } finally {
      await failing.close();
    }
  });
});

describe('malformed activities and channels (anonymous, local mode)', () => {
  let app: BotApp;
  beforeAll(async () => {
    app = await startBotApp(testConfig(), { log: new MemoryLogger() });
  });
  afterAll(() => app.close());

  const valid = () => personalMessage('help');
  const without = (field: string) => Object.fromEntries(Object.entries(valid()).filter(([name]) => name !== field));
  const cardAction = (type: 'message' | 'invoke', value: unknown) => ({
    ...valid(),
    type,
    ...(type === 'invoke' ? { name: 'adaptiveCard/action' } : {}),
    value,
  });

  test.each([
    ['a JSON string', '"help"', 'body is not a JSON object'],
    ['a JSON array', [valid()], 'body is not a JSON object'],
    ['no type', without('type'), 'activity type missing'],
    ['no serviceUrl', without('serviceUrl'), 'serviceUrl missing or not an absolute http(s) URL'],
    ['a relative serviceUrl', { ...valid(), serviceUrl: '/v3/conversations' }, 'serviceUrl missing or not an absolute http(s) URL'],
    ['a non-http serviceUrl', { ...valid(), serviceUrl: 'file:///etc/passwd' }, 'serviceUrl missing or not an absolute http(s) URL'],
    ['no conversation id', { ...valid(), conversation: { conversationType: 'personal' } }, 'conversation.id missing'],
    ['no from', without('from'), 'from missing'],
    ['an invoke without a value', cardAction('invoke', undefined), 'invoke value is not an object'],
    ['an invoke whose value is a string', cardAction('invoke', 'approve'), 'invoke value is not an object'],
    ['an Action.Submit whose value is a string', cardAction('message', 'approve'), 'message value is not an object'],
  ])('%s: 400 with its one-line reason', async (_case, body, reason) => {
    const { status, text } = await post(app.url, body);
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({ error: reason });
  });

  test("a body that is not JSON at all: 400 without the parser's message", async () => {
    const { status, text } = await post(app.url, '{"type": "message", oops');
    expect(status).toBe(400);
    expect(text).toBe('{"error":"malformed request"}');
  });

  test.each(['directline', 'webchat'])('an activity from %s: 403 with a fixed body, and nothing is processed', async (channelId) => {
    const { activity, aadObjectId } = messageFromSomeoneNew();
    const { status, text } = await post(app.url, { ...activity, channelId });
    expect(status).toBe(403);
    expect(text).toBe('{"error":"channel not served"}');
    expect(await app.services.conversations.get(userReferenceKey(PARTNER_TENANT, aadObjectId))).toBeUndefined();
  });

  test('ALLOWED_CHANNELS adds a channel for local tools; the rest stay refused', async () => {
    const withWebchat = await startBotApp(testConfig({ ALLOWED_CHANNELS: 'webchat' }), { log: new MemoryLogger() });
    try {
      const webchat = await post(withWebchat.url, { ...valid(), channelId: 'webchat' });
      expect(webchat.status).toBe(200);
      expect(webchat.text).toContain('CPOR claims bot');
      expect((await post(withWebchat.url, valid())).status).toBe(200);
      expect((await post(withWebchat.url, { ...valid(), channelId: 'directline' })).status).toBe(403);
    } finally {
      await withWebchat.close();
    }
  });
});
