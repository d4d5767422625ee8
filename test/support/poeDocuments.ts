import CFB from 'cfb';
import MailComposer from 'nodemailer/lib/mail-composer';
import { deflateSync } from 'node:zlib';
import {
  beginText,
  endText,
  moveText,
  PDFBool,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFString,
  setFontAndSize,
  showText,
  StandardFonts,
  type PDFFont,
  type PDFPage,
  type PDFRef,
} from 'pdf-lib';
import { pdfOf, pngChunk, PNG_SIGNATURE } from './poeFixtures';
import { buildZip, docxEntries } from './zipFixture';

/**
 * Real documents for tests: PDFs (pdf-lib), Word documents (the product's own ZIP writer), e-mails as
 * .eml (nodemailer's MIME composer) and as Outlook .msg (an OLE compound file written with `cfb`, with
 * the property streams MS-OXMSG describes). Chinese text works in all four.
 *
 * Chinese text in a PDF: a line that Helvetica can't encode is written with a Type0 font (Identity-H,
 * two-byte codes equal to the UTF-16 code units) and a ToUnicode map, without embedded glyphs. Text
 * extraction reads it exactly as it reads a Word-made PDF (through ToUnicode); a viewer substitutes a
 * font for the glyphs. Embedding a real CJK font would add a font package of tens of megabytes to the
 * test dependencies for no difference in what the readers see.
 */

// ---------------------------------------------------------------------------------------------------
// PDF

export interface PdfSpec {
  /** Text of each page; lines split at '\n'. An empty list gives one blank page. */
  pages: string[];
  /** A digital signature field with a signature dictionary (not a cryptographically valid signature). */
  signature?: { signer: string; signedAt: Date | string; field?: string; page?: number };
  formFields?: { name: string; value: string; page?: number }[];
  /** Protected by a user password (the standard security handler); no reader can open it without one. */
  encrypted?: boolean;
  /** Looks like a PDF (header, %%EOF) but its body is garbage. */
  corrupt?: boolean;
  /** Each page is a scanned image: no text at all. */
  imageOnly?: boolean;
}

const PAGE_TOP = 760;
const LINE_HEIGHT = 16;
const CJK_FONT = 'CporCJK';

export async function makePdf(spec: PdfSpec): Promise<Buffer> {
  if (spec.encrypted) return encryptedPdf();
  if (spec.corrupt)
    return Buffer.from(`%PDF-1.7\n${'1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage \u0000\u00ff'.repeat(20)}\nstartxref\n999999\n%%EOF\n`, 'latin1');
  const doc = await PDFDocument.create();
  const helvetica = await doc.embedFont(StandardFonts.Helvetica);
  let cjk: PDFRef | undefined;
  const texts = spec.pages.length ? spec.pages : [''];
  const pages = texts.map(() => doc.addPage([612, 792]));
  for (const [i, text] of texts.entries()) {
    const page = pages[i];
    if (spec.imageOnly) {
      const image = await doc.embedPng(greyPng(120, 160));
      page.drawImage(image, { x: 36, y: 36, width: 540, height: 720 });
      continue;
    }
    let y = PAGE_TOP;
    for (const line of text.split('\n').flatMap((l) => wrap(l, 90))) {
      if (encodable(helvetica, line)) page.drawText(line, { x: 50, y, size: 11, font: helvetica });
      else {
        cjk ??= cjkFont(doc);
        drawCjk(page, cjk, line, y);
      }
      y -= LINE_HEIGHT;
    }
  }
  const form = doc.getForm();
  for (const field of spec.formFields ?? []) {
    const box = form.createTextField(field.name);
    box.addToPage(pages[(field.page ?? 1) - 1], { x: 50, y: 100 + 30 * form.getFields().length, width: 300, height: 20 });
    box.setText(field.value); // after the widget exists: adding it draws the value with Helvetica
  }
  if (spec.signature) addSignature(doc, pages[(spec.signature.page ?? pages.length) - 1], spec.signature);
  if (spec.formFields?.length || spec.signature) form.acroForm.dict.set(PDFName.of('NeedAppearances'), PDFBool.True);
  // Appearances would be drawn with Helvetica, which has no Chinese: viewers draw them (NeedAppearances).
  return Buffer.from(await doc.save({ updateFieldAppearances: false }));
}

