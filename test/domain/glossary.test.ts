import { CHINESE_COMMAND_WORDS, parseCommand, type CommandId } from '../../bot/commands/chatCommands';
import { catalogue, t, wordings } from '../../src/i18n/locales';
import { CHINESE_DIALOG_WORDS, decideLocale, dialogWord, languageChoice } from '../../src/i18n/personLanguage';

/**
 * Every zh-CN string uses the terms of the zh-CN Partner Center pages (docs/language.md, "Glossary"), one term per
 * idea, and names the Chinese command words a person can type: a glossary of forbidden → required terms.
 */

const zh = Object.entries(catalogue('zh-CN')).flatMap(([key, text]) => wordings(text).map((wording) => [key, wording] as const));

const GLOSSARY: [forbidden: RegExp, required: string][] = [
  [/帐单管理员/, '计费管理员'],
  [/激励管理员/, '奖励管理员'],
  [/认领记录合作伙伴|(?<!申报)记录合作伙伴/, '申报合作伙伴'],
  [/审核/, '评审 (review) or 审阅者 (reviewer)'],
  [/审阅(?!者)/, '评审 (review); 审阅者 only for the reviewer'],
  [/发送争议/, '提出异议'],
  [/获取\s*(PoE\s*)?模板/, '下载模板'],
];

test.each(GLOSSARY)('no zh-CN string says %s (the seeds say %s)', (forbidden) => {
  expect(zh.filter(([, text]) => forbidden.test(text)).map(([key, text]) => `${key}: ${text}`)).toEqual([]);
});

test("the seeds' terms are the ones shown for roles, reviewers, disputes, the template and a new association", () => {
  expect(t('zh-CN', 'partnerRole.BillingAdmin')).toBe('计费管理员');
  expect(t('zh-CN', 'partnerRole.IncentivesAdmin')).toBe('奖励管理员');
  expect(t('zh-CN', 'role.reviewer')).toBe('审阅者');
  expect(t('zh-CN', 'status.UnderReview')).toBe('正在评审');
  expect(t('zh-CN', 'dispute.send')).toBe('提出异议');
  expect(t('zh-CN', 'dialog.button.template')).toBe('下载模板');
  // The button is labelled as Partner Center's; the command word stays 新建声明.
  expect(t('zh-CN', 'welcome.button.newClaim')).toBe('+ 客户关联');
  expect(parseCommand('新建声明')).toEqual({ kind: 'newClaim' });
});

test('no zh-CN hint asks for an English command word', () => {
  const english = /“(help|new claim|cancel|keep|continue|my claims|claim|history|withdraw|dispute|what needs my action|use this channel for reviews)\b[^”]*”/i;
  expect(zh.filter(([, text]) => english.test(text)).map(([key, text]) => `${key}: ${text}`)).toEqual([]);
});

test.each(Object.entries(CHINESE_COMMAND_WORDS))('the Chinese word of %s (%s) is understood as that command', (id, words) => {
  const expected: Record<CommandId, string> = {
    myClaims: 'myClaims',
    claim: 'claim',
    history: 'history',
    needsAction: 'needsAction',
    help: 'help',
    newClaim: 'newClaim',
    withdraw: 'withdraw',
    dispute: 'dispute',
    useForReviews: 'useForReviews',
    export: 'export',
  };
  expect(parseCommand(words).kind).toBe(expected[id as CommandId]);
});

test("the claim form's Chinese words are its English ones, and Chinese typed means a Chinese reply", () => {
  expect(['取消', '继续', '保留', '放弃', '下一步', '返回', '下载模板', '提交'].map(dialogWord)).toEqual([
    'cancel',
    'continue',
    'keep',
    'discard',
    'next',
    'back',
    'template',
    'submit',
  ]);
  expect(Object.keys(CHINESE_DIALOG_WORDS).every((w) => /[\u4e00-\u9fff]/.test(w))).toBe(true);
  expect(decideLocale({ text: '取消', clientLocale: 'en-US', stored: {} })).toEqual({ locale: 'zh-CN', store: { typed: 'zh-CN' } });
  // A button pressed next (nothing typed) answers in the language last typed.
  expect(decideLocale({ text: '', clientLocale: 'en-US', stored: { typed: 'zh-CN' } })).toEqual({ locale: 'zh-CN' });
  // English typed again: the client's language, unless the person chose one.
  expect(decideLocale({ text: 'my claims', clientLocale: 'en-US', stored: { typed: 'zh-CN' } })).toEqual({ locale: 'en-US', store: {} });
  expect(decideLocale({ text: 'help', clientLocale: 'en-US', stored: { chosen: 'zh-CN' } })).toEqual({ locale: 'zh-CN' });
  expect(decideLocale({ text: 'language English', clientLocale: 'zh-CN', stored: { chosen: 'zh-CN' } })).toEqual({ locale: 'en-US' });
  expect([languageChoice('language 中文'), languageChoice('语言 English'), languageChoice('language Klingon'), languageChoice('my claims')]).toEqual([
    'zh-CN',
    'en-US',
    undefined,
    undefined,
  ]);
});
