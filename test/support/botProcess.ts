import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The bot as `npm start` runs it, in a process group of its own, for tests that kill it with SIGKILL. */

const ROOT = join(__dirname, '..', '..');
const ENTRY = ['--disable-warning=DEP0111', '--import', 'tsx', 'app/main.ts'];
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTENV_CONFIG_PATH: join(ROOT, 'no-such.env') };

export interface BotProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  url: string;
}

/** Starts the bot (detached, so SIGKILL to the group takes its storage processes too) and waits for "Ready". */
export async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ENTRY, { cwd: ROOT, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const until = Date.now() + 90_000;
  while (!/Ready in \d+ ms/.test(output)) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`The bot did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output, exited, url: /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(output)![1] };
}

/** kill -9 of the bot and the storage processes it started: nothing gets to finish or flush. */
export async function killBotProcess(bot: BotProcess): Promise<void> {
  try {
    process.kill(-bot.child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await bot.exited;
}