function wrap(line: string, width: number): string[] {
  const chars = [...line];
  if (chars.length <= width) return [line];
  const lines: string[] = [];
  for (let at = 0; at < chars.length; at += width) lines.push(chars.slice(at, at + width).join(''));
  return lines;
}

function encodable(font: PDFFont, text: string): boolean {
  try {
    font.encodeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A Type0 font whose codes are UTF-16 code units, with the ToUnicode map that says so. */
function cjkFont(doc: PDFDocument): PDFRef {
  const ctx = doc.context;
  const ranges: string[] = [];
  for (let high = 0; high < 256; high++) {
    if (high >= 0xd8 && high <= 0xdf) continue; // surrogates: not characters on their own
    const h = high.toString(16).padStart(2, '0').toUpperCase();
    ranges.push(`<${h}00> <${h}FF> <${h}00>`);
  }
  const blocks: string[] = [];
  for (let at = 0; at < ranges.length; at += 100) {
    const block = ranges.slice(at, at + 100);
    blocks.push(`${block.length} beginbfrange\n${block.join('\n')}\nendbfrange`);
  }
  const cmap = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
  const toUnicode = ctx.register(ctx.flateStream(cmap));
  const descriptor = ctx.register(
    ctx.obj({
      Type: 'FontDescriptor',
      FontName: CJK_FONT,
      Flags: 4,
      FontBBox: [0, -120, 1000, 880],
      ItalicAngle: 0,
      Ascent: 880,
      Descent: -120,
      CapHeight: 700,
      StemV: 80,
    }),
  );
  const cidFont = ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: CJK_FONT,
      CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      DW: 1000,
      CIDToGIDMap: 'Identity',
    }),
  );
  return ctx.register(
    ctx.obj({ Type: 'Font', Subtype: 'Type0', BaseFont: CJK_FONT, Encoding: 'Identity-H', DescendantFonts: [cidFont], ToUnicode: toUnicode }),
  );
}

function drawCjk(page: PDFPage, font: PDFRef, line: string, y: number): void {
  page.node.setFontDictionary(PDFName.of(CJK_FONT), font);
  const hex = [...line]
    .filter((c) => c.length === 1)
    .map((c) => c.charCodeAt(0).toString(16).padStart(4, '0'))
    .join('');
  page.pushOperators(beginText(), setFontAndSize(CJK_FONT, 11), moveText(50, y), showText(PDFHexString.of(hex)), endText());
}

