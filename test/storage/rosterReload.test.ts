import fs, { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBotApp, type BotApp } from '../../app/botApp';
import { MemoryLogger } from '../../src/logger';
import { RosterStore } from '../../src/storage/rosterStore';
import { RosterFileWatcher } from '../../src/services/roster/rosterFileWatcher';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { personalMessage, postActivity } from '../support/activities';
import { DEMO_ROSTER, openTestDatabase, testConfig } from '../support/testStorage';

/**
 * A running bot picks up roster changes without a signal: a roster file changed on disk, and a roster
 * loaded into the store by `npm run roster:load` from elsewhere.
 */

const NEWCOMER = 'a1b2c3d4-0009-4000-8000-000000000009';
const demo = () => JSON.parse(readFileSync(DEMO_ROSTER, 'utf8'));
const withNewcomer = () => {
  const roster = demo();
  roster.organisations[0].users.push({ aadObjectId: NEWCOMER, name: 'Nia Newcomer', email: 'nia@fabrikam.example', role: 'IncentivesAdmin' });
  return roster;
};

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let db: CosmosDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

describe('a roster file changed on disk', () => {
  let app: BotApp;
  const log = new MemoryLogger();
  const file = join(mkdtempSync(join(tmpdir(), 'roster-watch-')), 'roster.json');
  beforeAll(async () => {
    writeFileSync(file, JSON.stringify(demo()));
    app = await startBotApp(testConfig({ ROSTER_FILE: file }), { log, rosterWatch: { debounceMs: 50, pollMs: 200 } });
  });
  afterAll(() => app.close());

  const greeting = async () => JSON.stringify((await postActivity(app.url, personalMessage('help', { aadObjectId: NEWCOMER }))).body);

  test('is loaded by the running bot: a person added to it is recognised, with no signal or restart', async () => {
    expect(await greeting()).toContain('You are not on a roster yet');
    writeFileSync(file, JSON.stringify(withNewcomer()));
    await waitFor(() => log.lines.some((l) => l.startsWith(`Roster: reloaded ${file} (changed on disk)`)), 'the reload');
    expect(await greeting()).toContain('You are signed in as Nia Newcomer, Incentives admin of Fabrikam Consulting Ltd.');
  });

  test('a file that is not valid leaves the previous roster in place, and the log says why', async () => {
    const broken = withNewcomer();
    broken.organisations[0].users[0].role = 'Boss';
    writeFileSync(file, JSON.stringify(broken));
    await waitFor(() => log.lines.some((l) => l.includes('was not loaded; the previous roster stays')), 'the refusal');
    const refusal = log.lines.find((l) => l.includes('was not loaded; the previous roster stays'))!;
    expect(refusal).toMatch(/^WARN Roster: .*roster\.json changed on disk but was not loaded; the previous roster stays\. .*role/);
    expect(await greeting()).toContain('You are signed in as Nia Newcomer');
    writeFileSync(file, '{ "organisations": [');
    await waitFor(() => log.lines.filter((l) => l.includes('was not loaded')).length === 2, 'the second refusal');
    expect(await greeting()).toContain('You are signed in as Nia Newcomer');
  });
});

describe('where the file system sends no change events', () => {
  test('polling finds the change', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'roster-poll-')), 'roster.json');
    writeFileSync(file, JSON.stringify(demo()));
    const rosters = new RosterStore(db.containers.rosters);
    await rosters.loadFile(file);
    const log = new MemoryLogger();
    const noEvents = jest.spyOn(fs, 'watch').mockImplementation(() => {
      throw Object.assign(new Error('watch not supported on this file system'), { code: 'ENOSYS' });
    });
    const watcher = new RosterFileWatcher(file, (f) => rosters.loadFile(f), log, { debounceMs: 20, pollMs: 100 });
    try {
      await watcher.start();
      expect(log.lines).toEqual([
        expect.stringMatching(/^WARN Roster: .* cannot be watched \(watch not supported on this file system\); polling every 0\.1 s instead$/),
      ]);
      writeFileSync(file, JSON.stringify(withNewcomer()));
      await waitFor(() => watcher.reloads === 1, 'the polled reload');
      expect(await rosters.partnerUser(NEWCOMER)).toMatchObject({ name: 'Nia Newcomer' });
    } finally {
      noEvents.mockRestore();
      await watcher.stop();
    }
  });
});

describe('a roster loaded into the store by another process (npm run roster:load)', () => {
  test('is seen by every running instance within 30 seconds (their look-up cache)', async () => {
    let now = 1_000_000;
    const loader = new RosterStore(db.containers.rosters);
    const running = new RosterStore(db.containers.rosters, () => now);
    const file = join(mkdtempSync(join(tmpdir(), 'roster-load-')), 'roster.json');
    writeFileSync(file, JSON.stringify(demo()));
    await loader.loadFile(file);
    expect(await running.partnerUser(NEWCOMER)).toBeUndefined(); // the running instance has looked and remembers

    writeFileSync(file, JSON.stringify(withNewcomer()));
    await loader.loadFile(file);
    now += 29_999;
    expect(await running.partnerUser(NEWCOMER)).toBeUndefined();
    now += 1;
    expect(await running.partnerUser(NEWCOMER)).toMatchObject({ name: 'Nia Newcomer', role: 'IncentivesAdmin' });
  });
});
