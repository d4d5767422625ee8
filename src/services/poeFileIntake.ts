/**
 * Intake of proof-of-execution (PoE) files a partner attaches in a Teams chat. A file is judged by its
 * bytes, never by its name or the content type the client claims: "SOW.pdf" may be an executable, and a
 * real PDF may arrive as "scan". Only PDF, Word (.docx), PNG and JPEG are accepted.
 */

export type PoeKind = 'pdf' | 'docx' | 'png' | 'jpeg';

export const POE_CONTENT_TYPES: Record<PoeKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  png: 'image/png',
  jpeg: 'image/jpeg',
};

export type PoeRefusalReason = 'empty' | 'executable' | 'unsupportedType' | 'tooLarge' | 'unreadable';

export const DEFAULT_MAX_POE_BYTES = 20 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 5;

export type PoeSniffResult = { ok: true; kind: PoeKind; contentType: string } | { ok: false; reason: PoeRefusalReason };

const startsWith = (data: Buffer, bytes: number[]): boolean => data.length >= bytes.length && bytes.every((b, i) => data[i] === b);
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

/** Native executables and scripts: Windows PE, ELF, Mach-O (32/64-bit, both byte orders, universal) and "#!". */
const EXECUTABLE_MAGICS: number[][] = [
  ascii('MZ'),
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
  ascii('#!'),
];

/**
 * Entry names that make a ZIP an executable bundle. No Office document contains any of them;
 * `vbaproject.bin` is a macro project, i.e. a macro-enabled .docm renamed to .docx.
 */
const EXECUTABLE_ENTRY = /\.(exe|dll|com|scr|pif|cpl|sys|msi|msix|appx|bat|cmd|ps1|psm1|vbs|vbe|js|jse|mjs|wsf|wsh|hta|jar|sh|lnk|reg)$|^vbaproject\.bin$/;

export function sniffPoe(data: Buffer): PoeSniffResult {
  if (data.length === 0) return { ok: false, reason: 'empty' };
  if (EXECUTABLE_MAGICS.some((magic) => startsWith(data, magic))) return { ok: false, reason: 'executable' };
  if (startsWith(data, ascii('%PDF-'))) return accepted('pdf');
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return accepted('png');
  if (startsWith(data, [0xff, 0xd8, 0xff])) return accepted('jpeg');
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) {
    const names = zipEntryNames(data);
    if (!names) return { ok: false, reason: 'unreadable' };
    const lower = names.map((n) => n.toLowerCase());
    // Windows ignores trailing dots and spaces, so "evil.exe." is still evil.exe.
    if (lower.some((n) => EXECUTABLE_ENTRY.test(n.replace(/[. ]+$/, '').split(/[\\/]/).pop() ?? ''))) {
      return { ok: false, reason: 'executable' };
    }
    // OPC part names are case-insensitive; a Word document has both of these parts.
    if (lower.includes('[content_types].xml') && lower.includes('word/document.xml')) return accepted('docx');
    return { ok: false, reason: 'unsupportedType' }; // .xlsx, .pptx, a plain .zip, ...
  }
  return { ok: false, reason: 'unsupportedType' }; // includes the old binary .doc (OLE, D0 CF 11 E0)
}

function accepted(kind: PoeKind): PoeSniffResult {
  return { ok: true, kind, contentType: POE_CONTENT_TYPES[kind] };
}

/**
 * The entry names from a ZIP's central directory, found through the End Of Central Directory record
 * (and its ZIP64 form), or undefined when the archive is corrupt. Reading the directory rather than
 * searching the bytes means a file that merely contains the text "word/document.xml" is no DOCX.
 */
