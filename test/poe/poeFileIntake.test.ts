import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachmentSource, intakeAttachment, POE_CONTENT_TYPES, sniffPoe, type IncomingAttachment } from '../../src/services/poe/poeFileIntake';
import { DEFAULT_MAX_POE_BYTES, downloadPoe } from '../../src/services/poe/poeDownload';
import { DEFAULT_POE_DOWNLOAD_HOSTS } from '../../src/domain/poeDownloadHosts';
import { poeDownloadPolicy } from '../../src/services/poe/poeDownloadPolicy';
import { demoPdf } from '../../app/demo/demoSeed';
import { jpegOfSize } from '../support/poeFixtures';
import { buildZip, docxEntries, minimalDocx, minimalXlsx } from '../support/zipFixture';

const MB = 1024 * 1024;
const PDF = demoPdf('Statement of work');
// A real 1x1 PNG and the head of a 640x480 JFIF JPEG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = jpegOfSize(640, 480);
const DOCX = minimalDocx('Signed statement of work');
const XLSX = minimalXlsx();
const EXE = Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0', 'latin1'), Buffer.alloc(120), Buffer.from('This program cannot be run in DOS mode.')]);
const ZIP_WITH_EXE = buildZip([
  { name: 'readme.txt', data: 'run me' },
  { name: 'tools/evil.exe', data: EXE },
]);
const BIG = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2 * MB, 0x20)]);

/** Fixtures served by path, with Content-Length. */
const files: Record<string, Buffer> = {
  '/sow.pdf': PDF,
  '/photo.png': PNG,
  '/photo.jpg': JPEG,
  '/sow.docx': DOCX,
  '/numbers.xlsx': XLSX,
  '/invoice.pdf': EXE, // an executable renamed
  '/bundle.zip': ZIP_WITH_EXE,
  '/empty.pdf': Buffer.alloc(0),
  '/big.pdf': BIG,
};

let server: Server;
let base: string;
const hits = new Map<string, number>();
let endless: Promise<{ sent: number; finished: boolean }>;

