import { ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import { AuthenticationConstants, ClaimsIdentity } from 'botframework-connector';
import { createAdapter } from '../../bot/adapter';
import { ReusedClientsAuthentication } from '../../bot/reusedClients';
import type { AppConfig } from '../../src/config/config';
import { MemoryLogger } from '../../src/logger';
import { personalMessage } from '../support/activities';
import { channelClaims, startSigningKeyStub, type SigningKeyStub } from '../support/botFrameworkTokens';

/**
 * The adapter keeps its connector clients between turns (one per service URL, as the older
 * BotFrameworkAdapter did) and builds the user-token client only when a turn uses it, while every
 * request's token is still checked.
 */

const APP_ID = '0d2c8b2e-1111-4222-8333-444455556666';
const BOT: AppConfig['bot'] = {
  appId: APP_ID,
  appPassword: 'not-a-real-secret',
  appType: 'MultiTenant',
  appTenantId: '',
  anonymous: false,
  allowedChannels: ['msteams'],
};

let stub: SigningKeyStub;
beforeAll(async () => {
  stub = await startSigningKeyStub();
});
afterAll(() => stub.close());

/** Runs a turn for `activity` with a valid token and returns the connector client the turn was given. */
async function connectorClientOfTurn(adapter: ReturnType<typeof createAdapter>, activity: Record<string, unknown>): Promise<unknown> {
  const authenticated = await adapter.authenticate(activity as unknown as Activity, `Bearer ${stub.sign(channelClaims(APP_ID, String(activity.serviceUrl)))}`);
  let client: unknown;
  await adapter.runTurn(authenticated, activity as unknown as Activity, async (context: TurnContext) => {
    client = context.turnState.get(adapter.ConnectorClientKey);
  });
  return client;
}

test('two turns from one service URL share a connector client; another service URL gets its own', async () => {
  const adapter = createAdapter(BOT, new MemoryLogger(), { channelOpenIdMetadataUrl: stub.metadataUrl });
  const first = await connectorClientOfTurn(adapter, personalMessage('help'));
  const second = await connectorClientOfTurn(adapter, personalMessage('my claims'));
  const elsewhere = await connectorClientOfTurn(adapter, { ...personalMessage('help'), serviceUrl: 'http://127.0.0.1:10/emea/' });
  expect(first).toBeDefined();
  expect(second).toBe(first);
  expect(elsewhere).toBeDefined();
  expect(elsewhere).not.toBe(first);
});

test('tokens are still checked on every request: after an accepted one, a garbage token and a token for another bot are refused', async () => {
  const adapter = createAdapter(BOT, new MemoryLogger(), { channelOpenIdMetadataUrl: stub.metadataUrl });
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const activity = personalMessage('help') as unknown as Activity;
    await expect(adapter.authenticate(activity, `Bearer ${stub.sign(channelClaims(APP_ID, activity.serviceUrl))}`)).resolves.toBeDefined();
    await expect(adapter.authenticate(activity, 'Bearer not.a.token')).rejects.toThrow();
    await expect(
      adapter.authenticate(activity, `Bearer ${stub.sign(channelClaims('9f8e7d6c-1111-4222-8333-444455556666', activity.serviceUrl))}`),
    ).rejects.toThrow();
    await expect(adapter.authenticate(activity, '')).rejects.toThrow();
  } finally {
    quiet.mockRestore();
  }
});

test('the user-token client is built the first time a turn uses it, and once for the bot', async () => {
  const inner = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'not-a-real-secret',
    OAuthUrl: 'http://127.0.0.1:9/',
  });
  const created = jest.spyOn(inner, 'createUserTokenClient');
  const auth = new ReusedClientsAuthentication(inner);
  // The identity a Teams token for this bot gives a turn.
  const bot = new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: APP_ID }], true);
  const forTurnOne = await auth.createUserTokenClient(bot);
  const forTurnTwo = await auth.createUserTokenClient(bot);
  expect(created).not.toHaveBeenCalled();
  // Using it makes the real client, once; the call itself goes to the token service (nobody listens on port 9).
  await expect(forTurnOne.getTokenStatus('29:someone', 'msteams', '')).rejects.toThrow();
  await expect(forTurnTwo.getTokenStatus('29:someone', 'msteams', '')).rejects.toThrow();
  expect(created).toHaveBeenCalledTimes(1);
});
