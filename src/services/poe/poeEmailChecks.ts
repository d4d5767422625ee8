import CFB from 'cfb';
import type { PoeFileEmail } from '../../domain/claim';
import type { PoeEmailHeader } from '../../domain/poeDocument';
import { emlHeader, parseEml } from './reading/emlHeader';
import {
  ARCHIVE_MAGICS,
  ascii,
  baseName,
  checkPdf,
  checkZip,
  EXECUTABLE_ENTRY,
  isExecutable,
  MACRO_ENTRY,
  startsAt,
  type ContentRefusal,
} from './poeContentChecks';

/**
 * Customer approval e-mails as PoE: an .eml (RFC 822 message) or an Outlook .msg (an OLE compound file),
 * each recognised by its content, never by its name. A message is accepted when it is one and none of
 * its attachments is a program, a document with macros, or something that can't be looked into (an
 * archive other than a Word/Office ZIP, an old binary Office file); attached PDFs and Office files get
 * the checks a PoE file of their kind gets. The accepted message's header goes on the claim's file.
 */

export type EmailVerdict = { ok: true; email: PoeFileEmail } | { ok: false; reason: ContentRefusal; detail?: string };

/** Header fields that mark a message; an .eml needs From and two more of these. */
const MESSAGE_FIELDS = ['date', 'subject', 'to', 'mime-version', 'message-id', 'received'];
/** A header field: a name of printable ASCII without ':' or spaces, then ':' (RFC 5322, 2.2). */
const FIELD_LINE = /^([!-9;-~]+):/;
const HEAD_BYTES = 64 * 1024;

/** An RFC 822 message: it starts with a header block of well-formed fields, with From and two more of MESSAGE_FIELDS. */
export function looksLikeEml(data: Buffer): boolean {
  const head = data.subarray(0, HEAD_BYTES).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  if (end <= 0 || head.slice(0, end).includes('\0')) return false;
  const names = new Set<string>();
  for (const [i, line] of head.slice(0, end).split(/\r?\n/).entries()) {
    if (/^[ \t]/.test(line) && i > 0) continue; // a folded field goes on
    const field = FIELD_LINE.exec(line);
    if (!field) return false;
    names.add(field[1].toLowerCase());
  }
  return names.has('from') && MESSAGE_FIELDS.filter((n) => names.has(n)).length >= 2;
}

export const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** A compound file's streams by path below the root ("__attach_version1.0_#00000000/__substg1.0_37010102"). */
type CompoundStreams = Map<string, Buffer>;

/** The streams of an OLE compound file (SheetJS cfb, which refuses cyclic sector chains), or undefined when it is broken. */
function compoundStreams(data: Buffer): CompoundStreams | undefined {
  try {
    const container = CFB.read(data, { type: 'buffer' });
    const streams: CompoundStreams = new Map();
    container.FullPaths.forEach((path, i) => {
      const entry = container.FileIndex[i];
      if (entry.type === 2) streams.set(path.split('/').slice(1).join('/'), Buffer.from(entry.content ?? []));
    });
    return streams;
  } catch {
    return undefined;
  }
}

const OFFICE_STREAMS = ['WordDocument', 'Workbook', 'Book', 'PowerPoint Document', 'EncryptedPackage', 'EncryptionInfo'];

/**
 * An OLE compound file is an Outlook message when its root holds the message's property stream and
 * `__substg1.0_` property streams, and none of the streams of a Word, Excel or PowerPoint file (or of an
 * encrypted Office document). 'unreadable' when the compound file itself is broken.
 */
export function compoundFileKind(data: Buffer | CompoundStreams): 'msg' | 'other' | 'unreadable' {
  const streams = Buffer.isBuffer(data) ? compoundStreams(data) : data;
  if (!streams) return 'unreadable';
  const root = [...streams.keys()].filter((path) => !path.includes('/'));
  if (root.some((n) => OFFICE_STREAMS.includes(n))) return 'other';
  return root.includes('__properties_version1.0') && root.some((n) => n.startsWith('__substg1.0_')) ? 'msg' : 'other';
}

/** A string property of the object at `prefix` ('' for the message): Unicode (001F) or, from old Outlook versions, 8-bit (001E). */
function msgString(streams: CompoundStreams, prefix: string, id: string): string | undefined {
  const unicode = streams.get(`${prefix}__substg1.0_${id}001F`);
  const text = unicode ? unicode.toString('utf16le') : streams.get(`${prefix}__substg1.0_${id}001E`)?.toString('latin1');
  return text?.replace(/\0+$/, '').trim() || undefined;
}

/** The message's submit (or delivery) time from its property stream: 16-byte entries after a 32-byte header. */
function msgSentAt(streams: CompoundStreams): string | undefined {
  const properties = streams.get('__properties_version1.0');
  if (!properties) return undefined;
  for (const tag of [0x00390040, 0x0e060040]) {
    for (let at = 32; at + 16 <= properties.length; at += 16) {
      if (properties.readUInt32LE(at) !== tag) continue;
      const ms = Number(properties.readBigUInt64LE(at + 8) / 10_000n) - 11_644_473_600_000;
      const date = new Date(ms);
      if (!Number.isNaN(date.getTime())) return date.toISOString();
    }
  }
  return undefined;
}

/**
 * What an Outlook message shows of itself, read from its streams directly (as intake runs on the
 * person's turn, it uses only the compound-file reader); the full reading is msgreader's, in the reader
 * process. Every attachment storage at any depth counts, so attachments of attached messages are seen.
 */
