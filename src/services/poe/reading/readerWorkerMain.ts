import { onePagePdf } from '../onePagePdf';
import { extractPoeDocument } from './extractPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from './readLimits';
import type { ReaderJob, ReaderReply } from './readPoeDocument';

/**
 * The reader process's loop: one job at a time, each answered with the document read (never an error).
 * First it reads a PDF of its own (warmUp), which loads pdf.js and the parts it loads at its first file
 * (its worker code, the standard font data), and says 'ready' then: a file's time limit counts its reading
 * only, and a file read by a ready process pays for nothing else. (The Word and e-mail readers load
 * within the first such file's time.)
 */
const send = (message: ReaderReply | { ready: true }) => process.send?.(message);

process.on('message', (job: ReaderJob) => {
  void extractPoeDocument(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.fileName, job.kind, job.limits).then((document) =>
    send({ id: job.id, document }),
  );
});

// The bot is gone (ended, or crashed): so is its reader.
process.on('disconnect', () => process.exit(0));

/**
 * Warm-up: a compressed page of 40 lines read 20 times, about as much text as a 20-page PoE. Once would
 * load pdf.js; the repeats get its inflating and text extraction compiled by V8, which otherwise make the
 * first real file take two to three times as long as the next (on a loaded 2-core machine, a 20-page PDF:
 * 360-780 ms first, 130-310 ms after with a one-line warm-up; 200-480 ms first with this one). It costs
 * about a second of CPU at start, at the reader's low priority.
 */
async function warmUp(): Promise<void> {
  const page = onePagePdf(
    Array.from({ length: 40 }, (_, i) => `${i + 1}. Fabrikam deployed Microsoft Teams for Contoso and trained the service desk.`),
    { deflate: true },
  );
  for (let i = 0; i < 20; i += 1) await extractPoeDocument(page, 'ready.pdf', 'pdf', DEFAULT_POE_READ_LIMITS);
}

// A reader that can't load answers 'corrupt' for its files: 'ready' either way.
void warmUp().finally(() => send({ ready: true }));
