import type { Locale } from './locales';

/**
 * Which language a person is answered in, decided once per turn from (strongest first):
 * 1. the words of this message: Chinese typed (取消, 我的声明 …) is answered in Chinese, and
 *    "language 中文" / "language English" answers in the language just chosen;
 * 2. the person's own choice, kept in the store ("language 中文", or the welcome card's button);
 * 3. the language the person last typed in (so buttons pressed after a Chinese message answer in Chinese);
 * 4. the locale their Teams client sends.
 * Pure rules; the bot reads and writes the stored preference (src/storage/languagePreferences.ts).
 */

/** Han characters (CJK Unified Ideographs and extension A): a message with any is written in Chinese. */
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff]/;

export interface StoredLanguage {
  /** Chosen with "language …" or on the welcome card: kept until chosen again. */
  chosen?: Locale;
  /** The language of the last message typed in Chinese (cleared by a message typed in English). */
  typed?: Locale;
}

/** What "language …" asks for; undefined when the text is not that command. */
export function languageChoice(text: string): Locale | undefined {
  const match = /^(?:language|语言)\s*[:：]?\s*(.+)$/i.exec(text.trim());
  if (!match) return undefined;
  const wanted = match[1].trim().toLowerCase();
  if (/^(中文|简体中文|汉语|chinese|zh|zh-cn)$/.test(wanted)) return 'zh-CN';
  if (/^(english|英文|英语|en|en-us)$/.test(wanted)) return 'en-US';
  return undefined;
}

/** The language a typed message is written in, when it says: Chinese characters mean Chinese. */
export function typedLanguage(text: string): Locale | undefined {
  return HAN.test(text) ? 'zh-CN' : undefined;
}

/**
 * The locale for this turn's replies, and what to store afterwards (undefined: nothing changes).
 * `text` is what the person typed ('' for a button press or a card submit).
 */
export function decideLocale(input: { text: string; clientLocale: Locale; stored: StoredLanguage }): { locale: Locale; store?: StoredLanguage } {
  const { text, clientLocale, stored } = input;
  const choice = languageChoice(text);
  // The choice is saved by the command's own handler (it answers); this turn already speaks it.
  if (choice) return { locale: choice };
  const written = typedLanguage(text);
  if (written) {
    return { locale: written, ...(stored.typed !== written ? { store: { ...stored, typed: written } } : {}) };
  }
  // Latin letters typed: the person writes in English now, so the last Chinese message no longer counts.
  const typedLatin = /[a-z]/i.test(text);
  const typed = typedLatin ? undefined : stored.typed;
  const store = typedLatin && stored.typed ? { ...(stored.chosen ? { chosen: stored.chosen } : {}) } : undefined;
  return { locale: stored.chosen ?? typed ?? clientLocale, ...(store ? { store } : {}) };
}

/**
 * The dialog words in Chinese and the English word each stands for (the claim form's typed fallbacks):
 * a person who types 取消 is understood as one who types "cancel".
 */
export const CHINESE_DIALOG_WORDS: Readonly<Record<string, string>> = {
  取消: 'cancel',
  继续: 'continue',
  保留: 'keep',
  保留草稿: 'keep',
  放弃: 'discard',
  放弃草稿: 'discard',
  丢弃: 'discard',
  下一步: 'next',
  完成: 'done',
  跳过: 'skip',
  返回: 'back',
  上一步: 'back',
  模板: 'template',
  下载模板: 'template',
  提交: 'submit',
  帮助: 'help',
  新建声明: 'new claim',
};

/** A typed dialog word in English, lower case (Chinese words translated, the rest as typed). */
export function dialogWord(text: string): string {
  const trimmed = text.trim().replace(/[。.!！]$/, '');
  return CHINESE_DIALOG_WORDS[trimmed] ?? trimmed.toLowerCase();
}
