import {
  ConversationState,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AppBasedLinkQuery,
  type FileConsentCardResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  type StatePropertyAccessor,
  type Storage,
} from 'botbuilder';
import type { DialogSet, DialogState } from 'botbuilder-dialogs';
import { DialogSetSharingMemory } from './dialogMemory';
import type { AppServices } from '../src/services/services';
import type { Logger } from '../src/logger';
import { resolveLocale } from '../src/i18n/locales';
import type { Identity } from '../src/services/roster/identity';
import type { ProcessedActivities } from '../src/storage/processedActivities';
import type { WelcomeRecords } from '../src/storage/welcomeRecords';
import { ActionRouter, typedQuestion } from './actionRouter';
import { identityOf } from './activityIdentity';
import { ClaimDialog } from './claimDialog/claimDialog';
import { scopeOf } from './commands/chatCommands';
import { conversationIdOf, saveConversationReference } from './conversationReferences';
import { DisputeDialog } from './partnerActions/disputeDialog';
import type { ReviewCardActions } from './reviews/reviewCardActions';
import { TurnBudget } from './turnBudget';
import { welcomeCard } from './welcomeCard';
import { applyPersonLanguage } from './personLocale';

/** Marks a repeated delivery of an invoke in its turn state: the handlers answer it without acting. */
const REPEATED = Symbol('cpor.repeatedDelivery');
const isRepeat = (context: TurnContext): boolean => context.turnState.get(REPEATED) === true;

/**
 * The activities that need a record to act once, by conversation and Teams' activity id (those without an
 * id can't be told apart): messages (a typed command or an Action.Submit button), and the answer to an
 * export's file consent card. Other invokes need none: searches, shared cards and link unfurls only read,
 * and a card action (Action.Execute) acts once by its own action id in the claim's history, as a double
 * click does, so a repeat is answered as the first was, from the claim as it stands.
 */
type Delivery = { conversationId: string; activityId: string };

/** A request started before it is awaited keeps its failure as a value until then (never an unhandled rejection). */
const failed = (error: unknown): { error: unknown } => ({ error });
const noFailure = (): undefined => undefined;

function deliveryOf(activity: TurnContext['activity']): Delivery | undefined {
  if (activity.type !== 'message' && !(activity.type === 'invoke' && activity.name === 'fileConsent/invoke')) return undefined;
  const conversationId = activity.conversation?.id;
  return conversationId && activity.id ? { conversationId, activityId: activity.id } : undefined;
}

/** The stores the bot keeps its own records in, opened by the composition root (app/botApp.ts). */
export interface CporBotStores {
  /** Bot Framework conversation and dialog state (Cosmos DB container `botState`). */
  state: Storage;
  /** Activities already handled, so a redelivered one is not handled twice. */
  processed: ProcessedActivities;
  /** Whom the welcome card was sent to. */
  welcomes: WelcomeRecords;
}

/**
 * The Teams activity handler: translates activities into calls on the core and results into cards.
 * Every activity it sees refreshes the conversation reference of its user or conversation; dialog
 * state is kept in Cosmos DB, so any instance continues any conversation.
 */
export class CporBot extends TeamsActivityHandler {
  readonly conversationState: ConversationState;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly dialogs: DialogSet;
  private readonly welcomes: WelcomeRecords;
  /** Every button and command: the one authorization policy, then its handler. */
  private readonly router: ActionRouter;
  /** Which activities were handled, so a re-delivered one acts once. */
  private readonly processed: ProcessedActivities;

  /** Work a turn answered before it finished (a slow PoE download), posted to the chat when done. */
  readonly budget: TurnBudget;

