/**
 * Dates as proofs of execution write them, in English and Chinese: `2026-03-01`, `2026/3/1`,
 * `1 March 2026`, `March 1, 2026`, `01/03/2026` (day or month first by the writer's locale, unless
 * one part is over 12), `2026年3月1日` (also with full-width or Chinese numerals). Each date found
 * keeps the words as written, so a checklist can quote them.
 */

export interface FoundDate {
  /** YYYY-MM-DD. */
  iso: string;
  /** The words as written in the text. */
  quote: string;
  index: number;
  /** For an all-numeric date whose day and month could swap (01/03/2026): the other reading. */
  alternative?: string;
}

/** How an all-numeric date with a day and month of 12 or less is read: en-US writes the month first. */
export type NumericDateOrder = 'mdy' | 'dmy';

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const YEAR = '(\\d{4})';
const SP = '[\\s\\u00a0]*';

const CHINESE_DIGITS: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN = '[〇零一二三四五六七八九十]';

/** Chinese numerals as dates use them: digit by digit for the year (二〇二六), with 十 for day and month (二十一). */
function chineseNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (!text.includes('十')) return Number([...text].map((c) => CHINESE_DIGITS[c] ?? '').join(''));
  const [tens, units] = text.split('十');
  return (tens ? (CHINESE_DIGITS[tens] ?? 0) : 1) * 10 + (units ? (CHINESE_DIGITS[units] ?? 0) : 0);
}

type Parts = [year: number, month: number, day: number];

interface Rule {
  regex: RegExp;
  parts: (m: RegExpMatchArray, order: NumericDateOrder) => Parts | undefined;
  /** The other reading of an ambiguous date, if any. */
  alternative?: (m: RegExpMatchArray, order: NumericDateOrder) => Parts | undefined;
}

const RULES: Rule[] = [
  // 2026年3月1日, 2026 年 03 月 01 日, 二〇二六年三月一日 (号 for 日 in speech-like text).
  {
    regex: new RegExp(`(\\d{4}|${CN}{4})${SP}年${SP}(\\d{1,2}|${CN}{1,3})${SP}月${SP}(\\d{1,2}|${CN}{1,3})${SP}[日号]`, 'g'),
    parts: (m) => [chineseNumber(m[1]), chineseNumber(m[2]), chineseNumber(m[3])],
  },
  // 2026-03-01, 2026/3/1, 2026.03.01 (year first is never ambiguous), also the date part of an ISO instant.
  { regex: /(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)/g, parts: (m) => [Number(m[1]), Number(m[3]), Number(m[4])] },
  // 1 March 2026, 1st Mar. 2026, 01-Mar-2026
  {
    regex: new RegExp(`(?<![\\p{L}\\d])${DAY}(?:${SP}|-)${MONTH}(?:,?${SP}|-)${YEAR}(?!\\d)`, 'giu'),
    parts: (m) => [Number(m[3]), MONTHS[m[2].toLowerCase()], Number(m[1])],
  },
  // March 1, 2026; Mar 1st 2026
  {
    regex: new RegExp(`(?<![\\p{L}\\d])${MONTH}${SP}${DAY},?${SP}${YEAR}(?!\\d)`, 'giu'),
    parts: (m) => [Number(m[3]), MONTHS[m[1].toLowerCase()], Number(m[2])],
  },
  // 01/03/2026, 1.3.2026, 01-03-2026: by locale unless one part is over 12.
  {
    regex: /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?!\d)/g,
    parts: (m, order) => {
      const [a, b, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
      if (a > 12 && b <= 12) return [year, b, a];
      if (b > 12 && a <= 12) return [year, a, b];
      return order === 'mdy' ? [year, a, b] : [year, b, a];
    },
    alternative: (m, order) => {
      const [a, b, year] = [Number(m[1]), Number(m[3]), Number(m[4])];
      if (a > 12 || b > 12 || a === b) return undefined;
      return order === 'mdy' ? [year, b, a] : [year, a, b];
    },
  },
];

const pad = (n: number) => String(n).padStart(2, '0');
const isoOf = (parts: Parts) => `${parts[0]}-${pad(parts[1])}-${pad(parts[2])}`;

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1990 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Every valid date in `text`, in the order written; a span read by one rule is not read again by another. */
export function findDates(text: string, order: NumericDateOrder = 'dmy'): FoundDate[] {
  // Full-width digits and separators (２０２６／０３／０１) read as their ASCII forms; lengths stay the same.
  const normal = text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  const found: FoundDate[] = [];
  const taken: [number, number][] = [];
  for (const rule of RULES) {
    for (const m of normal.matchAll(rule.regex)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      const parts = rule.parts(m, order);
      if (!parts || !validDate(...parts)) continue;
      taken.push([start, end]);
      const other = rule.alternative?.(m, order);
      found.push({ iso: isoOf(parts), quote: text.slice(start, end), index: start, ...(other && validDate(...other) ? { alternative: isoOf(other) } : {}) });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The locale's reading of an ambiguous numeric date: month first for en-US, day first elsewhere. */
export function numericDateOrder(locale: string | undefined): NumericDateOrder {
  return locale?.toLowerCase() === 'en-us' ? 'mdy' : 'dmy';
}

/** The same calendar day `months` months earlier (clamped to the month's end: 31 March - 1 month = 28/29 February). */
export function monthsBefore(isoDay: string, months: number): string {
  const [year, month, day] = isoDay.split('-').map(Number);
  const total = year * 12 + (month - 1) - months;
  const y = Math.floor(total / 12);
  const mo = (total % 12) + 1;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return `${y}-${pad(mo)}-${pad(Math.min(day, last))}`;
}
