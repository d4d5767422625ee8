import autocannon from 'autocannon';
import { percentile } from './benchTable';
import type { Meters } from './botProcess';

/**
 * Drives the bot's /api/messages with autocannon: a fixed number of keep-alive connections, each
 * sending its next request as soon as the previous one is answered (a person working without pause).
 * A short warm-up run comes first, so cold code (JIT, first reads) is not what is measured.
 */

export interface LoadStep {
  /** The activity to send (a string is sent as it is); called once per request, in order, from a connection's own loop. */
  body(state: ConnectionState): unknown;
  /** Headers beside content-type (an Authorization header). */
  headers?: Record<string, string>;
  /** The HTTP status this path answers with; 200 unless given. */
  status?: number;
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
  /** What the bot's meters read over the measured turns (not the warm-up), when given. */
  metered?: Metered;
}

export interface Metered {
  cpuMs: number;
  storeCpuMs?: number;
  storeRequests?: number;
  byKind?: Record<string, number>;
}

export interface LoadStats {
  turnsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** The bot process's CPU time per turn, ms. */
  cpuMsPerTurn?: number;
  /** The embedded Cosmos DB server's CPU time per turn, ms (its requests are what the bot asked for). */
  storeCpuMsPerTurn?: number;
  /** Cosmos DB requests per turn, in all and by container and operation. */
  storeRequestsPerTurn?: number;
  storeRequestsByKind?: Record<string, number>;
}

export function statsOf(result: LoadResult): LoadStats {
  return {
    turnsPerSecond: result.requests / result.seconds,
    p50: percentile(result.latencies, 50),
    p95: percentile(result.latencies, 95),
    p99: percentile(result.latencies, 99),
    ...(result.metered ? perTurn(result.metered, result.requests) : {}),
  };
}

function perTurn(metered: Metered, turns: number): Partial<LoadStats> {
  return {
    cpuMsPerTurn: metered.cpuMs / turns,
    ...(metered.storeCpuMs === undefined ? {} : { storeCpuMsPerTurn: metered.storeCpuMs / turns }),
    ...(metered.storeRequests === undefined ? {} : { storeRequestsPerTurn: metered.storeRequests / turns }),
    ...(metered.byKind ? { storeRequestsByKind: Object.fromEntries(Object.entries(metered.byKind).map(([kind, n]) => [kind, n / turns])) } : {}),
  };
}

/** Reads the meters now; `since` gives what was read before, and the difference is returned. */
async function readMeters(meters: Meters, since?: Metered): Promise<Metered> {
  const store = await meters.storeRequests?.();
  const now: Metered = {
    cpuMs: meters.cpuMs(),
    ...(meters.storeCpuMs ? { storeCpuMs: meters.storeCpuMs() } : {}),
    ...(store ? { storeRequests: store.requests, byKind: store.byKind } : {}),
  };
  if (!since) return now;
  const minus = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
  const byKind =
    now.byKind &&
    Object.fromEntries(
      Object.entries(now.byKind)
        .map(([kind, n]) => [kind, n - (since.byKind?.[kind] ?? 0)])
        .filter(([, n]) => (n as number) > 0),
    );
  return JSON.parse(
    JSON.stringify({
      cpuMs: now.cpuMs - since.cpuMs,
      storeCpuMs: minus(now.storeCpuMs, since.storeCpuMs),
      storeRequests: minus(now.storeRequests, since.storeRequests),
      byKind,
    }),
  ) as Metered;
}

export async function driveLoad(
  url: string,
  options: { connections: number; requests: number; warmUp?: number; steps: LoadStep[]; settle?: () => Promise<void>; meters?: Meters },
): Promise<LoadResult> {
  const warmUp = options.warmUp ?? options.connections * 2;
  if (warmUp > 0) await run(url, options.connections, warmUp, options.steps);
  // What the warm-up left to do in the background (notifications) is not part of the measured turns.
  await options.settle?.();
  const before = options.meters && (await readMeters(options.meters));
  const result = await run(url, options.connections, options.requests, options.steps);
  // Read at once: what the turns leave to do in the background (approvals' notification work) is counted only as far as it ran meanwhile.
  return before ? { ...result, metered: await readMeters(options.meters!, before) } : result;
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
        const body = step.body(states[context.state as number]);
        return {
          ...request,
          ...(step.headers ? { headers: { ...request.headers, ...step.headers } } : {}),
          body: typeof body === 'string' ? body : JSON.stringify(body),
        };
      },
      onResponse: (status: number, body: string, ctx: object) => {
        if (status !== (step.status ?? 200) || !step.expect(body)) failures.push(`HTTP ${status}: ${body.slice(0, 300)}`);
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
  return {
    requests: result.requests.total,
    seconds,
    latencies,
    failures: [...failures, ...(result.errors ? [`${result.errors} connection errors`] : [])].filter(Boolean),
  };
}
