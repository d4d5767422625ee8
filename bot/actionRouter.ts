import {
  CardFactory,
  MessageFactory,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type MessagingExtensionResponse,
  type TurnContext,
} from 'botbuilder';
import { DialogTurnStatus, type DialogContext, type DialogSet } from 'botbuilder-dialogs';
import type { AdaptiveCardJson } from '../cards/cardTemplates';
import type { ActionName, ButtonAction } from '../src/domain/actionPolicy';
import { CLAIMING_PARTNER_ROLES, type Actor } from '../src/domain/actors';
import { decide } from '../src/domain/claimLifecycle';
import { resolveLocale, type Locale } from '../src/i18n/locales';
import { render, t } from '../src/i18n/teamsMarkdown';
import type { Logger } from '../src/logger';
import type { AppServices } from '../src/services/services';
import type { Identity } from '../src/services/roster/identity';
import { CLAIM_ID_PATTERN, type Viewer } from '../src/services/claims/claimQueries';
import { ActionGate, actorOf, readButton, refusalCard, type ButtonPress } from './actionAuthorization';
import { identityOf } from './activityIdentity';
import { CLAIM_DIALOG_ID, CLAIM_FORM } from './claimDialog/claimDialog';
import { ChatCommandHandler } from './commands/chatCommandHandler';
import { asksOnly, commandWords, parseCommand, QUERY_COMMANDS, scopeOf, type ChatCommand } from './commands/chatCommands';
import { conversationIdOf, tenantIdOf, typedText } from './conversationReferences';
import { helpCard } from './helpCard';
import { ClaimExtension, extensionMessage, NO_RESULTS } from './messageExtension/claimExtension';
import { ClaimExports } from './exports/claimExports';
import { DISPUTE_DIALOG_ID, DISPUTE_FORM } from './partnerActions/disputeDialog';
import { withdrawCard } from './partnerActions/partnerActionCards';
import { isReviewAction, type ReviewCardActions } from './reviews/reviewCardActions';

type PartnerIdentity = Extract<Identity, { kind: 'partner' }>;
type ReviewerIdentity = Extract<Identity, { kind: 'reviewer' }>;
/** A partner's buttons on their own claim's notice or status card. */
type PartnerClaimAction = Exclude<Extract<ButtonAction, `claim.${string}`>, typeof OPEN_CLAIM>;
/** "Open" on a shared claim card: anyone who may see the claim. */
const OPEN_CLAIM = 'claim.open';

/** Each command's action in the authorization policy (src/domain/actionPolicy.ts); undefined: not a command. */
const COMMAND_ACTIONS: Record<ChatCommand['kind'], ActionName | undefined> = {
  help: 'command.help',
  language: 'command.language',
  newClaim: 'command.newClaim',
  useForReviews: 'command.useForReviews',
  withdraw: 'command.withdraw',
  dispute: 'command.dispute',
  myClaims: 'command.myClaims',
  needsAction: 'command.needsAction',
  claim: 'command.find',
  find: 'command.find',
  history: 'command.history',
  export: 'command.export',
  badInput: undefined,
  unknown: undefined,
};

