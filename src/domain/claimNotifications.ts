import type { Claim, NotificationAudience, OutboxEntry } from './claim';
import { nearestDeadline } from './deadlinePolicy';
import type { ClaimHistoryEvent } from './claimHistory';
import { deadlineApplied, REMINDER_RULES, type ReminderKind } from './claimTimers';
import { deadlineParam, instantParam } from './claimLifecycle';
import type { TimeContext } from './deadlinePolicy';
import { hasMessage, ref, type Message, type MessageKey } from '../i18n/locales';

// The record types live with the claim (claim.ts); named here too, where who is told is decided.
export type { NotificationAudience, OutboxEntry };

/** Changes that put a claim in front of reviewers: the card is posted (or brought back) for these. */
export const NEEDS_A_REVIEWER: ReadonlySet<string> = new Set(['submit', 'resubmit', 'dispute']);

/** The statuses the partner contact is e-mailed about: each starts a deadline on the partner or ends the review. */
export const MAILED_TO_PARTNER_CONTACT: ReadonlySet<string> = new Set(['Rejected', 'PartnerActionRequired', 'Approved']);

/** Whether a change is e-mailed to the claim's partner contact (audience 'partnerContact'). */
export function mailedToPartnerContact(event: Pick<ClaimHistoryEvent, 'fromStatus' | 'toStatus'>): boolean {
  return event.fromStatus !== event.toStatus && MAILED_TO_PARTNER_CONTACT.has(event.toStatus ?? '');
}

/** Lifecycle events the partner is told of even though the status stays (a comment, a closed window...). */
const PARTNER_NEWS_WITHOUT_STATUS_CHANGE = new Set(['consentPeriodOver', 'disputeWindowClosed']);

export function audiencesFor(claim: Claim, event: ClaimHistoryEvent): NotificationAudience[] {
  if (event.outcome !== 'applied' || claim.status === 'Editing') return [];
  if (event.action === 'remind') return [REMINDER_RULES[event.reminder as ReminderKind]?.audience ?? 'partners'];
  // A customer's approval e-mail that bounced: the partner is told (the customer was not), the card's history shows it.
  if (event.action === 'deliveryFailed') return event.delivery?.channel === 'email' ? ['partners', 'reviewCard'] : [];
  const audiences: NotificationAudience[] = ['reviewCard'];
  const statusChanged = event.fromStatus !== event.toStatus;
  const commentFromOutside = event.action === 'comment' && event.actor.kind !== 'partner';
  if (statusChanged || commentFromOutside || PARTNER_NEWS_WITHOUT_STATUS_CHANGE.has(event.action)) audiences.unshift('partners');
  if (event.action === 'approve') audiences.push('customer');
  if (mailedToPartnerContact(event)) audiences.push('partnerContact');
  return audiences;
}

/** The outbox entries a change adds, in the same write as the change. */
export function outboxEntriesFor(claim: Claim, event: ClaimHistoryEvent): OutboxEntry[] {
  const next = nearestDeadline(claim.deadlines);
  return audiencesFor(claim, event).map((audience) => ({
    id: `${claim.id}:${event.seq}:${audience}`,
    seq: event.seq,
    audience,
    at: event.at,
    status: claim.status,
    ...(next ? { next } : {}),
  }));
}

/**
 * What happened, in the past tense and from the event itself ("Riley Reviewer approved the claim on
 * …"): the one sentence a notice, a claim's timeline and its history tell. A deadline the bot applied
 * is dated when it ended, not when a sweep got to it; a refused attempt says it was refused.
 */
export function eventSentence(ctx: Pick<TimeContext, 'calendar'>, event: Pick<ClaimHistoryEvent, 'action' | 'actor' | 'outcome' | 'at' | 'changes'>): Message {
  const ended = deadlineApplied(event);
  const at = ended ? deadlineParam(ctx, ended) : instantParam(ctx, event.at);
  const action = hasMessage(`action.${event.action}`) ? ref(`action.${event.action}` as MessageKey) : event.action;
  if (event.outcome === 'refused') return { key: 'event.refused', params: { actor: event.actor.name, action, at } };
  const key = `event.${event.action}`;
  return hasMessage(key) ? { key, params: { actor: event.actor.name, at } } : { key: 'event.other', params: { actor: event.actor.name, action, at } };
}
