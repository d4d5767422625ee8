import autocannon from 'autocannon';
import { percentile } from './benchTable';

/**
 * Drives the bot's /api/messages with autocannon: a fixed number of keep-alive connections, each
 * sending its next request as soon as the previous one is answered (a person working without pause).
 * A short warm-up run comes first, so cold code (JIT, first reads) is not what is measured.
 */

export interface LoadStep {
  /** The activity to send; called once per request, in order, from a connection's own loop. */
  body(state: ConnectionState): unknown;
  /** Whether the answer is the one this path should give (a refusal or a stale card is a failure). */
  expect(text: string): boolean;
}

/** Kept per connection across its steps (autocannon clears its own context after each loop). */
export type ConnectionState = Record<string, unknown> & { connection: number };

export interface LoadResult {
  requests: number;
  seconds: number;
  latencies: number[];
  failures: string[];
}

export interface LoadStats {
  turnsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export function statsOf(result: LoadResult): LoadStats {
  return {
    turnsPerSecond: result.requests / result.seconds,
    p50: percentile(result.latencies, 50),
    p95: percentile(result.latencies, 95),
    p99: percentile(result.latencies, 99),
  };
}

export async function driveLoad(
  url: string,
  options: { connections: number; requests: number; warmUp?: number; steps: LoadStep[]; settle?: () => Promise<void> },
): Promise<LoadResult> {
  const warmUp = options.warmUp ?? options.connections * 2;
  if (warmUp > 0) await run(url, options.connections, warmUp, options.steps);
  // What the warm-up left to do in the background (notifications) is not part of the measured turns.
  await options.settle?.();
  return run(url, options.connections, options.requests, options.steps);
}

async function run(url: string, connections: number, amount: number, steps: LoadStep[]): Promise<LoadResult> {
  const states: ConnectionState[] = [];
  let nextConnection = 0;
  const failures: string[] = [];
  const latencies: number[] = [];
  const free: number[] = [];
  function claimState(): number {
    const reused = free.shift();
    if (reused !== undefined) return reused;
    states.push({ connection: nextConnection });
    return nextConnection++;
  }
  function releaseState(index: number): void {
    free.push(index);
  }
  const started = performance.now();
  // Without a callback autocannon returns its instance, which is also a promise of the result.
  const instance = autocannon({
    url: `${url}/api/messages`,
    connections,
    amount: Math.max(amount, connections),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    timeout: 30,
    requests: steps.map((step, index) => ({
      setupRequest: (request: autocannon.Request, ctx: object) => {
        // autocannon's context is per connection but cleared every loop: it carries only our state's index.
        const context = ctx as { state?: number };
        if (index === 0 || context.state === undefined) context.state = claimState();
        return { ...request, body: JSON.stringify(step.body(states[context.state as number])) };
      },
      onResponse: (status: number, body: string, ctx: object) => {
        if (status !== 200 || !step.expect(body)) failures.push(`HTTP ${status}: ${body.slice(0, 300)}`);
        if (index === steps.length - 1) releaseState((ctx as { state: number }).state);
      },
    })),
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  let lastAnswer = started;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    lastAnswer = performance.now();
  });
  const result = await instance;
  // Up to the last answer: autocannon itself settles on its next one-second tick.
  const seconds = (lastAnswer - started) / 1000;
  return { requests: result.requests.total, seconds, latencies, failures: [...failures, ...(result.errors ? [`${result.errors} connection errors`] : [])].filter(Boolean) };
}
