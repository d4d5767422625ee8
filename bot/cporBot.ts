import { TeamsActivityHandler, TurnContext, MessageFactory } from 'botbuilder';
import type { AppServices } from '../src/services/appServices';
import type { Logger } from '../src/logger';
import { resolveLocale, t } from '../src/i18n/locales';
import { resolveIdentity } from '../src/services/identity';
import { saveConversationReference, tenantIdOf } from './conversationReferences';
import { helpCard } from './helpCard';

/**
 * The Teams activity handler: translates activities into calls on the core and results into cards.
 * Every activity it sees refreshes the conversation reference of its user or conversation.
 */
export class CporBot extends TeamsActivityHandler {
  constructor(private readonly services: AppServices, private readonly log: Logger) {
    super();
    this.onMessage(async (context, next) => {
      await this.rememberConversation(context);
      await this.handleMessage(context);
      await next();
    });
    this.onInstallationUpdate(async (context, next) => {
      await this.rememberConversation(context);
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      await this.rememberConversation(context);
      await next();
    });
  }

  private async rememberConversation(context: TurnContext): Promise<void> {
    try {
      await saveConversationReference(this.services.conversations, context.activity);
    } catch (error) {
      // Losing a reference only delays proactive messages; the person's turn goes on.
      this.log.error('Could not save the conversation reference', error);
    }
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim().toLowerCase();
    const identity = await resolveIdentity(this.services.rosters, {
      aadObjectId: context.activity.from?.aadObjectId,
      tenantId: tenantIdOf(context.activity),
    });
    if (text === 'help' || text === '?' || text === '' ) {
      await context.sendActivity(MessageFactory.attachment(helpCard(locale, identity, this.services.policy)));
      return;
    }
    await context.sendActivity(t(locale, 'reply.unknownCommand'));
  }
}
