import { TZDate, tzOffset } from '@date-fns/tz';

/**
 * Business-day arithmetic in the configured time zone. A deadline "n days after" an instant is the
 * end of the n-th counted day after the local date of that instant: the local midnight that closes
 * it. Business days skip Saturdays, Sundays and configured holidays; calendar days skip nothing.
 */
export interface BusinessCalendarConfig {
  timeZone: string;
  /** Local dates, YYYY-MM-DD, that are not business days. */
  holidays: readonly string[];
}

export type DayCount = { amount: number; unit: 'days' | 'businessDays' };

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function isValidIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function formatLocalDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** Calendar arithmetic on a date with no time zone (UTC is only the carrier here). */
function addDays(d: LocalDate, n: number): LocalDate {
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

/** A number that orders local dates as the calendar does (20261130 for 2026-11-30). */
function dateOrder(d: LocalDate): number {
  return d.year * 10000 + d.month * 100 + d.day;
}

function weekday(d: LocalDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

export class BusinessCalendar {
  private readonly holidays: ReadonlySet<string>;

  constructor(readonly config: BusinessCalendarConfig) {
    if (!isValidTimeZone(config.timeZone)) throw new Error(`Unknown time zone ${config.timeZone}`);
    for (const h of config.holidays) if (!isValidIsoDate(h)) throw new Error(`Holiday ${h} is not a YYYY-MM-DD date`);
    this.holidays = new Set(config.holidays);
  }

  get timeZone(): string {
    return this.config.timeZone;
  }

  /** The local calendar date (YYYY-MM-DD) of an instant in the calendar's time zone. */
  localDateOf(instant: Date): string {
    return formatLocalDate(this.toLocal(instant));
  }

  isBusinessDay(localDate: string): boolean {
    return this.isBusinessDate(this.parse(localDate));
  }

  /** The instant at which a local date begins (local midnight, DST-aware). */
  startOfLocalDate(localDate: string): Date {
    const d = this.parse(localDate);
    return new Date(new TZDate(d.year, d.month - 1, d.day, 0, 0, 0, 0, this.config.timeZone).getTime());
  }

  /** The end (exclusive) of the n-th counted day after the local date of `from`. */
  deadlineAfter(from: Date, count: DayCount): Date {
    if (!Number.isInteger(count.amount) || count.amount < 0) throw new Error(`Bad day count ${count.amount}`);
    let day = this.toLocal(from);
    let counted = 0;
    while (counted < count.amount) {
      day = addDays(day, 1);
      if (this.counts(day, count.unit)) counted += 1;
    }
    return this.startOfLocalDate(formatLocalDate(addDays(day, 1)));
  }

  /**
   * The instant `count` counted days before a deadline produced by `deadlineAfter`: used for
   * reminders ("2 business days before"). It is the end of the n-th counted day before the deadline's last day.
   */
  before(deadline: Date, count: DayCount): Date {
    // The deadline is a local midnight; the day it closes is the day before it.
    let day = addDays(this.toLocal(deadline), -1);
    let counted = 0;
    while (counted < count.amount) {
      day = addDays(day, -1);
      if (this.counts(day, count.unit)) counted += 1;
    }
    return this.startOfLocalDate(formatLocalDate(addDays(day, 1)));
  }

  /**
   * Counted days from `now` until `deadline`, including today when today counts: "business days
   * left" on a card. 0 when the deadline has passed.
   */
  daysLeft(now: Date, deadline: Date, unit: DayCount['unit']): number {
    if (deadline.getTime() <= now.getTime()) return 0;
    let day = this.toLocal(now);
    const last = dateOrder(addDays(this.toLocal(deadline), -1));
    let left = 0;
    for (;;) {
      if (this.counts(day, unit)) left += 1;
      if (dateOrder(day) >= last) return left;
      day = addDays(day, 1);
    }
  }

  /** Whether a local date counts in a day count of this unit (lists and cards ask this for every day left, so no string parsing here). */
  private counts(d: LocalDate, unit: DayCount['unit']): boolean {
    return unit === 'days' || this.isBusinessDate(d);
  }

  private isBusinessDate(d: LocalDate): boolean {
    const wd = weekday(d);
    return wd !== 0 && wd !== 6 && !this.holidays.has(formatLocalDate(d));
  }

  private toLocal(instant: Date): LocalDate {
    // The zone's wall clock at that instant: the instant moved by the zone's offset then, read as UTC
    // (one offset lookup; a TZDate would make several, and cards ask this for every deadline they show).
    const local = new Date(instant.getTime() + tzOffset(this.config.timeZone, instant) * 60_000);
    return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
  }

  private parse(localDate: string): LocalDate {
    const m = ISO_DATE.exec(localDate);
    if (!m || !isValidIsoDate(localDate)) throw new Error(`Not a YYYY-MM-DD date: ${localDate}`);
    return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  }
}
