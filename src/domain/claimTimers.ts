import type { BusinessCalendar, DayCount } from './businessCalendar';
import type { Claim, ClaimDeadlines, SubscriptionEnd } from './claim';
import type { ClaimHistoryEvent } from './claimHistory';
import { runningDeadline, type TimeContext } from './deadlinePolicy';

/**
 * Every timer a claim needs, derived from its deadlines: the automatic transitions of docs/claim-rules.md and
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

/**
 * The deadline an automatic transition applied (its end, as the claim had it), from the transition's
 * history event: what a person is shown as "when", rather than when a sweep got to it.
 */
export function deadlineApplied(event: Pick<ClaimHistoryEvent, 'action' | 'changes'>): string | undefined {
  const name = (Object.keys(AUTOMATIC_TRANSITIONS) as DeadlineName[]).find((n) => AUTOMATIC_TRANSITIONS[n] === event.action);
  const before = name ? event.changes.find((c) => c.field === `deadlines.${name}`)?.before : undefined;
  return typeof before === 'string' ? before : undefined;
}

export type ReminderAudience = 'partners' | 'reviewers';

/**
 * What a reminder is about: a running deadline of the claim, or the end of a subscription an approved
 * claim holds (`subscriptionEnds`, the nearest one not reminded yet).
 */
export type ReminderSubjectName = DeadlineName | 'subscriptionEnds';

export interface ReminderRule {
  deadline: ReminderSubjectName;
  /** How long before the deadline; zero means when it passes. */
  before: DayCount;
  audience: ReminderAudience;
}

