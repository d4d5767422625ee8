import {
  CardFactory,
  ConversationState,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type StatePropertyAccessor,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import type { AppServices } from '../src/services/appServices';
import { CLAIMING_PARTNER_ROLES } from '../src/domain/actors';
import type { Logger } from '../src/logger';
import { resolveLocale } from '../src/i18n/locales';
import { render, t } from '../src/i18n/teamsMarkdown';
import type { Identity } from '../src/services/identity';
import { identityOf } from './activityIdentity';
import { conversationIdOf, saveConversationReference, typedText } from './conversationReferences';
import { CosmosBotStorage } from './cosmosBotStorage';
import { helpCard } from './helpCard';
import { welcomeCard } from './welcomeCard';
import { CLAIM_DIALOG_ID, ClaimDialog, claimingRefusal } from './claimDialog/claimDialog';
import { isReviewVerb, type ReviewCardActions } from './reviews/reviewCardActions';
import type { AdaptiveCardJson } from '../cards/cardTemplates';
import { DISPUTE_DIALOG_ID, DISPUTE_MARKER, DisputeDialog } from './partnerActions/disputeDialog';
import { withdrawCard } from './partnerActions/partnerActionCards';
import { decide } from '../src/domain/claimLifecycle';
import { parseCommand, QUERY_COMMANDS, scopeOf, type ChatCommand } from './commands/chatCommands';
import { ChatCommandHandler } from './commands/chatCommandHandler';
import { WelcomeRecords } from '../src/storage/welcomeRecords';

/** Typed commands that only read claims (with "claim …" and "status of …", an explicit find): answered without consulting an open form (see handleMessage). */
const READ_ONLY_TYPED: readonly ChatCommand['kind'][] = ['claim', 'myClaims', 'history', 'needsAction'];

/**
 * The Teams activity handler: translates activities into calls on the core and results into cards.
 * Every activity it sees refreshes the conversation reference of its user or conversation; dialog
 * state is kept in Cosmos DB, so any instance continues any conversation.
 */
export class CporBot extends TeamsActivityHandler {
  readonly conversationState: ConversationState;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly dialogs: DialogSet;
  /** The chat commands that ask about claims (my claims, claim, history, what needs my action, free text). */
  private readonly commands: ChatCommandHandler;
  private readonly welcomes: WelcomeRecords;

  constructor(private readonly services: AppServices, private readonly log: Logger, private readonly reviewActions: ReviewCardActions) {
    super();
    this.conversationState = new ConversationState(new CosmosBotStorage(services.cosmos.containers.botState));
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.dialogs = new DialogSet(this.dialogState);
    this.dialogs.add(new ClaimDialog(services, log));
    this.dialogs.add(new DisputeDialog(services, log));
    this.commands = new ChatCommandHandler(services, log);
    this.welcomes = new WelcomeRecords(services.cosmos.containers.conversations, () => services.clock.now());

    this.onMessage(async (context, next) => {
      await this.rememberConversation(context);
      await this.handleMessage(context);
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

  /** Saves dialog state after every turn, also after a turn that failed half way. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
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
    return identityOf(this.services.rosters, context.activity);
  }

  /** Universal Actions: a reviewer's button on a claim card. The card for that person is the answer. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    await this.rememberConversation(context);
    const verb = invokeValue.action?.verb;
    const locale = resolveLocale(context.activity.locale);
    if (!isReviewVerb(verb)) {
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: t(locale, 'reply.unknownCommand') } };
    }
    const card = await this.reviewVerb(context, verb, (invokeValue.action?.data ?? {}) as Record<string, unknown>);
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
  }

  private async reviewVerb(context: TurnContext, verb: Parameters<ReviewCardActions['handle']>[0]['verb'], data: Record<string, unknown>): Promise<AdaptiveCardJson> {
    return this.reviewActions.handle({
      verb,
      data,
      identity: await this.identityOf(context),
      fromId: context.activity.from?.aadObjectId ?? context.activity.from?.id ?? 'unknown',
      fromName: context.activity.from?.name ?? '',
      locale: resolveLocale(context.activity.locale),
    });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    // A typed question about claims ("claim CL-…", "my claims", "history …", "what needs my action") is
    // answered whether or not a form is open, and leaves the form as it was: such a turn needs no dialog
    // state, so it is not read (one Cosmos DB request less on the most frequent turn).
    if (!context.activity.value) {
      const typed = parseCommand(typedText(context.activity), {});
      const readOnly = READ_ONLY_TYPED.includes(typed.kind) || (typed.kind === 'find' && typed.explicit);
      if (readOnly && (await this.commands.answer(context, typed, await this.identityOf(context)))) return;
    }
    const dc = await this.dialogs.createContext(context);
    const submitted = context.activity.value as { verb?: unknown; claimId?: unknown; comment?: unknown; command?: unknown } | undefined;
    // A button on a notice card (reply, edit, resubmit) is answered even in the middle of a claim form.
    const partnerButton = submitted && typeof submitted.verb === 'string' && !isReviewVerb(submitted.verb) && typeof submitted.claimId === 'string';
    // So is a button that only reads (a list's Open or Next, a status card's History): the form stays as it was.
    const queryButton = typeof submitted?.command === 'string' && QUERY_COMMANDS.includes(parseCommand(submitted.command, submitted as Record<string, unknown>).kind);
    if (dc.activeDialog && !partnerButton && !queryButton) {
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) return;
    }
    if (submitted && isReviewVerb(submitted.verb)) {
      // Older Teams clients send the fallback Action.Submit: act the same way, then replace the card that was pressed.
      const card = await this.reviewVerb(context, submitted.verb, submitted as Record<string, unknown>);
      const activity = { ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: context.activity.replyToId };
      if (context.activity.replyToId) await context.updateActivity(activity);
      else await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      return;
    }
    if (submitted && typeof submitted.verb === 'string' && typeof submitted.claimId === 'string') {
      await this.partnerVerb(context, dc, submitted.verb, submitted.claimId, typeof submitted.comment === 'string' ? submitted.comment : '');
      return;
    }
    if ((submitted as { cpor?: unknown } | undefined)?.cpor === DISPUTE_MARKER) {
      // A dispute form whose dialog has ended (sent, cancelled, or replaced by another form).
      await context.sendActivity(t(locale, 'dispute.notOpen', { claimId: String(submitted?.claimId ?? '') }));
      return;
    }
    // Typed text and command buttons take one path: the parser (bot/commands/chatCommands.ts) knows every command.
    const value = (context.activity.value ?? {}) as Record<string, unknown>;
    const command = parseCommand(typeof value.command === 'string' ? value.command : typedText(context.activity), value);
    const identity = await this.identityOf(context);
    if (command.kind === 'help') {
      await context.sendActivity(MessageFactory.attachment(helpCard(locale, identity, this.services.policy, scopeOf(context.activity.conversation?.conversationType))));
      return;
    }
    if (command.kind === 'badInput') {
      await context.sendActivity(t(locale, command.message, command.params));
      return;
    }
    if (command.kind === 'useForReviews') {
      await this.useForReviews(context, identity);
      return;
    }
    if (command.kind === 'withdraw' || command.kind === 'dispute') {
      if (!command.claimId) {
        await context.sendActivity(t(locale, 'claim.usage', { command: command.kind }));
        return;
      }
      await this.partnerVerb(context, dc, command.kind === 'withdraw' ? 'withdrawClaim' : 'disputeClaim', command.claimId, '');
      return;
    }
    if (await this.commands.answer(context, command, identity)) return;
    if (command.kind === 'newClaim') {
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

  /** A reviewer makes this channel or group chat the reviewers' conversation. */
  private async useForReviews(context: TurnContext, identity: Identity): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const type = context.activity.conversation?.conversationType ?? 'personal';
    if (identity.kind !== 'reviewer') {
      await context.sendActivity(t(locale, 'review.channel.onlyReviewers'));
      return;
    }
    if (type === 'personal') {
      await context.sendActivity(t(locale, 'review.channel.notPersonal'));
      return;
    }
    const conversationId = conversationIdOf(context.activity)!;
    const configured = this.services.config.reviewConversationId;
    if (configured && configured !== conversationId) {
      await context.sendActivity(t(locale, 'review.channel.configured'));
      return;
    }
    await this.services.reviews.setReviewConversation(conversationId, identity.actor.id);
    await context.sendActivity(t(locale, 'review.channel.set', { name: identity.actor.name }));
  }

  /** A partner's buttons on a notice in their 1:1 chat: reply to reviewers, edit the claim, resubmit it. */
  private async partnerVerb(context: TurnContext, dc: Awaited<ReturnType<DialogSet['createContext']>>, verb: string, claimId: string, comment: string): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const identity = await this.identityOf(context);
    if (identity.kind !== 'partner') {
      await context.sendActivity(claimingRefusal(identity, locale) ?? t(locale, 'reply.unknownCommand'));
      return;
    }
    if (verb === 'amendClaim' || verb === 'disputeClaim' || verb === 'newClaimFrom') {
      // Whatever form was open is closed: a draft keeps every value already given.
      if (dc.activeDialog) await dc.cancelAllDialogs();
      if (verb === 'disputeClaim') await dc.beginDialog(DISPUTE_DIALOG_ID, { claimId });
      else await dc.beginDialog(CLAIM_DIALOG_ID, verb === 'amendClaim' ? { claimId, mode: 'amend' } : { copyFrom: claimId });
      return;
    }
    if (verb === 'withdrawClaim' || verb === 'keepClaim') {
      await this.offerWithdrawal(context, identity, claimId, verb === 'keepClaim');
      return;
    }
    const action =
      verb === 'partnerReply' ? ({ type: 'comment', text: comment } as const)
      : verb === 'resubmit' ? ({ type: 'resubmit' } as const)
      : verb === 'withdraw' ? ({ type: 'withdraw', ...(comment.trim() ? { comment: comment.trim() } : {}) } as const)
      : undefined;
    if (!action) {
      await context.sendActivity(t(locale, 'reply.unknownCommand'));
      return;
    }
    const result = await this.services.claimService.act(claimId, action, identity.actor, { actionId: `${claimId}:${verb}:${context.activity.replyToId ?? context.activity.id}:${comment}` }, identity.actor.orgId);
    if (!result.ok) {
      await context.sendActivity(render(locale, result.refusal.message));
      return;
    }
    if (verb === 'withdraw') {
      const released = result.event.fromStatus === 'Approved'; // an approved claim's association ends with it
      await context.sendActivity(t(locale, released ? 'withdraw.doneReleased' : 'withdraw.done', { claimId, status: `@status.${result.claim.status}` }));
      return;
    }
    await context.sendActivity(t(locale, verb === 'partnerReply' ? 'partner.replySent' : 'dialog.amend.resubmitted', { claimId, status: `@status.${result.claim.status}` }));
  }

  /**
   * Withdrawing is confirmed on a card that says what it means for this claim; the lifecycle decides
   * first whether it is possible at all, so a refused withdrawal is explained before anyone confirms.
   */
  private async offerWithdrawal(context: TurnContext, identity: Extract<Identity, { kind: 'partner' }>, claimId: string, kept: boolean): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const claim = await this.services.claimService.get(claimId, identity.actor.orgId);
    if (!claim) {
      await context.sendActivity(t(locale, 'claim.notYours', { claimId }));
      return;
    }
    if (kept) {
      await context.sendActivity(t(locale, 'withdraw.kept', { claimId }));
      return;
    }
    const decision = decide(claim, { type: 'withdraw' }, identity.actor, this.services.claimService.timeContext());
    if (!decision.ok) {
      await context.sendActivity(render(locale, decision.refusal.message));
      return;
    }
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(withdrawCard(claim, locale))));
  }

  /** A partner user who may not claim is told whom in their organisation to ask. */
  private async whomToAsk(identity: Extract<Identity, { kind: 'partner' }>, locale: ReturnType<typeof resolveLocale>): Promise<string> {
    const admins = (await this.services.rosters.partnerUsersOf(identity.actor.orgId)).filter((u) => CLAIMING_PARTNER_ROLES.includes(u.role));
    return admins.length ? t(locale, 'reply.askAdmins', { names: admins.map((a) => a.name) }) : t(locale, 'reply.askOperator');
  }
}
