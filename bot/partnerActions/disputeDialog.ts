import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { ButtonAction } from '../../src/domain/actionPolicy';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Claim, PoeFile } from '../../src/domain/claim';
import { decide, disputeWindowEnd, formatDeadline } from '../../src/domain/claimLifecycle';
import { resolveLocale, type Locale } from '../../src/i18n/locales';
import { render, t } from '../../src/i18n/teamsMarkdown';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/services';
import type { Identity } from '../../src/services/roster/identity';
import { identityOf } from '../activityIdentity';
import { attachmentSource, cleanFileName, type IncomingAttachment } from '../../src/services/poe/poeFileIntake';
import { PendingUploads } from '../../src/storage/pendingUploads';
import { TurnBudget } from '../turnBudget';
import { typedText } from '../conversationReferences';
import { formatBytes, kindLabel } from '../claimDialog/claimFormSteps';
import { takePoeFiles } from '../poeUploads';
import { disputeClosedCard, partnerActionCard } from './partnerActionCards';

export const DISPUTE_DIALOG_ID = 'disputeDialog';
/** The dispute form's buttons (`button`: submit or cancel); the router hands them to this dialog while it is open. */
export const DISPUTE_FORM = 'form.dispute' satisfies ButtonAction;

type Partner = Extract<Identity, { kind: 'partner' }>;

interface DisputeState {
  claimId: string;
  orgId: string;
  justification: string;
  files: PoeFile[];
  error?: string;
}

/**
 * A partner disputes a rejection in their 1:1 chat: a business justification and/or updated PoE
 * (files attached to messages while the form is open), sent as one dispute. Whether a dispute is
 * possible is the lifecycle's decision (one per claim, within 30 days of the rejection); once the
 * window has closed the partner is offered a new claim prefilled from this one.
 */
export class DisputeDialog extends Dialog<{ claimId: string }> {
  private readonly pending: PendingUploads;

  /** `budget`: how long a turn may wait for a file download before answering (see bot/turnBudget.ts). */
  constructor(
    private readonly services: Pick<
      AppServices,
      'calendar' | 'claimService' | 'clock' | 'config' | 'cosmos' | 'ownPorts' | 'poe' | 'poeReadings' | 'policy' | 'rosters'
    >,
    private readonly log: Logger,
    private readonly budget: TurnBudget = new TurnBudget(services.config.bot.appId, log),
  ) {
    super(DISPUTE_DIALOG_ID);
    this.pending = new PendingUploads(services.cosmos.containers.conversations);
  }

  override async beginDialog(dc: DialogContext, options?: { claimId: string }): Promise<DialogTurnResult> {
    const locale = resolveLocale(dc.context.activity.locale);
    const partner = await this.partnerOf(dc.context);
    const claim = partner && options?.claimId ? await this.ownClaim(partner, options.claimId) : undefined;
    if (!partner || !claim) {
      await dc.context.sendActivity(t(locale, 'claim.notYours', { claimId: options?.claimId ?? '-' }));
      return dc.endDialog();
    }
    if (!(await this.disputable(dc.context, claim, partner, locale))) return dc.endDialog();
    const state: DisputeState = { claimId: claim.id, orgId: claim.orgId, justification: '', files: [] };
    dc.activeDialog!.state = state;
    await this.showForm(dc.context, claim, state, locale);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const locale = resolveLocale(dc.context.activity.locale);
    const state = dc.activeDialog!.state as DisputeState;
    const partner = await this.partnerOf(dc.context);
    const claim = partner ? await this.ownClaim(partner, state.claimId) : undefined;
    if (!partner || !claim) {
      await dc.context.sendActivity(t(locale, 'claim.notYours', { claimId: state.claimId }));
      return dc.endDialog();
    }
    const activity = dc.context.activity;
    const conversationId = activity.conversation?.id ?? '';
    // Files whose download finished after their turn had answered join the dispute now.
    state.files.push(...(await this.pending.take(conversationId, claim.id)));
    const value = activity.value as { action?: unknown; button?: unknown; justification?: unknown; claimId?: unknown } | undefined;
    const files = (activity.attachments ?? []).filter((a) => attachmentSource(a) !== undefined) as IncomingAttachment[];
    const typed = typedText(activity);
    if (value?.action === DISPUTE_FORM && value.claimId === state.claimId) {
      if (typeof value.justification === 'string') state.justification = value.justification.trim();
      if (value.button === 'cancel') return this.cancel(dc, claim, locale);
      if (value.button === 'submit') return this.submit(dc, claim, partner, state, locale);
    } else if (files.length) {
      // Accepted files wait in the store until the form's next turn, so a download that outlives this turn is not lost.
      const work = takePoeFiles(this.services, this.log, {
        claimId: claim.id,
        actor: partner.actor,
        attachments: files,
        locale,
        held: claim.poe.length + state.files.length,
      }).then(async ({ accepted, lines }) => {
        await this.pending.add(conversationId, claim.id, accepted);
        return lines.join('\n\n');
      });
      const names = files.map((a) => cleanFileName(a.name ?? '') || 'attachment');
      const outcome = await this.budget.within(dc.context, work, {
        acknowledge: t(locale, 'dialog.poe.receiving', { names }),
        failed: t(locale, 'dialog.poe.receiveFailed', { names }),
        answer: (text) => `${text}\n\n${t(locale, 'dispute.receivedLate', { claimId: claim.id })}`,
      });
      if (!outcome.inTime) return Dialog.EndOfTurn;
      state.files.push(...(await this.pending.take(conversationId, claim.id)));
      await dc.context.sendActivity(outcome.result);
    } else if (/^cancel$/i.test(typed)) {
      return this.cancel(dc, claim, locale);
    } else if (typed) {
      // Typed text while the form is open is the justification (Teams' mobile clients type more easily than fill cards).
      state.justification = typed;
    }
    await this.showForm(dc.context, claim, state, locale);
    return Dialog.EndOfTurn;
  }

