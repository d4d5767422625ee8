import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run playground`: the Microsoft 365 Agents Playground (a local Teams emulator, devDependency
 * @microsoft/m365agentsplayground) against the running bot (`npm start` in another terminal), with the
 * people and the review channel of the demo roster (data/demo-roster.json), so a newcomer can create,
 * review and approve a claim end to end without Teams.
 *
 * Two playgrounds start, because one playground emulates one tenant and the bot tells people apart by
 * Azure AD object id AND tenant, as Teams sends them: the partner's (Fabrikam Consulting's tenant, you
 * are Avery Fabrikam, .m365agentsplayground.yml) and the reviewers' (the reviewers' tenant, you are Riley
 * Reviewer, with the review channel, .m365agentsplayground.reviewers.yml). The bot reaches each side
 * through the service URL that side's activities carry, as it reaches Teams.
 *
 * The bot runs without MicrosoftAppId for this (anonymous requests accepted, local only): the
 * playground sends no Bot Framework token.
 *
 * Environment (and .env): BOT_ENDPOINT (default http://127.0.0.1:$PORT/api/messages, PORT default 3978);
 * PLAYGROUND_PORT (the partner's side, default 56150; the reviewers' is the next port, or
 * PLAYGROUND_REVIEWERS_PORT; 0 picks free ports); TEAMSAPPTESTER_BROWSER=none keeps the playground from
 * opening a browser tab. Playground logs go to devTools/ (or PLAYGROUND_LOG_DIR).
 */

export const ROOT = join(__dirname, '..');

export interface PlaygroundSide {
  name: 'partner' | 'reviewers';
  /** The playground's configuration file (users, tenant, chats, team and channel). */
  config: string;
  /** What to do there first, printed for the newcomer. */
  hint: string;
}

export const PLAYGROUND_SIDES: PlaygroundSide[] = [
  {
    name: 'partner',
    config: join(ROOT, '.m365agentsplayground.yml'),
    hint: 'you are Avery Fabrikam (Global admin, Fabrikam Consulting). In "Personal Chat" type: new claim',
  },
  {
    name: 'reviewers',
    config: join(ROOT, '.m365agentsplayground.reviewers.yml'),
    hint: 'you are Riley Reviewer. In team "CPOR reviews", channel "Claims review", type: @CPOR claims use this channel for reviews',
  },
];

type Env = Record<string, string | undefined>;

/** The playground's CLI inside the devDependency, or undefined when it is not installed. */
export function playgroundCli(): string | undefined {
  try {
    return require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    return undefined;
  }
}

/** Where the bot listens: BOT_ENDPOINT, or the loopback address `npm start` uses with PORT. */
export function botEndpoint(env: Env): { ok: true; url: string } | { ok: false; error: string } {
  const given = env.BOT_ENDPOINT?.trim();
  if (given) {
    try {
      const url = new URL(given);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      return { ok: true, url: url.href };
    } catch {
      return { ok: false, error: `BOT_ENDPOINT must be the bot's messaging endpoint, such as http://127.0.0.1:3978/api/messages (got "${given}")` };
    }
  }
  const port = env.PORT?.trim() || '3978';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return { ok: false, error: `PORT must be the bot's port, a whole number (got "${port}")` };
  if (port === '0')
    return { ok: false, error: 'PORT is 0 (the bot picks a free port): set BOT_ENDPOINT to the address the bot printed at start ("Bot: listening on ...")' };
  return { ok: true, url: `http://127.0.0.1:${port}/api/messages` };
}

/** The ports of the two sides: PLAYGROUND_PORT (default 56150) and the next one, unless set. */
export function playgroundPorts(env: Env): { ok: true; ports: Record<PlaygroundSide['name'], number> } | { ok: false; error: string } {
  const read = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`${name} must be a port number from 0 to 65535 (got "${raw}")`);
    return Number(raw);
  };
  try {
    const partner = read('PLAYGROUND_PORT', 56150);
    const reviewers = read('PLAYGROUND_REVIEWERS_PORT', partner === 0 ? 0 : partner + 1);
    return { ok: true, ports: { partner, reviewers } };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The playground's command line for one side: Teams channel, the bot's endpoint, no telemetry. */
export function playgroundArgs(endpoint: string, port: number): string[] {
  return ['--app-endpoint', endpoint, '--channel-id', 'msteams', '--port', String(port), '--disable-telemetry'];
}

/** Starts one side; resolves with its address once it listens. */
export function startPlayground(
  cli: string,
  side: PlaygroundSide,
  endpoint: string,
  port: number,
  env: Env,
  output: (line: string) => void,
): { child: ChildProcess; listening: Promise<string> } {
  const child = spawn(process.execPath, [cli, ...playgroundArgs(endpoint, port)], {
    cwd: ROOT,
    env: {
      ...env,
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: side.config,
      M365_AGENTS_PLAYGROUND_LOGFILE: join(env.PLAYGROUND_LOG_DIR?.trim() || join(ROOT, 'devTools'), `playground-${side.name}.log`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = new Promise<string>((resolve, reject) => {
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        output(line);
        const port = /^Listening on (\d+)/.exec(line.trim())?.[1];
        if (port) resolve(`http://localhost:${port}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`the ${side.name} playground stopped (${signal ?? `exit code ${code}`}) before it listened`)));
  });
  listening.catch(() => undefined);
  return { child, listening };
}

async function botAnswers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/healthz', endpoint), { signal: AbortSignal.timeout(2000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  (await import('dotenv')).config({ quiet: true });
  const cli = playgroundCli();
  if (!cli) {
    console.error('The Agents Playground is not installed: it is the devDependency @microsoft/m365agentsplayground. Run: npm ci');
    return 2;
  }
  const endpoint = botEndpoint(process.env);
  const ports = playgroundPorts(process.env);
  for (const problem of [endpoint, ports].filter((r): r is { ok: false; error: string } => !r.ok)) console.error(problem.error);
  if (!endpoint.ok || !ports.ok) return 2;
  if (process.env.MicrosoftAppId?.trim()) {
    console.warn(
      'WARN MicrosoftAppId is set: a bot started with it answers the playground with 401 (the playground sends no token). Start the bot for the playground without it, e.g. MicrosoftAppId= npm start',
    );
  }
  if (!(await botAnswers(endpoint.url))) {
    console.warn(
      `WARN The bot does not answer at ${endpoint.url}. Start it in another terminal with: npm start (or set BOT_ENDPOINT). The playground connects when it is up.`,
    );
  }

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 500).unref();
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  const started = PLAYGROUND_SIDES.map((side) => {
    const run = startPlayground(cli, side, endpoint.url, ports.ports[side.name], process.env, (line) => line.trim() && console.log(`[${side.name}] ${line}`));
    children.push(run.child);
    run.child.on('exit', (code) => {
      if (!stopping) console.error(`The ${side.name} playground stopped (exit code ${code}); stopping the other one.`);
      stop(code ?? 1);
    });
    return run.listening.then((url) => ({ side, url }));
  });
  try {
    const sides = await Promise.all(started);
    console.log(`\nAgents Playground for the bot at ${endpoint.url}:`);
    for (const { side, url } of sides) console.log(`  ${side.name.padEnd(9)} ${url}  ${side.hint}`);
    console.log('Ctrl+C stops both.\n');
  } catch (error) {
    console.error(`The Agents Playground could not start: ${(error as Error).message}`);
    stop(1);
  }
  return new Promise<number>(() => undefined); // runs until stopped
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error('The Agents Playground could not start:', error);
      process.exit(1);
    },
  );
}
