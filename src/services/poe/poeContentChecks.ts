import { crc32, createInflateRaw, inflateSync } from 'node:zlib';

/**
 * Checks of a PoE file past its first bytes: a file that is what its magic says can still be a zip
 * bomb, carry macros or scripts, hide an archive or a program, or be an image no viewer can open
 * safely. Each check names the reason it refuses; none unpacks more than a bounded amount.
 */

export type ContentRefusal =
  | 'unreadable'
  | 'executable'
  | 'zipBomb'
  | 'macros'
  | 'pdfActiveContent'
  | 'pdfEmbeddedFile'
  | 'hiddenPayload'
  | 'badImage'
  | 'uncheckable'
  | 'emailAttachment';

export const startsAt = (data: Buffer, at: number, bytes: number[]): boolean => data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
export const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

/** Native executables and scripts: Windows PE, ELF, Mach-O (32/64-bit, both byte orders, universal) and "#!". */
export const EXECUTABLE_MAGICS: number[][] = [
  ascii('MZ'),
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
  ascii('#!'),
];

export const isExecutable = (data: Buffer, at = 0): boolean => EXECUTABLE_MAGICS.some((magic) => startsAt(data, at, magic));

/** Archives a viewer or unpacker finds inside another file: ZIP, RAR (4 and 5), 7-Zip, gzip, Microsoft cabinet. */
export const ARCHIVE_MAGICS: number[][] = [
  [0x50, 0x4b, 0x03, 0x04],
  ascii('Rar!\x1a\x07'),
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  [0x1f, 0x8b, 0x08],
  ascii('MSCF\0\0\0\0'),
];
/** Long enough that finding one by chance in a 20 MB file is practically impossible. */
const ARCHIVE_MAGICS_ANYWHERE: number[][] = [ascii('Rar!\x1a\x07'), [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]];

// ---------------------------------------------------------------------------------------------------
// ZIP (Word documents)

/** Most entries, and most bytes unpacked, a Word document may have: real ones stay far below both. */
export const MAX_ZIP_ENTRIES = 1000;
export const MAX_ZIP_UNPACKED_BYTES = 100 * 1024 * 1024;
/** An entry larger than 1 MiB unpacked that shrank more than 100 times is a bomb (text XML shrinks 5-20 times). */
const MAX_RATIO = 100;
const RATIO_FROM_BYTES = 1024 * 1024;

export interface ZipDirectoryEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface ZipDirectory {
  entries: ZipDirectoryEntry[];
  /** Where the central directory starts: every entry's data lies before it. */
  offset: number;
}

const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;

/**
 * The entries of a ZIP's central directory, found through the End Of Central Directory record (and its
 * ZIP64 form), with sizes and local header offsets (from the ZIP64 extra field where the 32-bit ones
 * say 0xffffffff), or undefined when the archive is corrupt. Reading the directory rather than
 * searching the bytes means a file that merely contains the text "word/document.xml" is no DOCX.
 * Our own reader, not fflate's (which unpacks the archives we write): the checks below need each
 * entry's flags, local header offset and local header, which fflate's listing doesn't give, and
 * fflate trusts a directory a zip bomb lies in.
 */
export function readZipDirectory(data: Buffer): ZipDirectory | undefined {
  const EOCD = 0x06054b50,
    EOCD_SIZE = 22;
  // The EOCD record ends the file, followed only by its comment (at most 65535 bytes).
  let eocd = -1;
  for (let i = data.length - EOCD_SIZE; i >= Math.max(0, data.length - EOCD_SIZE - MAX_U16); i -= 1) {
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
  if (count === MAX_U16 || size === MAX_U32 || offset === MAX_U32) {
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

  const entries: ZipDirectoryEntry[] = [];
  const end = offset + size;
  let at = offset;
  for (let n = 0; n < count; n += 1) {
    if (at + 46 > end || data.readUInt32LE(at) !== 0x02014b50) return undefined;
    const flags = data.readUInt16LE(at + 8);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const next = at + 46 + nameLength + extraLength + data.readUInt16LE(at + 32);
    if (next > end) return undefined;
    const entry: ZipDirectoryEntry = {
      name: data.toString((flags & 0x0800) !== 0 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength),
      flags,
      method: data.readUInt16LE(at + 10),
      compressedSize: data.readUInt32LE(at + 20),
      size: data.readUInt32LE(at + 24),
      localOffset: data.readUInt32LE(at + 42),
    };
    if (!applyZip64Extra(entry, data.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength))) return undefined;
    // Each entry must point at a real local header, before the directory.
    if (entry.localOffset + 30 > offset || data.readUInt32LE(entry.localOffset) !== 0x04034b50) return undefined;
    entries.push(entry);
    at = next;
  }
  return { entries, offset };
}

/** Replaces the 0xffffffff fields by the ZIP64 extra field's values; false when they are missing. */
function applyZip64Extra(entry: ZipDirectoryEntry, extra: Buffer): boolean {
  const wanted = (['size', 'compressedSize', 'localOffset'] as const).filter((field) => entry[field] === MAX_U32);
  if (!wanted.length) return true;
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      if (length < wanted.length * 8 || at + 4 + length > extra.length) return false;
      wanted.forEach((field, i) => (entry[field] = Number(extra.readBigUInt64LE(at + 4 + i * 8))));
      return true;
    }
    at += 4 + length;
  }
  return false;
}

