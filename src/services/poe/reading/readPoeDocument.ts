import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoeDocument } from '../../../domain/poeDocument';
import { unreadableDocument } from './unreadable';
import { DEFAULT_POE_READ_LIMITS, type PoeReadKind, type PoeReadLimits } from './readLimits';

/**
 * Reads a PoE file into a PoeDocument without putting the bot at risk: the readers (pdf.js, mammoth,
 * mailparser, msgreader) run in a worker thread with its own heap limit, one file at a time, and a file
 * that takes longer than its time limit ends the worker (the next file gets a fresh one). The limit
 * counts reading only: a new worker first loads the readers (bounded on its own, READER_STARTUP_MS). A crafted file
 * that exhausts the heap ends only the worker. Never throws, never hangs: the worst outcome is a document
 * with `readable: false` and the reason ('timeLimit', 'tooLarge', 'corrupt', ...).
 * The worker stays warm between files (loading pdf.js takes most of a second) and ends when idle.
 */

export interface ReaderJob {
  id: number;
  bytes: Uint8Array;
  fileName: string;
  kind: PoeReadKind;
  limits: PoeReadLimits;
}
export interface ReaderReply {
  id: number;
  document: PoeDocument;
}

interface Queued {
  job: ReaderJob;
  resolve: (document: PoeDocument) => void;
}

/** How long a worker is kept after its last file. */
const IDLE_MS = 60_000;
/** How long a new worker may take to load the readers (its files' time limits start after that). */
export const READER_STARTUP_MS = 120_000;
const ext = __filename.endsWith('.ts') ? '.ts' : '.js';

export class PoeReaders {
  private worker?: Worker;
  private workerMemoryMb = 0;
  /** Set once the current worker has loaded the readers; a file's clock starts then. */
  private workerReady = false;
  private readonly queue: Queued[] = [];
  private current?: Queued & { timer: NodeJS.Timeout };
  private idleTimer?: NodeJS.Timeout;
  private nextId = 1;
  private closed = false;

  constructor(private readonly idleMs = IDLE_MS) {}

  read(bytes: Buffer, fileName: string, kind: PoeReadKind, limits: PoeReadLimits = DEFAULT_POE_READ_LIMITS): Promise<PoeDocument> {
    if (kind === 'png' || kind === 'jpeg') return Promise.resolve(unreadableDocument(fileName, kind, 'image'));
    if (this.closed) return Promise.resolve(unreadableDocument(fileName, kind, 'timeLimit'));
    return new Promise((resolve) => {
      this.queue.push({ job: { id: this.nextId++, bytes: new Uint8Array(bytes), fileName, kind, limits }, resolve });
      this.next();
    });
  }

  /**
   * Ends the worker; files waiting are answered 'timeLimit' (at shutdown nobody waits for them). A later
   * read starts a new worker, unless `final` (the app is stopping): then it is answered 'timeLimit' too.
   */
  async close(final = false): Promise<void> {
    this.closed ||= final;
    for (const waiting of this.queue.splice(0)) waiting.resolve(unreadableDocument(waiting.job.fileName, waiting.job.kind, 'timeLimit'));
    this.finish(this.current && unreadableDocument(this.current.job.fileName, this.current.job.kind, 'timeLimit'));
    await this.stopWorker();
  }

  private next(): void {
    if (this.current || !this.queue.length) return;
    const queued = this.queue.shift()!;
    clearTimeout(this.idleTimer);
    const worker = this.workerFor(queued.job.limits.memoryMb);
    this.current = { ...queued, timer: this.workerReady ? this.clock(queued.job.limits.timeMs) : this.clock(READER_STARTUP_MS) };
    worker.ref();
    worker.postMessage(queued.job);
  }

  /** Stops the current file after `ms`: a reader past its time is stopped, not waited for (the whole worker goes). */
  private clock(ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      if (this.current) this.finish(unreadableDocument(this.current.job.fileName, this.current.job.kind, 'timeLimit'));
      void this.stopWorker();
    }, ms);
  }

  private finish(document: PoeDocument | undefined): void {
    const current = this.current;
    if (!current || !document) return;
    clearTimeout(current.timer);
    this.current = undefined;
    current.resolve(document);
    if (!this.queue.length && this.worker) {
      this.worker.unref();
      this.idleTimer = setTimeout(() => void this.stopWorker(), this.idleMs);
      this.idleTimer.unref();
    }
    setImmediate(() => this.next());
  }

  private workerFor(memoryMb: number): Worker {
    if (this.worker && this.workerMemoryMb === memoryMb) return this.worker;
    void this.stopWorker();
    const worker = new Worker(join(__dirname, 'readerWorker.js'), {
      workerData: { entry: join(__dirname, `readerWorkerMain${ext}`), typescript: ext === '.ts' },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, memoryMb / 8)) },
      stdout: true, // the libraries' console warnings stay out of the bot's log
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on('message', (reply: ReaderReply | { ready: true }) => {
      if (this.worker !== worker) return;
      if ('ready' in reply) {
        this.workerReady = true;
        // The file waiting for the readers to load gets its own time limit from now.
        if (this.current) {
          clearTimeout(this.current.timer);
          this.current.timer = this.clock(this.current.job.limits.timeMs);
        }
      } else if (reply.id === this.current?.job.id) this.finish(reply.document);
    });
    // A worker that ran out of heap (or died otherwise) takes only the file it was reading with it.
    const lost = (reason: 'tooLarge' | 'corrupt') => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.finish(this.current && unreadableDocument(this.current.job.fileName, this.current.job.kind, reason));
    };
    worker.on('error', (error: Error & { code?: string }) => lost(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'tooLarge' : 'corrupt'));
    worker.on('exit', () => lost('corrupt'));
    this.worker = worker;
    this.workerMemoryMb = memoryMb;
    this.workerReady = false;
    return worker;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    if (worker) await worker.terminate().catch(() => undefined);
  }
}

/** One reader for the process: files are read one at a time, so reading never takes more than one core. */
const shared = new PoeReaders();

/** What the bot can read of a PoE file, within `limits` (time, memory, pages, characters). Never throws. */
export function readPoeDocument(bytes: Buffer, fileName: string, kind: PoeReadKind, limits: PoeReadLimits = DEFAULT_POE_READ_LIMITS): Promise<PoeDocument> {
  return shared.read(bytes, fileName, kind, limits);
}

/** Ends the shared reader's worker (shutdown, the end of a test file). */
export function closePoeReaders(): Promise<void> {
  return shared.close();
}
