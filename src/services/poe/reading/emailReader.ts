import MsgReader, { type FieldsData } from '@kenjiuno/msgreader';
import { convert } from 'html-to-text';
import type { PoeDocument, PoeEmailHeader } from '../../../domain/poeDocument';
import { emlHeader, parseEml, shown, validDate } from './emlHeader';
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
  return {
    fileName,
    kind: 'email',
    readable,
    ...(readable ? {} : { unreadable: 'noText' as const }),
    pages: readable ? pages : [],
    signatures: [],
    formFields: [],
    email,
  };
}

export async function readEml(bytes: Buffer, fileName: string, limits: PoeReadLimits): Promise<PoeDocument> {
  const parsed = await parseEml(bytes);
  if (!parsed) return { fileName, kind: 'email', readable: false, unreadable: 'corrupt', pages: [], signatures: [], formFields: [] };
  // The HTML body when there is one, turned to text as for .msg (mailparser's own text of it keeps link targets).
  const body = typeof parsed.html === 'string' ? htmlText(parsed.html) : (parsed.text ?? '');
  return emailDocument(fileName, emlHeader(parsed), body, limits);
}

/** The sender's SMTP address: Exchange-internal ("EX") addresses are not addresses a person recognises. */
function smtpAddress(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c) => c && /^[^\s@]+@[^\s@]+$/.test(c.trim()))?.trim();
}

/** An Outlook message parsed (its reader, for attachments, and its fields), or undefined when it is none. */
export function parseMsg(bytes: Buffer): { reader: MsgReader; data: FieldsData } | undefined {
  try {
    const reader = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    const data = reader.getFileData();
    return data.error || data.dataType !== 'msg' ? undefined : { reader, data };
  } catch {
    return undefined;
  }
}

/** The header of a parsed .msg message. */
export function msgHeader(data: FieldsData): PoeEmailHeader {
  const fromAddress = smtpAddress(data.senderSmtpAddress, data.senderEmail, data.sentRepresentingSmtpAddress);
  const date = data.clientSubmitTime ?? data.messageDeliveryTime;
  const sentAt = validDate(date ? new Date(date) : undefined);
  const recipient = (r: FieldsData) => {
    const address = smtpAddress(r.smtpAddress, r.email);
    return shown({ name: r.name ?? '', ...(address ? { address } : {}) });
  };
  return {
    ...(data.senderName ? { fromName: data.senderName } : {}),
    ...(fromAddress ? { fromAddress } : {}),
    to: (data.recipients ?? [])
      .filter((r) => r.recipType !== 'bcc')
      .map(recipient)
      .filter(Boolean),
    ...(sentAt ? { sentAt } : {}),
    ...(data.subject ? { subject: data.subject } : {}),
    attachments: (data.attachments ?? [])
      .filter((a) => !a.attachmentHidden)
      .map((a) => ({
        fileName: a.fileName ?? a.fileNameShort ?? 'attachment',
        ...(a.attachMimeTag ? { contentType: a.attachMimeTag } : {}),
        size: a.contentLength ?? 0,
      })),
  };
}

export function readMsg(bytes: Buffer, fileName: string, limits: PoeReadLimits): PoeDocument {
  const parsed = parseMsg(bytes);
  if (!parsed) return { fileName, kind: 'email', readable: false, unreadable: 'corrupt', pages: [], signatures: [], formFields: [] };
  const { data } = parsed;
  const html = data.bodyHtml ?? (data.html ? Buffer.from(data.html).toString('utf8') : undefined);
  const body = data.body?.trim() ? data.body : html ? htmlText(html) : '';
  return emailDocument(fileName, msgHeader(data), body, limits);
}
