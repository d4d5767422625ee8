import { dirname, join } from 'node:path';
import type { PDFDocument, PDFRef } from 'pdf-lib';
import type { PoeDocument, PoeFormField, PoeSignature } from '../../../domain/poeDocument';
import { importEsm } from './esmImport';
import type { PoeReadLimits } from './readLimits';
import { capPages, hasText, tidyText } from './textCaps';

/**
 * PDF: the text of each page (pdf.js, the reader Firefox uses), the form fields with their values, and
 * the digital signature fields with the signer's name and signing time from the signature dictionary
 * (/V of a /Sig field: /Name, /M), which pdf.js does not hand out; pdf-lib reads those.
 */

interface TextItem {
  str?: string;
  hasEOL?: boolean;
}
interface PdfPage {
  getTextContent(): Promise<{ items: TextItem[] }>;
  cleanup(): void;
}
interface FieldObject {
  type?: string;
  value?: unknown;
  page?: number;
}
interface PdfDocumentProxy {
  numPages: number;
  getPage(n: number): Promise<PdfPage>;
  getFieldObjects(): Promise<Record<string, FieldObject[]> | null>;
  destroy(): Promise<void>;
}
interface PdfJs {
  getDocument(options: Record<string, unknown>): { promise: Promise<PdfDocumentProxy>; destroy(): Promise<void> };
}

let pdfjs: Promise<PdfJs> | undefined;
const pdfjsRoot = () => dirname(require.resolve('pdfjs-dist/package.json'));

/**
 * Loads pdf.js (once; the reader process loads it with its warm-up file, before it says it is ready).
 *
 * Its build for Node carries core-js, which replaces the engine's `Array.prototype.push` with one written
 * in JavaScript (V8's fails core-js's test for array-likes of 2^32 elements) and JSON's parse and stringify
 * (for proposals pdf.js does not use): every push of pdf.js's text extraction, and of everything else in
 * the process, then runs as script. The engine's own are put back once both halves of pdf.js are loaded:
 * its worker half too, handed to pdf.js as `globalThis.pdfjsWorker`, which pdf.js would otherwise import
 * at the first file and which would replace them again. A 20-page PDF costs about a fifth less CPU
 * (docs/poe-precheck.md, "Session 12"). What core-js adds that Node 20 lacks (Promise.withResolvers, Set
 * methods ...) stays: pdf.js uses it.
 */
export function loadPdfjs(): Promise<unknown> {
  pdfjs ??= withEngineBuiltIns(async () => {
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = await importEsm<unknown>('pdfjs-dist/legacy/build/pdf.worker.mjs');
    return importEsm<PdfJs>('pdfjs-dist/legacy/build/pdf.mjs');
  });
  return pdfjs;
}

async function withEngineBuiltIns<T>(load: () => Promise<T>): Promise<T> {
  const push = Object.getOwnPropertyDescriptor(Array.prototype, 'push')!;
  const json = { parse: Object.getOwnPropertyDescriptor(JSON, 'parse')!, stringify: Object.getOwnPropertyDescriptor(JSON, 'stringify')! };
  try {
    return await load();
  } finally {
    Object.defineProperty(Array.prototype, 'push', push);
    Object.defineProperties(JSON, json);
  }
}

export async function readPdf(bytes: Buffer, fileName: string, limits: PoeReadLimits): Promise<PoeDocument> {
  const base: PoeDocument = { fileName, kind: 'pdf', readable: false, pages: [], signatures: [], formFields: [] };
  const loading = ((await loadPdfjs()) as PdfJs).getDocument({
    data: new Uint8Array(bytes), // pdf.js takes ownership of (detaches) the array it is given
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
    // Chinese PDFs may use predefined CJK encodings (UniGB-UCS2-H ...): their maps ship with pdf.js.
    cMapUrl: join(pdfjsRoot(), 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(pdfjsRoot(), 'standard_fonts') + '/',
  });
  let document: PdfDocumentProxy;
  try {
    document = await loading.promise;
  } catch (error) {
    await loading.destroy().catch(() => undefined);
    const name = (error as { name?: string }).name;
    return { ...base, unreadable: name === 'PasswordException' ? 'encrypted' : 'corrupt' };
  }
  try {
    const pages = [];
    let chars = 0;
    for (let number = 1; number <= Math.min(document.numPages, limits.maxPages) && chars < limits.maxChars; number++) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = tidyText(content.items.map((item) => (item.str ?? '') + (item.hasEOL ? '\n' : '')).join(''));
      page.cleanup();
      pages.push({ number, text });
      chars += text.length;
    }
    const { formFields, signatureFields } = await formFieldsOf(document);
    // pdf-lib parses the whole file again: only when pdf.js saw a signature field to look into.
    const signatures = signatureFields ? await signaturesOf(bytes, document) : [];
    const capped = capPages(pages, limits.maxChars);
    const readable = hasText(capped) || formFields.length > 0 || signatures.length > 0;
    return { ...base, readable, ...(readable ? {} : { unreadable: 'noText' as const }), pages: capped, formFields, signatures };
  } finally {
    await document.destroy().catch(() => undefined);
  }
}