function zipEntryNames(data: Buffer): string[] | undefined {
  const EOCD = 0x06054b50, EOCD_SIZE = 22;
  // The EOCD record ends the file, followed only by its comment (at most 65535 bytes).
  let eocd = -1;
  for (let i = data.length - EOCD_SIZE; i >= Math.max(0, data.length - EOCD_SIZE - 0xffff); i -= 1) {
    if (data.readUInt32LE(i) === EOCD && i + EOCD_SIZE + data.readUInt16LE(i + 20) === data.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  if (data.readUInt16LE(eocd + 4) !== 0 || data.readUInt16LE(eocd + 6) !== 0) return undefined; // split archives
  let count = data.readUInt16LE(eocd + 10);
  let size = data.readUInt32LE(eocd + 12);
  let offset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    // ZIP64: a locator just before the EOCD points to the ZIP64 EOCD record with 64-bit fields.
    const locator = eocd - 20;
    if (locator < 0 || data.readUInt32LE(locator) !== 0x07064b50) return undefined;
    const z64 = Number(data.readBigUInt64LE(locator + 8));
    if (z64 + 56 > locator || data.readUInt32LE(z64) !== 0x06064b50) return undefined;
    count = Number(data.readBigUInt64LE(z64 + 32));
    size = Number(data.readBigUInt64LE(z64 + 40));
    offset = Number(data.readBigUInt64LE(z64 + 48));
  }
  if (offset + size > eocd) return undefined;

  const names: string[] = [];
  let at = offset;
  for (let n = 0; n < count; n += 1) {
    if (at + 46 > offset + size || data.readUInt32LE(at) !== 0x02014b50) return undefined;
    const utf8 = (data.readUInt16LE(at + 8) & 0x0800) !== 0;
    const nameLength = data.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
    if (next > offset + size) return undefined;
    // Each entry must point at a real local header (0xffffffff: the offset is in a ZIP64 extra field).
    const local = data.readUInt32LE(at + 42);
    if (local !== 0xffffffff && (local + 30 > offset || data.readUInt32LE(local) !== 0x04034b50)) return undefined;
    names.push(data.toString(utf8 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength));
    at = next;
  }
  return names;
}

/** A Bot Framework attachment, as it arrives on an activity. */
export interface IncomingAttachment {
  name?: string;
  contentType?: string;
  contentUrl?: string;
  content?: unknown;
}

export const TEAMS_FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/**
 * Where to download an attachment from. A file uploaded in a Teams 1:1 chat carries a pre-authorised
 * `content.downloadUrl`; its `contentUrl` is the SharePoint page, which needs the user's sign-in, so it
 * is not used. Cards, and the text/html copy of the message Teams adds, are not files: undefined.
 */
export function attachmentSource(a: IncomingAttachment): { url: string; name: string } | undefined {
  if (a.contentType?.startsWith('application/vnd.microsoft.card.')) return undefined;
  const name = a.name?.trim() || 'attachment';
  if (a.contentType === TEAMS_FILE_DOWNLOAD_INFO) {
    const downloadUrl = (a.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
    return typeof downloadUrl === 'string' && downloadUrl ? { url: downloadUrl, name } : undefined;
  }
  return a.contentUrl ? { url: a.contentUrl, name } : undefined;
}

export interface PoeDownloadOptions {
  maxBytes: number;
  /** Only for local development and tests: PoE files are confidential, so production links are https. */
  allowHttp: boolean;
  timeoutMs?: number;
  /** Called once per redirect hop, so a wrapper that adds credentials decides per URL. */
  fetchImpl?: typeof fetch;
}

export type PoeDownloadResult = { ok: true; data: Buffer } | { ok: false; reason: PoeRefusalReason; detail?: string };

/** Downloads at most `maxBytes`, within `timeoutMs` for the whole transfer. Never throws. */
export async function downloadPoe(url: string, options: PoeDownloadOptions): Promise<PoeDownloadResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let current = url;
    // Redirects are followed by hand so that each hop's scheme is checked: no https -> http downgrade.
    for (let hop = 0; ; hop += 1) {
      const refused = schemeRefusal(current, options.allowHttp);
      if (refused) return { ok: false, reason: 'unreadable', detail: refused };
      const response = await fetchImpl(current, { signal: controller.signal, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await discard(response);
        if (hop >= MAX_REDIRECTS) return { ok: false, reason: 'unreadable', detail: `more than ${MAX_REDIRECTS} redirects` };
        current = new URL(location, current).href;
        continue;
      }
      if (!response.ok) {
        await discard(response);
        return { ok: false, reason: 'unreadable', detail: `the server answered HTTP ${response.status}` };
      }
      return await readCapped(response, options.maxBytes);
    }
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, reason: 'unreadable', detail: `no complete answer within ${timeoutMs} ms` };
    return { ok: false, reason: 'unreadable', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function schemeRefusal(url: string, allowHttp: boolean): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return 'the link is not a valid URL';
  }
  if (protocol === 'https:' || (protocol === 'http:' && allowHttp)) return undefined;
  return `only https links are accepted (got ${protocol})`;
}

/** Reads the body while counting, and stops (closing the connection) as soon as it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<PoeDownloadResult> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (declared > maxBytes) {
    await discard(response); // refuse before reading a byte
    return { ok: false, reason: 'tooLarge', detail: `${declared} bytes; at most ${maxBytes} are accepted` };
  }
  if (!response.body) return { ok: true, data: Buffer.alloc(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'tooLarge', detail: `more than ${maxBytes} bytes` };
    }
    chunks.push(value);
  }
  return { ok: true, data: Buffer.concat(chunks, total) };
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

export type PoeIntakeResult =
  | { ok: true; name: string; kind: PoeKind; contentType: string; data: Buffer }
  | { ok: false; name: string; reason: PoeRefusalReason; detail?: string };

/** Downloads one attachment and judges it by its content. Never throws. */
export async function intakeAttachment(a: IncomingAttachment, options: PoeDownloadOptions): Promise<PoeIntakeResult> {
  const source = attachmentSource(a);
  if (!source) {
    return { ok: false, name: a.name?.trim() || 'attachment', reason: 'unsupportedType', detail: 'the attachment is not a downloadable file' };
  }
  const { name } = source;
  const downloaded = await downloadPoe(source.url, options);
  if (!downloaded.ok) return { ok: false, name, reason: downloaded.reason, ...(downloaded.detail ? { detail: downloaded.detail } : {}) };
  const sniffed = sniffPoe(downloaded.data);
  if (!sniffed.ok) return { ok: false, name, reason: sniffed.reason };
  return { ok: true, name, kind: sniffed.kind, contentType: sniffed.contentType, data: downloaded.data };
}
