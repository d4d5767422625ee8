import type { BusinessCalendar, DayCount } from './businessCalendar';
import type { Claim, ClaimDeadlines } from './claim';

/**
 * Every timer a claim needs, derived from its deadlines: the automatic transitions SPEC asks for and
 * the reminders before (or at) a deadline. The timer store holds what this function returns; when a
 * timer fires, the claim is asked again, so a timer that no longer matches the claim does nothing.
 */

export type DeadlineName = keyof ClaimDeadlines;
export type AutomaticAction = 'noPartnerResponse' | 'consentPeriodOver' | 'disputeWindowClosed';

/** Deadlines whose passing the bot applies itself. */
export const AUTOMATIC_TRANSITIONS: Partial<Record<DeadlineName, AutomaticAction>> = {
  partnerResponse: 'noPartnerResponse',
  consentEnds: 'consentPeriodOver',
  disputeWindowEnds: 'disputeWindowClosed',
};

export type ReminderAudience = 'partners' | 'reviewers';

export interface ReminderRule {
  deadline: DeadlineName;
  /** How long before the deadline; zero means when it passes. */
  before: DayCount;
  audience: ReminderAudience;
}

/** SPEC's reminders, each sent once per deadline. */
export const REMINDER_RULES = {
  partnerResponse2bd: { deadline: 'partnerResponse', before: { amount: 2, unit: 'businessDays' }, audience: 'partners' },
  partnerResponse1bd: { deadline: 'partnerResponse', before: { amount: 1, unit: 'businessDays' }, audience: 'partners' },
  disputeWindow7d: { deadline: 'disputeWindowEnds', before: { amount: 7, unit: 'days' }, audience: 'partners' },
  disputeWindow1d: { deadline: 'disputeWindowEnds', before: { amount: 1, unit: 'days' }, audience: 'partners' },
  reviewStartPassed: { deadline: 'reviewStart', before: { amount: 0, unit: 'days' }, audience: 'reviewers' },
  reviewDecision1bd: { deadline: 'reviewDecision', before: { amount: 1, unit: 'businessDays' }, audience: 'reviewers' },
} as const satisfies Record<string, ReminderRule>;

export type ReminderKind = keyof typeof REMINDER_RULES;
export const REMINDER_KINDS = Object.keys(REMINDER_RULES) as ReminderKind[];

export type TimerPurpose = { type: 'transition'; action: AutomaticAction } | { type: 'reminder'; reminder: ReminderKind; key: string };

export interface ClaimTimer {
  /** Unique per claim and purpose: a later deadline of the same kind moves the same timer. */
  id: string;
  claimId: string;
  orgId: string;
  dueAt: string;
  purpose: TimerPurpose;
}

/** "partnerResponse2bd@2026-12-01T00:00:00.000Z": a reminder for one particular deadline. */
export const reminderKey = (kind: ReminderKind, deadline: string) => `${kind}@${deadline}`;

export function timerId(claimId: string, purpose: TimerPurpose): string {
  return purpose.type === 'transition' ? `${claimId}|${purpose.action}` : `${claimId}|${purpose.reminder}`;
}

/** The running deadline a reminder is about, if the claim has it (a reminder of an unknown kind has none). */
export function reminderDeadline(claim: Pick<Claim, 'deadlines'>, kind: string): string | undefined {
  const rule = (REMINDER_RULES as Record<string, ReminderRule>)[kind];
  return rule ? claim.deadlines[rule.deadline] : undefined;
}

/** When a reminder is due for a deadline (the calendar counts business days in its own time zone). */
export function reminderDueAt(calendar: BusinessCalendar, kind: ReminderKind, deadline: string): string {
  return calendar.before(new Date(deadline), REMINDER_RULES[kind].before).toISOString();
}

export function timersFor(claim: Claim, calendar: BusinessCalendar): ClaimTimer[] {
  const timers: ClaimTimer[] = [];
  const add = (dueAt: string, purpose: TimerPurpose) => timers.push({ id: timerId(claim.id, purpose), claimId: claim.id, orgId: claim.orgId, dueAt, purpose });
  for (const [name, action] of Object.entries(AUTOMATIC_TRANSITIONS) as [DeadlineName, AutomaticAction][]) {
    const due = claim.deadlines[name];
    if (due) add(due, { type: 'transition', action });
  }
  const sent = new Set(claim.remindersSent ?? []);
  for (const kind of REMINDER_KINDS) {
    const due = reminderDeadline(claim, kind);
    if (!due) continue;
    const key = reminderKey(kind, due);
    if (!sent.has(key)) add(reminderDueAt(calendar, kind, due), { type: 'reminder', reminder: kind, key });
  }
  return timers;
}
