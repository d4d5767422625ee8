import mammoth from 'mammoth';
import type { PoeDocument } from '../../../domain/poeDocument';
import type { PoeReadLimits } from './readLimits';
import { capPages, hasText, tidyText } from './textCaps';

/** Word (.docx): the document's text, paragraphs and table cells one per line (mammoth); Word has no pages to number, so it is page 1. */
export async function readDocx(bytes: Buffer, fileName: string, limits: PoeReadLimits): Promise<PoeDocument> {
  const base: PoeDocument = { fileName, kind: 'docx', readable: false, pages: [], signatures: [], formFields: [] };
  let raw: string;
  try {
    raw = (await mammoth.extractRawText({ buffer: bytes })).value;
  } catch {
    return { ...base, unreadable: 'corrupt' };
  }
  // mammoth ends every paragraph with a blank line; one line per paragraph reads as the document does.
  const pages = capPages([{ number: 1, text: tidyText(raw.replace(/\n\n/g, '\n')) }], limits.maxChars);
  return hasText(pages) ? { ...base, readable: true, pages } : { ...base, unreadable: 'noText' };
}
