import type { DayCount } from './businessCalendar';
import { BusinessCalendar } from './businessCalendar';
import type { ClaimDeadlines, PausedClock } from './claim';

/** The deadlines of docs/deadlines.md; only the consent period is configurable (7 days by default, 5 business days on the older page). */
export interface DeadlinePolicy {
  reviewStart: DayCount;
  reviewDecision: DayCount;
  partnerResponse: DayCount;
  consentPeriod: DayCount;
  disputeWindow: DayCount;
  disputeReview: DayCount;
  /** The "decision within 10 days" (docs/deadlines.md): from submission, not counting days in Partner action required. */
  decisionTarget: DayCount;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  reviewStart: { amount: 5, unit: 'businessDays' },
  reviewDecision: { amount: 5, unit: 'businessDays' },
  partnerResponse: { amount: 5, unit: 'businessDays' },
  consentPeriod: { amount: 7, unit: 'days' },
  disputeWindow: { amount: 30, unit: 'days' },
  disputeReview: { amount: 5, unit: 'businessDays' },
  decisionTarget: { amount: 10, unit: 'days' },
};

/** "7d" or "5bd" as in configuration. */
export function parseDayCount(text: string): DayCount | undefined {
  const m = /^\s*(\d{1,3})\s*(d|bd)\s*$/i.exec(text);
  if (!m) return undefined;
  const amount = Number(m[1]);
  if (amount < 1) return undefined;
  return { amount, unit: m[2].toLowerCase() === 'bd' ? 'businessDays' : 'days' };
}

/** The time context every lifecycle decision needs: now, the calendar, the policy. */
export interface TimeContext {
  now: Date;
  calendar: BusinessCalendar;
  policy: DeadlinePolicy;
}

export function deadline(ctx: TimeContext, count: DayCount, from: Date = ctx.now): string {
  return ctx.calendar.deadlineAfter(from, count).toISOString();
}

/** The earliest running deadline, or null when no clock runs (Editing, final, eligibility sent...). */
export function nextDueAt(deadlines: ClaimDeadlines): string | null {
  const all = Object.values(deadlines).filter((d): d is string => typeof d === 'string');
  return all.length ? all.sort()[0] : null;
}

/** The deadline that runs out first, by name (undefined when no clock runs). */
export function nearestDeadline(deadlines: ClaimDeadlines): { name: keyof ClaimDeadlines; due: string } | undefined {
  const due = nextDueAt(deadlines);
  const name = due ? (Object.keys(deadlines) as (keyof ClaimDeadlines)[]).find((k) => deadlines[k] === due) : undefined;
  return name && due ? { name, due } : undefined;
}

/** Which policy entry each deadline of a claim comes from: its unit (days or business days) is the policy's. */
export const DEADLINE_SOURCES: Record<keyof ClaimDeadlines, keyof DeadlinePolicy> = {
  reviewStart: 'reviewStart',
  reviewDecision: 'reviewDecision',
  partnerResponse: 'partnerResponse',
  consentEnds: 'consentPeriod',
  disputeWindowEnds: 'disputeWindow',
  decisionTarget: 'decisionTarget',
};

/**
 * The clocks that stop while a claim waits for the partner (Partner action required) and go on at the
 * resubmission with the days they had left: the decision target (docs/deadlines.md: days in Partner action required
 * don't count) and the review SLA (a resubmission continues the review, it does not restart it).
 */
export const PAUSED_WHILE_PARTNER_ACTS = ['reviewDecision', 'decisionTarget'] as const satisfies readonly PausedClock['name'][];

/** The running clocks to stop at a request for information, with the days each has left now. */
export function pauseClocks(ctx: TimeContext, deadlines: ClaimDeadlines): PausedClock[] {
  return PAUSED_WHILE_PARTNER_ACTS.flatMap((name) => {
    const due = deadlines[name];
    if (!due) return [];
    const left = runningDeadline(ctx, name, due);
    return [{ name, due, daysLeft: left.daysLeft, passed: left.passed }];
  });
}

/**
 * The stopped clocks going on at a resubmission: each ends after the days it had left, counted from
 * today (0 left: the end of today); one that had passed stays passed, at its old deadline.
 */
export function resumeClocks(ctx: TimeContext, paused: readonly PausedClock[]): ClaimDeadlines {
  return Object.fromEntries(
    paused.map((clock) => [
      clock.name,
      clock.passed ? clock.due : deadline(ctx, { amount: clock.daysLeft, unit: ctx.policy[DEADLINE_SOURCES[clock.name]].unit }),
    ]),
  );
}

/** What orders the reviewers' queue: the decision target where it runs, else a dispute's answer or the start target. */
export function reviewQueueDueAt(deadlines: ClaimDeadlines): string | null {
  return deadlines.decisionTarget ?? deadlines.reviewDecision ?? deadlines.reviewStart ?? null;
}

export interface RunningDeadline {
  name: keyof ClaimDeadlines;
  /** The ISO instant the deadline ends (a local midnight). */
  due: string;
  unit: DayCount['unit'];
  /** Counted days left in the deadline's own unit, today included; 0 once it has passed. */
  daysLeft: number;
  passed: boolean;
}

/** One running deadline with the days left to it, counted by the calendar in its own unit. */
export function runningDeadline(ctx: TimeContext, name: keyof ClaimDeadlines, due: string): RunningDeadline {
  const unit = ctx.policy[DEADLINE_SOURCES[name]].unit;
  const passed = Date.parse(due) <= ctx.now.getTime();
  return { name, due, unit, daysLeft: ctx.calendar.daysLeft(ctx.now, new Date(due), unit), passed };
}

/** Every running deadline of a claim, nearest first. */
export function runningDeadlines(ctx: TimeContext, deadlines: ClaimDeadlines): RunningDeadline[] {
  return (Object.entries(deadlines) as [keyof ClaimDeadlines, string | undefined][])
    .filter((entry): entry is [keyof ClaimDeadlines, string] => typeof entry[1] === 'string')
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([name, due]) => runningDeadline(ctx, name, due));
}
