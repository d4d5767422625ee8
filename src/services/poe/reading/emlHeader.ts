import type { AddressObject, ParsedMail } from 'mailparser';
import type { PoeEmailHeader } from '../../../domain/poeDocument';

/**
 * The header of an .eml message (mailparser), shared by the intake checks in the bot's process and the
 * reader in the reader process. Kept apart from the readers so the bot's process loads no more than this.
 */

export const validDate = (date: Date | undefined): string | undefined => (date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined);

export const addresses = (field: AddressObject | AddressObject[] | undefined): { name: string; address?: string }[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((a) => a.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .map((a) => ({ name: a.name, ...(a.address ? { address: a.address } : {}) }));

export const shown = (a: { name: string; address?: string }): string => (a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name);

/** The header of a parsed .eml message. */
export function emlHeader(parsed: ParsedMail): PoeEmailHeader {
  const from = addresses(parsed.from)[0];
  const sentAt = validDate(parsed.date);
  return {
    ...(from?.name ? { fromName: from.name } : {}),
    ...(from?.address ? { fromAddress: from.address } : {}),
    to: [...addresses(parsed.to), ...addresses(parsed.cc)].map(shown).filter(Boolean),
    ...(sentAt ? { sentAt } : {}),
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    attachments: parsed.attachments.map((a) => ({ fileName: a.filename ?? 'attachment', contentType: a.contentType, size: a.size })),
  };
}

/** An .eml message parsed, or undefined when it can't be. */
export async function parseEml(bytes: Buffer): Promise<ParsedMail | undefined> {
  try {
    // Loaded when first needed: mailparser takes most of a second to load, and the bot may never see an .eml.
    const { simpleParser } = await import('mailparser');
    return await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch {
    return undefined;
  }
}