  constructor(
    private readonly services: Pick<
      AppServices,
      | 'calendar'
      | 'claimService'
      | 'claims'
      | 'clock'
      | 'config'
      | 'consentLinks'
      | 'conversations'
      | 'cosmos'
      | 'customerChecks'
      | 'languages'
      | 'ownPorts'
      | 'poe'
      | 'poeReadings'
      | 'policy'
      | 'precheck'
      | 'reviews'
      | 'rosters'
    >,
    private readonly log: Logger,
    reviewActions: ReviewCardActions,
    stores: CporBotStores,
    options: { turnBudgetMs?: number } = {},
  ) {
    super();
    this.conversationState = new ConversationState(stores.state);
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.dialogs = new DialogSetSharingMemory(this.dialogState);
    this.budget = new TurnBudget(services.config.bot.appId, log, options.turnBudgetMs);
    this.dialogs.add(new ClaimDialog(services, log, this.budget));
    this.dialogs.add(new DisputeDialog(services, log, this.budget));
    this.router = new ActionRouter(services, log, this.dialogs, reviewActions);
    this.processed = stores.processed;
    this.welcomes = stores.welcomes;

    this.onMessage(async (context, next) => {
      await this.rememberConversation(context);
      await this.router.message(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.rememberConversation(context);
      await this.welcome(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.forgetWelcome(context);
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      await this.rememberConversation(context);
      // Teams announces an install also as the bot joining the conversation: welcomed once either way.
      const botId = context.activity.recipient?.id;
      if (botId && context.activity.membersAdded?.some((m) => m.id === botId)) await this.welcome(context);
      if (botId && context.activity.membersRemoved?.some((m) => m.id === botId)) await this.forgetWelcome(context);
      await next();
    });
  }

  /**
   * Each activity acts once, however often Teams delivers it (it re-sends when the bot is slow or
   * answers 5xx): a repeat changes nothing and is acknowledged silently, or, for a file consent's answer,
   * acknowledged as the first was (see deliveryOf for card actions). Dialog state is saved after every turn that
   * read it, also after a turn that failed half way; a failed turn gives its activity back so Teams' retry can act.
   * A typed question (answerWhileRecording) reads no dialog state and does not wait for its record.
   */
  override async run(context: TurnContext): Promise<void> {
    const delivery = deliveryOf(context.activity);
    const question = typedQuestion(context);
    if (delivery && question) return this.answerWhileRecording(context, delivery);
    // Any other message moves or reads the open form: its dialog state is read while its record is written
    // (read only; nothing acts before the record says this delivery is the first). A question reads none.
    const stateRead = context.activity.type === 'message' && !question ? this.conversationState.load(context).then(noFailure, failed) : undefined;
    const repeat = Boolean(delivery) && !(await this.processed.claim(delivery!.conversationId, delivery!.activityId));
    if (repeat) {
      // A message's answer is in the chat already; a file consent's answer is acknowledged again, without acting.
      if (context.activity.type !== 'invoke') return;
      context.turnState.set(REPEATED, true);
    }
    try {
      const stateFailure = await stateRead;
      if (stateFailure) throw stateFailure.error;
      await applyPersonLanguage(this.services.languages, context, this.log);
      await super.run(context);
    } catch (error) {
      if (delivery && !repeat)
        await this.processed.release(delivery.conversationId, delivery.activityId).catch((e) => this.log.error('Could not release a failed activity', e));
      throw error;
    } finally {
      await this.conversationState.saveChanges(context, false);
    }
  }

  /**
   * A typed question changes nothing, so its answer is made while its activity record is written (one
   * round trip to Cosmos DB instead of two after each other), and leaves only once the record says this
   * delivery is the first: a repeat's answer is in the chat already and is dropped. When the record can't
   * be written the answer is held back and the turn fails as any other would (its error reply goes out).
   */
  private async answerWhileRecording(context: TurnContext, delivery: Delivery): Promise<void> {
    const recorded = this.processed.claim(delivery.conversationId, delivery.activityId).then((first) => (first ? 'first' : 'repeat'), failed);
    let holding = true;
    context.onSendActivities(async (_context, _activities, next) => (!holding || (await recorded) === 'first' ? next() : []));
    let failure: { error: unknown } | undefined;
    try {
      await applyPersonLanguage(this.services.languages, context, this.log);
      await super.run(context);
    } catch (error) {
      failure = { error };
    }
    const outcome = await recorded;
    if (outcome === 'repeat' || (outcome === 'first' && !failure)) return;
    if (outcome === 'first')
      await this.processed.release(delivery.conversationId, delivery.activityId).catch((e) => this.log.error('Could not release a failed activity', e));
    holding = false;
    throw failure ? failure.error : (outcome as { error: unknown }).error;
  }

  /**
   * Removes the records of activities handled more than a day ago. Azure Cosmos DB does this by itself
   * (each record has a time to live); the embedded server has no TTL, so the bot calls this hourly.
   */
  async purgeHandledActivities(): Promise<number> {
    return this.processed.purgeExpired();
  }

  private async rememberConversation(context: TurnContext): Promise<void> {
    try {
      await saveConversationReference(this.services.conversations, context.activity);
      const { aadObjectId, id } = context.activity.from ?? {};
      if (aadObjectId && id) await this.services.reviews.rememberTeamsUser(aadObjectId, id);
    } catch (error) {
      // Losing a reference only delays proactive messages; the person's turn goes on.
      this.log.error('Could not save the conversation reference', error);
    }
  }

  /**
   * The welcome card, once per install: in a 1:1 chat for the person, in a channel or group chat one
   * card for everyone (no one's identity on it).
   */
  private async welcome(context: TurnContext): Promise<void> {
    const conversationId = conversationIdOf(context.activity);
    if (!conversationId) return;
    try {
      if (!(await this.welcomes.claimWelcome(conversationId))) return;
    } catch (error) {
      // Without the record a second welcome is possible; a missing one would be worse.
      this.log.error('Could not record the welcome card; sending it anyway', error);
    }
    const scope = scopeOf(context.activity.conversation?.conversationType);
    const identity: Identity = scope === 'personal' ? await this.identityOf(context) : { kind: 'unknown', why: 'notOnRoster' };
    await context.sendActivity(MessageFactory.attachment(welcomeCard(resolveLocale(context.activity.locale), identity, scope)));
  }

  private async forgetWelcome(context: TurnContext): Promise<void> {
    const conversationId = conversationIdOf(context.activity);
    if (!conversationId) return;
    await this.welcomes.forget(conversationId).catch((error) => this.log.error('Could not forget the welcome record', error));
  }

  private identityOf(context: TurnContext): Promise<Identity> {
    return identityOf(this.services.rosters, context);
  }

  /** Universal Actions (Action.Execute): the router answers with the card for the person who pressed. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    await this.rememberConversation(context);
    return this.router.invoke(context, invokeValue);
  }

  /** The message extension's search (compose box): through the router and its policy, like every action. */
  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    return this.router.extensionSearch(context, query);
  }

  /** A search result chosen: its compact card, for someone who may see the claim. */
  protected override async handleTeamsMessagingExtensionSelectItem(context: TurnContext, query: unknown): Promise<MessagingExtensionResponse> {
    const claimId = (query as { claimId?: unknown } | undefined)?.claimId;
    return this.router.extensionShare(context, typeof claimId === 'string' ? claimId : undefined);
  }

  /** The answer to an export's file consent card (accept or decline): through the router and its policy. */
  protected override async handleTeamsFileConsent(context: TurnContext, fileConsentCardResponse: FileConsentCardResponse): Promise<void> {
    // A repeated delivery is acknowledged as the first was (200, no body): the file went once.
    if (isRepeat(context)) return;
    await this.rememberConversation(context);
    await this.router.fileConsent(context, fileConsentCardResponse);
  }

  /** A claim link pasted into a message (the manifest's messageHandlers): it unfurls for people who may see the claim. */
  protected override async handleTeamsAppBasedLinkQuery(context: TurnContext, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
    return this.router.extensionShare(context, this.router.claimIdOfLink(query?.url));
  }
}
