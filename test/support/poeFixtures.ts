import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { buildZip, docxEntries } from './zipFixture';

/** Files that are what their first bytes say and still must be refused, and images of a chosen size. */

/** A PDF of the given objects (dictionary text, or a stream with its dictionary), with a cross-reference table and %%EOF. */
export function pdfOf(objects: (string | { dict: string; stream: Buffer })[], trailerExtra = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const offsets: number[] = [];
  const push = (b: Buffer) => {
    parts.push(b);
    length += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(length);
    if (typeof o === 'string') {
      push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1'));
    } else {
      push(Buffer.from(`${i + 1} 0 obj\n<< ${o.dict} /Length ${o.stream.length} >>\nstream\n`, 'latin1'));
      push(o.stream);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    }
  });
  const xref = length;
  push(
    Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`, 'latin1'),
  );
  push(Buffer.from(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

const PAGE_OBJECTS = ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'];

/** A one-page PDF whose catalog carries `catalogExtra` (an /OpenAction, /Names, ...) and more objects after the page. */
export function pdfWithCatalog(catalogExtra: string, more: (string | { dict: string; stream: Buffer })[] = []): Buffer {
  return pdfOf([`<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`, ...PAGE_OBJECTS, ...more]);
}

/** A one-page PDF whose objects 4.. live compressed in an object stream (as Acrobat and Word write them). */
export function pdfWithObjectStream(hidden: string[], filter = '/Filter /FlateDecode'): Buffer {
  const bodies = hidden.map((h) => `${h}\n`);
  let offset = 0;
  const header =
    bodies
      .map((b, i) => {
        const entry = `${i + 4} ${offset}`;
        offset += b.length;
        return entry;
      })
      .join(' ') + '\n';
  const raw = Buffer.from(header + bodies.join(''), 'latin1');
  const stream = filter.includes('FlateDecode') ? deflateSync(raw) : Buffer.from(raw.toString('hex') + '>', 'latin1');
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
    ...PAGE_OBJECTS,
    { dict: `/Type /ObjStm /N ${hidden.length} /First ${header.length} ${filter}`, stream },
  ]);
}

/** One PNG chunk: length, type, body and CRC. */
export function pngChunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of any declared size: signature, IHDR (with its CRC), one empty IDAT, IEND. Not decodable past the header, which is all the check reads. */
export function pngOfSize(width: number, height: number): Buffer {
  const chunk = pngChunk;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, adaptive filtering, no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(0))), chunk('IEND', Buffer.alloc(0))]);
}

/** A JFIF JPEG's segments up to and including its baseline frame header (SOF0) of the given size, then EOI. */
export function jpegOfSize(width: number, height: number): Buffer {
  const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

/**
 * A Word document with one more entry that unpacks to `unpackedBytes` of zeros. The entry is written
 * by hand from a deflate stream of a small zero buffer repeated, so the test never holds the unpacked
 * size in memory: deflating 1 MiB of zeros in "full flush" blocks and repeating the blocks inflates to
 * the sum of them.
 */
export function zipBombDocx(unpackedBytes: number): Buffer {
  const MiB = 1024 * 1024;
  const normal = buildZip(docxEntries('Signed statement of work'));
  // A full-flushed deflate block of 1 MiB of zeros can be repeated; a final empty block ends the stream.
  const block = deflateRawSync(Buffer.alloc(MiB), { finishFlush: 3 /* Z_FULL_FLUSH */ });
  const end = Buffer.from([0x03, 0x00]); // a final empty fixed-Huffman block
  const count = Math.ceil(unpackedBytes / MiB);
  const body = Buffer.concat([...Array.from({ length: count }, () => block), end]);
  // The CRC is left 0: the bomb is refused before anything would unpack it to compare.
  return appendEntry(normal, 'word/media/bomb.bin', body, count * MiB);
}

/** Adds a deflated entry (given as raw deflate data and its declared size) to an archive from buildZip. */
export function appendEntry(archive: Buffer, name: string, body: Buffer, size: number, crc = 0): Buffer {
  const eocd = archive.length - 22;
  const cdOffset = archive.readUInt32LE(eocd + 16);
  const cdSize = archive.readUInt32LE(eocd + 12);
  const count = archive.readUInt16LE(eocd + 10);
  const nameBytes = Buffer.from(name, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(0x21, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(8, 10);
  header.writeUInt16LE(0x21, 14);
  header.writeUInt32LE(crc, 16);
  header.writeUInt32LE(body.length, 20);
  header.writeUInt32LE(size, 24);
  header.writeUInt16LE(nameBytes.length, 28);
  header.writeUInt32LE(cdOffset, 42);
  const entries = archive.subarray(0, cdOffset);
  const directory = archive.subarray(cdOffset, cdOffset + cdSize);
  const newCdOffset = cdOffset + local.length + nameBytes.length + body.length;
  const end = Buffer.from(archive.subarray(eocd));
  end.writeUInt16LE(count + 1, 8);
  end.writeUInt16LE(count + 1, 10);
  end.writeUInt32LE(cdSize + header.length + nameBytes.length, 12);
  end.writeUInt32LE(newCdOffset, 16);
  return Buffer.concat([entries, local, nameBytes, body, directory, header, nameBytes, end]);
}

/** A second directory entry, under another name, for the first entry's data: the "overlapping files" bomb's trick. */
export function aliasFirstEntry(archive: Buffer, name: string): Buffer {
  const eocd = archive.length - 22;
  const cdOffset = archive.readUInt32LE(eocd + 16);
  const cdSize = archive.readUInt32LE(eocd + 12);
  const count = archive.readUInt16LE(eocd + 10);
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.from(archive.subarray(cdOffset, cdOffset + 46));
  header.writeUInt16LE(nameBytes.length, 28);
  header.writeUInt16LE(0, 30);
  header.writeUInt16LE(0, 32);
  const end = Buffer.from(archive.subarray(eocd));
  end.writeUInt16LE(count + 1, 8);
  end.writeUInt16LE(count + 1, 10);
  end.writeUInt32LE(cdSize + header.length + nameBytes.length, 12);
  return Buffer.concat([archive.subarray(0, cdOffset + cdSize), header, nameBytes, end]);
}
