import { createHash } from 'node:crypto';
import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import type { Actor } from '../../src/domain/actors';
import type { ClaimAction } from '../../src/domain/claimLifecycle';
import type { Claim } from '../../src/domain/claim';
import { INFO_REQUEST_REASONS, REJECTION_REASONS, type InfoRequestReason, type RejectionReason } from '../../src/domain/reasons';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
import { t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/appServices';
import type { Identity } from '../../src/services/identity';
import type { ServiceResult } from '../../src/services/claimService';
import type { ReviewCardPublisher } from './reviewCardPublisher';

/**
 * What a reviewer's button on a claim card does. Every verb is checked on the server against the
 * identity Teams sent, whatever the card said; a refused verb is recorded in the claim's history. A
 * double click or a re-sent invoke carries the same action id, so it acts once.
 */

export const REVIEW_VERBS = ['refreshReviewCard', 'startReview', 'approve', 'approveSupersede', 'reject', 'requestInfo', 'comment', 'history'] as const;
export type ReviewVerb = (typeof REVIEW_VERBS)[number];

export function isReviewVerb(verb: unknown): verb is ReviewVerb {
  return typeof verb === 'string' && (REVIEW_VERBS as readonly string[]).includes(verb);
}

export interface ReviewInvoke {
  verb: ReviewVerb;
  data: Record<string, unknown>;
  identity: Identity;
  /** Teams' id of the person acting, used when no roster knows them. */
  fromId: string;
  fromName: string;
  locale: Locale;
}

const ACTION_DONE: Partial<Record<ReviewVerb, MessageKey>> = {
  startReview: 'review.done.startReview',
  approve: 'review.done.approve',
  approveSupersede: 'review.done.approve',
  reject: 'review.done.reject',
  requestInfo: 'review.done.requestInfo',
  comment: 'review.done.comment',
};

export class ReviewCardActions {
  constructor(private readonly services: AppServices, private readonly publisher: ReviewCardPublisher) {}

  /** Handles one invoke and returns the card the acting person sees (the shared card is updated by the change listener). */
  async handle(invoke: ReviewInvoke): Promise<AdaptiveCardJson> {
    const { verb, data, locale } = invoke;
    const claimId = typeof data.claimId === 'string' ? data.claimId : '';
    // The card says where the claim lives, which saves a cross-partition query; it decides nothing else.
    const orgId = typeof data.orgId === 'string' && data.orgId ? data.orgId : undefined;
    const actor = actorOf(invoke);
    const viewer = actor.kind === 'reviewer' ? actor : undefined;
    const refreshUserIds = await this.publisher.reviewerTeamsIds();
    const card = async (notice?: Parameters<ReviewCardPublisher['view']['render']>[1]['notice'], offerSupersede = false, known?: Claim) => {
      const claim = known ?? (await this.services.claimService.get(claimId, orgId)) ?? (orgId ? await this.services.claimService.get(claimId) : undefined);
      if (!claim) return noticeCard(t(locale, 'refusal.claimNotFound', { claimId }));
      return this.publisher.view.render(claim, { locale, viewer, refreshUserIds, offerSupersede, ...(notice ? { notice } : {}) });
    };

    if (verb === 'refreshReviewCard') return card();
    if (verb === 'history') {
      const claim = await this.services.claimService.get(claimId, orgId);
      if (!claim) return card({ message: { key: 'refusal.claimNotFound', params: { claimId } }, style: 'attention' });
      if (actor.kind !== 'reviewer') return card({ message: t(locale, 'review.historyForReviewers'), style: 'attention' });
      return this.publisher.view.history(claim, locale, true);
    }

    const parsed = this.claimAction(verb, data);
    if ('error' in parsed) return card({ message: t(locale, parsed.error), style: 'attention' });
    const actionId = this.actionId(claimId, verb, invoke, data);
    const result: ServiceResult =
      verb === 'approveSupersede' && actor.kind === 'reviewer'
        ? await this.services.claimService.approveSuperseding(claimId, actor, { actionId })
        : await this.services.claimService.act(claimId, parsed.action, actor, { actionId }, orgId);
    if (result.ok) {
      const done = ACTION_DONE[verb];
      return card(done ? { message: t(locale, done, { claimId }), style: 'good' } : undefined, false, result.claim);
    }
    if (result.refusal.code === 'associationConflict') {
      // Approval met another partner's live association: the reviewer must choose explicitly.
      const holders = result.refusal.conflicts.map((c) => c.claimId);
      return card({ message: t(locale, 'review.conflictChoice', { claims: [...new Set(holders)] }), style: 'warning' }, true, result.claim);
    }
    return card({ message: result.refusal.message, style: 'attention' }, false, result.claim);
  }

  private claimAction(verb: ReviewVerb, data: Record<string, unknown>): { action: ClaimAction } | { error: MessageKey } {
    const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string).trim() : '');
    switch (verb) {
      case 'startReview':
        return { action: { type: 'startReview' } };
      case 'approve':
      case 'approveSupersede':
        return { action: { type: 'approve' } };
      case 'reject': {
        const reason = text('reason') as RejectionReason;
        // A reason outside SPEC's list is refused here; one a reviewer may not give is refused by the lifecycle.
        if (!REJECTION_REASONS.includes(reason)) return { error: 'review.chooseReason' };
        return { action: { type: 'reject', reason, ...(text('rejectComment') ? { comment: text('rejectComment') } : {}) } };
      }
      case 'requestInfo': {
        const reasons = text('reasons').split(',').map((r) => r.trim()).filter((r): r is InfoRequestReason => (INFO_REQUEST_REASONS as readonly string[]).includes(r));
        return { action: { type: 'requestInfo', reasons, comment: text('infoComment') } };
      }
      case 'comment':
        return { action: { type: 'comment', text: text('reviewerComment') } };
      default:
        return { error: 'reply.unknownCommand' };
    }
  }

  /**
   * The same person pressing the same button on the same version of the card is one action, however
   * often Teams delivers it; a new version of the card, or a different comment, is a new action.
   */
  private actionId(claimId: string, verb: ReviewVerb, invoke: ReviewInvoke, data: Record<string, unknown>): string {
    const who = invoke.identity.kind === 'unknown' ? invoke.fromId : invoke.identity.actor.id;
    const content = createHash('sha1').update(JSON.stringify([data.reason, data.reasons, data.rejectComment, data.infoComment, data.reviewerComment])).digest('hex').slice(0, 12);
    return `${claimId}:${String(data.version ?? '')}:${verb}:${who}:${content}`;
  }
}

/** The actor for a verb: the roster's view of the person, or a stranger when no roster knows them. */
export function actorOf(invoke: Pick<ReviewInvoke, 'identity' | 'fromId' | 'fromName'>): Actor {
  if (invoke.identity.kind === 'unknown') return { kind: 'stranger', id: invoke.fromId, name: invoke.fromName || invoke.fromId };
  return invoke.identity.actor;
}

/** A card with a single sentence, for a claim that no longer exists. */
function noticeCard(text: string): AdaptiveCardJson {
  return renderCard('partnerNotice', { claimId: '', title: text, subtitle: '', lines: [], quote: '', can: { reply: false, edit: false, resubmit: false, dispute: false, newClaimFrom: false, withdraw: false }, labels: { reply: '', replyLabel: '', replyRequired: '', send: '', edit: '', resubmit: '', dispute: '', newClaimFrom: '', withdraw: '' } });
}
