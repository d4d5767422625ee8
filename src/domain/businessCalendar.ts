import { tzOffset } from '@date-fns/tz';

/**
 * Business-day arithmetic in the configured time zone. A deadline "n days after" an instant is the
 * end of the n-th counted day after the local date of that instant: the local midnight that closes
 * it. Business days skip Saturdays, Sundays and configured holidays; calendar days skip nothing.
 * Business hours (local wall clock, the same on every business day) say when people are nudged.
 */
export interface BusinessCalendarConfig {
  timeZone: string;
  /** Local dates, YYYY-MM-DD, that are not business days. */
  holidays: readonly string[];
  /** When reminders go out on a business day; 09:00-17:00 when not given. */
  businessHours?: BusinessHours;
}

/** Local wall-clock minutes after midnight: [start, end). */
export interface BusinessHours {
  start: number;
  end: number;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { start: 9 * 60, end: 17 * 60 };

/** "09:00-17:00" (24-hour clock, start before end, "24:00" allowed as an end); undefined when malformed. */
export function parseBusinessHours(text: string): BusinessHours | undefined {
  const m = /^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$/.exec(text);
  if (!m) return undefined;
  const [sh, sm, eh, em] = m.slice(1).map(Number);
  if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh === 24 && em > 0)) return undefined;
  const hours = { start: sh * 60 + sm, end: eh * 60 + em };
  return hours.start < hours.end ? hours : undefined;
}

