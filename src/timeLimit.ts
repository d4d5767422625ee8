/**
 * `work`'s result if it settles within `ms`, otherwise what `late()` gives; the work itself goes on, and
 * nobody here waits for it any more. A rejection within the time is passed on. The timer is cleared either
 * way, so a race that is over keeps no timer (and no process) alive.
 */
export function withinTime<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late()), ms)));
  return Promise.race([work, outOfTime]).finally(() => clearTimeout(timer));
}