/** "D:20260301143000Z", as PDF dates are written. */
export function pdfDateString(at: Date | string): string {
  return `D:${new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function addSignature(doc: PDFDocument, page: PDFPage, signature: NonNullable<PdfSpec['signature']>): void {
  const ctx = doc.context;
  const value = ctx.register(
    ctx.obj({
      Type: 'Sig',
      Filter: 'Adobe.PPKLite',
      SubFilter: 'adbe.pkcs7.detached',
      Name: PDFHexString.fromText(signature.signer),
      M: PDFString.of(pdfDateString(signature.signedAt)),
      ByteRange: [0, 0, 0, 0],
      Contents: PDFHexString.of('00'.repeat(64)),
    }),
  );
  const widget = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFHexString.fromText(signature.field ?? 'CustomerSignature'),
      V: value,
      Rect: [50, 40, 250, 80],
      F: 4,
      P: page.ref,
    }),
  );
  page.node.addAnnot(widget);
  const form = doc.getForm();
  form.acroForm.addField(widget);
  form.acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(3));
}

/** One page protected with a user password: the standard security handler (RC4, revision 2) with /O and /U no empty password matches. */
function encryptedPdf(): Buffer {
  const hex32 = (seed: number) => Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, '0')).join('');
  return pdfOf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
      `<< /Filter /Standard /V 1 /R 2 /O <${hex32(7)}> /U <${hex32(91)}> /P -44 >>`,
    ],
    `/Encrypt 4 0 R /ID [<${hex32(3).slice(0, 32)}> <${hex32(3).slice(0, 32)}>] `,
  );
}

/** A grey 8-bit RGB PNG that decodes (what a scanner produces, minus the scan). */
export function greyPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0xc0)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', pixels), pngChunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------------------------------------------------
// Word

/** A Word document with one paragraph per entry (no paragraphs, or only empty ones: a document with no text). */
export function makeDocx(spec: { paragraphs: string[] }): Buffer {
  return buildZip(docxEntries(spec.paragraphs));
}

// ---------------------------------------------------------------------------------------------------
// E-mail

export interface EmailSpec {
  from: { name?: string; address: string };
  to: { name?: string; address: string }[];
  date: Date | string;
  subject: string;
  /** Plain text; with `html`, the body is sent as HTML only. */
  body: string;
  html?: boolean;
  attachments?: { fileName: string; contentType: string; data: Buffer }[];
}

const mailbox = (m: { name?: string; address: string }) => (m.name ? { name: m.name, address: m.address } : m.address);

/** An RFC 822 message as a mail program saves it (.eml): UTF-8 headers encoded as MIME words, multipart with attachments. */
export async function makeEml(spec: EmailSpec): Promise<Buffer> {
  const composer = new MailComposer({
    from: mailbox(spec.from),
    to: spec.to.map(mailbox),
    date: new Date(spec.date),
    subject: spec.subject,
    ...(spec.html ? { html: spec.body } : spec.body ? { text: spec.body } : {}),
    attachments: (spec.attachments ?? []).map((a) => ({ filename: a.fileName, contentType: a.contentType, content: a.data })),
  });
  return composer.compile().build();
}

/** Property types (MS-OXCDATA) used here. */
const PT = { int: 0x0003, bool: 0x000b, time: 0x0040, unicode: 0x001f, binary: 0x0102 } as const;

type Property = { id: number; type: number; value: string | number | Buffer | Date };

const tagHex = (p: Property) => ((p.id << 16) | p.type).toString(16).toUpperCase().padStart(8, '0');

/**
 * A property stream (`__properties_version1.0`) and the `__substg1.0_` streams of one object: fixed-size
 * values inline, strings and binaries as their own streams with their size in the property stream.
 */
function propertyStreams(properties: Property[], header: Buffer): { name: string; data: Buffer }[] {
  const streams: { name: string; data: Buffer }[] = [];
  const entries = properties.map((p) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt32LE((p.id << 16) | p.type, 0);
    entry.writeUInt32LE(0x6, 4); // readable, writable
    if (p.type === PT.unicode || p.type === PT.binary) {
      const data = p.type === PT.unicode ? Buffer.from(String(p.value), 'utf16le') : (p.value as Buffer);
      streams.push({ name: `__substg1.0_${tagHex(p)}`, data });
      entry.writeUInt32LE(data.length + (p.type === PT.unicode ? 2 : 0), 8);
    } else if (p.type === PT.time) {
      // FILETIME: 100-nanosecond intervals since 1601-01-01.
      entry.writeBigUInt64LE((BigInt((p.value as Date).getTime()) + 11_644_473_600_000n) * 10_000n, 8);
    } else {
      entry.writeUInt32LE(Number(p.value), 8);
    }
    return entry;
  });
  return [{ name: '__properties_version1.0', data: Buffer.concat([header, ...entries]) }, ...streams];
}

/** The MAPI id of each property used (MS-OXPROPS). */
const ID = {
  messageClass: 0x001a,
  subject: 0x0037,
  clientSubmitTime: 0x0039,
  sentRepresentingName: 0x0042,
  senderAddrType: 0x0c1e,
  senderEmail: 0x0c1f,
  senderName: 0x0c1a,
  displayTo: 0x0e04,
  deliveryTime: 0x0e06,
  messageFlags: 0x0e07,
  body: 0x1000,
  html: 0x1013,
  storeSupportMask: 0x340d,
  internetCodepage: 0x3fde,
  senderSmtp: 0x5d01,
  recipientType: 0x0c15,
  displayName: 0x3001,
  addrType: 0x3002,
  emailAddress: 0x3003,
  smtpAddress: 0x39fe,
  rowId: 0x3000,
  attachNum: 0x0e21,
  attachSize: 0x0e20,
  attachData: 0x3701,
  attachExtension: 0x3703,
  attachFilename: 0x3704,
  attachMethod: 0x3705,
  attachLongFilename: 0x3707,
  attachMimeTag: 0x370e,
} as const;

/**
 * An Outlook message (.msg) as Outlook saves one: an OLE compound file with the message's property
 * stream and `__substg1.0_` streams, one `__recip_version1.0_#n` storage per recipient, one
 * `__attach_version1.0_#n` storage per attachment (by value), and the (empty) named-property mapping.
 */
export function makeMsg(spec: EmailSpec): Buffer {
  const date = new Date(spec.date);
  const attachments = spec.attachments ?? [];
  const header = Buffer.alloc(32);
  header.writeUInt32LE(spec.to.length, 8); // next recipient id
  header.writeUInt32LE(attachments.length, 12); // next attachment id
  header.writeUInt32LE(spec.to.length, 16);
  header.writeUInt32LE(attachments.length, 20);
  const message: Property[] = [
    { id: ID.messageClass, type: PT.unicode, value: 'IPM.Note' },
    { id: ID.subject, type: PT.unicode, value: spec.subject },
    { id: ID.clientSubmitTime, type: PT.time, value: date },
    { id: ID.deliveryTime, type: PT.time, value: date },
    { id: ID.messageFlags, type: PT.int, value: 1 },
    { id: ID.storeSupportMask, type: PT.int, value: 0x00040000 }, // strings are Unicode
    { id: ID.internetCodepage, type: PT.int, value: 65001 },
    { id: ID.senderName, type: PT.unicode, value: spec.from.name ?? spec.from.address },
    { id: ID.sentRepresentingName, type: PT.unicode, value: spec.from.name ?? spec.from.address },
    { id: ID.senderAddrType, type: PT.unicode, value: 'SMTP' },
    { id: ID.senderEmail, type: PT.unicode, value: spec.from.address },
    { id: ID.senderSmtp, type: PT.unicode, value: spec.from.address },
    { id: ID.displayTo, type: PT.unicode, value: spec.to.map((t) => t.name ?? t.address).join('; ') },
    ...(spec.html
      ? [{ id: ID.html, type: PT.binary, value: Buffer.from(spec.body, 'utf8') }]
      : spec.body
        ? [{ id: ID.body, type: PT.unicode, value: spec.body }]
        : []),
  ];
  const files: { path: string; data: Buffer }[] = propertyStreams(message, header).map((s) => ({ path: s.name, data: s.data }));
  const storage = (prefix: string, props: Property[]) =>
    propertyStreams(props, Buffer.alloc(8)).forEach((s) => files.push({ path: `${prefix}/${s.name}`, data: s.data }));
  spec.to.forEach((to, n) =>
    storage(`__recip_version1.0_#${n.toString(16).toUpperCase().padStart(8, '0')}`, [
      { id: ID.rowId, type: PT.int, value: n },
      { id: ID.recipientType, type: PT.int, value: 1 }, // To
      { id: ID.displayName, type: PT.unicode, value: to.name ?? to.address },
      { id: ID.addrType, type: PT.unicode, value: 'SMTP' },
      { id: ID.emailAddress, type: PT.unicode, value: to.address },
      { id: ID.smtpAddress, type: PT.unicode, value: to.address },
    ]),
  );
  attachments.forEach((a, n) =>
    storage(`__attach_version1.0_#${n.toString(16).toUpperCase().padStart(8, '0')}`, [
      { id: ID.attachNum, type: PT.int, value: n },
      { id: ID.attachMethod, type: PT.int, value: 1 }, // by value
      { id: ID.attachSize, type: PT.int, value: a.data.length },
      { id: ID.attachLongFilename, type: PT.unicode, value: a.fileName },
      { id: ID.attachFilename, type: PT.unicode, value: a.fileName },
      { id: ID.attachExtension, type: PT.unicode, value: /\.[^.]+$/.exec(a.fileName)?.[0] ?? '' },
      { id: ID.attachMimeTag, type: PT.unicode, value: a.contentType },
      { id: ID.attachData, type: PT.binary, value: a.data },
    ]),
  );
  for (const stream of ['00020102', '00030102', '00040102']) files.push({ path: `__nameid_version1.0/__substg1.0_${stream}`, data: Buffer.alloc(0) });
  return compoundFile(files);
}

/** An OLE compound file of the given streams (paths with '/' make storages). */
export function compoundFile(files: { path: string; data: Buffer }[]): Buffer {
  const cfb = CFB.utils.cfb_new();
  for (const file of files) CFB.utils.cfb_add(cfb, `/${file.path}`, file.data);
  CFB.utils.cfb_del(cfb, '/\u0001Sh33tJ5'); // cfb_new's placeholder stream
  return Buffer.from(CFB.write(cfb, { type: 'buffer' }) as Uint8Array);
}
