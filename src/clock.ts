/**
 * The one source of "now" for the whole product. Deadlines, timers and history all read it,
 * so tests (and a one-shot sweep) can move time without touching the system clock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; used by tests and demo seeding. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advanceMs(ms: number): void {
    this.current += ms;
  }
}
