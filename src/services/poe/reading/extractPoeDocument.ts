import type { PoeDocument } from '../../../domain/poeDocument';
import { readPdf } from './pdfReader';
import type { PoeReadKind, PoeReadLimits } from './readLimits';
import { unreadableDocument } from './unreadable';

// Loaded on first use (require, not import(): tsx and the compiled code both load them as CommonJS).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const docxReader = () => require('./docxReader') as typeof import('./docxReader');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emailReader = () => require('./emailReader') as typeof import('./emailReader');

/**
 * Reads one file in this thread. Never throws: whatever a reader could not handle is 'corrupt'. Runs
 * inside the reader process (readPoeDocument), which adds the time and memory bounds. Only pdf.js (most
 * PoE files are PDFs) is loaded up front; the Word and e-mail readers (8 MB or so each) load with the
 * first file that needs them, so a reader that reads PDFs carries no more than it uses.
 */
export async function extractPoeDocument(bytes: Buffer, fileName: string, kind: PoeReadKind, limits: PoeReadLimits): Promise<PoeDocument> {
  try {
    switch (kind) {
      case 'pdf':
        return await readPdf(bytes, fileName, limits);
      case 'docx':
        return await docxReader().readDocx(bytes, fileName, limits);
      case 'eml':
        return await emailReader().readEml(bytes, fileName, limits);
      case 'msg':
        return emailReader().readMsg(bytes, fileName, limits);
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
