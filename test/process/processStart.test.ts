import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { personalMessage, postActivity } from '../support/activities';
import { telemetrySink } from '../support/telemetrySink';
import { waitFor } from '../support/waitFor';

/**
 * The entry point as `npm start` runs it: a real process on the embedded default (no storage settings),
 * started, asked for help, and stopped with SIGTERM.
 */

const ROOT = join(__dirname, '..', '..');
const ENTRY = ['--disable-warning=DEP0111', '--import', 'tsx', 'app/main.ts'];
// Only what a fresh machine has: no storage settings, and no developer .env file.
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTENV_CONFIG_PATH: join(ROOT, 'no-such.env') };

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ENTRY, { cwd: ROOT, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm start', () => {
  test('starts on the embedded stack, answers help, and stops gracefully on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cpor-data-'));
    const bot = run({ PORT: '0', DATA_DIR: dataDir });
    try {
      await waitFor(() => /Ready in \d+ ms/.test(bot.output()) || bot.child.exitCode !== null, 60_000);
      const out = bot.output();
      expect(out).toMatch(/Cosmos DB: embedded server at http:\/\/127\.0\.0\.1:\d+\//);
      expect(out).toContain(`are kept on disk in ${dataDir}`);
      expect(out).toMatch(/Blob storage: embedded Azurite at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1, container "poe" \(data in /);
      expect(out).toContain('Demo data: seeded 6 claims');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(out)![1];
      const { status, body } = await postActivity(url, personalMessage('help'));
      expect(status).toBe(200);
      expect(JSON.stringify(body)).toContain('CPOR claims bot');
      bot.child.kill('SIGTERM');
      // Exit code 0 means the graceful path finished: a hang past the 2 s deadline exits with 1.
      expect(await bot.exited).toBe(0);
      expect(bot.output()).toContain('SIGTERM: shutting down');
    } finally {
      bot.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  test('SIGHUP reloads the roster file: a person added to it is recognised without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-'));
    const file = join(dir, 'roster.json');
    const roster = JSON.parse(readFileSync(join(ROOT, 'data', 'demo-roster.json'), 'utf8'));
    writeFileSync(file, JSON.stringify(roster));
    const newcomer = 'a1b2c3d4-0009-4000-8000-000000000009';
    const bot = run({ PORT: '0', ROSTER_FILE: file, DEMO_DATA: 'false', DATA_DIR: ':memory:' });
    try {
      await waitFor(() => /Ready in \d+ ms/.test(bot.output()), 60_000);
      expect(bot.output()).toContain(
        'WARN DATA_DIR=:memory:: the embedded Cosmos DB server and Azurite keep everything IN MEMORY: claims, drafts, dialog state, timers and PoE files are LOST when the bot stops.',
      );
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(bot.output())![1];
      const before = await postActivity(url, personalMessage('help', { aadObjectId: newcomer }));
      expect(JSON.stringify(before.body)).toContain('You are not on a roster yet');
      roster.organisations[0].users.push({ aadObjectId: newcomer, name: 'Nia Newcomer', email: 'nia@fabrikam.example', role: 'IncentivesAdmin' });
      writeFileSync(file, JSON.stringify(roster));
      bot.child.kill('SIGHUP');
      await waitFor(() => bot.output().includes('Roster: reloaded'), 20_000);
      const after = await postActivity(url, personalMessage('help', { aadObjectId: newcomer }));
      expect(JSON.stringify(after.body)).toContain('You are signed in as Nia Newcomer, Incentives admin of Fabrikam Consulting Ltd.');
    } finally {
      bot.child.kill('SIGKILL');
    }
  }, 90_000);

  test('with Application Insights configured: telemetry reaches it with the Cosmos DB calls as dependencies, and the answers the bot expects (a 404, a 409) write no warning lines', async () => {
    const sink = await telemetrySink();
    // Every trace kept, so that the turns' dependencies are there to be read (the default keeps 5 a second).
    const bot = run({ PORT: '0', DATA_DIR: ':memory:', ...sink.botEnv, OTEL_TRACES_SAMPLER: 'always_on' });
    try {
      await waitFor(() => /Ready in \d+ ms/.test(bot.output()), 60_000);
      expect(bot.output()).toContain('Telemetry: traces and metrics to Application Insights');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(bot.output())![1];
      // A person without a language record (the store answers 404), then the same message again (409 on its activity record).
      const message = personalMessage('help');
      expect((await postActivity(url, message)).status).toBe(200);
      expect((await postActivity(url, message)).status).toBe(200);
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      // Shutting down sends what was buffered.
      expect(sink.received().batches).toBeGreaterThan(0);
      expect(bot.output()).not.toMatch(/azure:[\w-]+:warning/);
      // Cosmos DB calls are dependencies (the HTTP instrumentation's spans: the SDK makes none of its own), each once.
      const cosmosPort = /Cosmos DB: embedded server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(bot.output())![1];
      const toCosmos = sink.dependencies().filter((d) => (d.data ?? '').startsWith(`http://127.0.0.1:${cosmosPort}/`));
      expect(toCosmos.length).toBeGreaterThan(0);
      // Their target is the account (host and port), as the application map groups them.
      expect(new Set(toCosmos.map((d) => d.target))).toEqual(new Set([`127.0.0.1:${cosmosPort}`]));
      // The start reads the database once: one dependency.
      expect(toCosmos.filter((d) => d.name === 'GET /dbs/cpor')).toHaveLength(1);
      // And a turn's requests are there: each message's activity record.
      const records = toCosmos.filter((d) => d.name === 'POST /dbs/cpor/colls/activities/docs');
      expect(records.length).toBeGreaterThanOrEqual(2);
      // The repeat's record is refused (409): a failed dependency with its result code.
      expect(records.filter((d) => d.resultCode === '409' && d.success === false)).toHaveLength(1);
      expect(records.filter((d) => d.resultCode === '201' && d.success === true).length).toBeGreaterThanOrEqual(1);
    } finally {
      bot.child.kill('SIGKILL');
    }
  }, 90_000);

  test('a bad configuration names each bad variable and exits non-zero', async () => {
    const bot = run({ PORT: 'eighty', BUSINESS_TIME_ZONE: 'Atlantis/Central', COSMOS_ENDPOINT: 'https://example.documents.azure.com:443/' });
    const code = await bot.exited;
    expect(code).toBe(2);
    const out = bot.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toContain('PORT must be a whole number (got "eighty")');
    expect(out).toContain('BUSINESS_TIME_ZONE must be an IANA time zone');
    expect(out).toContain('CONSENT_LINK_SECRET is required when COSMOS_ENDPOINT is set');
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
