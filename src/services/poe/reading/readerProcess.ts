import { execFile, execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';

/**
 * The PoE reader's child process: started by PoeReaders (readPoeDocument.ts), entry readerWorker.js.
 * A process of its own, not a thread, so that it can run at the lowest scheduling priority: on a
 * machine with few cores the bot's turns come first and reading takes what is left.
 */

/** The nice value of the reader (the lowest priority there is). */
export const READER_NICE = 19;

/** util-linux's chrt, which sets a scheduling policy (Node has no call for it); absent outside Linux. */
const CHRT = ['/usr/bin/chrt', '/bin/chrt'].find((path) => existsSync(path));

const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
const SEMI_SPACE_MB = 4;

/**
 * Starts a reader process with its own heap limit. Its stdout and stderr go nowhere (the libraries'
 * console warnings, and V8's message when a file exhausts the heap, stay out of the bot's log); messages
 * travel over the IPC channel with structured clone ('advanced'), so a file's bytes are not turned into JSON.
 */
export function forkReader(memoryMb: number): ChildProcess {
  return fork(join(__dirname, 'readerWorker.js'), [join(__dirname, `readerWorkerMain${ext}`), ext === '.ts' ? 'typescript' : 'javascript'], {
    // Our own flags, not the bot's (`npm start` gives the bot a larger heap; jest and tsx add theirs). A young
    // generation of 4 MB semi-spaces instead of 16: the warm reader held about 20 MB less (113-116 MB instead
    // of 135-139 after 20-page PDFs), with no difference in reading time that the noise let us see.
    execArgv: [`--max-old-space-size=${memoryMb}`, `--max-semi-space-size=${SEMI_SPACE_MB}`],
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
  });
}

/**
 * Lowers the reader's priority to READER_NICE. On Linux a nice value belongs to a thread, and Node starts
 * its helper threads (garbage collection, compilation) before the parent can act: each thread listed in
 * /proc/<pid>/task is lowered (threads started later inherit it). Called at spawn and again once the
 * reader is loaded. Returns the error if the system refused (the caller logs it once).
 */
export function lowerPriority(pid: number): Error | undefined {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    threads = [pid]; // not Linux: the priority is the process's
  }
  let refused: Error | undefined;
  for (const thread of threads) {
    try {
      setPriority(thread, READER_NICE);
    } catch (error) {
      // A thread that ended meanwhile is not a refusal.
      if ((error as { code?: string }).code !== 'ESRCH') refused ??= error as Error;
    }
  }
  return refused;
}

/**
 * Puts every thread of the reader under SCHED_IDLE, Linux's policy for work that runs only when a core
 * has nothing else to run: below nice 19, which still gets a small share of a core the bot wants. (The
 * bench could not tell the two apart on its own; it is what "reading takes what is left" means.)
 * Threads started later inherit it. Resolves with the error if chrt is absent or refused (the reader
 * then stays at nice 19).
 */
export function idleScheduling(pid: number): Promise<Error | undefined> {
  if (!CHRT) return Promise.resolve(new Error('chrt (util-linux) is not installed'));
  return new Promise((resolve) => {
    execFile(CHRT, ['--idle', '--all-tasks', '--pid', '0', String(pid)], { timeout: 5000 }, (error, _stdout, stderr) =>
      resolve(error ? new Error(stderr.trim() || error.message) : undefined),
    );
  });
}

/** Clock ticks per second of /proc's CPU times: 100 on every Linux built today (USER_HZ), asked once where getconf answers. */
let ticksPerSecond: number | undefined;

/**
 * CPU time (user + system, all threads) a process has used, in ms, from Linux's /proc/<pid>/stat; undefined
 * where there is no /proc or the process has ended.
 */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  ticksPerSecond ??= clockTicks();
  // After the command name (in parentheses, and it may hold spaces): utime and stime are the 12th and 13th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
  } catch {
    return 100;
  }
}
