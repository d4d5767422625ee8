import MsgReader, { type FieldsData } from '@kenjiuno/msgreader';
import { convert } from 'html-to-text';
import { simpleParser, type AddressObject } from 'mailparser';
import type { PoeDocument, PoeEmailHeader } from '../../../domain/poeDocument';
import type { PoeReadLimits } from './readLimits';
import { capPages, hasText, tidyText } from './textCaps';

/**
 * Customer approval e-mails, as saved from a mail program: .eml (an RFC 822 message, mailparser) and
 * .msg (an Outlook message, an OLE compound file, msgreader). The header (sender, recipients, date,
 * subject, attachments) goes to `email`; the body, HTML turned to text, is page 1. A message with no
 * body text (only an attachment) is still described by its header: readable false, 'noText'.
 */

/** HTML bodies as text: links as their text, no images, tables as lines. */
export function htmlText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

function emailDocument(fileName: string, email: PoeEmailHeader, body: string, limits: PoeReadLimits): PoeDocument {
  const pages = capPages([{ number: 1, text: tidyText(body) }], limits.maxChars);
  const readable = hasText(pages);
  return { fileName, kind: 'email', readable, ...(readable ? {} : { unreadable: 'noText' as const }), pages: readable ? pages : [], signatures: [], formFields: [], email };
}

const validDate = (date: Date | undefined): string | undefined => (date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined);

const addresses = (field: AddressObject | AddressObject[] | undefined): { name: string; address?: string }[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value).flatMap((a) => (a.group ? a.group : [a])).map((a) => ({ name: a.name, ...(a.address ? { address: a.address } : {}) }));

const shown = (a: { name: string; address?: string }): string => (a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name);

export async function readEml(bytes: Buffer, fileName: string, limits: PoeReadLimits): Promise<PoeDocument> {
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch {
    return { fileName, kind: 'email', readable: false, unreadable: 'corrupt', pages: [], signatures: [], formFields: [] };
  }
  const from = addresses(parsed.from)[0];
  const sentAt = validDate(parsed.date);
  const email: PoeEmailHeader = {
    ...(from?.name ? { fromName: from.name } : {}),
    ...(from?.address ? { fromAddress: from.address } : {}),
    to: [...addresses(parsed.to), ...addresses(parsed.cc)].map(shown).filter(Boolean),
    ...(sentAt ? { sentAt } : {}),
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    attachments: parsed.attachments.map((a) => ({ fileName: a.filename ?? 'attachment', contentType: a.contentType, size: a.size })),
  };
  // The HTML body when there is one, turned to text as for .msg (mailparser's own text of it keeps link targets).
  const body = typeof parsed.html === 'string' ? htmlText(parsed.html) : (parsed.text ?? '');
  return emailDocument(fileName, email, body, limits);
}

/** The sender's SMTP address: Exchange-internal ("EX") addresses are not addresses a person recognises. */
function smtpAddress(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c) => c && /^[^\s@]+@[^\s@]+$/.test(c.trim()))?.trim();
}

export function readMsg(bytes: Buffer, fileName: string, limits: PoeReadLimits): PoeDocument {
  let data: FieldsData;
  let reader: MsgReader;
  try {
    reader = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    data = reader.getFileData();
  } catch {
    data = { dataType: null, error: 'unreadable' };
  }
  if (data.error || data.dataType !== 'msg') return { fileName, kind: 'email', readable: false, unreadable: 'corrupt', pages: [], signatures: [], formFields: [] };
  const fromAddress = smtpAddress(data.senderSmtpAddress, data.senderEmail, data.sentRepresentingSmtpAddress);
  const date = data.clientSubmitTime ?? data.messageDeliveryTime;
  const sentAt = validDate(date ? new Date(date) : undefined);
  const email: PoeEmailHeader = {
    ...(data.senderName ? { fromName: data.senderName } : {}),
    ...(fromAddress ? { fromAddress } : {}),
    to: (data.recipients ?? []).filter((r) => r.recipType !== 'bcc').map((r) => shown({ name: r.name ?? '', ...(smtpAddress(r.smtpAddress, r.email) ? { address: smtpAddress(r.smtpAddress, r.email) } : {}) })).filter(Boolean),
    ...(sentAt ? { sentAt } : {}),
    ...(data.subject ? { subject: data.subject } : {}),
    attachments: (data.attachments ?? []).filter((a) => !a.attachmentHidden).map((a) => ({ fileName: a.fileName ?? a.fileNameShort ?? 'attachment', ...(a.attachMimeTag ? { contentType: a.attachMimeTag } : {}), size: a.contentLength ?? 0 })),
  };
  const html = data.bodyHtml ?? (data.html ? Buffer.from(data.html).toString('utf8') : undefined);
  const body = data.body?.trim() ? data.body : html ? htmlText(html) : '';
  return emailDocument(fileName, email, body, limits);
}
