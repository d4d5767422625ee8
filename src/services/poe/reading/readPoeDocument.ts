import type { ChildProcess } from 'node:child_process';
import type { PoeDocument } from '../../../domain/poeDocument';
import type { Logger } from '../../../logger';
import { unreadableDocument } from './unreadable';
import { DEFAULT_POE_READ_LIMITS, type PoeReadKind, type PoeReadLimits } from './readLimits';
import { forkReader, idleScheduling, lowerPriority, processCpuMs, READER_NICE } from './readerProcess';

/**
 * Reads a PoE file into a PoeDocument without putting the bot at risk: the readers (pdf.js, mammoth,
 * mailparser, msgreader) run in a child process (readerProcess.ts) at the lowest scheduling priority,
 * with its own heap limit, one file at a time. A file that takes longer than its time limit ends the
 * process (the next file gets a fresh one). The limit counts reading only: a new process first loads
 * pdf.js (bounded on its own, READER_STARTUP_MS). A crafted file that exhausts the heap, or a reader that
 * crashes, ends only the process and that file's reading. Never throws, never hangs: the worst outcome
 * is a document with `readable: false` and the reason ('timeLimit', 'tooLarge', 'corrupt', ...).
 *
 * The process is kept for the bot's life, warm (pdf.js loaded): the bot starts it at start-up (start()),
 * so no partner's first file waits a second for pdf.js, and a process that ended (stopped at a file's
 * time limit, crashed) is replaced at once. It is not ended when idle: what it holds (110-125 MB measured, docs/poe-precheck.md) is
 * the price of every first file being as quick as the rest, and at nice 19 an idle reader costs no CPU.
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

/** Stops a running clock. */
type StopClock = () => void;

export interface PoeReadersOptions {
  /** Heap of the reader process that start() and every replacement get (a file's limits may ask for another). */
  memoryMb?: number;
  /** Where the reader process's start, a refused priority and its crashes are told. */
  log?: Pick<Logger, 'info' | 'warn'>;
}

/** How long a new reader process may take to load pdf.js (its files' time limits start after that). */
export const READER_STARTUP_MS = 120_000;
/** A process that ends between files is replaced at once, this many times in a row at most (no restart loop). */
const REPLACEMENTS_BETWEEN_FILES = 3;
/** A file's reading may take this many times its time limit of wall-clock time while it waits for CPU (fileClock). */
export const WALL_CLOCK_FACTOR = 10;
/** How often a file's CPU time is looked at: a quarter of its limit, within these bounds. */
const CPU_CHECK_MIN_MS = 10;
const CPU_CHECK_MAX_MS = 250;
/** V8 aborts a process whose heap is exhausted: exit code 134, or the signal. */
const outOfMemory = (code: number | null, signal: NodeJS.Signals | null) => signal === 'SIGABRT' || code === 134;

export class PoeReaders {
  private child?: ChildProcess;
  private childMemoryMb = 0;
  private childStartedAt = 0;
  /** Processes that ended between files since the last file read: past REPLACEMENTS_BETWEEN_FILES, the next file starts one. */
  private endedBetweenFiles = 0;
  /** Set once the current process has loaded pdf.js; a file's clock starts then. */
  private childReady = false;
  private readyWaiters: (() => void)[] = [];
  private readonly queue: Queued[] = [];
  private current?: Queued & { stopClock: StopClock };
  private nextId = 1;
  private closed = false;
  private priorityRefused = false;
  /** Why the reader could not be put under SCHED_IDLE (told once; it then reads at nice 19). */
  private idleRefused?: string;
  private announce = false;
  private readonly memoryMb: number;
  /** Reader processes started so far. */
  started = 0;

  constructor(private readonly options: PoeReadersOptions = {}) {
    this.memoryMb = options.memoryMb ?? DEFAULT_POE_READ_LIMITS.memoryMb;
  }

