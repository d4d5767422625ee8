import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { attachmentSource, cleanFileName, MAX_FILE_NAME_LENGTH, sniffPoe } from '../../src/services/poe/poeFileIntake';
import { MAX_ZIP_ENTRIES, MAX_ZIP_UNPACKED_BYTES } from '../../src/services/poe/poeContentChecks';
import { poeTemplateDocx } from '../../src/services/poe/poeTemplate';
import { demoPdf } from '../../app/demo/demoSeed';
import { aliasFirstEntry, appendEntry, jpegOfSize, pdfWithCatalog, pdfWithObjectStream, pngOfSize, zipBombDocx } from '../support/poeFixtures';
import { buildZip, docxEntries, minimalDocx } from '../support/zipFixture';

/** Files that pass the magic-byte test and are refused by what is inside them; and ordinary ones that still pass. */

const MiB = 1024 * 1024;
const PDF = demoPdf('Statement of work');
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const EXE = Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0', 'latin1'), Buffer.alloc(120), Buffer.from('This program cannot be run in DOS mode.')]);
const refusedFor = (reason: string) => ({ ok: false, reason });

describe('ordinary documents are still accepted', () => {
  test.each([
    ['a PDF', PDF, 'pdf'],
    [
      'a PDF whose objects are in a compressed object stream',
      pdfWithObjectStream(['<< /Type /Action /S /GoTo /D [3 0 R /Fit] >>', '<< /Title (Signed SOW) /Author (Avery) >>']),
      'pdf',
    ],
    ['the PoE template (.docx)', poeTemplateDocx({ locale: 'en-US', partnerName: 'Fabrikam', claim: { id: 'CL-1', fields: {} } }), 'docx'],
    ['a minimal Word document', minimalDocx('Signed'), 'docx'],
    ['a 1x1 PNG', PNG_1x1, 'png'],
    ['a 4000x3000 PNG', pngOfSize(4000, 3000), 'png'],
    ['a 640x480 JPEG', jpegOfSize(640, 480), 'jpeg'],
    ['a 20000x4000 JPEG', jpegOfSize(20000, 4000), 'jpeg'],
  ])('%s', async (_name, data, kind) => {
    expect(await sniffPoe(data as Buffer)).toMatchObject({ ok: true, kind });
  });
});

describe('Word documents (ZIP)', () => {
  test('a zip bomb named .docx (200 MB of zeros in 200 KB) is refused from its directory, without unpacking it', async () => {
    const bomb = zipBombDocx(200 * MiB);
    expect(bomb.length).toBeLessThan(MiB);
    expect(await sniffPoe(bomb)).toEqual(refusedFor('zipBomb'));
  });

  test('an entry that shrank more than 100 times is refused even when the total is small', async () => {
    expect(await sniffPoe(zipBombDocx(8 * MiB))).toEqual(refusedFor('zipBomb'));
  });

  test(`more than ${MAX_ZIP_UNPACKED_BYTES / MiB} MiB unpacked in all is refused, though no entry shrank suspiciously`, async () => {
    // 1 MiB that deflates about 18 times (a random byte every 40), stored 110 times: 110 MiB from about 6 MB.
    const page = Buffer.alloc(MiB);
    for (let i = 0; i < page.length; i += 40) page[i] = (i * 7919) % 251;
    const body = deflateRawSync(page, { level: 9 });
    let archive = minimalDocx('x');
    for (let i = 0; i < 110; i += 1) archive = appendEntry(archive, `word/media/scan${i}.bin`, body, MiB);
    expect(archive.length).toBeLessThan(20 * MiB);
    expect(await sniffPoe(archive)).toEqual(refusedFor('zipBomb'));
  });

  test('two directory entries for the same data (overlapping files) are refused', async () => {
    expect(await sniffPoe(aliasFirstEntry(minimalDocx('x'), 'word/copy.xml'))).toEqual(refusedFor('zipBomb'));
  });

  test('a directory that declares less than the entry unpacks to is refused (the size is counted, not trusted)', async () => {
    const lying = appendEntry(minimalDocx('x'), 'word/media/image1.png', deflateRawSync(Buffer.alloc(600_000, 7)), 1000);
    expect(await sniffPoe(lying)).toEqual(refusedFor('zipBomb'));
  });

  test('a stored entry whose sizes disagree, and one whose local header disagrees with the directory, are refused', async () => {
    const docx = minimalDocx('x');
    const eocd = docx.length - 22;
    const firstCentral = docx.readUInt32LE(eocd + 16);
    const storedMismatch = Buffer.from(docx);
    storedMismatch.writeUInt16LE(0, firstCentral + 10); // method: stored, though the data is deflated and the sizes differ
    storedMismatch.writeUInt16LE(0, 8); // the local header says the same
    expect(await sniffPoe(storedMismatch)).toEqual(refusedFor('zipBomb'));
    const localMismatch = Buffer.from(docx);
    localMismatch.writeUInt32LE(localMismatch.readUInt32LE(22) + 1, 22); // the local header's unpacked size
    expect(await sniffPoe(localMismatch)).toEqual(refusedFor('zipBomb'));
  });

  test(`more than ${MAX_ZIP_ENTRIES} entries is refused`, async () => {
    const many = buildZip([...docxEntries('x'), ...Array.from({ length: MAX_ZIP_ENTRIES }, (_, i) => ({ name: `word/media/p${i}.xml`, data: '<p/>' }))]);
    expect(await sniffPoe(many)).toEqual(refusedFor('zipBomb'));
  });

  test('a macro-enabled document renamed .docx is refused for its macros, wherever the project sits', async () => {
    for (const name of ['word/vbaProject.bin', 'vbaProject.bin', 'word/vbaData.xml', 'word/embeddings/Budget.xlsm']) {
      expect([name, await sniffPoe(buildZip([...docxEntries('x'), { name, data: 'x' }]))]).toEqual([name, refusedFor('macros')]);
    }
  });
});

