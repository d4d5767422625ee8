import { catalogue, LOCALES, render, resolveLocale, t, wordings, type Locale, type MessageKey } from '../../src/i18n/locales';
import { CLAIM_STATUSES } from '../../src/domain/claimStatus';
import { INFO_REQUEST_REASONS, REJECTION_REASONS } from '../../src/domain/reasons';
import { CLAIM_FIELD_NAMES } from '../../src/domain/claimFields';
import { ACTION_RULES } from '../../src/domain/claimLifecycle';
import { PARTNER_ROLES } from '../../src/domain/actors';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('strings in en-US and zh-CN', () => {
  const en = catalogue('en-US');
  const zh = catalogue('zh-CN');

  test('both languages have the same keys, none empty, with the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const expected = placeholders(wordings(en[key]).at(-1)!);
      for (const wording of [...wordings(en[key]), ...wordings(zh[key])]) {
        expect([key, wording.trim().length > 0, placeholders(wording)]).toEqual([key, true, expected]);
      }
    }
  });

  test('no message works around plurals with "(s)": counts take their plural form', () => {
    const workarounds = LOCALES.flatMap((locale) =>
      Object.entries(catalogue(locale)).flatMap(([key, text]) =>
        wordings(text)
          .filter((w) => /\w\((s|es)\)/i.test(w))
          .map((w) => `${locale} ${key}: ${w}`),
      ),
    );
    expect(workarounds).toEqual([]);
  });

  test.each<[Locale, MessageKey, number, string]>([
    ['en-US', 'dialog.poe.listHeading', 1, 'This claim holds 1 file:'],
    ['en-US', 'dialog.poe.listHeading', 3, 'This claim holds 3 files:'],
    ['zh-CN', 'dialog.poe.listHeading', 1, '此声明包含 1 个文件：'],
    ['zh-CN', 'dialog.poe.listHeading', 3, '此声明包含 3 个文件：'],
    ['en-US', 'duration.businessDays', 1, '1 business day'],
    ['en-US', 'duration.businessDays', 2, '2 business days'],
    ['en-US', 'duration.businessDays', 0, '0 business days'],
    ['zh-CN', 'duration.businessDays', 1, '1 个工作日'],
    ['en-US', 'duration.days', 1, '1 day'],
    ['en-US', 'duration.days', 1.5, '1.5 days'],
    ['en-US', 'review.digest.title', 1, '1 claim waiting for a reviewer'],
    ['en-US', 'review.digest.title', 12, '12 claims waiting for a reviewer'],
    ['en-US', 'claimCard.commentsMore', 1, "1 earlier comment is in the claim's history."],
    ['en-US', 'claimCard.timelineMore', 2, '2 earlier events are in the history.'],
    ['en-US', 'reminder.lateDaysLeft', 1, '1 day left: the deadline is {date}. Act before then, or the claim moves on without you.'],
    ['en-US', 'review.deadline.businessDaysLeft', 1, '{date} · 1 business day left'],
  ])('%s %s with count %d: "%s"', (locale, key, count, expected) => {
    expect(t(locale, key, { count })).toBe(expected);
  });

  test('a count given as text takes its plural form too; without a count, the general form', () => {
    expect(t('en-US', 'duration.days', { count: '1' })).toBe('1 day');
    expect(t('en-US', 'duration.days')).toBe('{count} days');
  });

  test('every status, reason, action, role and field the domain knows has words in both languages', () => {
    const needed = [
      ...CLAIM_STATUSES.map((s) => `status.${s}`),
      ...REJECTION_REASONS.map((r) => `reason.${r}`),
      ...INFO_REQUEST_REASONS.map((r) => `infoReason.${r}`),
      ...Object.keys(ACTION_RULES).map((a) => `action.${a}`),
      ...PARTNER_ROLES.map((r) => `partnerRole.${r}`),
      ...CLAIM_FIELD_NAMES.map((f) => `field.${f}`),
    ];
    for (const locale of LOCALES) for (const key of needed) expect([locale, key, key in catalogue(locale)]).toEqual([locale, key, true]);
  });

  test("statuses use Partner Center's wording", () => {
    expect(CLAIM_STATUSES.map((s) => t('en-US', `status.${s}`))).toEqual([
      'Editing',
      'Submitted',
      'Under review',
      'Partner action required',
      'Approved',
      'Rejected',
      'Rejected (final)',
    ]);
    expect(CLAIM_STATUSES.map((s) => t('zh-CN', `status.${s}`))).toEqual([
      '正在编辑',
      '已提交',
      '正在评审',
      '需要合作伙伴操作',
      '已批准',
      '已拒绝',
      '已拒绝（最终）',
    ]);
  });

  test('parameters may name other messages and lists, rendered in the same language', () => {
    const message = { key: 'refusal.wrongStatus' as const, params: { action: '@action.approve', status: '@status.Submitted' } };
    expect(render('en-US', message)).toBe("You can't approve the claim while the claim is Submitted.");
    expect(render('zh-CN', message)).toBe('声明处于“已提交”状态时，你不能批准声明。');
    expect(t('zh-CN', 'refusal.invalidFields', { details: ['@field.mpnId', '@field.products'] })).toBe('有些字段需要修改：MPN ID、产品和工作负荷');
  });

  test('Teams locales map to the two languages', () => {
    expect(resolveLocale('zh-cn')).toBe('zh-CN');
    expect(resolveLocale('zh-TW')).toBe('zh-CN');
    expect(resolveLocale('en-GB')).toBe('en-US');
    expect(resolveLocale(undefined)).toBe('en-US');
  });
});