/** The reminders of docs/deadlines.md, each sent once per deadline. */
export const REMINDER_RULES = {
  partnerResponse2bd: { deadline: 'partnerResponse', before: { amount: 2, unit: 'businessDays' }, audience: 'partners' },
  partnerResponse1bd: { deadline: 'partnerResponse', before: { amount: 1, unit: 'businessDays' }, audience: 'partners' },
  disputeWindow7d: { deadline: 'disputeWindowEnds', before: { amount: 7, unit: 'days' }, audience: 'partners' },
  disputeWindow1d: { deadline: 'disputeWindowEnds', before: { amount: 1, unit: 'days' }, audience: 'partners' },
  reviewStartPassed: { deadline: 'reviewStart', before: { amount: 0, unit: 'days' }, audience: 'reviewers' },
  reviewDecision1bd: { deadline: 'reviewDecision', before: { amount: 1, unit: 'businessDays' }, audience: 'reviewers' },
  decisionTarget2bd: { deadline: 'decisionTarget', before: { amount: 2, unit: 'businessDays' }, audience: 'reviewers' },
  decisionTargetPassed: { deadline: 'decisionTarget', before: { amount: 0, unit: 'days' }, audience: 'reviewers' },
  subscriptionEnds30d: { deadline: 'subscriptionEnds', before: { amount: 30, unit: 'days' }, audience: 'partners' },
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

/** What of a claim the reminders read. */
export type ReminderSubject = Pick<Claim, 'deadlines'> & Partial<Pick<Claim, 'status' | 'subscriptionEnds' | 'remindersSent'>>;

/** The running deadline a reminder is about, if the claim has it (a reminder of an unknown kind has none). */
export function reminderDeadline(claim: ReminderSubject, kind: string): string | undefined {
  const rule = (REMINDER_RULES as Record<string, ReminderRule>)[kind];
  if (!rule) return undefined;
  return rule.deadline === 'subscriptionEnds' ? nextSubscriptionEnd(claim, kind) : claim.deadlines[rule.deadline];
}

/**
 * The nearest end of a held subscription not reminded of yet, while the claim is approved (an ended
 * association has nothing to renew). One after the other, so each end date is reminded once.
 */
function nextSubscriptionEnd(claim: ReminderSubject, kind: string): string | undefined {
  if (claim.status !== 'Approved') return undefined;
  const sent = new Set(claim.remindersSent ?? []);
  return (claim.subscriptionEnds ?? [])
    .map((s) => s.endsAt)
    .sort()
    .find((end) => !sent.has(reminderKey(kind as ReminderKind, end)));
}

/**
 * The held subscriptions whose end reminder is due at `at` (30 days before, or later) and that have
 * not ended by then: what the reminder card names, and what a renewal claim leaves out.
 */
export function subscriptionsEnding(calendar: BusinessCalendar, claim: Pick<Claim, 'subscriptionEnds'>, at: Date): SubscriptionEnd[] {
  return (claim.subscriptionEnds ?? []).filter((s) => {
    const due = Date.parse(reminderDueAt(calendar, 'subscriptionEnds30d', s.endsAt));
    return due <= at.getTime() && at.getTime() < Date.parse(s.endsAt);
  });
}

/**
 * The reminder keys a reminder sent now records: its own, the earlier ones of the same deadline it
 * makes pointless, and for subscription ends every other end whose reminder is due too (one card names them all).
 */
export function reminderKeysSent(calendar: BusinessCalendar, claim: ReminderSubject, kind: ReminderKind, due: string, now: Date): string[] {
  const keys = [kind, ...remindersItSupersedes(kind)].map((k) => reminderKey(k, due));
  if (REMINDER_RULES[kind].deadline !== 'subscriptionEnds') return keys;
  return [...new Set([...keys, ...subscriptionsEnding(calendar, claim, now).map((s) => reminderKey(kind, s.endsAt))])];
}

/**
 * When a reminder goes out for a deadline (docs/deadlines.md, "Reminders"): "n days before" falls
 * due at the start of the day on which n counted days are left, "when it passes" at the deadline, and
 * either waits for business hours (the next opening). A "before" reminder never goes after its
 * deadline: when the next opening is too late (a window ending on a weekend), it goes at the last
 * opening before the deadline instead.
 */
export function reminderDueAt(calendar: BusinessCalendar, kind: ReminderKind, deadline: string): string {
  const rule: ReminderRule = REMINDER_RULES[kind];
  const end = new Date(deadline);
  if (rule.before.amount === 0) return calendar.nextOpening(end).toISOString();
  const fallsDue = calendar.reminderDay(end, rule.before);
  const opening = calendar.nextOpening(fallsDue);
  if (opening.getTime() < end.getTime()) return opening.toISOString();
  return (calendar.lastOpeningBefore(end) ?? fallsDue).toISOString();
}

/**
 * The reminders of the same deadline that a reminder makes pointless once it is due: the earlier
 * ones ("2 business days before" when "1 business day before" is due too, after an outage). Sending
 * the nearer one alone, with the days really left, says everything.
 */
export function remindersItSupersedes(kind: ReminderKind): ReminderKind[] {
  const rule: ReminderRule = REMINDER_RULES[kind];
  if (rule.before.amount === 0) return [];
  return REMINDER_KINDS.filter((other) => {
    const o: ReminderRule = REMINDER_RULES[other];
    return other !== kind && o.deadline === rule.deadline && o.before.amount > rule.before.amount && o.before.unit === rule.before.unit;
  });
}

/** A later reminder of the same deadline that is due at `now` too: then this one is not sent (that one says the days left). */
export function supersedingReminder(calendar: BusinessCalendar, claim: ReminderSubject, kind: ReminderKind, now: Date): ReminderKind | undefined {
  return REMINDER_KINDS.find((later) => {
    if (!remindersItSupersedes(later).includes(kind)) return false;
    const due = reminderDeadline(claim, later);
    return due !== undefined && now.getTime() >= Date.parse(reminderDueAt(calendar, later, due)) && now.getTime() < Date.parse(due);
  });
}

/** What a reminder can say when it is sent: the days really left to its deadline, and whether that is what its own sentence says. */
export interface ReminderTiming {
  deadline: ReminderSubjectName;
  due: string;
  unit: DayCount['unit'];
  daysLeft: number;
  /** Its own sentence ("Two business days left...") is true now; false for one sent late or moved to business hours. */
  onTime: boolean;
}

export function reminderTiming(ctx: TimeContext, claim: ReminderSubject, kind: string): ReminderTiming | undefined {
  const rule = (REMINDER_RULES as Record<string, ReminderRule>)[kind];
  const due = reminderDeadline(claim, kind);
  if (!rule || !due) return undefined;
  const left =
    rule.deadline === 'subscriptionEnds'
      ? { unit: 'days' as const, daysLeft: ctx.calendar.daysLeft(ctx.now, new Date(due), 'days') }
      : runningDeadline(ctx, rule.deadline, due);
  // "When it passes" reminders say the date it passed, true whenever they are sent.
  const onTime = rule.before.amount === 0 || left.daysLeft === rule.before.amount;
  return { deadline: rule.deadline, due, unit: left.unit, daysLeft: left.daysLeft, onTime };
}

/**
 * When a timer that fired too early (its action said "not due yet") is tried again: a reminder
 * outside business hours at the next opening, anything else a minute later (clocks differ a little
 * between instances).
 */
export function retryAt(calendar: BusinessCalendar, purpose: TimerPurpose, now: Date): Date {
  const soon = new Date(now.getTime() + 60_000);
  if (purpose.type !== 'reminder') return soon;
  const opening = calendar.nextOpening(now);
  return opening.getTime() > soon.getTime() ? opening : soon;
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

/** Whether two sets of timers are the same (ids and due times, in any order): a change that keeps them moves none. */
export function sameTimers(a: ClaimTimer[], b: ClaimTimer[]): boolean {
  const signature = (timers: ClaimTimer[]) =>
    timers
      .map((t) => `${t.id}=${t.dueAt}`)
      .sort()
      .join(',');
  return signature(a) === signature(b);
}
