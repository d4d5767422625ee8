/**
 * Intake of proof-of-execution (PoE) files a partner attaches in a Teams chat. A file is judged by its
 * bytes, never by its name or the content type the client claims: "SOW.pdf" may be an executable, and a
 * real PDF may arrive as "scan". Only PDF, Word (.docx), PNG, JPEG and customer e-mails (.eml, Outlook
 * .msg) are accepted, and only after the checks of their content (poeContentChecks, poeEmailChecks). Downloads follow the download policy (poeDownloadPolicy),
 * and names are cleaned here, once, so every later view shows the same harmless name.
 */

import { ascii, checkJpeg, checkPdf, checkPng, checkZip, isExecutable, type ContentRefusal } from './poeContentChecks';
import { downloadPoe, type PoeDownloadOptions, type PoeDownloadRefusal } from './poeDownload';
import { checkEml, checkMsg, compoundFileKind, looksLikeEml, OLE_MAGIC, type EmailVerdict } from './poeEmailChecks';
import type { PoeFileEmail } from '../../domain/claim';

export type PoeKind = 'pdf' | 'docx' | 'png' | 'jpeg' | 'eml' | 'msg';

export const POE_CONTENT_TYPES: Record<PoeKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  png: 'image/png',
  jpeg: 'image/jpeg',
  eml: 'message/rfc822',
  msg: 'application/vnd.ms-outlook',
};

export type PoeRefusalReason = 'empty' | 'unsupportedType' | PoeDownloadRefusal | ContentRefusal;

/** Accepted: the kind and content type; for an e-mail, its sender, date and subject. */
export type PoeSniffResult = { ok: true; kind: PoeKind; contentType: string; email?: PoeFileEmail } | { ok: false; reason: PoeRefusalReason; detail?: string };

const startsWith = (data: Buffer, bytes: number[]): boolean => data.length >= bytes.length && bytes.every((b, i) => data[i] === b);

/** Judges a file by its magic bytes, then by the content checks of its kind (poeContentChecks). */
export async function sniffPoe(data: Buffer): Promise<PoeSniffResult> {
  if (data.length === 0) return { ok: false, reason: 'empty' };
  if (isExecutable(data)) return { ok: false, reason: 'executable' };
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) {
    const zip = await checkZip(data);
    if (!zip.ok) return zip;
    return zip.docx ? accepted('docx') : { ok: false, reason: 'unsupportedType' }; // .xlsx, .pptx, a plain .zip, ...
  }
  if (startsWith(data, OLE_MAGIC)) {
    // Outlook messages are compound files; so are the old binary .doc/.xls/.ppt, which stay refused.
    const compound = compoundFileKind(data);
    if (compound !== 'msg') return { ok: false, reason: compound === 'unreadable' ? 'unreadable' : 'unsupportedType' };
    return emailAccepted('msg', await checkMsg(data));
  }
  if (looksLikeEml(data)) return emailAccepted('eml', await checkEml(data));
  const kind: PoeKind | undefined = startsWith(data, ascii('%PDF-'))
    ? 'pdf'
    : startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      ? 'png'
      : startsWith(data, [0xff, 0xd8, 0xff])
        ? 'jpeg'
        : undefined;
  if (!kind) return { ok: false, reason: 'unsupportedType' };
  const refused = kind === 'pdf' ? checkPdf(data) : kind === 'png' ? checkPng(data) : checkJpeg(data);
  return refused ? { ok: false, reason: refused } : accepted(kind);
}

function accepted(kind: PoeKind): PoeSniffResult {
  return { ok: true, kind, contentType: POE_CONTENT_TYPES[kind] };
}

function emailAccepted(kind: 'eml' | 'msg', verdict: EmailVerdict): PoeSniffResult {
  if (!verdict.ok) return { ok: false, reason: verdict.reason, ...(verdict.detail ? { detail: verdict.detail } : {}) };
  return { ok: true, kind, contentType: POE_CONTENT_TYPES[kind], email: verdict.email };
}

/** A Bot Framework attachment, as it arrives on an activity. */
export interface IncomingAttachment {
  name?: string;
  contentType?: string;
  contentUrl?: string;
  content?: unknown;
}

/** The longest file name kept (in characters), extension included. */
export const MAX_FILE_NAME_LENGTH = 120;

/**
 * A file name as it may be shown and stored: without bidirectional controls (U+202E turns
 * "invoice\u202Efdp.exe" into "invoiceexe.pdf" on screen) and other control and format characters
 * (Cc, Cf: zero-width spaces, joiners, BOM), line and paragraph separators as spaces, NFC, runs of
 * white space as one, trimmed, and capped at MAX_FILE_NAME_LENGTH keeping the extension.
 * "attachment" when nothing is left.
 */
export function cleanFileName(raw: string | undefined): string {
  const name = (raw ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[\p{Zl}\p{Zp}\p{Zs}]+/gu, ' ')
    .normalize('NFC')
    .trim();
  const chars = [...name];
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name || 'attachment';
  const extension = /\.[^. ]{1,10}$/u.exec(name)?.[0] ?? '';
  return `${chars
    .slice(0, MAX_FILE_NAME_LENGTH - 1 - [...extension].length)
    .join('')
    .trimEnd()}…${extension}`;
}

export const TEAMS_FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/**
 * Where to download an attachment from. A file uploaded in a Teams 1:1 chat carries a pre-authorised
 * `content.downloadUrl`; its `contentUrl` is the SharePoint page, which needs the user's sign-in, so it
 * is not used. Cards, and the text/html copy of the message Teams adds, are not files: undefined.
 */
export function attachmentSource(a: IncomingAttachment): { url: string; name: string } | undefined {
  if (a.contentType?.startsWith('application/vnd.microsoft.card.')) return undefined;
  const name = cleanFileName(a.name);
  if (a.contentType === TEAMS_FILE_DOWNLOAD_INFO) {
    const downloadUrl = (a.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
    return typeof downloadUrl === 'string' && downloadUrl ? { url: downloadUrl, name } : undefined;
  }
  return a.contentUrl ? { url: a.contentUrl, name } : undefined;
}

export type PoeIntakeResult =
  | { ok: true; name: string; kind: PoeKind; contentType: string; data: Buffer; email?: PoeFileEmail }
  | { ok: false; name: string; reason: PoeRefusalReason; detail?: string };

/** Downloads one attachment and judges it by its content. Never throws. */
export async function intakeAttachment(a: IncomingAttachment, options: PoeDownloadOptions): Promise<PoeIntakeResult> {
  const source = attachmentSource(a);
  if (!source) {
    return { ok: false, name: cleanFileName(a.name), reason: 'unsupportedType', detail: 'the attachment is not a downloadable file' };
  }
  const { name } = source;
  const downloaded = await downloadPoe(source.url, options);
  if (!downloaded.ok) return { ok: false, name, reason: downloaded.reason, ...(downloaded.detail ? { detail: downloaded.detail } : {}) };
  return judgePoeData(name, downloaded.data);
}

/** A file's content judged as an upload's is (the local demo's sample PoE is judged the same way). */
export async function judgePoeData(name: string, data: Buffer): Promise<PoeIntakeResult> {
  const sniffed = await sniffPoe(data);
  if (!sniffed.ok) return { ok: false, name, reason: sniffed.reason, ...(sniffed.detail ? { detail: sniffed.detail } : {}) };
  return { ok: true, name, kind: sniffed.kind, contentType: sniffed.contentType, data, ...(sniffed.email ? { email: sniffed.email } : {}) };
}
