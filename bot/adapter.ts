import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { AppConfig } from '../src/config/config';
import type { Logger } from '../src/logger';
import { resolveLocale } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';
import { ReusedClientsAuthentication } from './reusedClients';

/** What the library's token check gives the turn (botbuilder does not export the type by name). */
type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** Where Bot Framework tokens' signing keys are published. Unset: the public cloud's; tests point it at a local stub. */
export interface SigningKeySource {
  /** OpenID metadata for tokens from Bot Framework channels (Teams). */
  channelOpenIdMetadataUrl: string;
  /** OpenID metadata for tokens from the Bot Framework Emulator and skills; the channel's when unset. */
  emulatorOpenIdMetadataUrl?: string;
}

/**
 * The Bot Framework adapter. With an app id configured, every request must carry a valid Bot Framework
 * token; with none, requests are anonymous, which is for local use only. Authentication and the turn are
 * two steps here so that the HTTP edge (messagesEndpoint) decides every answer itself: CloudAdapter's own
 * process() would answer a failure with the library's message.
 */
export class CporAdapter extends CloudAdapter {
  /** Checks the caller's token (anonymous without an app id); throws what the Bot Framework library throws. */
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
  }

  /** Runs the bot's turn for an authenticated activity: the invoke or expectReplies answer, if any. */
  runTurn(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, withDates(activity), logic);
  }
}

export function createAdapter(config: AppConfig['bot'], log: Logger, signingKeys?: SigningKeySource): CporAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword,
    MicrosoftAppType: config.appType,
    MicrosoftAppTenantId: config.appTenantId,
    ...(signingKeys ? publicCloudWith(signingKeys) : {}),
  });
  // Connector clients kept between turns, the user-token client built only when used (reusedClients.ts).
  const adapter = new CporAdapter(new ReusedClientsAuthentication(auth));
  adapter.onTurnError = async (context: TurnContext, error: unknown) => {
    // The detail goes to the log; the person gets a plain sentence and nothing was changed on their behalf.
    log.error(`Turn failed (activity ${context.activity.type}, conversation ${context.activity.conversation?.id})`, error);
    try {
      await context.sendActivity(t(resolveLocale(context.activity.locale), 'reply.error'));
    } catch (sendError) {
      log.error('Could not tell the user about the failed turn', sendError);
    }
  };
  return adapter;
}

/**
 * Setting any one endpoint makes the library expect all of them: the public cloud's (the values of
 * botframework-connector's AuthenticationConstants, which botbuilder does not export), but for the signing keys.
 */
function publicCloudWith(keys: SigningKeySource): ConfigurationBotFrameworkAuthenticationOptions {
  return {
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    CallerId: CallerIdConstants.PublicAzureChannel,
    ToBotFromChannelOpenIdMetadataUrl: keys.channelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: keys.emulatorOpenIdMetadataUrl ?? keys.channelOpenIdMetadataUrl,
  };
}

/** As CloudAdapter.process does: an activity's times arrive as ISO strings and the SDK expects Dates. */
function withDates(activity: Activity): Activity {
  const raw = activity as unknown as Record<string, unknown>;
  const fixed: Record<string, unknown> = { ...raw };
  for (const [field, rawField] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    if (typeof raw[field] === 'string') {
      fixed[rawField] = raw[field];
      fixed[field] = new Date(raw[field]);
    }
  }
  return fixed as unknown as Activity;
}
