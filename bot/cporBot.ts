import { ConversationState, MessageFactory, TeamsActivityHandler, TurnContext, type StatePropertyAccessor } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import type { AppServices } from '../src/services/appServices';
import type { Logger } from '../src/logger';
import { resolveLocale, t } from '../src/i18n/locales';
import { resolveIdentity, type Identity } from '../src/services/identity';
import { saveConversationReference, tenantIdOf } from './conversationReferences';
import { CosmosBotStorage } from './cosmosBotStorage';
import { helpCard } from './helpCard';
import { welcomeCard } from './welcomeCard';
import { CLAIM_DIALOG_ID, ClaimDialog, claimingRefusal } from './claimDialog/claimDialog';

/**
 * The Teams activity handler: translates activities into calls on the core and results into cards.
 * Every activity it sees refreshes the conversation reference of its user or conversation; dialog
 * state is kept in Cosmos DB, so any instance continues any conversation.
 */
export class CporBot extends TeamsActivityHandler {
  readonly conversationState: ConversationState;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly dialogs: DialogSet;

  constructor(private readonly services: AppServices, private readonly log: Logger) {
    super();
    this.conversationState = new ConversationState(new CosmosBotStorage(services.cosmos.containers.botState));
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.dialogs = new DialogSet(this.dialogState);
    this.dialogs.add(new ClaimDialog(services, log));

    this.onMessage(async (context, next) => {
      await this.rememberConversation(context);
      await this.handleMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.rememberConversation(context);
      if ((context.activity.conversation?.conversationType ?? 'personal') === 'personal') {
        const identity = await this.identityOf(context);
        await context.sendActivity(MessageFactory.attachment(welcomeCard(resolveLocale(context.activity.locale), identity)));
      }
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => next());
    this.onConversationUpdate(async (context, next) => {
      await this.rememberConversation(context);
      await next();
    });
  }

  /** Saves dialog state after every turn, also after a turn that failed half way. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }

  private async rememberConversation(context: TurnContext): Promise<void> {
    try {
      await saveConversationReference(this.services.conversations, context.activity);
    } catch (error) {
      // Losing a reference only delays proactive messages; the person's turn goes on.
      this.log.error('Could not save the conversation reference', error);
    }
  }

  private identityOf(context: TurnContext): Promise<Identity> {
    return resolveIdentity(this.services.rosters, { aadObjectId: context.activity.from?.aadObjectId, tenantId: tenantIdOf(context.activity) });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const dc = await this.dialogs.createContext(context);
    if (dc.activeDialog) {
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) return;
    }
    const value = context.activity.value as { command?: unknown } | undefined;
    const typed = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim().toLowerCase();
    const command = typeof value?.command === 'string' ? value.command.toLowerCase() : typed;
    const identity = await this.identityOf(context);
    if (command === 'help' || command === '?' || command === '') {
      await context.sendActivity(MessageFactory.attachment(helpCard(locale, identity, this.services.policy)));
      return;
    }
    if (command === 'new claim') {
      if ((context.activity.conversation?.conversationType ?? 'personal') !== 'personal') {
        await context.sendActivity(t(locale, 'reply.claimsInPersonalChat'));
        return;
      }
      const refusal = claimingRefusal(identity, locale);
      if (refusal) {
        await context.sendActivity(refusal + (identity.kind === 'partner' ? ` ${await this.whomToAsk(identity, locale)}` : ''));
        return;
      }
      await dc.beginDialog(CLAIM_DIALOG_ID);
      return;
    }
    await context.sendActivity(t(locale, 'reply.unknownCommand'));
  }

  /** A partner user who may not claim is told whom in their organisation to ask. */
  private async whomToAsk(identity: Extract<Identity, { kind: 'partner' }>, locale: ReturnType<typeof resolveLocale>): Promise<string> {
    const admins = (await this.services.rosters.partnerUsersOf(identity.actor.orgId)).filter((u) => u.role === 'GlobalAdmin' || u.role === 'IncentivesAdmin');
    return admins.length ? t(locale, 'reply.askAdmins', { names: admins.map((a) => a.name) }) : t(locale, 'reply.askOperator');
  }
}
