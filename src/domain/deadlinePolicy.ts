import type { DayCount } from './businessCalendar';
import { BusinessCalendar } from './businessCalendar';
import type { ClaimDeadlines } from './claim';

/** SPEC's deadlines; only the consent period is configurable (7 days by default, 5 business days on the older page). */
export interface DeadlinePolicy {
  reviewStart: DayCount;
  reviewDecision: DayCount;
  partnerResponse: DayCount;
  consentPeriod: DayCount;
  disputeWindow: DayCount;
  disputeReview: DayCount;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  reviewStart: { amount: 5, unit: 'businessDays' },
  reviewDecision: { amount: 5, unit: 'businessDays' },
  partnerResponse: { amount: 5, unit: 'businessDays' },
  consentPeriod: { amount: 7, unit: 'days' },
  disputeWindow: { amount: 30, unit: 'days' },
  disputeReview: { amount: 5, unit: 'businessDays' },
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
};

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