describe('PDF', () => {
  test('JavaScript, run when the document opens, is refused', async () => {
    expect(await sniffPoe(pdfWithCatalog('/OpenAction 4 0 R', ['<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>']))).toEqual(
      refusedFor('pdfActiveContent'),
    );
  });

  test('names hidden with #xx escapes are read as the reader reads them', async () => {
    expect(await sniffPoe(pdfWithCatalog('/OpenAction 4 0 R', ['<< /S /J#61vaScr#69pt /J#53 (app.alert\\(1\\)) >>']))).toEqual(refusedFor('pdfActiveContent'));
    expect(await sniffPoe(pdfWithCatalog('/OpenAction << /S /#4C#61unch /F (cmd.exe) >>'))).toEqual(refusedFor('pdfActiveContent'));
  });

  test('JavaScript inside a compressed object stream is found', async () => {
    expect(await sniffPoe(pdfWithObjectStream(['<< /S /JavaScript /JS (app.alert\\(1\\)) >>']))).toEqual(refusedFor('pdfActiveContent'));
  });

  test("an object stream that can't be unpacked to be checked makes the file uncheckable, not accepted", async () => {
    expect(await sniffPoe(pdfWithObjectStream(['<< /S /JavaScript /JS (app.alert\\(1\\)) >>'], '/Filter /ASCIIHexDecode'))).toEqual(refusedFor('uncheckable'));
    // ... or when its data is not what its filter says (here: damaged).
    const damaged = pdfWithObjectStream(['<< /S /JavaScript /JS (app.alert\\(1\\)) >>']);
    const data = damaged.indexOf('stream\n') + 'stream\n'.length;
    damaged[data + 1] ^= 0xff; // the zlib header's check bits
    expect(await sniffPoe(damaged)).toEqual(refusedFor('uncheckable'));
    // ... also when its dictionary carries a decoy "stream" of harmless zlib data in a string, ahead of the real one.
    const decoy = `/Filter /ASCIIHexDecode /Pad (stream\n${deflateSync(Buffer.from('1 0 << /Title (x) >>')).toString('latin1')})`;
    expect(await sniffPoe(pdfWithObjectStream(['<< /S /JavaScript /JS (app.alert\\(1\\)) >>'], decoy))).toEqual(refusedFor('uncheckable'));
  });

  test('embedded files are refused: the name tree, a file attachment annotation, or hidden in an object stream', async () => {
    expect(
      await sniffPoe(pdfWithCatalog('/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>', ['<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>'])),
    ).toEqual(refusedFor('pdfEmbeddedFile'));
    expect(await sniffPoe(pdfWithCatalog('', ['<< /Type /Annot /Subtype /FileAttachment /FS 5 0 R >>']))).toEqual(refusedFor('pdfEmbeddedFile'));
    expect(await sniffPoe(pdfWithObjectStream(['<< /Type /Filespec /F (a.exe) /E#46 << /F 6 0 R >> >>']))).toEqual(refusedFor('pdfEmbeddedFile'));
  });

  test('a PDF+ZIP polyglot carrying an .exe after %%EOF is refused as a hidden payload', async () => {
    const zipWithExe = buildZip([{ name: 'invoice.exe', data: EXE }]);
    expect(await sniffPoe(Buffer.concat([PDF, zipWithExe]))).toEqual(refusedFor('hiddenPayload'));
    // ... also when the ZIP's comment ends the file with another %%EOF, so the archive is not after the last one.
    expect(await sniffPoe(Buffer.concat([PDF, buildZip([{ name: 'invoice.exe', data: EXE }], '\n%%EOF\n')]))).toEqual(refusedFor('hiddenPayload'));
  });

  test('a program, RAR, 7-Zip or gzip after %%EOF is refused', async () => {
    for (const payload of [
      EXE,
      Buffer.from('\x7fELF\x02\x01\x01', 'latin1'),
      Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'),
      Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]),
      gzipSync('payload'),
    ]) {
      expect(await sniffPoe(Buffer.concat([PDF, Buffer.from('\r\n'), payload]))).toEqual(refusedFor('hiddenPayload'));
    }
  });

  test('a PDF with no %%EOF is unreadable', async () => {
    expect(await sniffPoe(PDF.subarray(0, PDF.lastIndexOf('%%EOF')))).toEqual(refusedFor('unreadable'));
  });
});