/**
 * Entry names that make a ZIP an executable bundle. No Office document contains any of them.
 */
export const EXECUTABLE_ENTRY = /\.(exe|dll|com|scr|pif|cpl|sys|msi|msix|appx|bat|cmd|ps1|psm1|vbs|vbe|js|jse|mjs|wsf|wsh|hta|jar|sh|lnk|reg)$/;
/** Macro projects (vbaProject.bin, vbaData.xml, anywhere: Word keeps them in word/) and macro-enabled documents embedded in this one. */
export const MACRO_ENTRY = /^vba(project\.bin|data\.xml)$|\.(docm|dotm|xlsm|xltm|xlam|pptm|potm|ppam|ppsm|sldm)$/;

/** The last path segment, lowercase; Windows ignores trailing dots and spaces, so "evil.exe." is still evil.exe. */
export const baseName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[. ]+$/, '')
    .split(/[\\/]/)
    .pop() ?? '';

export type ZipVerdict = { ok: true; docx: boolean } | { ok: false; reason: ContentRefusal };

/**
 * Judges a ZIP by its central directory first (entry count, declared sizes and ratios, entries that
 * overlap or disagree with their local headers, executables, macros), then checks that each entry
 * really inflates to the size declared, counting the bytes as they stream by without keeping them.
 */
export async function checkZip(data: Buffer): Promise<ZipVerdict> {
  const directory = readZipDirectory(data);
  if (!directory) return { ok: false, reason: 'unreadable' };
  const { entries } = directory;
  const bomb = zipDirectoryRefusal(data, directory);
  if (bomb) return { ok: false, reason: bomb };
  const names = entries.map((e) => baseName(e.name));
  if (names.some((n) => EXECUTABLE_ENTRY.test(n))) return { ok: false, reason: 'executable' };
  if (names.some((n) => MACRO_ENTRY.test(n))) return { ok: false, reason: 'macros' };
  for (const entry of entries) {
    if (entry.method !== 8) continue;
    const start = dataStart(data, entry);
    const actual = await inflatedSize(data.subarray(start, start + entry.compressedSize), entry.size);
    if (actual === 'corrupt') return { ok: false, reason: 'unreadable' };
    if (actual !== entry.size) return { ok: false, reason: 'zipBomb' }; // the directory lied about the size
  }
  // OPC part names are case-insensitive; a Word document has both of these parts.
  const paths = entries.map((e) => e.name.toLowerCase());
  return { ok: true, docx: paths.includes('[content_types].xml') && paths.includes('word/document.xml') };
}

const dataStart = (data: Buffer, entry: ZipDirectoryEntry): number =>
  entry.localOffset + 30 + data.readUInt16LE(entry.localOffset + 26) + data.readUInt16LE(entry.localOffset + 28);

function zipDirectoryRefusal(data: Buffer, { entries, offset }: ZipDirectory): ContentRefusal | undefined {
  if (entries.length > MAX_ZIP_ENTRIES) return 'zipBomb';
  let total = 0;
  for (const entry of entries) {
    // Encrypted entries, and methods other than stored and deflate (which Word never writes), can't be checked.
    if (entry.flags & 0x0001 || (entry.method !== 0 && entry.method !== 8)) return 'uncheckable';
    total += entry.size;
    if (total > MAX_ZIP_UNPACKED_BYTES) return 'zipBomb';
    if (entry.size > RATIO_FROM_BYTES && entry.size > MAX_RATIO * entry.compressedSize) return 'zipBomb';
    if (entry.method === 0 && entry.size !== entry.compressedSize) return 'zipBomb';
    if (entry.localOffset + 30 > data.length) return 'unreadable';
    const start = dataStart(data, entry);
    if (start + entry.compressedSize > offset) return 'zipBomb';
    // Without a data descriptor (flag bit 3), the local header repeats the directory's method and sizes.
    const local = entry.localOffset;
    const localSizes = [data.readUInt32LE(local + 18), data.readUInt32LE(local + 22)];
    if (
      !(entry.flags & 0x0008) &&
      (data.readUInt16LE(local + 8) !== entry.method ||
        (!localSizes.includes(MAX_U32) && (localSizes[0] !== entry.compressedSize || localSizes[1] !== entry.size)))
    ) {
      return 'zipBomb';
    }
  }
  // Entries that share or overlap their data unpack the same bytes many times over (the "overlapping files" bomb).
  const spans = entries.map((e) => [e.localOffset, dataStart(data, e) + e.compressedSize]).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i += 1) if (spans[i][0] < spans[i - 1][1]) return 'zipBomb';
  return undefined;
}

