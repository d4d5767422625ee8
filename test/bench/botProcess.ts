import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processCpuMs } from '../../src/services/poe/reading/readerProcess';
import { embeddedBlobConnectionString } from '../../src/storage/embeddedBlob';
import { telemetrySink } from '../support/telemetrySink';

/**
 * The bot as `npm start` runs it, in a process of its own, so the load generator does not share its
 * thread; the peak resident memory of that process is read from /proc when it stops.
 */
export interface BotProcess {
  url: string;
  /** The embedded Cosmos DB endpoint the bot printed at start (the bench seeds data through it). */
  cosmosEndpoint: string;
  pid: number;
  /** From spawning the process to its "Ready" line, in ms. */
  startedInMs: number;
  /** What the bot has logged so far. */
  output(): string;
  /** Peak resident set size so far, in MB (Linux /proc VmHWM). */
  peakRssMb(): number | undefined;
  /** The same for the embedded Cosmos DB server and Azurite processes together (0 when not embedded). */
  embeddedPeakRssMb(): number;
  /** The embedded Cosmos DB server's and Azurite's processes, when the bot started them. */
  storePid?: number;
  blobPid?: number;
  /** The embedded Azurite's connection string and the PoE container the bot printed at start (the bench seeds files through it). */
  poeStorage?: { connectionString: string; container: string };
  /**
   * What the load driver reads before and after the measured turns: the bot process's CPU time (user +
   * system, ms); for the product also the embedded Cosmos DB server's CPU time and the requests it served.
   */
  meters: Meters;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

export interface Meters {
  cpuMs(): number;
  storeCpuMs?(): number;
  /** Cosmos DB requests served so far, in all and by container and operation ("claims read"). */
  storeRequests?(): Promise<{ requests: number; byKind: Record<string, number> }>;
}

/**
 * The product exactly as `npm start` runs it (its node flags and the build in dist/, made by `prebench`),
 * read from package.json so the two can't drift; or the echo bot baseline.
 */
const ROOT_PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const START = ROOT_PACKAGE.scripts.start
  .replace(/^node\s+/, '')
  .split(/\s+/)
  .filter((arg) => arg !== '--disable-warning=DEP0111');
const ENTRIES = {
  product: START,
  // The baseline runs as the product does: compiled by `prebench` (tsconfig.bench.json), with `npm start`'s node flags.
  echo: [...START.filter((arg) => arg.startsWith('--')), 'dist/test/bench/echoBot.js', 'botbuilder'],
  agentsEcho: [...START.filter((arg) => arg.startsWith('--')), 'dist/test/bench/echoBot.js', 'agents'],
  // A path's floor (requestFloors.ts): the path is the argument after it.
  floor: [...START.filter((arg) => arg.startsWith('--')), 'dist/test/bench/echoBot.js', 'floor'],
} as const;

/** The embedded stores keep data in memory (DATA_DIR=:memory:) unless `env` gives a DATA_DIR. */
export async function startBotProcess(env: Record<string, string>, entry: keyof typeof ENTRIES = 'product', args: string[] = []): Promise<BotProcess> {
  const spawnedAt = Date.now();
  const nodeFlags = (process.env.BENCH_BOT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // BENCH_BOT_TELEMETRY=1: the product sends its traces and metrics as on Azure, to a sink on loopback (the echo bots stay stock).
  const telemetry: Record<string, string> = process.env.BENCH_BOT_TELEMETRY && entry === 'product' ? (await telemetrySink()).botEnv : {};
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, '--disable-warning=DEP0111', ...ENTRIES[entry], ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DOTENV_CONFIG_PATH: join(ROOT, 'no-such.env'),
      PORT: '0',
      DATA_DIR: ':memory:',
      ...telemetry,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The bot did not start:\n${output}`)), 180_000);
    const check = () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)\/api\/messages[\s\S]*Ready in/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`The bot exited with ${code}:\n${output}`)));
  });
  const startedInMs = Date.now() - spawnedAt;
  const cosmosEndpoint = /Cosmos DB: embedded server at (https?:\/\/[\d.]+:\d+\/)/.exec(output)?.[1] ?? '';
  // The embedded stand-ins for Azure run in child processes of the bot; their memory is reported apart.
  const embeddedPids = [/Cosmos DB: embedded server at .*process (\d+)\)/, /Blob storage: embedded Azurite at .*process (\d+)\)/]
    .map((pattern) => Number(pattern.exec(output)?.[1]))
    .filter((pid) => pid > 0);
  const storePid = Number(/Cosmos DB: embedded server at .*process (\d+)\)/.exec(output)?.[1]);
  const blobPid = Number(/Blob storage: embedded Azurite at .*process (\d+)\)/.exec(output)?.[1]);
  const blob = /Blob storage: embedded Azurite at (http:\/\/[\d.]+:\d+\/\w+), container "([^"]+)"/.exec(output);
  const meters: Meters = {
    cpuMs: () => cpuMsOf(child.pid!),
    ...(cosmosEndpoint && storePid
      ? {
          storeCpuMs: () => cpuMsOf(storePid),
          storeRequests: async () => (await (await fetch(`${cosmosEndpoint}_stats`)).json()) as { requests: number; byKind: Record<string, number> },
        }
      : {}),
  };
  return {
    meters,
    url,
    cosmosEndpoint,
    pid: child.pid!,
    startedInMs,
    output: () => output,
    peakRssMb: () => peakRssOf(child.pid!),
    ...(storePid > 0 ? { storePid } : {}),
    ...(blobPid > 0 ? { blobPid } : {}),
    ...(blob ? { poeStorage: { connectionString: embeddedBlobConnectionString(blob[1]), container: blob[2] } } : {}),
    embeddedPeakRssMb: () => embeddedPids.reduce((sum, pid) => sum + (peakRssOf(pid) ?? 0), 0),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          // BENCH_BOT_LOG=1 shows what the bot logged during the run (warnings, errors), for diagnosis.
          if (process.env.BENCH_BOT_LOG) console.log(output.split('\n').slice(-80).join('\n'));
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function peakRssOf(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc); throws if the process has ended. */
export function cpuMsOf(pid: number): number {
  const ms = processCpuMs(pid);
  if (ms === undefined) throw new Error(`No CPU time for process ${pid}: it has ended`);
  return ms;
}
