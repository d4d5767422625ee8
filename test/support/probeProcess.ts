import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Runs a probe script of test/support in a Node process of its own (through tsx, from the project's root,
 * with PATH and HOME and `env` only), as the tests that must see a whole process do: the probe prints one
 * JSON line last, which is returned. The process must end well and say nothing on stderr.
 */
export function runProbe<T>(script: string, env: Record<string, string> = {}): T {
  const probe = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  expect(probe.stderr).toBe('');
  expect(probe.status).toBe(0);
  return JSON.parse(probe.stdout.trim().split('\n').pop()!) as T;
}
