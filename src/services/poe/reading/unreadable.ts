import type { PoeDocument, PoeDocumentKind, PoeUnreadableReason } from '../../../domain/poeDocument';
import type { PoeReadKind } from './readLimits';

/** The document kind each file kind reads as. */
export const DOCUMENT_KIND: Record<PoeReadKind, PoeDocumentKind> = { pdf: 'pdf', docx: 'docx', eml: 'email', msg: 'email', png: 'image', jpeg: 'image' };

/** A file nothing could be read from, and why. (Apart from the readers, which load only in the reader process.) */
export function unreadableDocument(fileName: string, kind: PoeReadKind, reason: PoeUnreadableReason): PoeDocument {
  return { fileName, kind: DOCUMENT_KIND[kind], readable: false, unreadable: reason, pages: [], signatures: [], formFields: [] };
}
