import { parentPort } from 'node:worker_threads';
import { extractPoeDocument } from './extractPoeDocument';
import { loadPdfjs } from './pdfReader';
import type { ReaderJob, ReaderReply } from './readPoeDocument';

/**
 * The reader worker's loop: one job at a time, each answered with the document read (never an error).
 * pdf.js is loaded first and 'ready' is said then: a file's time limit counts its reading only (the
 * smaller Word and e-mail readers load within the first such file's time).
 */
parentPort?.on('message', (job: ReaderJob) => {
  void extractPoeDocument(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.fileName, job.kind, job.limits).then((document) => {
    const reply: ReaderReply = { id: job.id, document };
    parentPort!.postMessage(reply);
  });
});

void loadPdfjs().then(
  () => parentPort?.postMessage({ ready: true }),
  () => parentPort?.postMessage({ ready: true }), // a reader that can't load answers 'corrupt' for its files
);
