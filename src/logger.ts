/**
 * A small logger: one line per event on stdout/stderr, details (errors, stacks) only in the log,
 * never in a reply to a person.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, detail?: unknown): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`WARN ${m}`),
  error: (m, detail) => console.error(`ERROR ${m}`, detail instanceof Error ? `\n${detail.stack}` : detail ?? ''),
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Collects lines, for tests that check what an operator would read. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(`WARN ${m}`);
  }
  error(m: string, detail?: unknown): void {
    this.lines.push(`ERROR ${m} ${detail instanceof Error ? detail.message : ''}`);
  }
}
