import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { AppConfig } from '../src/config/config';
import type { Logger } from '../src/logger';
import { resolveLocale } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';

/**
 * The Bot Framework adapter. With an app id configured, every request must carry a valid Bot Framework
 * token (401 otherwise); with none, requests are anonymous, which is for local use only.
 */
export function createAdapter(config: AppConfig['bot'], log: Logger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword,
    MicrosoftAppType: config.appType,
    MicrosoftAppTenantId: config.appTenantId,
  });
  const adapter = new CloudAdapter(auth);
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
