import type { PoeDocument, PoeDocumentKind, PoeUnreadableReason } from '../../../domain/poeDocument';
import { readDocx } from './docxReader';
import { readEml, readMsg } from './emailReader';
import { readPdf } from './pdfReader';
import type { PoeReadKind, PoeReadLimits } from './readLimits';

/** The document kind each file kind reads as. */
export const DOCUMENT_KIND: Record<PoeReadKind, PoeDocumentKind> = { pdf: 'pdf', docx: 'docx', eml: 'email', msg: 'email', png: 'image', jpeg: 'image' };

export function unreadableDocument(fileName: string, kind: PoeReadKind, reason: PoeUnreadableReason): PoeDocument {
  return { fileName, kind: DOCUMENT_KIND[kind], readable: false, unreadable: reason, pages: [], signatures: [], formFields: [] };
}

/**
 * Reads one file in this thread. Never throws: whatever a reader could not handle is 'corrupt'. Runs
 * inside the reader worker (readPoeDocument), which adds the time and memory bounds.
 */
export async function extractPoeDocument(bytes: Buffer, fileName: string, kind: PoeReadKind, limits: PoeReadLimits): Promise<PoeDocument> {
  try {
    switch (kind) {
      case 'pdf':
        return await readPdf(bytes, fileName, limits);
      case 'docx':
        return await readDocx(bytes, fileName, limits);
      case 'eml':
        return await readEml(bytes, fileName, limits);
      case 'msg':
        return readMsg(bytes, fileName, limits);
      case 'png':
      case 'jpeg':
        return unreadableDocument(fileName, kind, 'image');
      default:
        return unreadableDocument(fileName, kind, 'unsupported');
    }
  } catch {
    return unreadableDocument(fileName, kind, 'corrupt');
  }
}
