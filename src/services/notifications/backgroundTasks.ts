import type { Logger } from '../../logger';

/**
 * Work that follows a change but must not hold up the person's turn (an invoke must be answered within
 * seconds): updating a shared card, telling a partner. Tasks start in order. With `busy` (people's
 * turns in flight), a waiting task starts while turns are in flight only once it has waited
 * `maxWaitMs`, and then at most `busyConcurrency` such tasks run: under a burst of turns the people
 * acting are answered first and the notifications follow, at most a few seconds late. Nothing is lost
 * by waiting: each change's dispatch timer has a sweep do the work if this instance does not. Failures
 * are logged; tests and shutdown can wait for everything started or queued so far with `drain()`.
 */
export interface BackgroundTaskOptions {
  /** Tasks at once when nobody is waiting for a turn (default: no limit). */
  concurrency?: number;
  /** Tasks at once while turns are in flight (default 2). */
  busyConcurrency?: number;
  busy?: () => boolean;
  maxWaitMs?: number;
}

interface Waiting {
  name: string;
  task: () => Promise<unknown>;
  done: () => void;
  queuedAt: number;
}

export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();
  private readonly queue: Waiting[] = [];
  private active = 0;
  private wakeUp?: NodeJS.Timeout;
  private wakeUpAt = 0;
  private readonly concurrency: number;
  private readonly maxWaitMs: number;

  private readonly busyConcurrency: number;
  private busy?: () => boolean;

  constructor(
    private readonly log: Logger,
    options: BackgroundTaskOptions = {},
  ) {
    this.concurrency = options.concurrency ?? Number.POSITIVE_INFINITY;
    this.busyConcurrency = Math.min(this.concurrency, options.busyConcurrency ?? 2);
    this.maxWaitMs = options.maxWaitMs ?? 5000;
    this.busy = options.busy;
  }

  /** Tasks waiting for a free slot (for logs and tests). */
  get waiting(): number {
    return this.queue.length;
  }

  /** How long the task waiting longest has waited (0 with none): the notification backlog's age in telemetry. */
  oldestWaitingMs(now = Date.now()): number {
    return this.queue.reduce((oldest, w) => Math.max(oldest, now - w.queuedAt), 0);
  }

  run(name: string, task: () => Promise<unknown>): void {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve)).finally(() => this.running.delete(promise));
    this.running.add(promise);
    this.queue.push({ name, task, done, queuedAt: Date.now() });
    this.next();
  }

  /** Gives way to people's turns from now on (for lanes made before the bot that knows about turns). */
  yieldTo(busy: () => boolean): void {
    this.busy = busy;
  }

  /** Called when people's turns have finished: waiting work may start now, or after `afterMs` if still quiet. */
  idle(afterMs = 0): void {
    if (afterMs > 0) this.wakeAt(Date.now() + afterMs);
    else this.next();
  }

  /**
   * At shutdown: what has not started is dropped (a change's dispatch timer has a sweep finish its
   * work), what runs is waited for.
   */
  async close(): Promise<void> {
    const dropped = this.queue.splice(0);
    for (const { done } of dropped) done();
    if (dropped.length) this.log.warn(`${dropped.length} background tasks not started before shutdown; their dispatch timers hand them to a sweep.`);
    clearTimeout(this.wakeUp);
    await this.drain();
  }

  async drain(): Promise<void> {
    while (this.running.size) {
      // Waiting for everything means not waiting for people to stop: start what is queued.
      this.next(true);
      await Promise.all([...this.running]);
    }
  }

  private next(force = false): void {
    while (this.queue.length) {
      const busy = !force && Boolean(this.busy?.());
      if (this.active >= (busy ? this.busyConcurrency : this.concurrency)) return;
      const oldest = this.queue[0];
      if (busy && Date.now() - oldest.queuedAt < this.maxWaitMs) {
        this.wakeAt(oldest.queuedAt + this.maxWaitMs);
        return;
      }
      const { name, task, done } = this.queue.shift()!;
      this.active++;
      Promise.resolve()
        .then(task)
        .catch((error) => this.log.error(`Background task "${name}" failed`, error))
        .finally(() => {
          this.active--;
          done();
          this.next();
        });
    }
  }

  /** Looks at the queue again at `at`, or earlier if already planned. */
  private wakeAt(at: number): void {
    if (this.wakeUp && this.wakeUpAt <= at) return;
    clearTimeout(this.wakeUp);
    this.wakeUpAt = at;
    this.wakeUp = setTimeout(
      () => {
        this.wakeUp = undefined;
        this.next();
      },
      Math.max(0, at - Date.now()),
    );
    this.wakeUp.unref();
  }
}