  /** The reader process's id while there is one. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the reader process (unless there is one) and resolves once it has loaded pdf.js, or ended. */
  start(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.announce = true;
    if (!this.child) this.spawn(this.memoryMb);
    if (this.childReady || !this.child) return Promise.resolve();
    this.hold(this.child, true); // someone waits for it
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  read(bytes: Buffer, fileName: string, kind: PoeReadKind, limits: PoeReadLimits = DEFAULT_POE_READ_LIMITS): Promise<PoeDocument> {
    if (kind === 'png' || kind === 'jpeg') return Promise.resolve(unreadableDocument(fileName, kind, 'image'));
    if (this.closed) return Promise.resolve(unreadableDocument(fileName, kind, 'timeLimit'));
    return new Promise((resolve) => {
      // No copy here: the IPC channel copies the bytes as it sends them.
      this.queue.push({ job: { id: this.nextId++, bytes, fileName, kind, limits }, resolve });
      this.next();
    });
  }

  /**
   * Ends the reader process; files waiting are answered 'timeLimit' (at shutdown nobody waits for them).
   * A later read starts a new process, unless `final` (the app is stopping): then it is answered 'timeLimit' too.
   */
  async close(final = false): Promise<void> {
    this.closed ||= final;
    for (const waiting of this.queue.splice(0)) waiting.resolve(unreadableDocument(waiting.job.fileName, waiting.job.kind, 'timeLimit'));
    this.finish(this.current && unreadableDocument(this.current.job.fileName, this.current.job.kind, 'timeLimit'));
    await this.stopChild();
  }

  private next(): void {
    if (this.current || !this.queue.length) return;
    const queued = this.queue.shift()!;
    const child = this.childFor(queued.job.limits.memoryMb);
    this.current = { ...queued, stopClock: this.childReady ? this.fileClock(child, queued.job.limits.timeMs) : this.clock(READER_STARTUP_MS) };
    this.hold(child, true);
    child.send(queued.job, (error) => error && this.lost(child, 'corrupt'));
  }

  /** Stops the current file after `ms` of wall-clock time (the reader's start-up; a file's where CPU time can't be read). */
  private clock(ms: number): StopClock {
    const timer = setTimeout(() => this.timeUp(), ms);
    return () => clearTimeout(timer);
  }

  /**
   * A file's time limit counts the reader process's CPU time: the reader runs only on a core nothing else
   * wants, so on a machine busy with turns a file can wait for CPU far longer than its reading takes, and that
   * wait is not the file's doing. A crafted file that makes the reader spin uses CPU and is stopped as before.
   * The wall clock still ends a reading at WALL_CLOCK_FACTOR times the limit, so nothing waits for ever.
   */
  private fileClock(child: ChildProcess, ms: number): StopClock {
    const cpuAtStart = child.pid === undefined ? undefined : processCpuMs(child.pid);
    if (cpuAtStart === undefined) return this.clock(ms);
    const startedAt = Date.now();
    const timer = setInterval(
      () => {
        // A process that has ended has no CPU time to read: its exit answers the file (out of memory, crashed).
        const cpu = processCpuMs(child.pid!);
        if ((cpu !== undefined && cpu - cpuAtStart >= ms) || Date.now() - startedAt >= ms * WALL_CLOCK_FACTOR) this.timeUp();
      },
      Math.max(CPU_CHECK_MIN_MS, Math.min(CPU_CHECK_MAX_MS, ms / 4)),
    );
    return () => clearInterval(timer);
  }

  /** A reader past its time is stopped, not waited for: its file is answered 'timeLimit', its process goes, a fresh one comes. */
  private timeUp(): void {
    if (this.current) this.finish(unreadableDocument(this.current.job.fileName, this.current.job.kind, 'timeLimit'));
    const memoryMb = this.childMemoryMb;
    void this.stopChild();
    this.options.log?.warn('PoE reader: a file took longer than its time limit; its reader process was ended and a fresh one started');
    if (!this.closed) this.spawn(memoryMb || this.memoryMb);
  }

  private finish(document: PoeDocument | undefined): void {
    const current = this.current;
    if (!current || !document) return;
    current.stopClock();
    this.current = undefined;
    current.resolve(document);
    if (!this.queue.length && this.child) this.hold(this.child, false);
    setImmediate(() => this.next());
  }

  private childFor(memoryMb: number): ChildProcess {
    if (this.child && this.childMemoryMb === memoryMb) return this.child;
    void this.stopChild();
    return this.spawn(memoryMb);
  }

  private spawn(memoryMb: number): ChildProcess {
    const child = forkReader(memoryMb);
    this.started += 1;
    this.child = child;
    this.childMemoryMb = memoryMb;
    this.childStartedAt = Date.now();
    this.childReady = false;
    this.lower(child);
    child.on('message', (reply: ReaderReply | { ready: true }) => {
      if (this.child !== child) return;
      if ('ready' in reply) {
        this.childReady = true;
        this.lower(child); // the threads Node started meanwhile
        if (this.announce)
          this.options.log?.info(
            `PoE reader: ready in process ${child.pid} (${this.priorityRefused ? 'priority unchanged' : this.idleRefused === undefined ? 'SCHED_IDLE' : `nice ${READER_NICE}`}, heap ${memoryMb} MB), pdf.js loaded in ${Date.now() - this.childStartedAt} ms`,
          );
        this.announce = false;
        this.wake();
        // The file waiting for pdf.js to load gets its own time limit from now.
        if (this.current) {
          this.current.stopClock();
          this.current.stopClock = this.fileClock(child, this.current.job.limits.timeMs);
        }
      } else if (reply.id === this.current?.job.id) {
        this.endedBetweenFiles = 0;
        this.finish(reply.document);
      }
    });
    child.on('error', () => this.lost(child, 'corrupt')); // could not start, or the channel broke
    child.on('exit', (code, signal) => this.lost(child, outOfMemory(code, signal) ? 'tooLarge' : 'corrupt'));
    this.hold(child, Boolean(this.current));
    return child;
  }

  /**
   * A process that ended on its own (out of heap, crashed, killed from outside) takes only the file it was
   * reading with it. A fresh one is started at once: for the next file, or to stay warm (unless it never
   * loaded pdf.js, or processes keep ending between files: then the next file starts one).
   */
  private lost(child: ChildProcess, reason: 'tooLarge' | 'corrupt'): void {
    if (this.child !== child) return;
    const replace = Boolean(this.current) || (this.childReady && this.endedBetweenFiles++ < REPLACEMENTS_BETWEEN_FILES);
    this.child = undefined;
    this.childReady = false;
    child.kill('SIGKILL');
    this.wake();
    this.options.log?.warn(
      `PoE reader: the reader process ended${this.current ? ` while reading a file (answered '${reason}')` : ' between files'}${replace && !this.closed ? '; a fresh one is started' : ''}`,
    );
    this.finish(this.current && unreadableDocument(this.current.job.fileName, this.current.job.kind, reason));
    if (replace && !this.closed && !this.queue.length) this.spawn(this.memoryMb);
  }

  /**
   * Lowers the process's priority: nice 19 at once, then SCHED_IDLE (through chrt, in the background). A
   * refusal is logged once; the reader still works, at nice 19 or at the bot's priority.
   */
  private lower(child: ChildProcess): void {
    if (!child.pid) return;
    const refused = lowerPriority(child.pid);
    if (refused && !this.priorityRefused) {
      this.priorityRefused = true;
      this.options.log?.warn(`PoE reader: could not lower the reader process's priority (${refused.message}); it reads at the bot's priority`);
    }
    void idleScheduling(child.pid).then((error) => {
      if (!error || this.idleRefused !== undefined || this.child !== child) return;
      this.idleRefused = error.message;
      this.options.log?.info(`PoE reader: SCHED_IDLE not available (${error.message}); the reader reads at nice ${READER_NICE}`);
    });
  }

  /** While a file is being read the process keeps the bot's event loop alive; idle, it does not (tests, CLIs end). */
  private hold(child: ChildProcess, reading: boolean): void {
    if (reading) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  }

  private wake(): void {
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    if (this.child && !this.current) this.hold(this.child, false);
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.childReady = false;
    this.wake();
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    child.ref(); // its end is awaited
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** One reader for the process: files are read one at a time, so reading never takes more than one core. */
const shared = new PoeReaders();

/** What the bot can read of a PoE file, within `limits` (time, memory, pages, characters). Never throws. */
export function readPoeDocument(bytes: Buffer, fileName: string, kind: PoeReadKind, limits: PoeReadLimits = DEFAULT_POE_READ_LIMITS): Promise<PoeDocument> {
  return shared.read(bytes, fileName, kind, limits);
}

/** Ends the shared reader's process (the end of a test file; a later read starts another). */
export function closePoeReaders(): Promise<void> {
  return shared.close();
}