function msgContents(streams: CompoundStreams): { header: PoeEmailHeader; attachments: Attachment[] } {
  const address = (value: string | undefined) => (value && /^[^\s@]+@[^\s@]+$/.test(value) ? value : undefined);
  const fromName = msgString(streams, '', '0C1A');
  const fromAddress = address(msgString(streams, '', '5D01')) ?? address(msgString(streams, '', '0C1F'));
  const sentAt = msgSentAt(streams);
  const subject = msgString(streams, '', '0037');
  const storages = new Set(
    [...streams.keys()].map((path) => /^(.*__attach_version1\.0_#[0-9A-Fa-f]{8}\/)[^/]+$/.exec(path)?.[1]).filter((p): p is string => Boolean(p)),
  );
  const attachments: Attachment[] = [...storages].map((prefix) => ({
    fileName: msgString(streams, prefix, '3707') ?? msgString(streams, prefix, '3704') ?? '',
    ...(msgString(streams, prefix, '370E') ? { contentType: msgString(streams, prefix, '370E') } : {}),
    data: streams.get(`${prefix}__substg1.0_37010102`) ?? Buffer.alloc(0),
  }));
  const header: PoeEmailHeader = {
    ...(fromName ? { fromName } : {}),
    ...(fromAddress ? { fromAddress } : {}),
    to: [],
    ...(sentAt ? { sentAt } : {}),
    ...(subject ? { subject } : {}),
    attachments: attachments.map((a) => ({ fileName: a.fileName, size: a.data.length })),
  };
  return { header, attachments };
}

/** Attachments looked at in one message (nested messages included); a message with more can't be checked. */
const MAX_ATTACHMENTS = 100;
const MAX_DEPTH = 3;

interface Attachment {
  fileName: string;
  contentType?: string;
  data: Buffer;
}

/** Why one attachment makes its message unacceptable, if it does. */
async function attachmentRefusal(attachment: Attachment, depth: number): Promise<string | undefined> {
  const { fileName, data } = attachment;
  const name = baseName(fileName);
  if (EXECUTABLE_ENTRY.test(name) || isExecutable(data)) return 'a program';
  if (MACRO_ENTRY.test(name)) return 'a document with macros';
  if (startsAt(data, 0, ascii('%PDF-'))) {
    const refused = checkPdf(data);
    return refused ? `a PDF refused as ${refused}` : undefined;
  }
  if (startsAt(data, 0, [0x50, 0x4b, 0x03, 0x04])) {
    const zip = await checkZip(data);
    return zip.ok ? undefined : `an archive or Office file refused as ${zip.reason}`;
  }
  if (startsAt(data, 0, OLE_MAGIC)) {
    // A forwarded Outlook message is checked as a message; old binary Office files can't be looked into.
    if (compoundFileKind(data) !== 'msg') return 'an old binary Office file';
    const inner = await checkMsg(data, depth + 1);
    return inner.ok ? undefined : `a message refused as ${inner.reason}`;
  }
  if (ARCHIVE_MAGICS.some((magic) => startsAt(data, 0, magic))) return 'an archive';
  if (attachment.contentType?.toLowerCase() === 'message/rfc822' || looksLikeEml(data)) {
    const inner = await checkEml(data, depth + 1);
    return inner.ok ? undefined : `a message refused as ${inner.reason}`;
  }
  return undefined;
}

async function attachmentsVerdict(header: PoeEmailHeader, attachments: Attachment[], depth: number): Promise<EmailVerdict> {
  if (depth > MAX_DEPTH || attachments.length > MAX_ATTACHMENTS)
    return { ok: false, reason: 'uncheckable', detail: depth > MAX_DEPTH ? 'messages nested too deep' : `${attachments.length} attachments` };
  for (const attachment of attachments) {
    const why = await attachmentRefusal(attachment, depth);
    if (why) return { ok: false, reason: 'emailAttachment', detail: `attachment "${attachment.fileName}" is ${why}` };
  }
  return { ok: true, email: emailSummary(header) };
}

/** What a claim keeps of a message's header: sender, date, subject, cut to sensible lengths. */
export function emailSummary(header: PoeEmailHeader): PoeFileEmail {
  const cut = (text: string | undefined, max: number) => (text ? [...text].slice(0, max).join('') : undefined);
  const summary: PoeFileEmail = {};
  const fromName = cut(header.fromName, 200);
  const fromAddress = cut(header.fromAddress, 320);
  const subject = cut(header.subject, 300);
  if (fromName) summary.fromName = fromName;
  if (fromAddress) summary.fromAddress = fromAddress;
  if (header.sentAt) summary.sentAt = header.sentAt;
  if (subject) summary.subject = subject;
  return summary;
}

export async function checkEml(data: Buffer, depth = 0): Promise<EmailVerdict> {
  const parsed = await parseEml(data);
  if (!parsed) return { ok: false, reason: 'unreadable' };
  const attachments = parsed.attachments.map((a) => ({ fileName: a.filename ?? '', contentType: a.contentType, data: a.content }));
  return attachmentsVerdict(emlHeader(parsed), attachments, depth);
}

export async function checkMsg(data: Buffer, depth = 0): Promise<EmailVerdict> {
  const streams = compoundStreams(data);
  if (!streams || compoundFileKind(streams) !== 'msg') return { ok: false, reason: 'unreadable' };
  const { header, attachments } = msgContents(streams);
  return attachmentsVerdict(header, attachments, depth);
}