/** What a button names: the claim, and where the card says it lives (a partition hint only). */
function target(press: Extract<ButtonPress, { kind: 'action' }>): { claimId?: string; orgId?: string } {
  return { ...(press.claimId ? { claimId: press.claimId } : {}), ...(press.orgId ? { orgId: press.orgId } : {}) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/** Typed commands answered without consulting an open form (see `message`): the questions, a language, an export. */
const withoutForm = (command: ChatCommand): boolean => asksOnly(command) || command.kind === 'language' || command.kind === 'export';

const TYPED_COMMAND = Symbol('cpor.typedCommand');

/** What a typed message asks for, parsed once per turn (the bot's record-keeping and the router both ask). */
function typedCommand(context: TurnContext): ChatCommand {
  let command = context.turnState.get(TYPED_COMMAND) as ChatCommand | undefined;
  if (!command) {
    command = parseCommand(typedText(context.activity), {});
    context.turnState.set(TYPED_COMMAND, command);
  }
  return command;
}

/** True when a message is a typed question whose whole effect is its answer (see `asksOnly`). */
export function typedQuestion(context: TurnContext): boolean {
  const { type, value } = context.activity;
  return type === 'message' && (value === undefined || value === null) && asksOnly(typedCommand(context));
}

/**
 * The action router: every button (Action.Submit and Action.Execute carry one payload shape, read by
 * bot/actionAuthorization.ts) and every typed command passes the one authorization policy
 * (src/domain/actionPolicy.ts) before its handler runs, then goes to that handler: a reviewer's card
 * action, a partner's step on their claim, the open form, or a command. Nothing about a claim is read
 * into a reply before the policy has allowed the action.
 */
export class ActionRouter {
  /** The chat commands that ask about claims (my claims, claim, history, what needs my action, free text). */
  private readonly commands: ChatCommandHandler;
  private readonly gate: ActionGate;
  /** The message extension: search from the compose box, claim links, and the shared card's Open. */
  private readonly extension: ClaimExtension;
  /** Exports as files: the consent card, and its answer. */
  private readonly exports: ClaimExports;

  constructor(
    private readonly services: Pick<
      AppServices,
      | 'calendar'
      | 'claimService'
      | 'claims'
      | 'clock'
      | 'config'
      | 'consentLinks'
      | 'cosmos'
      | 'languages'
      | 'poe'
      | 'policy'
      | 'precheck'
      | 'reviews'
      | 'rosters'
    >,
    log: Logger,
    private readonly dialogs: DialogSet,
    private readonly reviewActions: ReviewCardActions,
  ) {
    this.commands = new ChatCommandHandler(services, log);
    this.gate = new ActionGate(services, log);
    this.extension = new ClaimExtension(services);
    this.exports = new ClaimExports(services, log);
  }

  /**
   * `fileConsent/invoke`: the answer to an export's file consent card. The person is authorized again
   * (they may have left the roster since the offer); a refusal is said in the chat and nothing is uploaded.
   */
  async fileConsent(context: TurnContext, value: unknown): Promise<void> {
    const who = await this.whoActs(context);
    const refused = await this.gate.refusal({ ...who, action: 'file.exportConsent' });
    if (refused) {
      await context.sendActivity(refused);
      return;
    }
    await this.exports.answer(context, who.identity as Viewer, value);
  }

  /**
   * Universal Actions (Action.Execute): a reviewer's button on a claim card. The verb is the action's
   * name and the data the rest of its payload; the card for that person is the answer. Teams may deliver
   * an invoke again: each press acts once by its action id (bot/reviews/reviewCardActions.ts), and a
   * refused one is recorded once (by the activity's id).
   */
  async invoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const locale = resolveLocale(context.activity.locale);
    const data = invokeValue?.action?.data;
    const press =
      data === undefined || isPlainObject(data)
        ? readButton({ ...(data ?? {}), action: invokeValue?.action?.verb })
        : ({ kind: 'invalid', field: 'data' } as const);
    const answer = (card: AdaptiveCardJson): AdaptiveCardInvokeResponse => ({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
    if (press.kind !== 'action' || !(isReviewAction(press.action) || press.action === OPEN_CLAIM))
      return answer(refusalCard(locale, this.unusable(press, locale)));
    const who = await this.whoActs(context);
    const refused = await this.gate.refusal({ ...who, action: press.action, ...target(press) });
    if (refused) return answer(refusalCard(locale, refused));
    if (press.action === OPEN_CLAIM) {
      // The answer replaces the shared card for the person who pressed only: everyone else keeps the compact one.
      const card = await this.extension.openCard(who.identity as Viewer, press.claimId!, locale, context.activity.conversation?.conversationType);
      return answer(card ?? refusalCard(locale, t(locale, 'access.claimNotFound', { claimId: press.claimId! })));
    }
    return answer(await this.reviewActions.handle({ action: press.action, data: press.data, identity: who.identity as ReviewerIdentity, locale }));
  }

  /** `composeExtension/query`: the claims this person may see that match, or a sentence saying why none can be shown. */
  async extensionSearch(context: TurnContext, query: unknown): Promise<MessagingExtensionResponse> {
    const who = await this.whoActs(context);
    const refused = await this.gate.refusal({ ...who, action: 'extension.search' });
    if (refused) return extensionMessage(refused);
    return this.extension.search(who.identity as Viewer, query, who.locale);
  }

  /**
   * `composeExtension/queryLink` (a pasted claim link) and `composeExtension/selectItem` (a chosen
   * result): the compact card for someone who may see the claim; for anyone else nothing, so the
   * answer tells them nothing about it (not even whether it exists).
   */
  async extensionShare(context: TurnContext, claimId: string | undefined): Promise<MessagingExtensionResponse> {
    if (!claimId || !CLAIM_ID_PATTERN.test(claimId)) return NO_RESULTS;
    const who = await this.whoActs(context);
    if (await this.gate.refusal({ ...who, action: 'extension.share', claimId: claimId.toUpperCase() })) return NO_RESULTS;
    return this.extension.share(who.identity as Viewer, claimId.toUpperCase(), who.locale);
  }

  /** The claim a pasted link names, when it is a claim link of this bot. */
  claimIdOfLink(url: unknown): string | undefined {
    return this.extension.claimIdOfLink(url);
  }

  /** Who acts in this turn, resolved once: the rosters' person (or a stranger), the actor history records, the language. */
  private async whoActs(context: TurnContext): Promise<{ context: TurnContext; identity: Identity; actor: Actor; locale: Locale }> {
    const identity = await this.identityOf(context);
    return { context, identity, actor: actorOf(identity, context.activity.from), locale: resolveLocale(context.activity.locale) };
  }

  private unusable(press: ButtonPress, locale: Locale): string {
    return press.kind === 'invalid' ? t(locale, 'action.invalid', { field: press.field }) : t(locale, 'action.outdated');
  }

  /** A message: a button (Action.Submit), or typed text (a command, or an answer to an open form). */
  async message(context: TurnContext): Promise<void> {
    const value = context.activity.value;
    if (value !== undefined && value !== null) {
      await this.onButton(context, readButton(value));
      return;
    }
    // A typed question about claims ("claim CL-…", "my claims", "history …", "what needs my action") is
    // answered whether or not a form is open, and leaves the form as it was: such a turn needs no dialog
    // state, so it is not read (one Cosmos DB request less on the most frequent turn).
    const typed = typedCommand(context);
    if (withoutForm(typed)) {
      await this.runCommand(context, undefined, typed);
      return;
    }
    const dc = await this.dialogs.createContext(context);
    if (dc.activeDialog) {
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) return;
    }
    await this.runCommand(context, dc, typed);
  }

  /** A button (Action.Submit): read, checked by the policy, then handed to its handler. */
  private async onButton(context: TurnContext, press: ButtonPress): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    if (press.kind === 'outdated' || press.kind === 'invalid') {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(refusalCard(locale, this.unusable(press, locale)))));
      return;
    }
    const dc = await this.dialogs.createContext(context);
    if (press.kind === 'command') {
      const command = parseCommand(press.command, press.data);
      // A button that only reads (a list's Open or Next, a status card's History) is answered even in the
      // middle of a form, which stays as it was; the others (new claim, help) go to the open form first.
      if (dc.activeDialog && !QUERY_COMMANDS.includes(command.kind) && command.kind !== 'language') {
        const result = await dc.continueDialog();
        if (result.status !== DialogTurnStatus.empty) return;
      }
      await this.runCommand(context, dc, command);
      return;
    }
    const who = await this.whoActs(context);
    const refused = await this.gate.refusal({ ...who, action: press.action, ...target(press) });
    if (refused) {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(refusalCard(locale, refused))));
      return;
    }
    const { action } = press;
    if (action === OPEN_CLAIM) {
      // Older clients send Open as Action.Submit: an answer here would be seen by the whole conversation,
      // so outside a 1:1 chat the person is pointed to theirs.
      const personal = (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
      const card = personal ? await this.extension.openCard(who.identity as Viewer, press.claimId!, locale, 'personal') : undefined;
      await context.sendActivity(card ? MessageFactory.attachment(CardFactory.adaptiveCard(card)) : t(locale, 'share.openInChat', { claimId: press.claimId! }));
      return;
    }
    if (isReviewAction(action)) {
      // Older Teams clients send the fallback Action.Submit: act the same way, then replace the card that was pressed.
      const card = await this.reviewActions.handle({ action, data: press.data, identity: who.identity as ReviewerIdentity, locale });
      const activity = { ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: context.activity.replyToId };
      if (context.activity.replyToId) await context.updateActivity(activity);
      else await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      return;
    }
    if (action === CLAIM_FORM || action === DISPUTE_FORM) {
      // A form's button belongs to the form that is open; a closed form's button changes nothing.
      const open = dc.activeDialog?.id === (action === CLAIM_FORM ? CLAIM_DIALOG_ID : DISPUTE_DIALOG_ID);
      if (open) await dc.continueDialog();
      else if (action === DISPUTE_FORM) await context.sendActivity(t(locale, 'dispute.notOpen', { claimId: press.claimId ?? '' }));
      else await this.closedClaimForm(context, who.identity as PartnerIdentity, press.claimId);
      return;
    }
    const comment = typeof press.data.comment === 'string' ? press.data.comment : '';
    await this.partnerAction(context, dc, who.identity as PartnerIdentity, action, press.claimId!, comment);
  }

  /**
   * A claim form's button when no claim form is open (pressed again after the claim was submitted, or on
   * a card from before the form was closed): says where the claim stands instead of acting.
   */
  private async closedClaimForm(context: TurnContext, identity: PartnerIdentity, claimId: string | undefined): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const claim = claimId ? await this.services.claimService.get(claimId, identity.actor.orgId) : undefined;
    if (!claim) {
      await context.sendActivity(t(locale, 'action.formClosed'));
      return;
    }
    if (claim.status === 'Editing') {
      // A colleague's draft (same organisation): only the person who started a draft continues it.
      const mine = claim.createdBy.id === identity.actor.id;
      await context.sendActivity(
        mine ? t(locale, 'action.draftNotOpen', { claimId: claim.id }) : t(locale, 'action.othersDraft', { claimId: claim.id, name: claim.createdBy.name }),
      );
      return;
    }
    await context.sendActivity(t(locale, 'action.formOutdated', { claimId: claim.id, status: `@status.${claim.status}` }));
    await this.commands.answer(context, { kind: 'find', text: claim.id, explicit: true }, identity);
  }

  /** A command, typed or pressed: the policy first, then its handler. */
  private async runCommand(context: TurnContext, dc: DialogContext | undefined, command: ChatCommand): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    if (command.kind === 'badInput') {
      await context.sendActivity(t(locale, command.message, command.params));
      return;
    }
    const action = COMMAND_ACTIONS[command.kind];
    if (!action) {
      await context.sendActivity(t(locale, 'reply.unknownCommand'));
      return;
    }
    const who = await this.whoActs(context);
    const { identity } = who;
    const claimId = 'claimId' in command ? command.claimId : undefined;
    const refused = await this.gate.refusal({ ...who, action, ...(claimId ? { claimId } : {}) });
    if (refused) {
      // Free text that might have named a claim is only "not understood" for someone who may not look claims up.
      if (command.kind === 'find' && !command.explicit) await context.sendActivity(t(locale, 'reply.unknownCommand'));
      else if (identity.kind === 'partner' && action === 'command.newClaim') await context.sendActivity(`${refused} ${await this.whomToAsk(identity, locale)}`);
      else await context.sendActivity(refused);
      return;
    }
    switch (command.kind) {
      case 'help':
        await context.sendActivity(
          MessageFactory.attachment(helpCard(locale, identity, this.services.policy, scopeOf(context.activity.conversation?.conversationType))),
        );
        return;
      case 'useForReviews':
        await this.useForReviews(context, identity as ReviewerIdentity);
        return;
      case 'export':
        await this.exports.offer(context, identity as Viewer, command);
        return;
      case 'language':
        await this.chooseLanguage(context, command.locale);
        return;
      case 'withdraw':
      case 'dispute':
        if (!command.claimId) await context.sendActivity(t(locale, 'claim.usage', { command: commandWords(locale, command.kind) }));
        else
          await this.partnerAction(
            context,
            dc ?? (await this.dialogs.createContext(context)),
            identity as PartnerIdentity,
            command.kind === 'withdraw' ? 'claim.withdraw' : 'claim.dispute',
            command.claimId,
            '',
          );
        return;
      case 'newClaim':
        if ((context.activity.conversation?.conversationType ?? 'personal') !== 'personal') {
          await context.sendActivity(t(locale, 'reply.claimsInPersonalChat'));
          return;
        }
        await (dc ?? (await this.dialogs.createContext(context))).beginDialog(CLAIM_DIALOG_ID);
        return;
      default:
        if (!(await this.commands.answer(context, command, identity))) await context.sendActivity(t(locale, 'reply.unknownCommand'));
    }
  }

  /**
   * "language 中文" / "language English": kept for the person (tenant + AAD object id, as Teams
   * authenticated them), so every later reply, card and notice is in that language whatever their client sends.
   */
  private async chooseLanguage(context: TurnContext, locale: Locale | undefined): Promise<void> {
    const current = resolveLocale(context.activity.locale);
    const tenantId = tenantIdOf(context.activity);
    const aadObjectId = context.activity.from?.aadObjectId;
    if (!locale || !tenantId || !aadObjectId) {
      await context.sendActivity(t(current, 'language.usage'));
      return;
    }
    await this.services.languages.set(tenantId, aadObjectId, { chosen: locale });
    await context.sendActivity(t(locale, 'language.set'));
  }

  /** A reviewer (the router has checked) makes this channel or group chat the reviewers' conversation. */
  private async useForReviews(context: TurnContext, identity: ReviewerIdentity): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const type = context.activity.conversation?.conversationType ?? 'personal';
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
    // What already waits (the demo's seeded claims, or claims submitted before a channel was chosen): one digest, not a card each.
    const digest = await this.commands.waitingForReviewerDigest(identity, locale);
    if (digest) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(digest)));
  }

  /** A partner's buttons on a notice or status card of their own claim (the router has checked both). */
  private async partnerAction(
    context: TurnContext,
    dc: DialogContext,
    identity: PartnerIdentity,
    action: PartnerClaimAction,
    claimId: string,
    comment: string,
  ): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    if (action === 'claim.edit' || action === 'claim.dispute' || action === 'claim.newFrom') {
      // Whatever form was open is closed: a draft keeps every value already given.
      if (dc.activeDialog) await dc.cancelAllDialogs();
      if (action === 'claim.dispute') await dc.beginDialog(DISPUTE_DIALOG_ID, { claimId });
      else await dc.beginDialog(CLAIM_DIALOG_ID, action === 'claim.edit' ? { claimId, mode: 'amend' } : { copyFrom: claimId });
      return;
    }
    if (action === 'claim.withdraw' || action === 'claim.keep') {
      await this.offerWithdrawal(context, identity, claimId, action === 'claim.keep');
      return;
    }
    const lifecycleAction =
      action === 'claim.reply'
        ? ({ type: 'comment', text: comment } as const)
        : action === 'claim.resubmit'
          ? ({ type: 'resubmit' } as const)
          : ({ type: 'withdraw', ...(comment.trim() ? { comment: comment.trim() } : {}) } as const);
    const result = await this.services.claimService.act(
      claimId,
      lifecycleAction,
      identity.actor,
      { actionId: `${claimId}:${action}:${context.activity.replyToId ?? context.activity.id}:${comment}` },
      identity.actor.orgId,
    );
    if (!result.ok) {
      await context.sendActivity(render(locale, result.refusal.message));
      return;
    }
    if (result.duplicate) {
      // The same button pressed twice (a double click): the first press acted.
      await context.sendActivity(t(locale, 'action.alreadyDone', { claimId }));
      return;
    }
    if (action === 'claim.withdrawConfirm') {
      const released = result.event.fromStatus === 'Approved'; // an approved claim's association ends with it
      await context.sendActivity(t(locale, released ? 'withdraw.doneReleased' : 'withdraw.done', { claimId, status: `@status.${result.claim.status}` }));
      return;
    }
    await context.sendActivity(
      t(locale, action === 'claim.reply' ? 'partner.replySent' : 'dialog.amend.resubmitted', { claimId, status: `@status.${result.claim.status}` }),
    );
  }

  /**
   * Withdrawing is confirmed on a card that says what it means for this claim; the lifecycle decides
   * first whether it is possible at all, so a refused withdrawal is explained before anyone confirms.
   */
  private async offerWithdrawal(context: TurnContext, identity: PartnerIdentity, claimId: string, kept: boolean): Promise<void> {
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
  private async whomToAsk(identity: PartnerIdentity, locale: ReturnType<typeof resolveLocale>): Promise<string> {
    const admins = (await this.services.rosters.partnerUsersOf(identity.actor.orgId)).filter((u) => CLAIMING_PARTNER_ROLES.includes(u.role));
    return admins.length ? t(locale, 'reply.askAdmins', { names: admins.map((a) => a.name) }) : t(locale, 'reply.askOperator');
  }

  private identityOf(context: TurnContext): Promise<Identity> {
    return identityOf(this.services.rosters, context);
  }
}
