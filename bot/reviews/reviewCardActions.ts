import { createHash } from 'node:crypto';
import type { AdaptiveCardJson } from '../../cards/cardTemplates';
import type { ButtonAction } from '../../src/domain/actionPolicy';
import type { ClaimAction } from '../../src/domain/claimLifecycle';
import type { Claim } from '../../src/domain/claim';
import { INFO_REQUEST_REASONS, REJECTION_REASONS, type InfoRequestReason, type RejectionReason } from '../../src/domain/reasons';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
import { t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/services';
import type { Identity } from '../../src/services/roster/identity';
import type { ServiceResult } from '../../src/services/claims/claimService';
import type { ReviewCardPublisher } from './reviewCardPublisher';
import { sentenceCard } from '../actionAuthorization';
import { checklistShown, type ChecklistShown } from '../../src/domain/poePrecheck';

/**
 * What a reviewer's button on a claim card does. The action router lets only reviewers through
 * (bot/actionAuthorization.ts); the lifecycle then decides what the claim's status allows. A double click or a
 * re-sent invoke carries the same action id, so it acts once.
 */

export type ReviewAction = Extract<ButtonAction, `review.${string}`>;

export function isReviewAction(action: ButtonAction): action is ReviewAction {
  return action.startsWith('review.');
}

export interface ReviewInvoke {
  action: ReviewAction;
  data: Record<string, unknown>;
  /** A reviewer: the router refuses everyone else before this runs. */
  identity: Extract<Identity, { kind: 'reviewer' }>;
  locale: Locale;
}

const ACTION_DONE: Partial<Record<ReviewAction, MessageKey>> = {
  'review.start': 'review.done.startReview',
  'review.approve': 'review.done.approve',
  'review.approveSupersede': 'review.done.approve',
  'review.reject': 'review.done.reject',
  'review.requestInfo': 'review.done.requestInfo',
  'review.comment': 'review.done.comment',
};

/** Presses that decide a claim: each records the PoE checklist shown in the claim's history. */
const DECISION_VERBS: readonly ReviewAction[] = ['review.approve', 'review.approveSupersede', 'review.reject', 'review.requestInfo'];

/**
 * How long a decision waits for the claim's files to be read before recording the checklist as not ready.
 * Another instance drew the reviewer's card and kept the readings; fetching them takes milliseconds. Well
 * inside the few seconds Teams gives an invoke.
 */
export const DECISION_CHECKLIST_WAIT_MS = 1_500;

export class ReviewCardActions {
  constructor(
    private readonly services: Pick<AppServices, 'claimService' | 'precheck'>,
    private readonly publisher: ReviewCardPublisher,
  ) {}

  /** Handles one invoke and returns the card the acting person sees (the shared card is updated by the change listener). */
  async handle(invoke: ReviewInvoke): Promise<AdaptiveCardJson> {
    const { action: verb, data, locale } = invoke;
    const claimId = typeof data.claimId === 'string' ? data.claimId : '';
    // The card says where the claim lives, which saves a cross-partition query; it decides nothing else.
    const orgId = typeof data.orgId === 'string' && data.orgId ? data.orgId : undefined;
    const actor = invoke.identity.actor;
    const viewer = actor;
    const refreshUserIds = await this.publisher.reviewerTeamsIds();
    const card = async (notice?: Parameters<ReviewCardPublisher['view']['render']>[1]['notice'], offerSupersede = false, known?: Claim) => {
      const claim = known ?? (await this.read(claimId, orgId));
      if (!claim) return sentenceCard(t(locale, 'refusal.claimNotFound', { claimId }));
      return this.publisher.view.render(claim, { locale, viewer, refreshUserIds, offerSupersede, ...(notice ? { notice } : {}) });
    };

    if (verb === 'review.refresh') return card();
    if (verb === 'review.history') {
      const claim = await this.read(claimId, orgId);
      return claim ? this.publisher.view.history(claim, locale, true) : sentenceCard(t(locale, 'refusal.claimNotFound', { claimId }));
    }

    const parsed = this.claimAction(verb, data);
    if ('error' in parsed) return card({ message: t(locale, parsed.error), style: 'attention' });
    const actionId = this.actionId(claimId, verb, invoke, data);
    const done = ACTION_DONE[verb];
    const doneNotice = done ? ({ message: t(locale, done, { claimId }), style: 'good' } as const) : undefined;
    // A decision reads the claim for the checklist shown; the change starts from that copy (its ETag guards the write).
    const decision = DECISION_VERBS.includes(verb) ? await this.checklistShown(claimId, orgId) : undefined;
    const options = { actionId, ...(decision ? { checklistShown: decision.shown, ...(decision.claim ? { known: decision.claim } : {}) } : {}) };
    const result: ServiceResult =
      verb === 'review.approveSupersede'
        ? await this.services.claimService.approveSuperseding(claimId, actor, options)
        : await this.services.claimService.act(claimId, parsed.action, actor, options, orgId);
    if (result.ok) return card(doneNotice, false, result.claim);
    if (result.refusal.code === 'associationConflict') {
      // Approval met another partner's live association: the reviewer must choose explicitly.
      const holders = result.refusal.conflicts.map((c) => c.claimId);
      return card({ message: t(locale, 'review.conflictChoice', { claims: [...new Set(holders)] }), style: 'warning' }, true, result.claim);
    }
    return card({ message: result.refusal.message, style: 'attention' }, false, result.claim);
  }

  /** The claim where the card says it lives, else wherever it is (the card's hint decides nothing). */
  private async read(claimId: string, orgId: string | undefined): Promise<Claim | undefined> {
    return (await this.services.claimService.get(claimId, orgId)) ?? (orgId ? await this.services.claimService.get(claimId) : undefined);
  }

  /**
   * What the card showed of the PoE pre-check when the reviewer decided (the same rules on the same files give
   * the same checklist), also where this instance has not read the claim's files yet (DECISION_CHECKLIST_WAIT_MS).
   */
  private async checklistShown(claimId: string, orgId: string | undefined): Promise<{ shown: ChecklistShown; claim?: Claim }> {
    const claim = await this.services.claimService.get(claimId, orgId);
    const checklist = claim?.poe.length ? await this.services.precheck.checklistWithin(claim, DECISION_CHECKLIST_WAIT_MS) : undefined;
    return { shown: checklistShown(checklist), ...(claim ? { claim } : {}) };
  }

  private claimAction(verb: ReviewAction, data: Record<string, unknown>): { action: ClaimAction } | { error: MessageKey } {
    const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string).trim() : '');
    switch (verb) {
      case 'review.start':
        return { action: { type: 'startReview' } };
      case 'review.approve':
      case 'review.approveSupersede':
        return { action: { type: 'approve' } };
      case 'review.reject': {
        const reason = text('reason') as RejectionReason;
        // A reason outside the list (docs/claim-rules.md, "Reasons") is refused here; one a reviewer may not give is refused by the lifecycle.
        if (!REJECTION_REASONS.includes(reason)) return { error: 'review.chooseReason' };
        return { action: { type: 'reject', reason, ...(text('rejectComment') ? { comment: text('rejectComment') } : {}) } };
      }
      case 'review.requestInfo': {
        const reasons = text('reasons')
          .split(',')
          .map((r) => r.trim())
          .filter((r): r is InfoRequestReason => (INFO_REQUEST_REASONS as readonly string[]).includes(r));
        return { action: { type: 'requestInfo', reasons, comment: text('infoComment') } };
      }
      case 'review.comment':
        return { action: { type: 'comment', text: text('reviewerComment') } };
      default:
        return { error: 'reply.unknownCommand' };
    }
  }

  /**
   * The same person pressing the same button on the same version of the card is one action, however
   * often Teams delivers it; a new version of the card, or a different comment, is a new action.
   */
  private actionId(claimId: string, verb: ReviewAction, invoke: ReviewInvoke, data: Record<string, unknown>): string {
    const who = invoke.identity.actor.id;
    const content = createHash('sha1')
      .update(JSON.stringify([data.reason, data.reasons, data.rejectComment, data.infoComment, data.reviewerComment]))
      .digest('hex')
      .slice(0, 12);
    return `${claimId}:${String(data.version ?? '')}:${verb}:${who}:${content}`;
  }
}