/**
 * Filled-in form fields (text, check boxes, choices), named as in the form; empty ones and buttons are
 * left out. And whether the form has signature fields (read by signaturesOf).
 */
async function formFieldsOf(document: PdfDocumentProxy): Promise<{ formFields: PoeFormField[]; signatureFields: boolean }> {
  const objects = (await document.getFieldObjects().catch(() => null)) ?? {};
  const fields: PoeFormField[] = [];
  const signatureFields = Object.values(objects).some((widgets) => widgets.some((w) => w.type === 'signature'));
  for (const [name, widgets] of Object.entries(objects)) {
    const widget = widgets.find((w) => w.type && w.type !== 'button' && w.type !== 'signature' && valueText(w.value));
    if (!widget) continue;
    fields.push({ name, value: valueText(widget.value), ...(typeof widget.page === 'number' && widget.page >= 0 ? { page: widget.page + 1 } : {}) });
  }
  return { formFields: fields, signatureFields };
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).filter(Boolean).join(', ');
  if (typeof value === 'string') return value === 'Off' ? '' : value.trim();
  return typeof value === 'number' ? String(value) : '';
}

/**
 * Digital signature fields: the field's name and page, and from its signature dictionary the signer
 * (/Name) and signing time (/M). An empty signature field (nobody signed yet) is not a signature.
 * pdf-lib reads the raw dictionaries; where it can't (an encrypted file: its strings are encrypted),
 * nothing is claimed.
 */
async function signaturesOf(bytes: Buffer, document: PdfDocumentProxy): Promise<PoeSignature[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PDFDict, PDFDocument, PDFName, PDFSignature } = require('pdf-lib') as typeof import('pdf-lib');
  let pdf: PDFDocument;
  try {
    pdf = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    return [];
  }
  if (pdf.isEncrypted) return [];
  const pageRefs: PDFRef[] = pdf.getPages().map((p) => p.ref);
  const signatures: PoeSignature[] = [];
  for (const field of pdf.getForm().getFields()) {
    if (!(field instanceof PDFSignature)) continue;
    const value = field.acroField.dict.lookup(PDFName.of('V'));
    if (!(value instanceof PDFDict)) continue;
    const signer = textOf(value.lookup(PDFName.of('Name')));
    const signedAt = pdfDate(textOf(value.lookup(PDFName.of('M'))));
    const pageRef = field.acroField.getWidgets()[0]?.P();
    const pageIndex = pageRef ? pageRefs.findIndex((r) => r === pageRef || r.toString() === pageRef.toString()) : -1;
    signatures.push({
      field: field.getName(),
      ...(signer ? { signer } : {}),
      ...(signedAt ? { signedAt } : {}),
      ...(pageIndex >= 0 && pageIndex < document.numPages ? { page: pageIndex + 1 } : {}),
    });
  }
  return signatures;
}

/** A PDF string (pdf-lib's PDFString or PDFHexString, both with decodeText) as text. */
function textOf(value: unknown): string | undefined {
  if (value && typeof (value as { decodeText?: unknown }).decodeText === 'function')
    return (value as { decodeText(): string }).decodeText().trim() || undefined;
  return undefined;
}

/** A PDF date ("D:20260301143000+01'00'", parts after the year optional) as ISO 8601; undefined when it isn't one. */
export function pdfDate(text: string | undefined): string | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z|[+-])(\d{2})?'?(\d{2})?'?)?/.exec(text ?? '');
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const offset = !sign || sign === 'Z' ? 'Z' : `${sign}${oh}:${om}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