/** How many bytes raw deflate data unpacks to, counted in chunks and stopped one byte past `limit`. */
function inflatedSize(body: Buffer, limit: number): Promise<number | 'corrupt'> {
  return new Promise((resolve) => {
    const inflater = createInflateRaw();
    let size = 0;
    let done = false;
    const finish = (result: number | 'corrupt') => {
      if (done) return;
      done = true;
      resolve(result);
    };
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        inflater.destroy();
        finish(size);
      }
    });
    inflater.on('end', () => finish(size));
    inflater.on('error', () => finish('corrupt'));
    inflater.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------
// Hidden archives and programs

/**
 * A ZIP hidden in another file: an End Of Central Directory record whose directory starts where it
 * says (or where it ends, for an archive with data before it, as unzip tools accept). The record's own
 * magic may occur by chance in compressed data; the directory's at the right place does not.
 */
function containsZip(data: Buffer): boolean {
  const EOCD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
  for (let at = data.indexOf(EOCD); at >= 0 && at + 22 <= data.length; at = data.indexOf(EOCD, at + 1)) {
    const size = data.readUInt32LE(at + 12);
    const offset = data.readUInt32LE(at + 16);
    for (const start of [offset, at - size]) {
      if (start >= 0 && start + 4 <= at && startsAt(data, start, [0x50, 0x4b, 0x01, 0x02])) return true;
    }
  }
  return false;
}

