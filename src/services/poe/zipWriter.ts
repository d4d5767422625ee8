import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A minimal ZIP writer and reader (PKWARE APPNOTE 6.3), enough for Office Open XML files (.docx):
 * no ZIP64, no encryption, no multi-disk archives. Each entry is deflated (method 8) when that makes
 * it smaller, otherwise stored (method 0). Names are written as UTF-8 with general purpose flag bit 11.
 * Output is deterministic: every entry carries the same fixed DOS timestamp (1980-01-01 00:00).
 */

export interface ZipEntry {
  name: string;
  data: Buffer | string;
}

const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
/** 2.0: deflate; also what every reader accepts for stored entries. */
const VERSION = 20;
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, the one ZIP uses) of a buffer, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function checkName(name: string): void {
  if (!name) throw new Error('A ZIP entry needs a name');
  if (name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..')) {
    throw new Error(`ZIP entry name ${JSON.stringify(name)} must be a relative path with "/" separators`);
  }
}

/** Builds a ZIP archive from the entries, in the given order. */
export function zip(entries: { name: string; data: Buffer | string }[]): Buffer {
  if (entries.length > MAX_U16) throw new Error(`A ZIP without ZIP64 holds at most ${MAX_U16} entries`);
  const seen = new Set<string>();
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    checkName(entry.name);
    if (seen.has(entry.name)) throw new Error(`ZIP entry ${JSON.stringify(entry.name)} is given twice`);
    seen.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    if (name.length > MAX_U16) throw new Error(`ZIP entry name ${JSON.stringify(entry.name.slice(0, 40))}... is too long`);
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const deflated = raw.length > 0 ? deflateRawSync(raw, { level: 9 }) : raw;
    const method = deflated.length < raw.length ? METHOD_DEFLATE : METHOD_STORE;
    const body = method === METHOD_DEFLATE ? deflated : raw;
    if (raw.length > MAX_U32 || body.length > MAX_U32 || offset > MAX_U32) throw new Error('The archive is too large for a ZIP without ZIP64');
    const crc = crc32(raw);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_FILE_HEADER, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_DIRECTORY_HEADER, 0);
    header.writeUInt16LE(VERSION, 4); // version made by (MS-DOS, 2.0)
    header.writeUInt16LE(VERSION, 6); // version needed to extract
    header.writeUInt16LE(FLAG_UTF8, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(raw.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(0, 30); // extra field length
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number start
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(0, 38); // external attributes
    header.writeUInt32LE(offset, 42); // offset of the local header

    chunks.push(local, name, body);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }
  const centralDirectory = Buffer.concat(central);
  if (offset > MAX_U32 || centralDirectory.length > MAX_U32) throw new Error('The archive is too large for a ZIP without ZIP64');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...chunks, centralDirectory, end]);
}

function fail(message: string): never {
  throw new Error(`Not a readable ZIP archive: ${message}`);
}

function decodeName(bytes: Buffer, utf8Flag: boolean): string {
  if (utf8Flag) return bytes.toString('utf8');
  // Without the flag the name is officially CP437; most tools write UTF-8 anyway. ASCII reads the same.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function findEndOfCentralDirectory(data: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end of the archive.
  const lowest = Math.max(0, data.length - 22 - MAX_U16);
  for (let i = data.length - 22; i >= lowest; i--) {
    if (data.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY && i + 22 + data.readUInt16LE(i + 20) <= data.length) return i;
  }
  return fail('no end of central directory record');
}

/**
 * Reads every file of a ZIP archive through its central directory (stored and deflated entries),
 * checking sizes and CRC-32. Directory entries (names ending in "/") are left out.
 * Throws on anything else: ZIP64, encryption, other compression methods, truncated or corrupt data.
 */
export function unzip(data: Buffer): Map<string, Buffer> {
  if (data.length < 22) fail('too short');
  const eocd = findEndOfCentralDirectory(data);
  const count = data.readUInt16LE(eocd + 10);
  const cdSize = data.readUInt32LE(eocd + 12);
  const cdOffset = data.readUInt32LE(eocd + 16);
  if (count === MAX_U16 || cdSize === MAX_U32 || cdOffset === MAX_U32) fail('ZIP64 archives are not supported');
  if (data.readUInt16LE(eocd + 4) !== 0 || data.readUInt16LE(eocd + 6) !== 0) fail('multi-disk archives are not supported');
  if (cdOffset + cdSize > eocd) fail('the central directory lies outside the archive');

  const files = new Map<string, Buffer>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || data.readUInt32LE(p) !== CENTRAL_DIRECTORY_HEADER) fail(`central directory entry ${i + 1} is damaged`);
    const flags = data.readUInt16LE(p + 8);
    const method = data.readUInt16LE(p + 10);
    const crc = data.readUInt32LE(p + 16);
    const compressedSize = data.readUInt32LE(p + 20);
    const size = data.readUInt32LE(p + 24);
    const nameLength = data.readUInt16LE(p + 28);
    const extraLength = data.readUInt16LE(p + 30);
    const commentLength = data.readUInt16LE(p + 32);
    const localOffset = data.readUInt32LE(p + 42);
    if (p + 46 + nameLength > eocd) fail(`central directory entry ${i + 1} is damaged`);
    const name = decodeName(data.subarray(p + 46, p + 46 + nameLength), (flags & FLAG_UTF8) !== 0);
    p += 46 + nameLength + extraLength + commentLength;

    if (compressedSize === MAX_U32 || size === MAX_U32 || localOffset === MAX_U32) fail(`${name}: ZIP64 entries are not supported`);
    if (flags & FLAG_ENCRYPTED) fail(`${name}: encrypted entries are not supported`);
    if (localOffset + 30 > data.length || data.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) fail(`${name}: local header missing`);
    const start = localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
    if (start + compressedSize > data.length) fail(`${name}: data truncated`);
    const body = data.subarray(start, start + compressedSize);

    let content: Buffer;
    if (method === METHOD_STORE) {
      content = Buffer.from(body);
    } else if (method === METHOD_DEFLATE) {
      try {
        // The declared size bounds the output, so a lying header can't inflate without limit.
        content = inflateRawSync(body, { maxOutputLength: Math.max(1, size) });
      } catch (error) {
        return fail(`${name}: deflated data is corrupt (${(error as Error).message})`);
      }
    } else {
      return fail(`${name}: compression method ${method} is not supported`);
    }
    if (content.length !== size) fail(`${name}: size is ${content.length}, the directory says ${size}`);
    if (crc32(content) !== crc) fail(`${name}: CRC-32 mismatch`);
    if (name.endsWith('/')) continue;
    if (files.has(name)) fail(`${name} is in the archive twice`);
    files.set(name, content);
  }
  return files;
}
