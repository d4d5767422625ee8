import { onePagePdf } from '../onePagePdf';
import { extractPoeDocument } from './extractPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from './readLimits';
import type { ReaderJob, ReaderReply } from './readPoeDocument';

/**
 * The reader process's loop: one job at a time, each answered with the document read (never an error).
 * First it reads a one-line PDF of its own, which loads pdf.js and the parts it loads at its first file
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

// A reader that can't load answers 'corrupt' for its files: 'ready' either way.
void extractPoeDocument(onePagePdf('ready'), 'ready.pdf', 'pdf', DEFAULT_POE_READ_LIMITS).finally(() => send({ ready: true }));
