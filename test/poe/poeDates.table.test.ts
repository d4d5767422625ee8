import { findDates, monthsBefore, numericDateOrder } from '../../src/domain/poeDates';

describe('findDates: English and Chinese date formats as proofs of execution write them', () => {
  test.each([
    ['Signed 2026-03-01', 'dmy', ['2026-03-01'], ['2026-03-01']],
    ['on 2026/3/1 and 2026.03.02', 'dmy', ['2026-03-01', '2026-03-02'], ['2026/3/1', '2026.03.02']],
    ['Date: 1 March 2026', 'dmy', ['2026-03-01'], ['1 March 2026']],
    ['Date: 21st Sept. 2025', 'dmy', ['2025-09-21'], ['21st Sept. 2025']],
    ['01-Mar-2026', 'dmy', ['2026-03-01'], ['01-Mar-2026']],
    ['March 1, 2026', 'dmy', ['2026-03-01'], ['March 1, 2026']],
    ['signed Mar 3rd 2026.', 'dmy', ['2026-03-03'], ['Mar 3rd 2026']],
    ['01/03/2026 (day first outside the US)', 'dmy', ['2026-03-01'], ['01/03/2026']],
    ['01/03/2026 (month first in en-US)', 'mdy', ['2026-01-03'], ['01/03/2026']],
    ['25/03/2026 is unambiguous', 'mdy', ['2026-03-25'], ['25/03/2026']],
    ['03/25/2026 is unambiguous', 'dmy', ['2026-03-25'], ['03/25/2026']],
    ['日期：2026年3月1日', 'dmy', ['2026-03-01'], ['2026年3月1日']],
    ['2026 年 03 月 01 日签署', 'dmy', ['2026-03-01'], ['2026 年 03 月 01 日']],
    ['二〇二六年三月二十一日', 'dmy', ['2026-03-21'], ['二〇二六年三月二十一日']],
    ['２０２６年３月１日', 'dmy', ['2026-03-01'], ['２０２６年３月１日']],
    ['2025年12月31号', 'dmy', ['2025-12-31'], ['2025年12月31号']],
    ['an instant 2026-03-01T10:00:00Z', 'dmy', ['2026-03-01'], ['2026-03-01']],
  ] as const)('%s (%s)', (text, order, isos, quotes) => {
    const found = findDates(text, order);
    expect(found.map((d) => d.iso)).toEqual(isos);
    expect(found.map((d) => d.quote)).toEqual(quotes);
  });

  test.each([
    ['2026-02-30 is no day', []],
    ['31 April 2026', []],
    ['version 1.2.3 and 10/20/30', []],
    ['phone 0123-456-7890, MPN ID 1234567', []],
    ['tenant 2b6c-2026-03-01x is not a date start', ['2026-03-01']],
    ['year 1850-01-01 is out of range', []],
    ['Mayday 2026', []],
  ])('no false dates: %s', (text, isos) => {
    expect(findDates(text).map((d) => d.iso)).toEqual(isos);
  });

  test('29 February only in leap years', () => {
    expect(findDates('29 February 2028').map((d) => d.iso)).toEqual(['2028-02-29']);
    expect(findDates('29 February 2027')).toEqual([]);
  });

  test('an ambiguous numeric date keeps its other reading', () => {
    expect(findDates('01/03/2026', 'dmy')).toEqual([{ iso: '2026-03-01', alternative: '2026-01-03', quote: '01/03/2026', index: 0 }]);
    expect(findDates('01/03/2026', 'mdy')[0]).toMatchObject({ iso: '2026-01-03', alternative: '2026-03-01' });
    expect(findDates('25/03/2026')[0].alternative).toBeUndefined();
    expect(findDates('03/03/2026')[0].alternative).toBeUndefined();
  });

  test('each span is read once, in the order written', () => {
    expect(findDates('From March 1, 2026 to 2026年4月2日 and 2026-05-03').map((d) => d.iso)).toEqual(['2026-03-01', '2026-04-02', '2026-05-03']);
  });
});

describe('monthsBefore and numericDateOrder', () => {
  test.each([
    ['2026-11-30', 12, '2025-11-30'],
    ['2026-03-31', 1, '2026-02-28'],
    ['2028-02-29', 12, '2027-02-28'],
    ['2026-01-15', 13, '2024-12-15'],
  ])('%s minus %i months is %s', (day, months, expected) => {
    expect(monthsBefore(day, months)).toBe(expected);
  });

  test.each([
    ['en-US', 'mdy'],
    ['en-us', 'mdy'],
    ['en-GB', 'dmy'],
    ['zh-CN', 'dmy'],
    [undefined, 'dmy'],
  ])('%s reads 01/03 as %s', (locale, order) => {
    expect(numericDateOrder(locale)).toBe(order);
  });
});
