import { randomUUID } from 'node:crypto';
import { ComponentDialog, Dialog, DialogTurnStatus, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { CardFactory, MessageFactory, TurnContext, type Attachment } from 'botbuilder';
import type { ButtonAction } from '../../src/domain/actionPolicy';
import { renderCard } from '../../cards/cardTemplates';
import type { Claim } from '../../src/domain/claim';
import { subscriptionsEnding } from '../../src/domain/claimTimers';
import { fieldErrorMessage, validateComplete, validateFields, type FieldError } from '../../src/domain/claimFields';
import { formatDeadline, formatInstant } from '../../src/domain/claimLifecycle';
import { resolveLocale, type Locale, type Message, type MessageKey } from '../../src/i18n/locales';
import { literal, markdown, render, t } from '../../src/i18n/teamsMarkdown';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/services';
import type { Identity } from '../../src/services/roster/identity';
import { identityOf } from '../activityIdentity';
import { policyRefusal, takeClaimReadByPolicy } from '../actionAuthorization';
import { attachmentSource, cleanFileName } from '../../src/services/poe/poeFileIntake';
import { takePoeFiles } from '../poeUploads';
import { TurnBudget } from '../turnBudget';
import { DOCX_CONTENT_TYPE, poeTemplateDocx, poeTemplateFileName } from '../../src/services/poe/poeTemplate';
import { typedText } from '../conversationReferences';
import {
  formStep,
  FORM_STEPS,
  nextStep,
  previousStep,
  SECTION_OF,
  stepPosition,
  type FormField,
  type FormStepId,
  type RawInput,
  type StepContext,
  type StepId,
  withChanges,
  withErrorMessages,
} from './claimFormSteps';
import { summaryCardData } from './claimSummary';
import { dialogWord } from '../../src/i18n/personLanguage';
import { claimLabel } from '../claimFacts';
import { checklistCardData } from '../poeChecklistView';
import { followUpTarget, postChecklistWhenChecked } from '../precheckFollowUp';

/**
 * "New claim": creating a customer association (docs/claim-rules.md) as a ComponentDialog of card forms. The draft is an
 * Editing claim from the first step on and every valid value is saved as soon as it is given, so
 * leaving, coming back or a bot restart loses nothing; the dialog state itself lives in Cosmos DB.
 */

export const CLAIM_DIALOG_ID = 'claimDialog';
const FLOW_DIALOG_ID = 'claimFlow';
/** The claim form's buttons (`button`: next, back, submit, ...; `step`: the form step the card was for). */
export const CLAIM_FORM = 'form.claim' satisfies ButtonAction;

export interface ClaimDialogOptions {
  /** Continue this draft instead of asking or creating one. */
  claimId?: string;
  /** Edit a submitted claim (Submitted or Partner action required): only the fields docs/claim-rules.md allows, then save or resubmit. */
  mode?: 'amend';
  /** Start a new draft with the details of this rejected claim (past its dispute window): new PoE is what it needs. */
  copyFrom?: string;
}

/** The statuses the dialog may change a claim in: a draft, or a submitted claim being amended. */
const EDITABLE: Record<'draft' | 'amend', readonly string[]> = { draft: ['Editing'], amend: ['Submitted', 'PartnerActionRequired'] };

interface FlowState {
  claimId?: string;
  mode?: 'amend';
  step: StepId;
  /** Set while a summary "Edit" button reopens one section; the flow then returns to the summary. */
  editOnly?: FormStepId;
  /** Where "Continue" returns to from the cancel question. */
  resumeStep?: StepId;
  /** What the partner typed on the current step, shown again when something was refused. */
  raw: RawInput;
  errors: Message[];
  pendingComment?: string;
  drafts?: { id: string; name: string; updatedAt: string }[];
  /**
   * Products chosen while amending a submitted claim that need subscription IDs: held until the
   * subscriptions step, then saved with them in one change (a submitted claim is never without its IDs).
   */
  pending?: Record<string, unknown>;
  /** The id of the card now shown: only its buttons act. */
  formId?: string;
  /** Cards already answered (the latest few): a second press of one is "already received", not a new action. */
  answeredForms?: string[];
}

/** How many answered cards are remembered: more than anyone double-clicks within. */
const ANSWERED_FORMS_KEPT = 20;

type PartnerIdentity = Extract<Identity, { kind: 'partner' }>;

/** What a card needs to be drawn. */
interface View {
  state: FlowState;
  locale: Locale;
  identity: PartnerIdentity;
}

interface Turn extends View {
  dc: DialogContext;
  /** The draft as last read or written in this turn, so a turn reads it once. */
  claim?: Claim;
  /** The card button this turn acted on: its card becomes a read-only record of what was entered. */
  pressed?: { step: StepId; button: string; value: Record<string, unknown> };
}

/** The title of each claim-form button, for the record of an answered card. */
const BUTTON_TITLES: Record<string, MessageKey> = {
  next: 'dialog.button.next',
  back: 'dialog.button.back',
  cancel: 'dialog.button.cancel',
  submit: 'dialog.button.submit',
  template: 'dialog.button.template',
  keep: 'dialog.button.keepDraft',
  discard: 'dialog.button.discardDraft',
  continue: 'dialog.button.continue',
  new: 'dialog.button.startNew',
  edit: 'dialog.button.edit',
  resubmit: 'dialog.button.resubmit',
  done: 'dialog.button.done',
};

/** What handling a turn leads to: stay on the step (re-sending its card or not), go to another, or end. */
type Outcome = { kind: 'stay'; resend: boolean } | { kind: 'goto'; step: StepId } | { kind: 'end'; message: string };
const STAY: Outcome = { kind: 'stay', resend: true };

export function isClaimStepValue(value: unknown): value is { action: string; step: string; claimId?: string; button: string; [k: string]: unknown } {
  return Boolean(value && typeof value === 'object' && (value as { action?: unknown }).action === CLAIM_FORM);
}

class ClaimFlowDialog extends Dialog<ClaimDialogOptions> {
  constructor(
    private readonly services: Pick<
      AppServices,
      'calendar' | 'claimService' | 'claims' | 'clock' | 'config' | 'customerChecks' | 'ownPorts' | 'poe' | 'poeReadings' | 'precheck' | 'rosters'
    >,
    private readonly log: Logger,
    private readonly budget: TurnBudget,
  ) {
    super(FLOW_DIALOG_ID);
  }

  override async beginDialog(dc: DialogContext, options?: ClaimDialogOptions): Promise<DialogTurnResult> {
    const turn = await this.turn(dc, { step: 'customer', raw: {}, errors: [] });
    if (!turn) return dc.endDialog();
    dc.activeDialog!.state = turn.state;
    if (options?.claimId) {
      turn.state.claimId = options.claimId;
      if (options.mode === 'amend') {
        turn.state.mode = 'amend';
        const claim = await this.loadClaim(turn);
        if (!claim || !EDITABLE.amend.includes(claim.status)) {
          await dc.context.sendActivity(
            t(turn.locale, 'dialog.amend.notEditable', { claimId: options.claimId, status: claim ? `@status.${claim.status}` : '-' }),
          );
          return dc.endDialog();
        }
        return this.show(turn, 'summary');
      }
      return this.show(turn, await this.firstOpenStep(turn));
    }
    if (options?.copyFrom) return this.apply(turn, await this.copiedDraftOutcome(turn, options.copyFrom));
    const drafts = await this.myDrafts(turn);
    if (drafts.length) {
      turn.state.drafts = drafts;
      return this.show(turn, 'resume');
    }
    return this.startNewDraft(turn);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const turn = await this.turn(dc, dc.activeDialog!.state as FlowState);
    if (!turn) return dc.endDialog();
    const outcome = await this.handle(turn);
    await this.recordAnswered(turn, outcome);
    return this.apply(turn, outcome);
  }

  /**
   * Only the current step has live buttons: the card that was answered is replaced in the chat by a
   * read-only record of what was entered. Where Teams can't update (replies returned in the HTTP
   * answer, a card without an id), the old card simply stays, and its buttons are answered as out of date.
   */
  private async recordAnswered(turn: Turn, outcome: Outcome): Promise<void> {
    const activity = turn.dc.context.activity;
    const pressed = turn.pressed;
    if (!pressed || !activity.replyToId || activity.deliveryMode === 'expectReplies') return;
    if (outcome.kind === 'stay' && !outcome.resend) return; // the card pressed is still the live one
    try {
      const card = renderCard('formRecord', await this.formRecord(turn, pressed));
      await turn.dc.context.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(card)), id: activity.replyToId });
    } catch (error) {
      this.log.warn(`Could not replace the answered card ${activity.replyToId} with its record (${(error as Error).message})`);
    }
  }

  private async formRecord(turn: Turn, pressed: NonNullable<Turn['pressed']>) {
    const { locale } = turn;
    const claim = turn.claim;
    const name = claim?.fields.claimName ?? claim?.id ?? '';
    const title =
      pressed.step === 'summary'
        ? t(locale, 'dialog.summary.title', { name })
        : pressed.step === 'cancel'
          ? t(locale, 'dialog.cancel.title')
          : pressed.step === 'resume'
            ? t(locale, 'dialog.resume.title')
            : t(locale, `dialog.${pressed.step}.title` as MessageKey);
    const facts: { title: string; value: string }[] = [];
    if (claim && FORM_STEPS.includes(pressed.step as FormStepId) && pressed.button !== 'back' && pressed.button !== 'cancel') {
      for (const field of formStep(pressed.step as FormStepId).fields(await this.stepContext(turn, claim), {})) {
        const given = pressed.value[field.id];
        if ((field.kind !== 'text' && field.kind !== 'choice') || typeof given !== 'string' || !given.trim()) continue;
        const shown =
          field.kind === 'choice'
            ? given
                .split(',')
                .map((v) => field.choices.find((c) => c.value === v)?.title ?? v)
                .join(', ')
            : given;
        facts.push({ title: field.label, value: literal(shown) });
      }
    }
    const button = BUTTON_TITLES[pressed.button];
    return {
      title,
      progress: claim ? t(locale, 'dialog.draftLabel', { claimId: claim.id }) : '',
      facts,
      pressed: t(locale, 'dialog.record.pressed', { button: button ? t(locale, button) : pressed.button }),
    };
  }

  override async repromptDialog(context: TurnContext, instance: { state: unknown }): Promise<void> {
    const state = instance.state as FlowState;
    const identity = await this.identityOf(context);
    if (identity?.kind !== 'partner') return;
    const locale = resolveLocale(context.activity.locale);
    const claim = state.claimId ? await this.services.claimService.get(state.claimId, identity.actor.orgId) : undefined;
    state.formId = newFormId();
    await context.sendActivity(MessageFactory.attachment(await this.cardFor({ state, locale, identity }, state.step, claim)));
  }

  /** The person must still be a partner user allowed to claim, on every turn: rosters can change mid-dialog. */
  private async turn(dc: DialogContext, state: FlowState): Promise<Turn | undefined> {
    const locale = resolveLocale(dc.context.activity.locale);
    const identity = await this.identityOf(dc.context);
    const refusal = claimingRefusal(identity, locale);
    if (refusal) {
      await dc.context.sendActivity(refusal);
      return undefined;
    }
    // The router has just read this form's draft for the policy: the step uses that read.
    const seen = takeClaimReadByPolicy(dc.context);
    return { dc, state, locale, identity: identity as PartnerIdentity, ...(seen && seen.id === state.claimId ? { claim: seen } : {}) };
  }

  private identityOf(context: TurnContext): Promise<Identity> {
    return identityOf(this.services.rosters, context);
  }

  private async handle(turn: Turn): Promise<Outcome> {
    const activity = turn.dc.context.activity;
    const value = activity.value as Record<string, unknown> | undefined;
    const text = typedText(activity);
    // 取消, 继续, 保留 … are the same words as cancel, continue, keep.
    const command = dialogWord(text);
    const claim = await this.loadClaim(turn);
    if (turn.state.claimId && (!claim || !EDITABLE[turn.state.mode ?? 'draft'].includes(claim.status))) {
      return { kind: 'end', message: t(turn.locale, claim ? 'dialog.notADraftAnymore' : 'dialog.draftGone', { claimId: turn.state.claimId }) };
    }
    if (command === 'cancel' || (isClaimStepValue(value) && value.button === 'cancel' && turn.state.step !== 'cancel')) return this.toCancel(turn);

    // Files only: cards and the HTML copy of the message are not attachments to keep.
    const files = (activity.attachments ?? []).filter((a) => attachmentSource(a) !== undefined);
    if (files.length && claim) {
      const inTime = await this.receiveFiles(turn, claim, files);
      // Files still on their way: the chat shows "receiving", and the card stays where it is.
      return inTime ? STAY : { kind: 'stay', resend: false };
    }

    if (isClaimStepValue(value)) {
      const form = typeof value.form === 'string' ? value.form : undefined;
      if (form && turn.state.answeredForms?.includes(form)) {
        // A double click, or the same card pressed again: its first press was acted on.
        await turn.dc.context.sendActivity(t(turn.locale, 'dialog.alreadyReceived', { claimId: turn.state.claimId ?? '-' }));
        return { kind: 'stay', resend: false };
      }
      const expectedClaim = turn.state.step === 'resume' ? undefined : turn.state.claimId;
      const otherCard = form !== undefined && turn.state.formId !== undefined && form !== turn.state.formId;
      if (otherCard || value.step !== turn.state.step || (expectedClaim && value.claimId !== expectedClaim)) {
        await turn.dc.context.sendActivity(t(turn.locale, 'dialog.staleCard'));
        return STAY;
      }
      if (form) turn.state.answeredForms = [...(turn.state.answeredForms ?? []), form].slice(-ANSWERED_FORMS_KEPT);
      turn.pressed = { step: turn.state.step, button: String(value.button ?? ''), value };
      return this.onCardAction(turn, claim, value);
    }
    if (value && typeof value === 'object' && (value as { command?: unknown }).command === 'new claim') {
      await turn.dc.context.sendActivity(t(turn.locale, 'dialog.alreadyInProgress', { claimId: turn.state.claimId ?? '' }));
      return STAY;
    }
    if (command === 'new claim') {
      await turn.dc.context.sendActivity(t(turn.locale, 'dialog.alreadyInProgress', { claimId: turn.state.claimId ?? '' }));
      return STAY;
    }
    return this.onTyped(turn, claim, text);
  }

  /** Typed fallbacks where they are natural: "next", "back", "template", "submit", a comment, a yes/no on cancel. */
  private async onTyped(turn: Turn, claim: Claim | undefined, text: string): Promise<Outcome> {
    const command = dialogWord(text);
    const step = turn.state.step;
    if (step === 'comment' && text && !['next', 'skip', 'back'].includes(command)) {
      return this.onCardAction(turn, claim, { action: CLAIM_FORM, step, button: 'next', comment: text });
    }
    const typedActions: Record<string, string> = {
      next: 'next',
      done: 'next',
      skip: 'next',
      back: 'back',
      template: 'template',
      submit: 'submit',
      keep: 'keep',
      discard: 'discard',
      continue: 'continue',
    };
    const action = typedActions[command];
    const typedOk =
      (action === 'back' && FORM_STEPS.includes(step as FormStepId)) ||
      (action === 'next' && (step === 'poe' || step === 'comment')) ||
      (action === 'template' && step === 'poe') ||
      (action === 'submit' && step === 'summary') ||
      (['keep', 'discard', 'continue'].includes(action ?? '') && step === 'cancel');
    if (typedOk) return this.onCardAction(turn, claim, { action: CLAIM_FORM, step, button: action! });
    await turn.dc.context.sendActivity(t(turn.locale, 'dialog.useTheCard'));
    return STAY;
  }

  private async onCardAction(turn: Turn, claim: Claim | undefined, value: Record<string, unknown>): Promise<Outcome> {
    const action = String(value.button ?? '');
    const step = turn.state.step;
    if (step === 'resume') {
      if (action === 'new') return this.newDraftOutcome(turn);
      const chosen = String(value.draftId ?? turn.state.drafts?.[0]?.id ?? '');
      if (!turn.state.drafts?.some((d) => d.id === chosen)) return STAY;
      turn.state.claimId = chosen;
      return { kind: 'goto', step: await this.firstOpenStep(turn) };
    }
    if (!claim) return { kind: 'end', message: t(turn.locale, 'dialog.draftGone', { claimId: turn.state.claimId ?? '' }) };
    if (step === 'cancel') return this.onCancelAnswer(turn, claim, action);
    if (step === 'summary') return this.onSummaryAction(turn, claim, action, value);
    const formId = step as FormStepId;
    if (action === 'back') {
      const previous = previousStep(formId, await this.stepContext(turn, claim));
      return previous ? { kind: 'goto', step: previous } : STAY;
    }
    if (action === 'template' && formId === 'poe') {
      await this.sendTemplate(turn, claim);
      return { kind: 'stay', resend: false };
    }
    if (action === 'samplePoe' && formId === 'poe') {
      // Local demo only (no app id: the Agents Playground can't attach files); a forged press elsewhere adds nothing.
      if (!this.services.config.bot.anonymous) {
        await turn.dc.context.sendActivity(t(turn.locale, 'dialog.poe.sampleOnlyLocal'));
        return { kind: 'stay', resend: false };
      }
      // The claim's own template, taken as an upload is: judged, stored, added to the claim and its history.
      const sample = { name: poeTemplateFileName(claim.id), data: this.templateFor(turn, claim) };
      const inTime = await this.receiveFiles(turn, claim, [sample]);
      return inTime ? STAY : { kind: 'stay', resend: false };
    }
    if (action !== 'next') return STAY;
    return this.onNext(turn, claim, formId, value);
  }

  private async onNext(turn: Turn, claim: Claim, step: FormStepId, value: Record<string, unknown>): Promise<Outcome> {
    const ctx = await this.stepContext(turn, claim);
    const parsed = formStep(step).parse(value, ctx);
    turn.state.raw = parsed.raw;
    if (step === 'comment') {
      turn.state.pendingComment = parsed.raw.comment || undefined;
      return this.advance(turn, claim, step);
    }
    if (step === 'poe') {
      if (!claim.poe.length) {
        turn.state.errors = [{ key: 'refusal.poeRequired' }];
        return STAY;
      }
      return this.advance(turn, claim, step);
    }
    if (step === 'products' && turn.state.mode === 'amend') {
      const held = await this.holdForSubscriptionIds(turn, claim, parsed.changes, parsed.missing);
      if (held) return held;
    }
    const changes = step === 'subscriptions' && turn.state.pending ? { ...turn.state.pending, ...parsed.changes } : parsed.changes;
    const { errors, updated, cleared } = await this.saveValidFields(turn, claim, step, changes, parsed.missing);
    if (errors.length) {
      turn.state.errors = errors;
      return STAY;
    }
    // Changing the area or activity cleared dependent answers: walk the following steps again.
    if (cleared) turn.state.editOnly = undefined;
    return this.advance(turn, updated, step);
  }

  /**
   * Amending: products that need subscription IDs the claim does not give yet are held for the
   * subscriptions step instead of being saved (the service refuses a submitted claim without them).
   */
  private async holdForSubscriptionIds(turn: Turn, claim: Claim, changes: Record<string, unknown>, missing: FieldError[]): Promise<Outcome | undefined> {
    if (missing.length) return undefined;
    const fields = withChanges(claim.fields, changes);
    const needs = await this.services.customerChecks.productsNeedingSubscriptionIds(fields);
    if (!needs.some((p) => !(fields.subscriptions ?? []).some((s) => s.productId === p))) return undefined;
    // Anything else wrong with the products is said here, by the refused change, not after the IDs.
    const productErrors = (await this.services.customerChecks.subscriptions(fields)).filter((e) => e.field === 'products');
    const setValues = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null));
    if (productErrors.length || !validateFields(setValues, { organisationMpnIds: turn.identity.organisation.mpnIds.map((m) => m.id) }).ok) return undefined;
    turn.state.pending = changes;
    return { kind: 'goto', step: 'subscriptions' };
  }

  /**
   * Saves every valid value of the step at once (the draft keeps it even if another value is refused),
   * and returns the refused ones with their messages.
   */
  private async saveValidFields(
    turn: Turn,
    claim: Claim,
    step: FormStepId,
    changes: Record<string, unknown>,
    missing: FieldError[],
  ): Promise<{ errors: Message[]; updated: Claim; cleared: boolean }> {
    const mpnIds = turn.identity.organisation.mpnIds.map((m) => m.id);
    const setValues = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null));
    const validated = validateFields(setValues, { organisationMpnIds: mpnIds });
    const errors: FieldError[] = [...missing];
    const missingFields = new Set(missing.map((m) => m.field.split('.')[0]));
    if (!validated.ok) errors.push(...validated.errors.filter((e) => !missingFields.has(e.field.split('.')[0])));
    const toSave: Record<string, unknown> = { ...validated.fields };
    for (const [k, v] of Object.entries(changes)) if (v === null) toSave[k] = null;
    if (step === 'subscriptions' && Array.isArray(toSave.subscriptions)) {
      // Subscriptions the customer directory refuses (not the customer's, CSP, not provisioned) are not kept.
      const refused = await this.services.customerChecks.subscriptions(withChanges(claim.fields, toSave));
      const refusedIds = new Set(refused.map((e) => String(e.params?.value ?? '')));
      errors.push(...refused.filter((e) => e.code !== 'subscriptionsRequired' || !missing.length));
      toSave.subscriptions = (toSave.subscriptions as { subscriptionId: string }[]).filter((s) => !refusedIds.has(s.subscriptionId));
    }
    let updated = claim;
    let refusal: Message | undefined;
    if (Object.keys(toSave).length) {
      // The draft this turn read: no second read before the write (its ETag guards it).
      const result = await this.services.claimService.act(claim.id, { type: 'edit', changes: toSave }, turn.identity.actor, { known: claim }, claim.orgId);
      if (result.ok) updated = turn.claim = result.claim;
      else if ('fieldErrors' in result.refusal && result.refusal.fieldErrors?.length) errors.push(...result.refusal.fieldErrors);
      else if (result.refusal.code !== 'nothingToChange') refusal = result.refusal.message;
    }
    // A draft keeps what was valid; the directory's objections are shown on the step that can fix them.
    if (step === 'customer') errors.push(...(await this.services.customerChecks.domainAndTenant(updated.fields)));
    if (step === 'products' && updated.status === 'Editing')
      errors.push(...(await this.services.customerChecks.subscriptions(updated.fields)).filter((e) => e.field === 'products'));
    if (step === 'subscriptions' && !errors.length) turn.state.pending = undefined;
    // The directory and the service may say the same thing about one value: once is enough.
    const messages = [...new Map(errors.map((e) => [JSON.stringify([e.field, e.code, e.params]), fieldErrorMessage(e)])).values()];
    return { errors: refusal ? [...messages, refusal] : messages, updated, cleared: Object.values(changes).some((v) => v === null) };
  }

  private async advance(turn: Turn, claim: Claim, step: FormStepId): Promise<Outcome> {
    turn.state.raw = {};
    turn.state.errors = [];
    const next = nextStep(step, await this.stepContext(turn, claim), turn.state.editOnly);
    if (next === 'summary') turn.state.editOnly = undefined;
    return { kind: 'goto', step: next };
  }

  private async onSummaryAction(turn: Turn, claim: Claim, action: string, value: Record<string, unknown>): Promise<Outcome> {
    if (action === 'edit') {
      const section = String(value.section ?? '') as FormStepId;
      if (!FORM_STEPS.includes(section)) return STAY;
      const ctx = await this.stepContext(turn, claim);
      const first = FORM_STEPS.find((s) => SECTION_OF[s] === section && formStep(s).applies(ctx));
      if (!first) return STAY;
      turn.state.editOnly = section;
      return { kind: 'goto', step: first };
    }
    if (turn.state.mode === 'amend') return this.onAmendDone(turn, claim, action);
    if (action !== 'submit') return STAY;
    const result = await this.services.claimService.act(
      claim.id,
      { type: 'submit', ...(turn.state.pendingComment ? { comment: turn.state.pendingComment } : {}) },
      turn.identity.actor,
      {},
      claim.orgId,
    );
    if (!result.ok) {
      const fieldErrors = 'fieldErrors' in result.refusal ? result.refusal.fieldErrors : undefined;
      turn.state.errors = fieldErrors?.length ? fieldErrors.map(fieldErrorMessage) : [result.refusal.message];
      return STAY;
    }
    const competing = await this.services.claimService.competingKeys(result.claim);
    const lines = [
      t(turn.locale, 'dialog.submitted', {
        claimId: result.claim.id,
        name: result.claim.fields.claimName ?? result.claim.id,
        status: `@status.${result.claim.status}`,
        date: formatDeadline(this.services, result.claim.deadlines.reviewStart ?? result.claim.updatedAt, turn.locale),
      }),
    ];
    if (competing.associated.length || competing.claimed.length) lines.push(t(turn.locale, 'dialog.arbitration'));
    return { kind: 'end', message: lines.join('\n\n') };
  }

  /** Amending ends with a resubmission (Partner action required) or simply keeps the saved changes (Submitted). */
  private async onAmendDone(turn: Turn, claim: Claim, action: string): Promise<Outcome> {
    const comment = turn.state.pendingComment;
    if (action === 'resubmit') {
      const result = await this.services.claimService.act(
        claim.id,
        { type: 'resubmit', ...(comment ? { comment } : {}) },
        turn.identity.actor,
        {},
        claim.orgId,
      );
      if (!result.ok) {
        const fieldErrors = 'fieldErrors' in result.refusal ? result.refusal.fieldErrors : undefined;
        turn.state.errors = fieldErrors?.length ? fieldErrors.map(fieldErrorMessage) : [result.refusal.message];
        return STAY;
      }
      return { kind: 'end', message: t(turn.locale, 'dialog.amend.resubmitted', { claimId: claim.id, status: `@status.${result.claim.status}` }) };
    }
    if (action !== 'done') return STAY;
    if (comment) {
      const result = await this.services.claimService.act(claim.id, { type: 'comment', text: comment }, turn.identity.actor, {}, claim.orgId);
      if (!result.ok) {
        turn.state.errors = [result.refusal.message];
        return STAY;
      }
    }
    return { kind: 'end', message: t(turn.locale, 'dialog.amend.saved', { claimId: claim.id }) };
  }

  private async toCancel(turn: Turn): Promise<Outcome> {
    if (!turn.state.claimId) return { kind: 'end', message: t(turn.locale, 'dialog.cancel.nothing') };
    // A submitted claim is never discarded from here: stopping just closes the form; saved changes stay.
    if (turn.state.mode === 'amend') return { kind: 'end', message: t(turn.locale, 'dialog.amend.closed', { claimId: turn.state.claimId }) };
    turn.state.resumeStep = turn.state.step;
    return { kind: 'goto', step: 'cancel' };
  }

  private async onCancelAnswer(turn: Turn, claim: Claim, action: string): Promise<Outcome> {
    if (action === 'keep') {
      const message = claim.fields.claimName
        ? t(turn.locale, 'dialog.cancel.kept', { claimId: claim.id, name: claim.fields.claimName })
        : t(turn.locale, 'dialog.cancel.keptUntitled', { claimId: claim.id });
      return { kind: 'end', message };
    }
    if (action === 'discard') {
      const stored = await this.services.claims.get(claim.orgId, claim.id);
      if (stored && stored.claim.status === 'Editing' && (await this.services.claims.delete(claim.orgId, claim.id, stored.etag))) {
        await this.services.poe.deleteClaimFiles(claim.id).catch((error) => this.log.error(`Could not delete the files of discarded draft ${claim.id}`, error));
        return { kind: 'end', message: t(turn.locale, 'dialog.cancel.discarded', { claimId: claim.id }) };
      }
      await turn.dc.context.sendActivity(t(turn.locale, 'refusal.concurrentChange'));
      return STAY;
    }
    if (action === 'continue') return { kind: 'goto', step: turn.state.resumeStep ?? 'customer' };
    return STAY;
  }

  /**
   * Downloads, checks and stores the files, then adds them to the draft (once). A slow download does not
   * hold the turn: past the turn's budget the partner is told the files are being received, and the
   * result is posted when it is known. True when the answer came within the turn.
   */
  private async receiveFiles(turn: Turn, claim: Claim, attachments: Parameters<typeof takePoeFiles>[2]['attachments']): Promise<boolean> {
    const followUp = followUpTarget(turn.dc.context);
    const work = (async () => {
      const { accepted, lines } = await takePoeFiles(this.services, this.log, {
        claimId: claim.id,
        actor: turn.identity.actor,
        attachments,
        locale: turn.locale,
        held: claim.poe.length,
      });
      if (accepted.length) {
        const result = await this.services.claimService.act(claim.id, { type: 'addPoe', files: accepted }, turn.identity.actor, {}, claim.orgId);
        if (result.ok) {
          turn.claim = result.claim;
          // Checked off the turn: "checking…" now, the checklist in a follow-up and on the summary.
          postChecklistWhenChecked(this.services, this.log, followUp, result.claim, turn.locale);
          lines.push(t(turn.locale, 'precheck.checkingFiles', { names: accepted.map((f) => f.fileName) }));
        } else lines.push(render(turn.locale, result.refusal.message));
      }
      return lines.join('\n\n');
    })();
    const names = attachments.map((a) => cleanFileName(a.name ?? '') || 'attachment');
    const outcome = await this.budget.within(turn.dc.context, work, {
      acknowledge: t(turn.locale, 'dialog.poe.receiving', { names }),
      failed: t(turn.locale, 'dialog.poe.receiveFailed', { names }),
      answer: (text) => `${text}\n\n${t(turn.locale, 'dialog.poe.receivedLate', { claimId: claim.id })}`,
    });
    if (outcome.inTime) await turn.dc.context.sendActivity(outcome.result);
    return outcome.inTime;
  }

  private templateFor(turn: Turn, claim: Claim): Buffer {
    return poeTemplateDocx({
      locale: turn.locale,
      partnerName: turn.identity.organisation.name,
      ...(claim.fields.mpnId ? { mpnId: claim.fields.mpnId } : {}),
      claim: { id: claim.id, fields: claim.fields },
    });
  }

  private async sendTemplate(turn: Turn, claim: Claim): Promise<void> {
    const docx = this.templateFor(turn, claim);
    const stored = await this.services.poe.upload({
      claimId: `${claim.id}/template`,
      fileName: poeTemplateFileName(claim.id),
      contentType: DOCX_CONTENT_TYPE,
      data: docx,
    });
    const minutes = this.services.config.poeLinkTtlMinutes;
    const url = await this.services.poe.readLink(stored.blobName, { now: this.services.clock.now(), ttlMinutes: minutes });
    await turn.dc.context.sendActivity(t(turn.locale, 'dialog.poe.templateReady', { url: markdown(url), count: minutes }));
  }

  private async apply(turn: Turn, outcome: Outcome): Promise<DialogTurnResult> {
    if (outcome.kind === 'end') {
      await turn.dc.context.sendActivity(outcome.message);
      return turn.dc.endDialog();
    }
    if (outcome.kind === 'goto') {
      if (outcome.step !== 'subscriptions') turn.state.pending = undefined;
      turn.state.raw = outcome.step === turn.state.step ? turn.state.raw : {};
      turn.state.errors = outcome.step === turn.state.step ? turn.state.errors : [];
      return this.show(turn, outcome.step);
    }
    if (outcome.resend) return this.show(turn, turn.state.step);
    return Dialog.EndOfTurn;
  }

  private async show(turn: Turn, step: StepId): Promise<DialogTurnResult> {
    turn.state.step = step;
    turn.state.formId = newFormId();
    const claim = await this.loadClaim(turn);
    await turn.dc.context.sendActivity(MessageFactory.attachment(await this.cardFor(turn, step, claim)));
    return Dialog.EndOfTurn;
  }

  /** The turn's draft: read once per turn, then kept up to date by the writes of the turn. */
  private async loadClaim(turn: Turn): Promise<Claim | undefined> {
    if (!turn.state.claimId) return undefined;
    if (turn.claim?.id !== turn.state.claimId) turn.claim = await this.services.claimService.get(turn.state.claimId, turn.identity.actor.orgId);
    return turn.claim;
  }

  private async newDraftOutcome(turn: Turn): Promise<Outcome> {
    const created = await this.services.claimService.createDraft(turn.identity.actor, {});
    if (!created.ok) return { kind: 'end', message: render(turn.locale, created.refusal.message) };
    turn.state.claimId = created.claim.id;
    turn.claim = created.claim;
    turn.state.drafts = undefined;
    await turn.dc.context.sendActivity(t(turn.locale, 'dialog.draftCreated', { claimId: created.claim.id }));
    return { kind: 'goto', step: 'customer' };
  }

  /**
   * A new draft with a rejected claim's details (not its PoE, not its history): the partner adds updated
   * PoE and submits; or, for the renewal of an approved claim's subscriptions that end within 30 days,
   * its details without those subscription IDs. A detail that is no longer valid (an MPN ID the
   * organisation has lost, say) is left out and asked for again by its step.
   */
  private async copiedDraftOutcome(turn: Turn, sourceId: string): Promise<Outcome> {
    const source = await this.services.claimService.get(sourceId, turn.identity.actor.orgId);
    const ctx = this.services.claimService.timeContext();
    // An approved claim is copied for the renewal of subscriptions that end soon, without their IDs: the partner gives the renewed one.
    const ending = source?.status === 'Approved' ? subscriptionsEnding(ctx.calendar, source, ctx.now).map((s) => s.subscriptionId) : [];
    // An approved claim whose subscriptions don't end soon (an old reminder's button): nothing to renew yet, or any more.
    if (source?.status === 'Approved' && !ending.length) return { kind: 'end', message: t(turn.locale, 'dialog.renewalNotDue', { claimId: sourceId }) };
    if (!source || !(['Rejected', 'RejectedFinal'].includes(source.status) || ending.length))
      return { kind: 'end', message: t(turn.locale, 'claim.notYours', { claimId: sourceId }) };
    let fields: Record<string, unknown> = { ...source.fields };
    if (ending.length) {
      const endingIds = new Set(ending.map((id) => id.toLowerCase()));
      const kept = (source.fields.subscriptions ?? []).filter((s) => !endingIds.has(s.subscriptionId.toLowerCase()));
      fields = { ...fields, subscriptions: kept };
      if (!kept.length) delete fields.subscriptions;
    }
    let created = await this.services.claimService.createDraft(turn.identity.actor, fields);
    const fieldErrors = !created.ok && 'fieldErrors' in created.refusal ? (created.refusal.fieldErrors ?? []) : [];
    if (fieldErrors.length) {
      const invalid = new Set(fieldErrors.map((e) => e.field.split('.')[0]));
      fields = Object.fromEntries(Object.entries(fields).filter(([name]) => !invalid.has(name)));
      created = await this.services.claimService.createDraft(turn.identity.actor, fields);
    }
    if (!created.ok) return { kind: 'end', message: render(turn.locale, created.refusal.message) };
    turn.state.claimId = created.claim.id;
    turn.claim = created.claim;
    await turn.dc.context.sendActivity(
      ending.length
        ? t(turn.locale, 'dialog.prefilledRenewal', { claimId: created.claim.id, sourceId, subscriptions: ending.join(', ') })
        : t(turn.locale, 'dialog.prefilled', { claimId: created.claim.id, sourceId }),
    );
    return { kind: 'goto', step: await this.firstOpenStep(turn) };
  }

  private async startNewDraft(turn: Turn): Promise<DialogTurnResult> {
    return this.apply(turn, await this.newDraftOutcome(turn));
  }

  /** Where a resumed draft continues: the first step whose answers are missing, or the summary. */
  private async firstOpenStep(turn: Turn): Promise<StepId> {
    const claim = await this.services.claimService.get(turn.state.claimId!, turn.identity.actor.orgId);
    if (!claim) return 'customer';
    const f = claim.fields;
    const ctx = await this.stepContext(turn, claim);
    if (!f.mpnId || !f.customerDomain || !f.customerTenantId) return 'customer';
    if (!f.solutionArea || !f.activity) return 'area';
    if (f.activity === 'RevenueAssociation' && !f.revenueAssociation) return 'revenue';
    if (!f.products?.length) return 'products';
    if (ctx.needsSubscriptionIds.some((p) => !(f.subscriptions ?? []).some((s) => s.productId === p))) return 'subscriptions';
    if (!f.customerContact || !f.partnerContact || !f.claimName) return 'contacts';
    if (!claim.poe.length) return 'poe';
    return 'summary';
  }

  private async myDrafts(turn: Turn): Promise<NonNullable<FlowState['drafts']>> {
    const page = await this.services.claims.listByOrganisation(turn.identity.actor.orgId, { status: 'Editing', pageSize: 10 });
    return page.claims
      .filter((c) => c.createdBy.id === turn.identity.actor.id)
      .map((c) => ({ id: c.id, name: c.fields.claimName ?? '', updatedAt: c.updatedAt }));
  }

  private async stepContext(turn: View, saved: Claim): Promise<StepContext> {
    // Products held for their subscription IDs are shown as chosen.
    const claim = turn.state.pending ? { ...saved, fields: withChanges(saved.fields, turn.state.pending) } : saved;
    const user = await this.services.rosters.partnerUser(turn.identity.actor.id);
    return {
      locale: turn.locale,
      claim,
      organisation: turn.identity.organisation,
      partnerUser: { name: user?.name ?? turn.identity.actor.name, email: user?.email ?? '' },
      needsSubscriptionIds: await this.services.customerChecks.productsNeedingSubscriptionIds(claim.fields),
      maxPoeMegabytes: Math.round(this.services.config.maxPoeBytes / (1024 * 1024)),
      amend: turn.state.mode === 'amend',
    };
  }

  private async cardFor(turn: View, step: StepId, claim: Claim | undefined): Promise<Attachment> {
    const locale = turn.locale;
    const errors = turn.state.errors.map((m) => render(locale, m));
    const errorsTitle = t(locale, 'dialog.errorsTitle');
    const data = (button: string, extra: Record<string, unknown> = {}) => ({
      action: CLAIM_FORM,
      step,
      ...(turn.state.claimId ? { claimId: turn.state.claimId } : {}),
      ...(turn.state.formId ? { form: turn.state.formId } : {}),
      ...(claim ? { version: claim.version } : {}),
      button,
      ...extra,
    });
    const button = (title: MessageKey, action: string, style: 'positive' | 'default' | 'destructive' = 'default', inputs: 'auto' | 'none' = 'none') => ({
      title: t(locale, title),
      style,
      inputs,
      data: data(action),
    });
    if (step === 'resume') {
      const drafts = turn.state.drafts ?? [];
      const field: FormField = {
        kind: 'choice',
        id: 'draftId',
        label: t(locale, 'dialog.resume.label'),
        value: drafts[0]?.id ?? '',
        placeholder: '',
        multiline: false,
        maxLength: 0,
        multi: false,
        required: true,
        choices: drafts.map((d) => ({
          title: `${d.name ? `${d.name} (${d.id})` : t(locale, 'claim.untitled', { claimId: d.id })} · ${formatInstant(this.services, d.updatedAt, locale)}`,
          value: d.id,
        })),
      };
      return formCard({
        locale,
        title: t(locale, 'dialog.resume.title'),
        progress: '',
        intro: t(locale, 'dialog.resume.intro'),
        errorsTitle,
        errors,
        fields: [field],
        actions: [button('dialog.button.continueDraft', 'continue', 'positive', 'auto'), button('dialog.button.startNew', 'new')],
      });
    }
    if (!claim) throw new Error(`No draft for step ${step}`);
    if (step === 'cancel') {
      return formCard({
        locale,
        title: t(locale, 'dialog.cancel.title'),
        progress: t(locale, 'dialog.draftLabel', { claimId: claim.id }),
        intro: t(locale, 'dialog.cancel.question'),
        errorsTitle,
        errors: [],
        fields: [],
        actions: [
          button('dialog.button.keepDraft', 'keep', 'positive'),
          button('dialog.button.discardDraft', 'discard', 'destructive'),
          button('dialog.button.continue', 'continue'),
        ],
      });
    }
    const ctx = await this.stepContext(turn, claim);
    if (step === 'summary') {
      const competing = await this.services.claimService.competingKeys(claim);
      const problems = [
        ...validateComplete(claim.fields, { organisationMpnIds: ctx.organisation.mpnIds.map((m) => m.id) }),
        ...(await this.services.customerChecks.all(claim.fields)),
      ].map((e) => render(locale, fieldErrorMessage(e)));
      if (!claim.poe.length) problems.push(t(locale, 'refusal.poeRequired'));
      const links = await Promise.all(
        claim.poe.map((f) => this.services.poe.readLink(f.blobName, { now: this.services.clock.now(), ttlMinutes: this.services.config.poeLinkTtlMinutes })),
      );
      // The pre-check as far as it is known (never waited for: "checking…" until the files are read).
      const checklist = claim.poe.length ? await this.services.precheck.checklistIfReady(claim, locale) : undefined;
      const precheck = checklistCardData(locale, checklist, 'partner', !claim.poe.length);
      const summary = summaryCardData({
        ctx,
        links,
        pendingComment: turn.state.pendingComment,
        competing: competing.associated.length + competing.claimed.length > 0,
        precheck,
        data,
      });
      if (ctx.amend) {
        summary.title = t(locale, 'dialog.amend.title', { name: claimLabel(locale, { id: claim.id, claimName: claim.fields.claimName }) });
        summary.subtitle = t(locale, 'dialog.amend.subtitle', { claimId: claim.id, status: `@status.${claim.status}` });
        summary.actions = [
          claim.status === 'PartnerActionRequired'
            ? { title: t(locale, 'dialog.button.resubmit'), style: 'positive', data: data('resubmit') }
            : { title: t(locale, 'dialog.button.done'), style: 'positive', data: data('done') },
          { title: t(locale, 'dialog.button.close'), style: 'default', data: data('cancel') },
        ];
      }
      return CardFactory.adaptiveCard(
        renderCard('claimSummary', { ...summary, errorsTitle: t(locale, 'dialog.summary.problemsTitle'), errors: [...new Set([...errors, ...problems])] }),
      );
    }
    const form = formStep(step);
    const position = stepPosition(step, ctx);
    const back = previousStep(step, ctx) && !turn.state.editOnly ? [button('dialog.button.back', 'back')] : [];
    const extra =
      step === 'poe'
        ? [button('dialog.button.template', 'template'), ...(this.services.config.bot.anonymous ? [button('dialog.button.samplePoe', 'samplePoe')] : [])]
        : [];
    return formCard({
      locale,
      title: t(locale, `dialog.${step}.title` as MessageKey),
      progress: t(locale, 'dialog.progress', { index: position.index, total: position.total, claimId: claim.id }),
      intro: t(locale, `dialog.${step}.intro` as MessageKey),
      errorsTitle,
      errors,
      fields: form.fields(ctx, turn.state.raw),
      actions: [
        button(turn.state.editOnly ? 'dialog.button.save' : 'dialog.button.next', 'next', 'positive', 'auto'),
        ...extra,
        ...back,
        button('dialog.button.cancel', 'cancel'),
      ],
    });
  }
}

