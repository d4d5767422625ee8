import type { PoeReadKind } from '../../src/services/poe/reading/readLimits';
import { randomBytes } from 'node:crypto';
import { makePdf } from '../support/poeDocuments';
import { buildZip, docxEntries } from '../support/zipFixture';
import { percentile, printGrid } from './benchTable';
import { compiledReaders, peakDuring } from './precheckBench';

/**
 * Reading PoE files (the part of issue 20's pre-check that touches the file): a 20-page PDF and a 2 MB
 * Word document, each read `times` times by a reader process started before (as the bot starts it), with
 * the extra peak resident memory of this process and of the reader process (sampled every 5 ms). The
 * first read of each is reported on its own (for the Word document it loads the Word reader).
 */

export interface ReadingRow {
  name: string;
  firstMs: number;
  p50: number;
  p95: number;
  extraRssMb: number;
}

const ONE_S = 1000;
const EXTRA_MB = 50;

function sentence(i: number): string {
  return `Fabrikam delivered workshop ${i} for Contoso on Dynamics 365 Sales and Microsoft Teams; the customer confirmed the outcome on 1 March 2026.`;
}

async function timeReads(name: string, bytes: Buffer, kind: PoeReadKind, times: number): Promise<ReadingRow> {
  const readers = compiledReaders();
  try {
    await readers.start(); // as the bot does at its start
    let firstMs = 0;
    const reads: number[] = [];
    const peak = await peakDuring(readers.pid!, async () => {
      const started = performance.now();
      const first = await readers.read(bytes, name, kind);
      if (!first.readable) throw new Error(`${name} was not read: ${first.unreadable}`);
      firstMs = performance.now() - started;
      for (let i = 0; i < times; i++) {
        const at = performance.now();
        await readers.read(bytes, name, kind);
        reads.push(performance.now() - at);
      }
    });
    return { name, firstMs, p50: percentile(reads, 50), p95: percentile(reads, 95), extraRssMb: peak.botExtraMb + peak.readerExtraMb };
  } finally {
    await readers.close();
  }
}

export async function readingScenario(times: number): Promise<ReadingRow[]> {
  const pages = Array.from({ length: 20 }, (_, p) => Array.from({ length: 40 }, (_, l) => sentence(p * 40 + l)).join('\n'));
  const pdf = await makePdf({ pages, signature: { signer: 'Avery Chen', signedAt: '2026-03-01T10:00:00Z' } });
  // A 2 MB Word document as they come: some pages of text and a scanned signature page as an image
  // (random bytes: they don't compress). 15 MB of text alone would be 'tooLarge' for the reader's heap.
  const text = docxEntries(Array.from({ length: 400 }, (_, i) => sentence(i)));
  const docx = buildZip([...text, { name: 'word/media/image1.png', data: randomBytes(2 * 1024 * 1024) }]);
  return [
    await timeReads(`20-page PDF (${(pdf.length / 1024).toFixed(0)} KB)`, pdf, 'pdf', times),
    await timeReads(`Word document (${(docx.length / (1024 * 1024)).toFixed(1)} MB)`, docx, 'docx', times),
  ];
}

export function printReadingTable(rows: ReadingRow[]): void {
  printGrid(
    ['PoE file read (reader process, started before)', 'first read ms', 'p50 ms', 'p95 ms', 'extra peak RSS MB (bot + reader)', 'target', 'met'],
    rows.map((r) => [
      r.name,
      r.firstMs.toFixed(0),
      r.p50.toFixed(0),
      r.p95.toFixed(0),
      r.extraRssMb.toFixed(0),
      `< ${ONE_S} ms, < ${EXTRA_MB} MB`,
      r.p95 < ONE_S && r.extraRssMb < EXTRA_MB ? 'yes' : 'NO',
    ]),
  );
}
