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
