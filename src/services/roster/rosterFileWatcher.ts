import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { counted, type Logger } from '../../logger';
import { RosterFileError, type RosterLoadSummary } from '../../storage/rosterStore';

/**
 * Reloads the roster file (ROSTER_FILE) when it changes on disk, so a running bot needs no signal or
 * restart (App Service and Container Apps send none). fs.watch on the file's folder sees an editor's
 * save-by-rename and a mounted ConfigMap's swap; a slow poll stands in where the file system sends no
 * events (network shares such as Azure Files). Changes are debounced, and a reload happens only when
 * the content differs from what was last loaded. A file that is not valid leaves the previous roster
 * in place and the log says why. Other instances see the new roster within the roster cache's 30 s.
 */

export interface RosterFileWatcherOptions {
  /** Quiet time after the last change before reloading (an editor writes in several steps). */
  debounceMs?: number;
  /** How often the file is polled besides fs.watch. */
  pollMs?: number;
}

export class RosterFileWatcher {
  private watcher?: FSWatcher;
  private poll?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  /** The content last loaded, or last found invalid (reported once until it changes). */
  private lastSeen?: string;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Reloads done since start (tests and the log read it). */
  reloads = 0;

  constructor(
    private readonly file: string,
    private readonly load: (file: string) => Promise<RosterLoadSummary>,
    private readonly log: Logger,
    private readonly options: RosterFileWatcherOptions = {},
  ) {}

  /** Starts watching; the file as it is now counts as loaded (it was, at start), so it is loaded again only once it changes. */
  async start(): Promise<void> {
    this.lastSeen = await this.digest().catch(() => undefined);
    try {
      this.watcher = watch(dirname(this.file), { persistent: false }, (_event, name) => {
        if (!name || name.toString() === basename(this.file)) this.changed();
      });
      this.watcher.on('error', (error) =>
        this.log.warn(`Roster: watching ${this.file} stopped (${error.message}); polling every ${this.pollMs / 1000} s instead`),
      );
    } catch (error) {
      this.log.warn(`Roster: ${this.file} cannot be watched (${(error as Error).message}); polling every ${this.pollMs / 1000} s instead`);
    }
    // Polling compares the content itself: a stat watcher's first look can come after a change (its
    // stat runs later on a busy machine), and then it never reports that change.
    this.poll = setInterval(() => this.changed(), this.pollMs);
    this.poll.unref();
  }

  /** Reloads now (SIGHUP), whether or not the content changed; resolves when done, never rejects. */
  reload(reason: string): Promise<void> {
    return this.queue(reason, true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    await this.running;
  }

  private get pollMs(): number {
    return this.options.pollMs ?? 10_000;
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.queue('changed on disk', false), this.options.debounceMs ?? 500);
    this.debounce.unref();
  }

  /** One reload at a time, in order. */
  private queue(reason: string, always: boolean): Promise<void> {
    this.running = this.running.then(() => this.reloadOnce(reason, always));
    return this.running;
  }

  private async reloadOnce(reason: string, always: boolean): Promise<void> {
    if (this.stopped && !always) return;
    let content: string | undefined;
    try {
      content = await this.digest();
    } catch (error) {
      this.log.warn(
        `Roster: ${this.file} ${reason} but cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the previous roster stays`,
      );
      return;
    }
    if (!always && content === this.lastSeen) return;
    try {
      const s = await this.load(this.file);
      this.lastSeen = content;
      this.reloads += 1;
      this.log.info(
        `Roster: reloaded ${this.file} (${reason}): ${counted(s.organisations, 'organisation')}, ${counted(s.partnerUsers, 'partner user')}, ${counted(s.reviewers, 'reviewer')}, ${s.removed} removed`,
      );
    } catch (error) {
      this.lastSeen = content;
      const why = error instanceof RosterFileError ? error.errors.join('; ') : (error as Error).message;
      this.log.warn(`Roster: ${this.file} ${reason} but was not loaded; the previous roster stays. ${why}`);
    }
  }

  private async digest(): Promise<string> {
    return createHash('sha256')
      .update(await readFile(this.file))
      .digest('hex');
  }
}
