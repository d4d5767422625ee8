import { t, type Locale } from './locales';

/**
 * Instants as people of a locale read them, in the business calendar's time zone: "Nov 30, 2026,
 * 11:59 PM (Europe/Berlin)" in en-US, "2026年11月30日 23:59（Europe/Berlin）" in zh-CN. Formatters are
 * costly to build and are reused, one per locale and zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(locale: Locale, timeZone: string, iso: string): string {
  const key = `${locale}|${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    formatters.set(key, format);
  }
  return t(locale, 'date.inZone', { date: format.format(new Date(iso)), zone: timeZone });
}