  private async submit(dc: DialogContext, claim: Claim, partner: Partner, state: DisputeState, locale: Locale): Promise<DialogTurnResult> {
    const result = await this.services.claimService.act(
      claim.id,
      { type: 'dispute', ...(state.justification ? { justification: state.justification } : {}), files: state.files },
      partner.actor,
      { actionId: `${claim.id}:dispute:${dc.context.activity.replyToId ?? dc.context.activity.id}` },
      claim.orgId,
    );
    if (result.ok) {
      const due = result.claim.deadlines.reviewDecision;
      await dc.context.sendActivity(t(locale, 'dispute.sent', { claimId: claim.id, date: due ? formatDeadline(this.services, due, locale) : '-' }));
      return dc.endDialog();
    }
    if (result.refusal.code === 'disputeNeedsContent') {
      // Nothing lost: the form comes back with what was typed and the files, and says what is missing.
      state.error = render(locale, result.refusal.message);
      await this.showForm(dc.context, claim, state, locale);
      state.error = undefined;
      return Dialog.EndOfTurn;
    }
    if (result.refusal.code === 'disputeWindowClosed') {
      await this.sendClosed(dc.context, result.claim ?? claim, locale);
      return dc.endDialog();
    }
    await dc.context.sendActivity(render(locale, result.refusal.message));
    return dc.endDialog();
  }

  private async cancel(dc: DialogContext, claim: Claim, locale: Locale): Promise<DialogTurnResult> {
    const ends = claim.deadlines.disputeWindowEnds;
    await dc.context.sendActivity(t(locale, 'dispute.cancelled', { claimId: claim.id, date: ends ? formatDeadline(this.services, ends, locale) : '-' }));
    return dc.endDialog();
  }

  /** Asks the lifecycle whether a dispute could be sent now (with some content), without writing anything. */
  private async disputable(context: TurnContext, claim: Claim, partner: Partner, locale: Locale): Promise<boolean> {
    const decision = decide(claim, { type: 'dispute', justification: '-' }, partner.actor, this.services.claimService.timeContext());
    if (decision.ok) return true;
    if (decision.refusal.code === 'disputeWindowClosed') await this.sendClosed(context, claim, locale);
    else await context.sendActivity(render(locale, decision.refusal.message));
    return false;
  }

  private async sendClosed(context: TurnContext, claim: Claim, locale: Locale): Promise<void> {
    // The window's real end (its last minute), never when a sweep noticed it had passed.
    const ended = disputeWindowEnd(claim);
    const card = disputeClosedCard(claim, locale, ended ? formatDeadline(this.services, ended, locale) : '-');
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  private async showForm(context: TurnContext, claim: Claim, state: DisputeState, locale: Locale): Promise<void> {
    const ends = claim.deadlines.disputeWindowEnds;
    const days = this.services.policy.disputeReview.amount;
    const card = partnerActionCard(claim, locale, {
      title: t(locale, 'dispute.title', { name: claim.fields.claimName ?? claim.id, claimId: claim.id }),
      lines: [t(locale, 'dispute.window', { date: ends ? formatDeadline(this.services, ends, locale) : '-', count: days }), t(locale, 'dispute.how')],
      files: state.files.map((f) => t(locale, 'dispute.file', { name: f.fileName, kind: kindLabel(f.contentType), size: formatBytes(f.size) })),
      input: {
        id: 'justification',
        label: t(locale, 'dispute.justificationLabel'),
        value: state.justification,
        placeholder: t(locale, 'dispute.justificationPlaceholder'),
      },
      ...(state.error ? { error: state.error } : {}),
      actions: [
        { title: t(locale, 'dispute.send'), style: 'positive', data: { action: DISPUTE_FORM, claimId: claim.id, button: 'submit' } },
        { title: t(locale, 'dispute.cancel'), style: 'default', data: { action: DISPUTE_FORM, claimId: claim.id, button: 'cancel' } },
      ],
    });
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  private async partnerOf(context: TurnContext): Promise<Partner | undefined> {
    const identity = await identityOf(this.services.rosters, context);
    return identity.kind === 'partner' ? identity : undefined;
  }

  /** Only the partner's own organisation's claims; another organisation's claim is "not found" (never confirmed). */
  private async ownClaim(partner: Partner, claimId: string): Promise<Claim | undefined> {
    return this.services.claimService.get(claimId, partner.actor.orgId);
  }
}
