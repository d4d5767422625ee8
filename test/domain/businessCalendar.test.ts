import { TZDate } from '@date-fns/tz';
import { BusinessCalendar, parseBusinessHours } from '../../src/domain/businessCalendar';

const bd = (amount: number) => ({ amount, unit: 'businessDays' as const });
const days = (amount: number) => ({ amount, unit: 'days' as const });

describe('business calendar', () => {
  const utc = new BusinessCalendar({ timeZone: 'UTC', holidays: [] });

  test('5 business days from a Monday end with the next Monday', () => {
    expect(utc.deadlineAfter(new Date('2026-11-02T10:00:00Z'), bd(5)).toISOString()).toBe('2026-11-10T00:00:00.000Z');
  });

  test('weekends are skipped, whether the clock starts on a Friday or on a Saturday', () => {
    expect(utc.deadlineAfter(new Date('2026-11-06T16:00:00Z'), bd(1)).toISOString()).toBe('2026-11-10T00:00:00.000Z'); // Fri -> end of Mon
    expect(utc.deadlineAfter(new Date('2026-11-07T09:00:00Z'), bd(5)).toISOString()).toBe('2026-11-14T00:00:00.000Z'); // Sat -> end of Fri
  });

  test('configured holidays are skipped', () => {
    const withHolidays = new BusinessCalendar({ timeZone: 'UTC', holidays: ['2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01'] });
    // Wed 23 Dec + 5 bd: 28, 29, 30 Dec, 4, 5 Jan -> end of Tue 5 Jan 2027.
    expect(withHolidays.deadlineAfter(new Date('2026-12-23T12:00:00Z'), bd(5)).toISOString()).toBe('2027-01-06T00:00:00.000Z');
    expect(withHolidays.isBusinessDay('2026-12-25')).toBe(false);
    expect(withHolidays.isBusinessDay('2026-12-28')).toBe(true);
  });

  test('month and year ends roll over', () => {
    expect(utc.deadlineAfter(new Date('2026-01-29T12:00:00Z'), bd(3)).toISOString()).toBe('2026-02-04T00:00:00.000Z'); // Thu 29 Jan -> Wed 3 Feb
    expect(utc.deadlineAfter(new Date('2028-02-28T12:00:00Z'), days(1)).toISOString()).toBe('2028-03-01T00:00:00.000Z'); // leap year: end of 29 Feb
    expect(utc.deadlineAfter(new Date('2026-12-02T12:00:00Z'), days(30)).toISOString()).toBe('2027-01-02T00:00:00.000Z');
  });

  test('the local date decides, not the UTC date: late evening in Los Angeles is the same local day', () => {
    const la = new BusinessCalendar({ timeZone: 'America/Los_Angeles', holidays: [] });
    const fridayEvening = new Date('2026-11-07T05:30:00Z'); // Fri 6 Nov 21:30 in LA, already Saturday in UTC
    expect(la.localDateOf(fridayEvening)).toBe('2026-11-06');
    expect(la.deadlineAfter(fridayEvening, bd(1)).toISOString()).toBe('2026-11-10T08:00:00.000Z'); // end of Mon 9 Nov, PST
  });

  test('the deadline is local midnight across a daylight saving change', () => {
    const berlin = new BusinessCalendar({ timeZone: 'Europe/Berlin', holidays: [] });
    // Thu 22 Oct 2026 + 5 bd = end of Thu 29 Oct; clocks went back on Sun 25 Oct (CEST -> CET).
    expect(berlin.deadlineAfter(new Date('2026-10-22T08:00:00Z'), bd(5)).toISOString()).toBe('2026-10-29T23:00:00.000Z');
    // Across the spring change: Fri 27 Mar 2026 + 2 bd = end of Tue 31 Mar, CEST.
    expect(berlin.deadlineAfter(new Date('2026-03-27T08:00:00Z'), bd(2)).toISOString()).toBe('2026-03-31T22:00:00.000Z');
  });

  test("a holiday counts only in the calendar's own zone", () => {
    const tokyo = new BusinessCalendar({ timeZone: 'Asia/Tokyo', holidays: ['2026-11-03'] });
    // Mon 2 Nov 20:00 UTC is already Tue 3 Nov (a holiday) in Tokyo: counting starts on Wed 4 Nov.
    expect(tokyo.deadlineAfter(new Date('2026-11-02T20:00:00Z'), bd(1)).toISOString()).toBe('2026-11-04T15:00:00.000Z');
  });

  test('a reminder day is the day on which that many counted days are left', () => {
    const deadline = utc.deadlineAfter(new Date('2026-11-02T10:00:00Z'), bd(5)); // end of Mon 9 Nov
    expect(utc.reminderDay(deadline, bd(2)).toISOString()).toBe('2026-11-05T00:00:00.000Z'); // Thu 5 Nov: Fri and Mon left
    expect(utc.reminderDay(deadline, bd(1)).toISOString()).toBe('2026-11-06T00:00:00.000Z'); // Fri 6 Nov: Mon left
    expect(utc.reminderDay(utc.deadlineAfter(new Date('2026-11-02T10:00:00Z'), days(30)), days(7)).toISOString()).toBe('2026-11-25T00:00:00.000Z');
  });

  // docs/deadlines.md, "Days left": whole days after today up to and including the deadline day.
  test.each([
    ['submitted on a Monday, 5 business days to the next Monday', '2026-11-02T10:00:00Z', bd(5), '2026-11-02T10:00:00Z', 'businessDays', 5],
    ['a 7-day consent period on approval day', '2026-11-04T15:00:00Z', days(7), '2026-11-04T15:00:00Z', 'days', 7],
    ['Friday before the last business day (Monday)', '2026-11-02T10:00:00Z', bd(5), '2026-11-06T10:00:00Z', 'businessDays', 1],
    ['the weekend before it counts no business day', '2026-11-02T10:00:00Z', bd(5), '2026-11-08T10:00:00Z', 'businessDays', 1],
    ['the last day itself: it ends today', '2026-11-02T10:00:00Z', bd(5), '2026-11-09T23:59:00Z', 'businessDays', 0],
    ['once passed', '2026-11-02T10:00:00Z', bd(5), '2026-11-10T00:00:00Z', 'businessDays', 0],
  ] as const)('days left: %s', (_name, from, count, now, unit, expected) => {
    const deadline = utc.deadlineAfter(new Date(from), count);
    expect(utc.daysLeft(new Date(now), deadline, unit)).toBe(expected);
  });

  test('days left are the dates counted one by one, in several zones, across weekends, holidays and daylight saving changes', () => {
    const holidays = ['2026-03-30', '2026-10-26', '2026-12-24', '2026-12-25', '2027-01-01'];
    const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    for (const timeZone of ['Europe/Berlin', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const calendar = new BusinessCalendar({ timeZone, holidays });
      const wallClock = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      const wrong: string[] = [];
      // Every 29 h 13 min through 2026, each with deadlines from an hour to seven weeks later.
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1) && wrong.length < 3; t += (29 * 60 + 13) * 60_000) {
        for (const hours of [1, 20, 75, 240, 1180]) {
          const now = new Date(t),
            deadline = new Date(t + hours * 3_600_000);
          for (const unit of ['days', 'businessDays'] as const) {
            // Whole dates after today up to and including the day before the deadline's date.
            let expected = 0;
            const last = dayBefore(wallClock.format(deadline));
            for (let d = dayAfter(wallClock.format(now)); d <= last; d = dayAfter(d)) {
              const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
              if (unit === 'days' || (weekday !== 0 && weekday !== 6 && !holidays.includes(d))) expected += 1;
            }
            const got = calendar.daysLeft(now, deadline, unit);
            if (got !== expected) wrong.push(`${now.toISOString()} to ${deadline.toISOString()} in ${unit}: ${got}, counted ${expected}`);
          }
        }
      }
      expect({ timeZone, wrong }).toEqual({ timeZone, wrong: [] });
    }
  });

  describe('business hours (default 09:00-17:00 local)', () => {
    const berlin = new BusinessCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] });
    const la = new BusinessCalendar({ timeZone: 'America/Los_Angeles', holidays: [] });
    test.each([
      ['within hours: at once', berlin, '2026-11-03T10:00:00Z', '2026-11-03T10:00:00.000Z'],
      ['before opening: 09:00 the same day', berlin, '2026-11-03T05:00:00Z', '2026-11-03T08:00:00.000Z'],
      ['at closing: the next business day', berlin, '2026-11-03T16:00:00Z', '2026-11-04T08:00:00.000Z'],
      ['Friday night: Monday 09:00', berlin, '2026-11-06T22:00:00Z', '2026-11-09T08:00:00.000Z'],
      ['Saturday 00:00: Monday 09:00', berlin, '2026-11-06T23:00:00Z', '2026-11-09T08:00:00.000Z'],
      ['Christmas Eve and Day are holidays: Monday 28th', berlin, '2026-12-23T17:00:00Z', '2026-12-28T08:00:00.000Z'],
      ['Berlin, the weekend clocks go back: Monday 09:00 CET', berlin, '2026-10-24T10:00:00Z', '2026-10-26T08:00:00.000Z'],
      ['Berlin, the weekend clocks go forward: Monday 09:00 CEST', berlin, '2026-03-28T10:00:00Z', '2026-03-30T07:00:00.000Z'],
      ['Los Angeles, across the spring change: Monday 09:00 PDT', la, '2026-03-07T20:00:00Z', '2026-03-09T16:00:00.000Z'],
      ['Los Angeles, across the autumn change: Monday 09:00 PST', la, '2026-10-31T20:00:00Z', '2026-11-02T17:00:00.000Z'],
      ['Los Angeles, Friday 18:00 local (Saturday in UTC): Monday', la, '2026-11-07T02:00:00Z', '2026-11-09T17:00:00.000Z'],
    ] as const)('next opening: %s', (_name, calendar, at, expected) => {
      expect(calendar.nextOpening(new Date(at)).toISOString()).toBe(expected);
    });

    test('configured hours are used, and the last opening before an instant skips weekends and holidays', () => {
      const early = new BusinessCalendar({ timeZone: 'UTC', holidays: ['2026-11-06'], businessHours: { start: 7 * 60 + 30, end: 12 * 60 } });
      expect(early.isBusinessTime(new Date('2026-11-03T07:30:00Z'))).toBe(true);
      expect(early.isBusinessTime(new Date('2026-11-03T12:00:00Z'))).toBe(false);
      expect(early.nextOpening(new Date('2026-11-03T13:00:00Z')).toISOString()).toBe('2026-11-04T07:30:00.000Z');
      // Monday 00:00 -> back past Sunday, Saturday and the Friday holiday to Thursday 07:30.
      expect(early.lastOpeningBefore(new Date('2026-11-09T00:00:00Z'))?.toISOString()).toBe('2026-11-05T07:30:00.000Z');
    });

    test('bad business hours are refused', () => {
      expect(() => new BusinessCalendar({ timeZone: 'UTC', holidays: [], businessHours: { start: 600, end: 540 } })).toThrow(/Business hours/);
    });
  });

  test('the local date of an instant is the one a wall clock in that zone shows, around midnight and DST changes, in half-hour and 45-minute zones too', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
    // Every 37 minutes through 2026 and 2027 (both DST changes of each zone, every hour of the day).
    const start = Date.UTC(2026, 0, 1),
      end = Date.UTC(2028, 0, 1),
      step = 37 * 60_000;
    for (const timeZone of zones) {
      const calendar = new BusinessCalendar({ timeZone, holidays: [] });
      const wallClock = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      const wrong: string[] = [];
      for (let t = start; t < end && wrong.length < 3; t += step) {
        const instant = new Date(t);
        if (calendar.localDateOf(instant) !== wallClock.format(instant))
          wrong.push(`${instant.toISOString()}: ${calendar.localDateOf(instant)}, wall clock ${wallClock.format(instant)}`);
      }
      expect({ timeZone, wrong }).toEqual({ timeZone, wrong: [] });
    }
  });

  test('a local date starts, and business hours open, at the instant TZDate gives, where clocks change at midnight, by half hours, or skip a day', () => {
    // Cairo, Havana, Santiago, Beirut, the Azores and Asunción move their clocks at midnight: a day there
    // may start at 01:00, at the moment the clocks jump. Lord Howe moves them by half an hour; Samoa skipped 30 December 2011.
    const zones = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns'];
    const midnightChanges = ['Africa/Cairo', 'America/Havana', 'America/Santiago', 'Asia/Beirut', 'Atlantic/Azores', 'America/Asuncion'];
    const checked = [...zones, ...midnightChanges].map((timeZone) => ({ timeZone, from: Date.UTC(2024, 0, 1), to: Date.UTC(2028, 0, 1) }));
    checked.push({ timeZone: 'Pacific/Apia', from: Date.UTC(2011, 11, 25), to: Date.UTC(2012, 0, 5) });
    for (const { timeZone, from, to } of checked) {
      const calendar = new BusinessCalendar({ timeZone, holidays: [] });
      const wrong: string[] = [];
      for (let day = from; day < to && wrong.length < 3; day += 86_400_000) {
        const d = new Date(day);
        const [year, month, date] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
        const localDate = d.toISOString().slice(0, 10);
        const midnight = new TZDate(year, month, date, 0, 0, 0, 0, timeZone).getTime();
        if (calendar.startOfLocalDate(localDate).getTime() !== midnight)
          wrong.push(`${localDate} starts at ${calendar.startOfLocalDate(localDate).toISOString()}`);
        const opening = new TZDate(year, month, date, 9, 0, 0, 0, timeZone).getTime();
        // (A day that never was, Samoa's 30 December, has no opening of its own.)
        if (
          calendar.isBusinessDay(localDate) &&
          calendar.localDateOf(new Date(midnight)) === localDate &&
          calendar.nextOpening(new Date(midnight)).getTime() !== opening
        )
          wrong.push(`${localDate} opens at ${calendar.nextOpening(new Date(midnight)).toISOString()}`);
      }
      expect({ timeZone, wrong }).toEqual({ timeZone, wrong: [] });
    }
  });

  test.each([
    ['09:00-17:00', { start: 540, end: 1020 }],
    ['07:30-24:00', { start: 450, end: 1440 }],
    ['17:00-09:00', undefined],
    ['9-17', undefined],
    ['09:00-25:00', undefined],
    ['09:60-17:00', undefined],
  ] as const)('business hours %s', (text, expected) => {
    expect(parseBusinessHours(text)).toEqual(expected);
  });

  test('bad configuration is refused', () => {
    expect(() => new BusinessCalendar({ timeZone: 'Mars/Olympus', holidays: [] })).toThrow(/time zone/);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', holidays: ['2026-02-30'] })).toThrow(/YYYY-MM-DD/);
  });
});