describe('images', () => {
  test('a PNG of absurd dimensions is refused from its header', async () => {
    for (const [w, h] of [
      [100_000, 100_000],
      [20_001, 10],
      [20_000, 20_000],
      [0, 10],
      [10, 0],
    ]) {
      expect([w, h, await sniffPoe(pngOfSize(w, h))]).toEqual([w, h, refusedFor('badImage')]);
    }
  });

  test('a PNG whose first chunk is not a valid IHDR, or that stops before IEND, is refused', async () => {
    const badCrc = Buffer.from(PNG_1x1);
    badCrc[29] ^= 0xff;
    expect(await sniffPoe(badCrc)).toEqual(refusedFor('badImage'));
    expect(await sniffPoe(PNG_1x1.subarray(0, PNG_1x1.length - 12))).toEqual(refusedFor('badImage'));
  });

  test('a PNG with a ZIP after IEND is refused as a hidden payload', async () => {
    expect(await sniffPoe(Buffer.concat([PNG_1x1, buildZip([{ name: 'a.txt', data: 'x' }])]))).toEqual(refusedFor('hiddenPayload'));
  });

  test('a JPEG without a frame header, or with absurd dimensions, is refused', async () => {
    const scanFirst = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x12, 0x34, 0xff, 0xd9,
    ]);
    expect(await sniffPoe(scanFirst)).toEqual(refusedFor('badImage'));
    expect(await sniffPoe(jpegOfSize(65_535, 65_535))).toEqual(refusedFor('badImage'));
    expect(await sniffPoe(jpegOfSize(0, 100))).toEqual(refusedFor('badImage'));
  });
});

describe('file names', () => {
  test('bidirectional controls are removed: "invoice<U+202E>fdp.exe" no longer shows as "invoiceexe.pdf"', () => {
    expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u200Ej\u200Fk\u061Cl.pdf')).toBe('abcdefghijkl.pdf');
  });

  test('other invisible and control characters go, NFC is applied, white space is trimmed and collapsed', () => {
    expect(cleanFileName('\uFEFF SOW\u200B\u200D\u00AD\u0000\u001b[31m\u2028signed\t\n.pdf ')).toBe('SOW[31m signed.pdf');
    expect(cleanFileName('Cafe\u0301.pdf')).toBe('Café.pdf');
    expect(cleanFileName('\u202E\u200B ')).toBe('attachment');
    expect(cleanFileName(undefined)).toBe('attachment');
  });

  test('a long name is capped, keeping its extension', () => {
    const capped = cleanFileName(`${'Statement of work '.repeat(20)}.pdf`);
    expect([...capped]).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(capped).toMatch(/^Statement of work .*…\.pdf$/);
  });

  test('the name is cleaned once, where the attachment comes in', () => {
    expect(attachmentSource({ contentType: 'application/pdf', name: 'SOW\u202Efdp.exe', contentUrl: 'https://x.sharepoint.com/f' })).toEqual({
      url: 'https://x.sharepoint.com/f',
      name: 'SOWfdp.exe',
    });
  });
});