/** Writes `total` bytes in 64 KB chunks, without Content-Length (chunked), waiting for the client to read. */
function streamChunked(res: ServerResponse, total: number): Promise<{ sent: number; finished: boolean }> {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  res.writeHead(200, { 'content-type': 'application/pdf' });
  res.write('%PDF-1.4\n');
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (sent >= total) res.end();
  };
  pump();
  return new Promise((resolve) => res.on('close', () => resolve({ sent, finished: res.writableFinished })));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files[path];
    if (file) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      res.end(file);
    } else if (path === '/chunked/big.pdf') {
      void streamChunked(res, 2 * MB);
    } else if (path === '/chunked/endless.pdf') {
      endless = streamChunked(res, 256 * MB);
    } else if (path.startsWith('/chunked/exactly-')) {
      // '%PDF-1.4\n' followed by n-9 more bytes, in pieces: n bytes in all.
      const n = Number(path.slice('/chunked/exactly-'.length));
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.write('%PDF-1.4\n');
      res.write(Buffer.alloc(Math.floor((n - 9) / 2), 0x20));
      res.end(Buffer.alloc(n - 9 - Math.floor((n - 9) / 2), 0x20));
    } else if (path === '/lying-length.pdf') {
      // Declares 2 MB, sends 1 KB, then never finishes: only a Content-Length check answers quickly.
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': 2 * MB });
      res.write(Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024, 0x20)]));
    } else if (path === '/hang') {
      // never answers
    } else if (path.startsWith('/redirect')) {
      res.writeHead(302, { location: decodeURIComponent(path.slice('/redirect'.length + 1)) });
      res.end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// Local use (no app id): http and loopback allowed, as the test server speaks http on loopback.
const localPolicy = poeDownloadPolicy({ anonymous: true, hosts: DEFAULT_POE_DOWNLOAD_HOSTS }, new Set());
const strictPolicy = poeDownloadPolicy({ anonymous: false, hosts: DEFAULT_POE_DOWNLOAD_HOSTS }, new Set());
const local = { maxBytes: 1 * MB, policy: localPolicy };

async function fetched(path: string) {
  const result = await downloadPoe(`${base}${path}`, local);
  if (!result.ok) throw new Error(`download of ${path} refused: ${result.reason} ${result.detail ?? ''}`);
  return result.data;
}

describe('sniffPoe: accepted by content', () => {
  test('a real PDF', async () => {
    const data = await fetched('/sow.pdf');
    expect(data.equals(PDF)).toBe(true);
    expect(await sniffPoe(data)).toEqual({ ok: true, kind: 'pdf', contentType: 'application/pdf' });
  });

  test('PNG and JPEG', async () => {
    expect(await sniffPoe(await fetched('/photo.png'))).toEqual({ ok: true, kind: 'png', contentType: 'image/png' });
    expect(await sniffPoe(await fetched('/photo.jpg'))).toEqual({ ok: true, kind: 'jpeg', contentType: 'image/jpeg' });
  });

  test('a real Word document (a ZIP with [Content_Types].xml and word/document.xml in its central directory)', async () => {
    expect(await sniffPoe(await fetched('/sow.docx'))).toEqual({
      ok: true,
      kind: 'docx',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
  });

  test('a Word document with a ZIP comment is still found through its End Of Central Directory record', async () => {
    expect(await sniffPoe(buildZip(docxEntries('x'), 'PK\x05\x06 a comment that looks like a record'))).toMatchObject({ ok: true, kind: 'docx' });
  });

  test('content types are the six documented ones', () => {
    expect(POE_CONTENT_TYPES).toEqual({
      pdf: 'application/pdf',
      docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      png: 'image/png',
      jpeg: 'image/jpeg',
      eml: 'message/rfc822',
      msg: 'application/vnd.ms-outlook',
    });
    expect(DEFAULT_MAX_POE_BYTES).toBe(20 * MB);
  });
});

describe('sniffPoe: refused by content', () => {
  test('an executable renamed to .pdf', async () => {
    expect(await sniffPoe(await fetched('/invoice.pdf'))).toEqual({ ok: false, reason: 'executable' });
  });

  test('ELF, Mach-O (every magic) and scripts with a shebang', async () => {
    const magics = [
      [0x7f, 0x45, 0x4c, 0x46],
      [0xfe, 0xed, 0xfa, 0xce],
      [0xfe, 0xed, 0xfa, 0xcf],
      [0xce, 0xfa, 0xed, 0xfe],
      [0xcf, 0xfa, 0xed, 0xfe],
      [0xca, 0xfe, 0xba, 0xbe],
    ];
    for (const magic of magics) expect(await sniffPoe(Buffer.from([...magic, 0, 0, 0, 0]))).toEqual({ ok: false, reason: 'executable' });
    expect(await sniffPoe(Buffer.from('#!/bin/sh\nrm -rf ~\n'))).toEqual({ ok: false, reason: 'executable' });
  });

  test('a ZIP holding evil.exe', async () => {
    expect(await sniffPoe(await fetched('/bundle.zip'))).toEqual({ ok: false, reason: 'executable' });
  });

  test('a Word document carrying an executable or script entry is an executable', async () => {
    for (const name of ['word/media/evil.exe', 'Setup.DLL', 'run.js', 'x.vbs', 'go.bat', 'go.cmd', 'a.ps1', 'app.jar', 'evil.exe. ']) {
      expect([name, await sniffPoe(buildZip([...docxEntries('x'), { name, data: 'x' }]))]).toEqual([name, { ok: false, reason: 'executable' }]);
    }
  });

  test('an .xlsx and a plain ZIP are not Word documents', async () => {
    expect(await sniffPoe(await fetched('/numbers.xlsx'))).toEqual({ ok: false, reason: 'unsupportedType' });
    expect(await sniffPoe(buildZip([{ name: 'notes.txt', data: 'hello' }]))).toEqual({ ok: false, reason: 'unsupportedType' });
  });

  test('the names are read from the central directory, not found by searching the bytes', async () => {
    const text = buildZip([{ name: 'notes.txt', data: '[Content_Types].xml word/document.xml' }]);
    expect(await sniffPoe(text)).toEqual({ ok: false, reason: 'unsupportedType' });
  });

  test('a corrupt ZIP is unreadable: truncated, or its central directory damaged', async () => {
    expect(await sniffPoe(DOCX.subarray(0, DOCX.length - 10))).toEqual({ ok: false, reason: 'unreadable' });
    expect(await sniffPoe(DOCX.subarray(0, 200))).toEqual({ ok: false, reason: 'unreadable' });
    const badDirectory = Buffer.from(DOCX);
    badDirectory.writeUInt32LE(0xdeadbeef, badDirectory.readUInt32LE(badDirectory.length - 22 + 16)); // first entry's signature
    expect(await sniffPoe(badDirectory)).toEqual({ ok: false, reason: 'unreadable' });
    const badOffset = Buffer.from(DOCX);
    badOffset.writeUInt32LE(badOffset.length, badOffset.length - 22 + 16); // directory "after" the end
    expect(await sniffPoe(badOffset)).toEqual({ ok: false, reason: 'unreadable' });
  });

  test('an empty file', async () => {
    expect(await sniffPoe(await fetched('/empty.pdf'))).toEqual({ ok: false, reason: 'empty' });
  });

  test('a broken compound file (the magic of .doc and .msg, nothing after it), text and HTML are refused', async () => {
    expect(await sniffPoe(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]))).toEqual({ ok: false, reason: 'unreadable' });
    expect(await sniffPoe(Buffer.from('Signed. Trust me.'))).toEqual({ ok: false, reason: 'unsupportedType' });
    expect(await sniffPoe(Buffer.from('<!DOCTYPE html><title>Sign in</title>'))).toEqual({ ok: false, reason: 'unsupportedType' });
  });
});

describe('downloadPoe', () => {
  test('refuses a file over maxBytes by its Content-Length', async () => {
    expect(await downloadPoe(`${base}/big.pdf`, local)).toMatchObject({ ok: false, reason: 'tooLarge' });
  });

  test('refuses by Content-Length before reading the body', async () => {
    const started = Date.now();
    const result = await downloadPoe(`${base}/lying-length.pdf`, { ...local, timeoutMs: 3000 });
    expect(result).toMatchObject({ ok: false, reason: 'tooLarge' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('refuses a chunked file (no Content-Length) over maxBytes by counting', async () => {
    expect(await downloadPoe(`${base}/chunked/big.pdf`, local)).toMatchObject({ ok: false, reason: 'tooLarge' });
  });

  test('stops reading as soon as maxBytes is passed, closing the connection', async () => {
    const result = await downloadPoe(`${base}/chunked/endless.pdf`, local);
    expect(result).toMatchObject({ ok: false, reason: 'tooLarge' });
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([endless, new Promise<'still open'>((resolve) => (timer = setTimeout(() => resolve('still open'), 5000)))]);
    clearTimeout(timer);
    expect(closed).not.toBe('still open');
    const { sent, finished } = closed as { sent: number; finished: boolean };
    expect(finished).toBe(false);
    expect(sent).toBeLessThan(64 * MB); // of 256 MB offered; what is left is socket buffers
  });

  test('exactly maxBytes is accepted, one byte more is not', async () => {
    const n = 300_000;
    const exact = await downloadPoe(`${base}/chunked/exactly-${n}`, { maxBytes: n, policy: localPolicy });
    expect(exact.ok && exact.data.length).toBe(n);
    expect(await downloadPoe(`${base}/chunked/exactly-${n + 1}`, { maxBytes: n, policy: localPolicy })).toMatchObject({ ok: false, reason: 'tooLarge' });
  });

  test('404 is unreadable', async () => {
    expect(await downloadPoe(`${base}/missing.pdf`, local)).toEqual({ ok: false, reason: 'unreadable', detail: expect.stringContaining('404') });
  });

  test('an http link is refused without a request with an app id', async () => {
    const before = hits.get('/sow.pdf') ?? 0;
    const result = await downloadPoe(`${base}/sow.pdf`, { maxBytes: MB, policy: strictPolicy });
    expect(result).toEqual({ ok: false, reason: 'hostNotAllowed', detail: expect.stringContaining('https') });
    expect(hits.get('/sow.pdf') ?? 0).toBe(before);
  });

  test('other schemes are refused even for local use', async () => {
    expect(await downloadPoe(`data:application/pdf;base64,${PDF.toString('base64')}`, local)).toMatchObject({ ok: false, reason: 'hostNotAllowed' });
    expect(await downloadPoe('not a url', local)).toMatchObject({ ok: false, reason: 'hostNotAllowed' });
  });

  test('redirects are followed', async () => {
    const result = await downloadPoe(`${base}/redirect/${encodeURIComponent('/sow.pdf')}`, local);
    expect(result.ok && result.data.equals(PDF)).toBe(true);
  });

  test('a server that never answers times out as unreadable', async () => {
    const started = Date.now();
    const result = await downloadPoe(`${base}/hang`, { ...local, timeoutMs: 300 });
    expect(result).toEqual({ ok: false, reason: 'unreadable', detail: expect.stringContaining('300 ms') });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a network error is unreadable, not thrown', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await downloadPoe(`http://127.0.0.1:${port}/sow.pdf`, local)).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});

describe('attachments', () => {
  const teamsFile = (downloadUrl: string, contentUrl: string): IncomingAttachment => ({
    contentType: 'application/vnd.microsoft.teams.file.download.info',
    name: 'Signed SOW.docx',
    contentUrl, // the SharePoint page, which needs the user's sign-in
    content: { downloadUrl, uniqueId: '1a2b3c4d-0000-4000-8000-000000000001', fileType: 'docx' },
  });

  test('a Teams file upload is downloaded from content.downloadUrl, not contentUrl', async () => {
    const result = await intakeAttachment(teamsFile(`${base}/sow.docx`, `${base}/invoice.pdf`), local);
    expect(result).toMatchObject({ ok: true, name: 'Signed SOW.docx', kind: 'docx', contentType: POE_CONTENT_TYPES.docx });
    expect(result.ok && result.data.equals(DOCX)).toBe(true);
  });

  test('an attachment with a contentUrl is downloaded from it and judged by content, not by its declared type', async () => {
    const declaredPdf = await intakeAttachment({ contentType: 'application/pdf', name: 'scan.pdf', contentUrl: `${base}/photo.png` }, local);
    expect(declaredPdf).toMatchObject({ ok: true, name: 'scan.pdf', kind: 'png', contentType: 'image/png' });
    const exe = await intakeAttachment({ contentType: 'application/pdf', name: 'SOW.pdf', contentUrl: `${base}/invoice.pdf` }, local);
    expect(exe).toEqual({ ok: false, name: 'SOW.pdf', reason: 'executable' });
  });

  test('refusals from the download keep the name and the detail', async () => {
    expect(await intakeAttachment({ name: 'gone.pdf', contentUrl: `${base}/missing.pdf` }, local)).toEqual({
      ok: false,
      name: 'gone.pdf',
      reason: 'unreadable',
      detail: expect.stringContaining('404'),
    });
    expect(await intakeAttachment(teamsFile(`${base}/big.pdf`, `${base}/sow.pdf`), local)).toMatchObject({
      ok: false,
      name: 'Signed SOW.docx',
      reason: 'tooLarge',
    });
  });

  test('cards and the text/html copy of a message are not files', async () => {
    const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' }, contentUrl: `${base}/sow.pdf` };
    expect(attachmentSource(card)).toBeUndefined();
    expect(attachmentSource({ contentType: 'text/html', content: '<p>here is the SOW</p>' })).toBeUndefined();
    expect(attachmentSource({ contentType: 'application/vnd.microsoft.teams.file.download.info', contentUrl: `${base}/sow.pdf`, content: {} })).toBeUndefined();
    expect(await intakeAttachment(card, local)).toMatchObject({ ok: false, reason: 'unsupportedType' });
  });

  test('the source names the file, or "attachment" when it has no name', () => {
    expect(attachmentSource(teamsFile('https://x.example/d', 'https://x.example/c'))).toEqual({ url: 'https://x.example/d', name: 'Signed SOW.docx' });
    expect(attachmentSource({ contentType: 'image/png', contentUrl: 'https://x.example/i' })).toEqual({ url: 'https://x.example/i', name: 'attachment' });
  });
});
