import { BackgroundTasks } from '../../src/services/notifications/backgroundTasks';
import { MemoryLogger } from '../../src/logger';

/** People's turns come first: notification work waits for a moment without turns, or at most maxWaitMs. */

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("background tasks give way to people's turns", () => {
  afterEach(() => jest.useRealTimers());

  test('while turns are in flight new work waits; when they end it all starts', async () => {
    let busy = true;
    const tasks = new BackgroundTasks(new MemoryLogger(), { busy: () => busy, maxWaitMs: 60_000 });
    const started: string[] = [];
    for (const name of ['a', 'b', 'c']) tasks.run(name, async () => void started.push(name));
    await flush();
    expect(started).toEqual([]);
    expect(tasks.waiting).toBe(3);
    busy = false;
    tasks.idle();
    await tasks.drain();
    expect(started).toEqual(['a', 'b', 'c']);
  });

  test('work that has waited maxWaitMs runs even under a steady stream of turns, two at a time', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const tasks = new BackgroundTasks(new MemoryLogger(), { busy: () => true, busyConcurrency: 2, maxWaitMs: 5000 });
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    for (let i = 0; i < 4; i++) {
      tasks.run(`t${i}`, () => {
        running++;
        most = Math.max(most, running);
        return new Promise<void>((resolve) =>
          release.push(() => {
            running--;
            resolve();
          }),
        );
      });
    }
    jest.advanceTimersByTime(4999);
    await flush();
    expect(running).toBe(0);
    jest.advanceTimersByTime(1);
    await flush();
    expect(running).toBe(2);
    release.shift()!();
    await flush();
    await flush();
    expect(running).toBe(2);
    while (release.length) {
      release.shift()!();
      await flush();
      await flush();
    }
    expect(most).toBe(2);
    expect(tasks.waiting).toBe(0);
  });

  test('at shutdown work not yet started is left to its dispatch timer, running work is finished', async () => {
    const log = new MemoryLogger();
    const tasks = new BackgroundTasks(log, { busy: () => true, maxWaitMs: 60_000 });
    let finished = false;
    let dropped = true;
    tasks.run('queued', async () => void (dropped = false));
    await tasks.close();
    expect(dropped).toBe(true);
    const open = new BackgroundTasks(log);
    open.run('running', async () => {
      await flush();
      finished = true;
    });
    await open.close();
    expect(finished).toBe(true);
    expect(log.lines.some((l) => l.includes('1 background tasks not started before shutdown'))).toBe(true);
  });
});
