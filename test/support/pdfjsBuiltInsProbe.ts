import { extractPoeDocument } from '../../src/services/poe/reading/extractPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from '../../src/services/poe/reading/readLimits';
import { makePdf } from './poeDocuments';

/**
 * Run by test/poe/pdfjsBuiltIns.test.ts in a process of its own, as the reader process runs: reads two
 * PDFs (the first loads pdf.js, both halves) and says whether the engine's push and JSON functions are
 * still the ones the process started with, and what was read. Prints one JSON line.
 */
async function main(): Promise<void> {
  const engine = { push: Array.prototype.push, parse: JSON.parse, stringify: JSON.stringify };
  const texts: string[] = [];
  for (const words of ['Approved by Avery Chen', 'Signed 1 March 2026']) {
    const document = await extractPoeDocument(await makePdf({ pages: [words] }), 'proof.pdf', 'pdf', DEFAULT_POE_READ_LIMITS);
    texts.push(document.pages.map((page) => page.text).join('\n'));
  }
  const kept = {
    push: Array.prototype.push === engine.push,
    parse: JSON.parse === engine.parse,
    stringify: JSON.stringify === engine.stringify,
    pushEnumerable: Object.keys(Array.prototype).includes('push'),
  };
  console.log(JSON.stringify({ kept, texts, pdfjsLoaded: typeof (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker === 'object' }));
}

void main();
