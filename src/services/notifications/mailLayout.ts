import type { Locale } from '../../i18n/locales';
import { escapeHtml } from '../../i18n/html';

/**
 * The frame every e-mail shares (the customer's approval e-mail, the partner contact's notices): the
 * sections of each language one after the other, in the text part and in the HTML part.
 */

export const LOCALES_IN_ORDER: readonly Locale[] = ['en-US', 'zh-CN'];

/** Between two languages' sections of the text part. */
export const TEXT_SECTION_SEPARATOR = '\n\n----------------------------------------\n\n';

/** A label and its value, as each language writes it. */
export const colon = (locale: Locale) => (locale === 'zh-CN' ? '：' : ': ');

/** The HTML document around the sections (already escaped HTML, one per language). */
export function mailHtml(subject: string, sections: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(subject)}</title></head>`,
    "<body style=\"font-family:'Segoe UI',Arial,'Microsoft YaHei',sans-serif;font-size:14px;line-height:1.5;color:#222;max-width:680px\">",
    sections.join('\n<hr style="margin:32px 0;border:none;border-top:1px solid #ccc">\n'),
    '</body></html>',
  ].join('\n');
}

/** Label/value rows as an HTML table, every value escaped. */
export function factsTable(rows: { label: string; value: string }[]): string {
  const e = escapeHtml;
  return `<table style="border-collapse:collapse">${rows.map((f) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${e(f.label)}</th><td style="padding:2px 0">${e(f.value)}</td></tr>`).join('')}</table>`;
}
