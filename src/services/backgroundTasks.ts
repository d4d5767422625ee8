import type { Logger } from '../logger';

/**
 * Work that follows a change but must not hold up the person's turn (an invoke must be answered within
 * seconds): updating a shared card, telling a partner. Failures are logged; tests and shutdown can wait
 * for everything started so far with `drain()`.
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  run(name: string, task: () => Promise<unknown>): void {
    const promise: Promise<void> = task()
      .then(() => undefined)
      .catch((error) => this.log.error(`Background task "${name}" failed`, error))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }
}
