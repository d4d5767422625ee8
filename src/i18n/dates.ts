/**
 * An instant a person will read, as a message parameter. It stays data (an ISO instant and the time
 * zone to show it in: the business calendar's, from configuration) until `t`/`render` write it for
 * the reader: "Nov 30, 2026, 11:59 PM (Europe/Berlin)" in en-US, "2026年11月30日 23:59（Europe/Berlin）"
 * in zh-CN. So code that does not know its reader (the domain's refusals, stored in history too) can
 * still name a date; `formatDateTime` in ./locales is the one place that writes it.
 */
export interface InstantParam {
  readonly instant: string;
  readonly timeZone: string;
}

export function isInstantParam(value: unknown): value is InstantParam {
  return (
    typeof value === 'object' && value !== null && typeof (value as InstantParam).instant === 'string' && typeof (value as InstantParam).timeZone === 'string'
  );
}

/** Formatters are costly to build and are reused, one per locale and zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The date and time of an instant in a locale's format (a BCP 47 tag such as 'zh-CN'; ./locales names ours) and a zone,
 * without the zone's name (the catalogue's `date.inZone` adds it).
 */
export function localDateTime(locale: string, timeZone: string, iso: string): string {
  const key = `${locale}|${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    formatters.set(key, format);
  }
  return format.format(new Date(iso));
}