/** "09:00-17:00", as configured. */
export function businessHoursText(hours: BusinessHours): string {
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${hhmm(hours.start)}-${hhmm(hours.end)}`;
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

/** How far the calendar looks for a business day (holidays alone must not make it loop forever). */
const MAX_DAYS_SEARCHED = 400;

const DAY_MS = 24 * 60 * 60 * 1000;
const QUARTER_HOUR_MS = 15 * 60 * 1000;

/** Days since 1970-01-01 of a local date (consecutive dates are consecutive numbers). */
function dayNumber(d: LocalDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
}

/** The weekday of a day number (0 Sunday ... 6 Saturday; 1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export class BusinessCalendar {
  /** The same holidays as day numbers (dayNumber), which the business-day rule reads. */
  private readonly holidayDays: ReadonlySet<number>;
  /** The zone's offset (minutes) by quarter hour of UTC time (see wallClock). */
  private readonly offsets = new Map<number, number>();
  readonly businessHours: BusinessHours;

  constructor(readonly config: BusinessCalendarConfig) {
    if (!isValidTimeZone(config.timeZone)) throw new Error(`Unknown time zone ${config.timeZone}`);
    for (const h of config.holidays) if (!isValidIsoDate(h)) throw new Error(`Holiday ${h} is not a YYYY-MM-DD date`);
    this.holidayDays = new Set(config.holidays.map((h) => dayNumber(this.parse(h))));
    this.businessHours = config.businessHours ?? DEFAULT_BUSINESS_HOURS;
    const { start, end } = this.businessHours;
    if (!(start >= 0 && start < end && end <= 24 * 60)) throw new Error('Business hours must start before they end, within one day');
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
    return this.instantOfWallClock(this.parse(localDate), 0);
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
   * The start (local midnight) of the day on which `count` counted days are left before a deadline
   * produced by `deadlineAfter`: the n-th counted day before the deadline's last day. A reminder
   * "2 business days before" falls due then, when "2 business days left" is true all day.
   */
  reminderDay(deadline: Date, count: DayCount): Date {
    // The deadline is a local midnight; the day it closes is the day before it.
    let day = addDays(this.toLocal(deadline), -1);
    let counted = 0;
    while (counted < count.amount) {
      day = addDays(day, -1);
      if (this.counts(day, count.unit)) counted += 1;
    }
    return this.startOfLocalDate(formatLocalDate(day));
  }

  /**
   * Days left to a deadline (docs/deadlines.md, "Days left"): whole counted days after today up to and including the
   * deadline's last day. Submitted on a Monday with 5 business days to the next Monday: 5. On the
   * last day itself: 0 (it ends today), and 0 once it has passed.
   */
  daysLeft(now: Date, deadline: Date, unit: DayCount['unit']): number {
    if (deadline.getTime() <= now.getTime()) return 0;
    // Lists and cards ask this for every running deadline they show: the days after today up to the
    // deadline's last day are counted as day numbers, no date objects.
    const today = dayNumber(this.toLocal(now));
    const last = dayNumber(this.toLocal(deadline)) - 1;
    if (unit === 'days') return Math.max(0, last - today);
    let left = 0;
    for (let day = today + 1; day <= last; day++) if (this.isBusinessDayNumber(day)) left += 1;
    return left;
  }

  /** Whether an instant is within business hours on a business day, in the calendar's zone. */
  isBusinessTime(instant: Date): boolean {
    const { date, minutes } = this.wallClock(instant);
    return this.isBusinessDate(date) && minutes >= this.businessHours.start && minutes < this.businessHours.end;
  }

  /** The instant itself when it is business time, else the next opening (business hours' start on the next business day). */
  nextOpening(instant: Date): Date {
    if (this.isBusinessTime(instant)) return instant;
    const { date, minutes } = this.wallClock(instant);
    let day = minutes < this.businessHours.start ? date : addDays(date, 1);
    for (let i = 0; i < MAX_DAYS_SEARCHED && !this.isBusinessDate(day); i++) day = addDays(day, 1);
    return this.openingOf(day);
  }

  /** The last opening strictly before an instant (undefined if there is none within about a year). */
  lastOpeningBefore(instant: Date): Date | undefined {
    let day = this.toLocal(instant);
    for (let i = 0; i < MAX_DAYS_SEARCHED; i++, day = addDays(day, -1)) {
      if (!this.isBusinessDate(day)) continue;
      const opening = this.openingOf(day);
      if (opening.getTime() < instant.getTime()) return opening;
    }
    return undefined;
  }

  /** Business hours' start on a local date (DST-aware: the wall clock shows the configured time). */
  private openingOf(d: LocalDate): Date {
    return this.instantOfWallClock(d, this.businessHours.start);
  }

  /**
   * The instant a wall clock in the zone shows `minutes` past midnight of a local date, from the kept offsets
   * (a TZDate makes several uncached lookups, and every deadline is a local midnight). Where the clocks go back
   * and the time shows twice, the first; where they jump over it, the moment they jump (the offset before it).
   * These are the instants TZDate gives: test/domain/businessCalendar.test.ts compares them in every kind of zone.
   */
  private instantOfWallClock(d: LocalDate, minutes: number): Date {
    const wall = Date.UTC(d.year, d.month - 1, d.day, 0, minutes);
    const guess = this.offsetAt(new Date(wall));
    const offset = this.offsetAt(new Date(wall - guess * 60_000));
    const at = new Date(wall - offset * 60_000);
    if (offset === guess || this.offsetAt(at) === offset) return at;
    return new Date(wall - Math.min(guess, offset) * 60_000);
  }

  /** Whether a local date counts in a day count of this unit (lists and cards ask this for every day left, so no string parsing here). */
  private counts(d: LocalDate, unit: DayCount['unit']): boolean {
    return unit === 'days' || this.isBusinessDate(d);
  }

  private isBusinessDate(d: LocalDate): boolean {
    return this.isBusinessDayNumber(dayNumber(d));
  }

  /** The one weekend rule: Saturday and Sunday, and the holidays, are no business days. */
  private isBusinessDayNumber(day: number): boolean {
    const wd = weekdayOf(day);
    return wd !== 0 && wd !== 6 && !this.holidayDays.has(day);
  }

  private toLocal(instant: Date): LocalDate {
    return this.wallClock(instant).date;
  }

  private wallClock(instant: Date): { date: LocalDate; minutes: number } {
    // The zone's wall clock at that instant: the instant moved by the zone's offset then, read as UTC
    // (one offset lookup; a TZDate would make several, and cards ask this for every deadline they show).
    const local = new Date(instant.getTime() + this.offsetAt(instant) * 60_000);
    return {
      date: { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() },
      minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
    };
  }

  /**
   * The zone's UTC offset at an instant, looked up once per quarter hour of UTC time: offsets are whole
   * quarter hours and zones change them on a quarter hour (a local whole or half hour), so every instant
   * of a quarter hour has the offset of its start. (Only local mean times before standard time, in the
   * 19th and early 20th century, changed elsewhere: no claim is dated then.) Bounded, as instants come from data.
   */
  private offsetAt(instant: Date): number {
    const quarter = Math.floor(instant.getTime() / QUARTER_HOUR_MS);
    let offset = this.offsets.get(quarter);
    if (offset === undefined) {
      if (this.offsets.size >= 10_000) this.offsets.clear();
      offset = tzOffset(this.config.timeZone, new Date(quarter * QUARTER_HOUR_MS));
      this.offsets.set(quarter, offset);
    }
    return offset;
  }

  private parse(localDate: string): LocalDate {
    const m = ISO_DATE.exec(localDate);
    if (!m || !isValidIsoDate(localDate)) throw new Error(`Not a YYYY-MM-DD date: ${localDate}`);
    return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  }
}