/** Bytes after a document's end that are an archive or a program (the start, past whitespace and NULs, or an archive's magic anywhere). */
function payloadIn(trailing: Buffer): boolean {
  let start = 0;
  while (start < trailing.length && [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(trailing[start])) start += 1;
  if (isExecutable(trailing, start) || ARCHIVE_MAGICS.some((magic) => startsAt(trailing, start, magic))) return true;
  return (
    ARCHIVE_MAGICS.some((magic) => trailing.indexOf(Buffer.from(magic)) >= 0) ||
    EXECUTABLE_MAGICS.some((m) => m.length >= 4 && trailing.indexOf(Buffer.from(m)) >= 0)
  );
}

/** An archive inside a PDF or image, wherever it is: what a polyglot file is made of. */
function hidesArchive(data: Buffer): boolean {
  return containsZip(data) || ARCHIVE_MAGICS_ANYWHERE.some((magic) => data.indexOf(Buffer.from(magic)) >= 0);
}

// ---------------------------------------------------------------------------------------------------
// PDF

/** Names that make a PDF act when opened: scripts, launching programs, submitting or importing data, Flash, XFA forms (which carry scripts). */
const ACTIVE_NAMES = new Set(['JavaScript', 'JS', 'Launch', 'SubmitForm', 'ImportData', 'RichMedia', 'XFA', 'GoToE']);
/** Names of files embedded in a PDF: the name tree, file streams, a file specification's EF and file attachment annotations. */
const EMBEDDED_NAMES = new Set(['EmbeddedFiles', 'EmbeddedFile', 'EF', 'FileAttachment']);
/** Filters this check cannot undo: an object stream using them can't be scanned. */
const UNREAD_FILTERS = new Set(['ASCIIHexDecode', 'ASCII85Decode', 'LZWDecode', 'RunLengthDecode', 'Crypt', 'AHx', 'A85', 'LZW', 'RL']);

/** Unpacking budget for a PDF's compressed streams: per stream, and for the whole file. */
const MAX_STREAM_BYTES = 16 * 1024 * 1024;
const MAX_PDF_INFLATED_BYTES = 64 * 1024 * 1024;

/** What a scan of PDF names found: a refusal, where /ObjStm names are, whether a filter this check can't undo is named. */
interface NameScan {
  refusal?: ContentRefusal;
  objectStreams: number[];
  unreadFilter: boolean;
}

/**
 * Reads every PDF name in `text` with "#xx" escapes undone (/J#61vaScript is /JavaScript to a reader),
 * one at a time: a large PDF has millions of names, none of which is kept.
 */
function scanNames(text: string): NameScan {
  const scan: NameScan = { objectStreams: [], unreadFilter: false };
  // A name runs to the next white-space or delimiter character (ISO 32000-1, 7.2.2 and 7.3.5).
  for (const match of text.matchAll(/\/([^\x00\t\n\f\r ()<>[\]{}/%]+)/g)) {
    const name = match[1].includes('#') ? match[1].replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : match[1];
    if (EMBEDDED_NAMES.has(name)) return { ...scan, refusal: 'pdfEmbeddedFile' };
    if (ACTIVE_NAMES.has(name)) scan.refusal ??= 'pdfActiveContent'; // an embedded file further on is the more precise reason
    if (name === 'ObjStm') scan.objectStreams.push(match.index);
    if (UNREAD_FILTERS.has(name)) scan.unreadFilter = true;
  }
  return scan;
}

/**
 * Scans a PDF's names for embedded files and active content, in the file and in every stream zlib
 * can inflate (object streams hold whole dictionaries compressed; content streams are scanned too, as
 * one can't tell them apart without trusting the cross-reference data). An object stream (/ObjStm)
 * that can't be inflated within the budget, or uses another filter, makes the file uncheckable rather
 * than accepted. Also refused: an archive or program after the final %%EOF, or a ZIP anywhere.
 * Names inside text strings of uncompressed pages are read as names too: a page reading "/JS" is
 * refused, a rare false alarm accepted for a check that can't be talked out of a name by a crafted string.
 */
export function checkPdf(data: Buffer): ContentRefusal | undefined {
  const eof = data.lastIndexOf('%%EOF');
  if (eof < 0) return 'unreadable';
  if (payloadIn(data.subarray(eof + 5)) || hidesArchive(data)) return 'hiddenPayload';
  const text = data.toString('latin1');
  const names = scanNames(text);
  if (names.refusal) return names.refusal;

  let budget = MAX_PDF_INFLATED_BYTES;
  const streams = [...text.matchAll(/(?<![A-Za-z])stream(\r\n|\n|\r)/g)].map((m) => ({ at: m.index, data: m.index + m[0].length, read: false }));
  for (const stream of streams) {
    if (data[stream.data] !== 0x78 || budget <= 0) continue; // zlib streams start with 0x78 (deflate, 32 KB window)
    let inflated: Buffer;
    try {
      inflated = inflateSync(data.subarray(stream.data), { maxOutputLength: Math.min(MAX_STREAM_BYTES, budget) });
    } catch {
      continue; // not zlib, or too large: only object streams must be readable (below)
    }
    budget -= inflated.length;
    stream.read = true;
    const inner = scanNames(inflated.toString('latin1'));
    if (inner.refusal) return inner.refusal;
  }
  // Every object stream must have been read: its dictionary names /ObjStm, and the first stream after that name is its data.
  if (names.objectStreams.length && names.unreadFilter) return 'uncheckable';
  for (const at of names.objectStreams) {
    if (!streams.find((s) => s.at > at)?.read) return 'uncheckable';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Images

/** Sides of at most 20000 pixels and at most 90 million pixels in all (Pillow's bomb limit is 89 million). */
export const MAX_IMAGE_SIDE = 20_000;
export const MAX_IMAGE_PIXELS = 90_000_000;

const saneSize = (width: number, height: number): boolean =>
  width >= 1 && height >= 1 && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE && width * height <= MAX_IMAGE_PIXELS;

/** Colour type -> the bit depths PNG allows for it. */
const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/**
 * A PNG: the IHDR chunk right after the signature, with a valid CRC, sane dimensions and a valid colour
 * type and depth; chunks that run to an IEND; nothing hidden after it.
 */
export function checkPng(data: Buffer): ContentRefusal | undefined {
  if (data.length < 45 || data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') return 'badImage';
  if (crc32(data.subarray(12, 29)) !== data.readUInt32BE(29)) return 'badImage';
  const [width, height, depth, colour] = [data.readUInt32BE(16), data.readUInt32BE(20), data[24], data[25]];
  if (!saneSize(width, height) || !PNG_DEPTHS[colour]?.includes(depth) || data[26] !== 0 || data[27] !== 0 || data[28] > 1) return 'badImage';
  let at = 33;
  for (;;) {
    if (at + 12 > data.length) return 'badImage'; // truncated: no IEND
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (at > data.length) return 'badImage';
  if (payloadIn(data.subarray(at)) || hidesArchive(data)) return 'hiddenPayload';
  return undefined;
}

/** A JPEG: its segments, from the start, lead to a frame header (SOF) with sane dimensions before the scan. */
export function checkJpeg(data: Buffer): ContentRefusal | undefined {
  if (hidesArchive(data)) return 'hiddenPayload';
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return 'badImage';
    const marker = data[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return 'badImage'; // scan data or end of image before any frame header
    const length = data.readUInt16BE(at + 2);
    if (length < 2) return 'badImage';
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      if (length < 8 || at + 9 > data.length) return 'badImage';
      return saneSize(data.readUInt16BE(at + 7), data.readUInt16BE(at + 5)) ? undefined : 'badImage';
    }
    at += 2 + length;
  }
  return 'badImage';
}
