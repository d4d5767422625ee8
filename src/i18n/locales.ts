import { enUS } from './strings.en-US';
import { zhCN } from './strings.zh-CN';
import { isInstantParam, localDateTime, type InstantParam } from './dates';
import type { Text } from './catalogueText';

export type { InstantParam } from './dates';
export type { PluralText, Text } from './catalogueText';

export type MessageKey = keyof typeof enUS;
export type Locale = 'en-US' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en-US', 'zh-CN'];

const catalogues: Record<Locale, Record<MessageKey, Text>> = { 'en-US': enUS, 'zh-CN': zhCN };

const pluralRules = new Map(LOCALES.map((locale) => [locale, new Intl.PluralRules(locale)]));

/** The wording of `text` for `count` (a number, or text holding one; anything else takes `other`). */
export function pluralForm(locale: Locale, text: Text, count?: unknown): string {
  if (typeof text === 'string') return text;
  const n = typeof count === 'number' ? count : typeof count === 'string' && count.trim() ? Number(count) : NaN;
  return (Number.isFinite(n) ? text[pluralRules.get(locale)!.select(n)] : undefined) ?? text.other;
}

/** Every wording of a catalogue entry (its plural forms, or the one sentence). */
export const wordings = (text: Text): string[] => (typeof text === 'string' ? [text] : Object.values(text));

/** Teams sends locales such as "zh-cn", "zh-CN" or "en-GB"; anything Chinese gets zh-CN, the rest en-US. */
export function resolveLocale(raw: string | undefined | null): Locale {
  return raw && raw.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en-US';
}

/**
 * A list value is joined in the locale's way; a string "@key" is another message of the catalogue; an
 * InstantParam is a date and time, written in the locale's format and its own (configured) time zone.
 */
export type MessageParams = Record<string, string | number | readonly string[] | InstantParam>;

/** Whole sentences with named placeholders: `{name}` is replaced, an unknown placeholder is left visible. */
export function t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  const template = pluralForm(locale, catalogues[locale][key] ?? catalogues['en-US'][key], params.count);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    if (Array.isArray(value)) return value.map((v) => renderParam(locale, v)).join(locale === 'zh-CN' ? '、' : ', ');
    return renderParam(locale, value as string | number | InstantParam);
  });
}

/**
 * An instant as the locale's readers read it, in the instant's time zone: "Nov 30, 2026, 11:59 PM
 * (Europe/Berlin)", "2026年11月30日 23:59（Europe/Berlin）". The one way dates are written for people,
 * whether as a message parameter or on their own (a card's fact, a choice's title).
 */
export function formatDateTime(locale: Locale, at: InstantParam): string {
  return t(locale, 'date.inZone', { date: localDateTime(locale, at.timeZone, at.instant), zone: at.timeZone });
}

// A parameter "@key" names another message (a status, a field label) rendered in the same locale.
function renderParam(locale: Locale, value: string | number | InstantParam): string {
  if (isInstantParam(value)) return formatDateTime(locale, value);
  if (typeof value === 'string' && isMessageRef(value)) return pluralForm(locale, catalogues[locale][value.slice(1) as MessageKey]);
  return String(value);
}

/** A parameter value that names another message ("@status.Approved"), rather than text to show. */
export function isMessageRef(value: string): boolean {
  return value.startsWith('@') && hasMessage(value.slice(1));
}

export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogues['en-US'], key);
}

/** Refers to another message as a parameter value, e.g. `{ status: ref('status.Approved') }`. */
export function ref(key: MessageKey): string {
  return `@${key}`;
}

/** A message that has not been put into words yet: domain code returns these, the edges render them. */
export interface Message {
  key: MessageKey;
  params?: MessageParams;
}

export function render(locale: Locale, message: Message): string {
  return t(locale, message.key, message.params);
}

export function catalogue(locale: Locale): Readonly<Record<MessageKey, Text>> {
  return catalogues[locale];
}
