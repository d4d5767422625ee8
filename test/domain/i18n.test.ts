import { catalogue, LOCALES, render, resolveLocale, t } from '../../src/i18n/locales';
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
      expect([key, en[key].trim().length > 0, zh[key].trim().length > 0]).toEqual([key, true, true]);
      expect([key, placeholders(zh[key])]).toEqual([key, placeholders(en[key])]);
    }
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

  test('statuses use Partner Center\'s wording', () => {
    expect(CLAIM_STATUSES.map((s) => t('en-US', `status.${s}`))).toEqual(['Editing', 'Submitted', 'Under review', 'Partner action required', 'Approved', 'Rejected', 'Rejected (final)']);
    expect(CLAIM_STATUSES.map((s) => t('zh-CN', `status.${s}`))).toEqual(['正在编辑', '已提交', '正在评审', '需要合作伙伴操作', '已批准', '已拒绝', '已拒绝（最终）']);
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