/**
 * A card's own id: which card a button was pressed on. 48 random bits, as before, taken from
 * randomUUID (which draws its randomness in batches) rather than a randomBytes call of its own per card.
 */
function newFormId(): string {
  const uuid = randomUUID();
  return uuid.slice(0, 8) + uuid.slice(9, 13);
}

function formCard(data: {
  locale: Locale;
  title: string;
  progress: string;
  intro: string;
  errorsTitle: string;
  errors: string[];
  fields: FormField[];
  actions: { title: string; style: string; inputs: string; data: Record<string, unknown> }[];
}): Attachment {
  return CardFactory.adaptiveCard(renderCard('claimForm', { ...data, fields: withErrorMessages(data.fields, data.locale) }));
}

/** Why this person may not fill in the claim form, as a sentence (the policy's); undefined when they may. */
export function claimingRefusal(identity: Identity | undefined, locale: Locale): string | undefined {
  return identity ? policyRefusal(CLAIM_FORM, identity, locale) : t(locale, 'access.signInRequired');
}

/** The claim dialog: a ComponentDialog around the card-form flow, answering "help" without losing the step. */
export class ClaimDialog extends ComponentDialog {
  /** `budget`: how long a turn may wait for a file download before answering (see bot/turnBudget.ts). */
  constructor(
    services: Pick<
      AppServices,
      'calendar' | 'claimService' | 'claims' | 'clock' | 'config' | 'customerChecks' | 'ownPorts' | 'poe' | 'poeReadings' | 'precheck' | 'rosters'
    >,
    log: Logger,
    budget: TurnBudget = new TurnBudget(services.config.bot.appId, log),
  ) {
    super(CLAIM_DIALOG_ID);
    this.addDialog(new ClaimFlowDialog(services, log, budget));
    this.initialDialogId = FLOW_DIALOG_ID;
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const activity = innerDc.context.activity;
    const text = dialogWord(activity.text ?? '');
    const command = (activity.value as { command?: string } | undefined)?.command;
    if (text === 'help' || command === 'help') {
      const locale = resolveLocale(activity.locale);
      await innerDc.context.sendActivity(t(locale, 'dialog.helpInDialog'));
      await innerDc.repromptDialog();
      return { status: DialogTurnStatus.waiting };
    }
    return super.onContinueDialog(innerDc);
  }
}
