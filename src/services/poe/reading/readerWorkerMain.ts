import { parentPort } from 'node:worker_threads';
import { extractPoeDocument } from './extractPoeDocument';
import type { ReaderJob, ReaderReply } from './readPoeDocument';

/** The reader worker's loop: one job at a time, each answered with the document read (never an error). */
parentPort?.on('message', (job: ReaderJob) => {
  void extractPoeDocument(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.fileName, job.kind, job.limits).then((document) => {
    const reply: ReaderReply = { id: job.id, document };
    parentPort!.postMessage(reply);
  });
});
