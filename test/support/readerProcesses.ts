import { readdirSync, readFileSync } from 'node:fs';

/**
 * The PoE reader processes a process has started (Linux /proc): each with the nice value and scheduling
 * policy of each of its threads. Tests use it to see the reader from outside: that it runs, at what
 * priority, and that it ended.
 */
export interface ReaderProcess {
  pid: number;
  nice: number[];
  /** Linux scheduling policy per thread: 0 normal, 5 SCHED_IDLE. */
  policy: number[];
}

export const SCHED_IDLE = 5;

/** Fields of /proc/<pid>/stat after the command in parentheses (field 3 is the 1st): field 19 is the nice value, 41 the policy. */
const statFields = (path: string) => readFileSync(path, 'utf8').split(') ')[1].split(' ');

export function readerProcessesOf(parent: number): ReaderProcess[] {
  const found: ReaderProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    try {
      if (Number(statFields(`/proc/${pid}/stat`)[1]) !== parent) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('readerWorker.js')) continue;
      const threads = readdirSync(`/proc/${pid}/task`).map((thread) => statFields(`/proc/${pid}/task/${thread}/stat`));
      const nice = threads.map((fields) => Number(fields[16]));
      const policy = threads.map((fields) => Number(fields[38]));
      if (statFields(`/proc/${pid}/stat`)[0] !== 'Z') found.push({ pid, nice, policy });
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** Whether a process is still there (not ended, not a zombie waiting to be collected). */
export function isRunning(pid: number): boolean {
  try {
    return statFields(`/proc/${pid}/stat`)[0] !== 'Z';
  } catch {
    return false;
  }
}
