import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run bench -- --quick` as a newcomer runs it: every part of the benchmark runs and prints its
 * table. The numbers are not asserted here (shared machines are noisy); that the tables are produced,
 * with every row and its target, is.
 */

// Eight bots start one after another (two echo bots, five floors and the product); on a loaded shared machine that alone takes minutes.
jest.setTimeout(600_000);

test('the quick benchmark prints every table: notifications, turns against the echo bots (CPU per turn, Cosmos DB requests), the sweep, memory', async () => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npm', ['run', 'bench', '--silent', '--', '--quick'], { cwd: join(__dirname, '..', '..'), env: { ...process.env, NODE_OPTIONS: '' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (exitCode) => resolve({ code: exitCode, output }));
  });
  expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
  const rows = output.split('\n').filter((line) => line.startsWith('|'));
  const row = (start: string) => rows.find((line) => line.startsWith(`| ${start}`));
  // Notifications: time against the minimum Teams' limits allow, none lost, none twice.
  expect(row('200 notifications to 40 conversations (2 tenants) ')).toMatch(/\| \d+\.\d+ +\| \d+\.\d+ +\| \d\.\d\d +\| 200\/200 +\| 0 /);
  // The same load from two bot instances sharing one store (Teams' limits are per bot), in the same table.
  expect(row('200 notifications to 40 conversations (2 tenants) sent by two bot instances sharing one store')).toMatch(
    /\| \d+\.\d+ +\| \d+\.\d+ +\| \d\.\d\d +\| 200\/200 +\| 0 /,
  );
  expect(output).toMatch(/Two instances: \d+ hand-over\(s\) of a tenant's send lease, \d+ Cosmos DB request\(s\) for the leases/);
  // Turns: each path with its throughput, its share of the echo bot's, p50/p95/p99, and the bot's CPU per turn against the echo bot's.
  for (const path of [
    'echo bot (stock Bot Framework CloudAdapter)',
    'echo bot on the Microsoft 365 Agents SDK',
    'Approve invoke (adaptiveCard/action)',
    'claim <id> status turn',
    '"my claims" list turn',
    'dialog step turn',
    'refused requests',
    "floor: the product's adapter, echo, no requests",
    "floor: the status turn's 2 Cosmos DB requests, echo",
    "floor: the list turn's 2 Cosmos DB requests, echo",
    "floor: the dialog step's 4.5 Cosmos DB requests, echo",
    "floor: the Approve invoke's 5 Cosmos DB requests, echo",
  ]) {
    expect(row(path)).toMatch(/\| \d+ +\| (-|\d+%) +\| \d+\.\d +\| \d+\.\d +\| \d+\.\d +\| \d+\.\d\d +\| (-|\d+\.\d\dx) +\|/);
  }
  // The product's rows also count the Cosmos DB requests per turn, by container and operation.
  expect(row('claim <id> status turn')).toMatch(/\| >= 50% of echo, CPU <= 2x echo, p99 < 300 ms +\| (yes|NO) +\|$/);
  expect(row('claim <id> status turn')).toMatch(/\| \d+\.\d\d +\| \d+\.\d\d +\| >= 50%/);
  expect(output).toMatch(/claim <id> status turn: Cosmos DB requests per turn: .*claims read 1\.00/);
  // Each path's floor makes exactly the requests its path makes (test/bot/requestsPerTurn.test.ts counts the product's), and nothing else.
  const floorRequests = (path: string) => new RegExp(`^floor: the ${path}: Cosmos DB requests per turn: (.*)$`, 'm').exec(output)?.[1].split(', ').sort();
  expect(row("floor: the product's adapter, echo, no requests")).toMatch(/\| 0\.00 +\| \d+\.\d\d +\| - +\| - +\|$/);
  expect(floorRequests("status turn's 2 Cosmos DB requests, echo")).toEqual(['activities create 1.00', 'claims read 1.00']);
  expect(floorRequests("list turn's 2 Cosmos DB requests, echo")).toEqual(['activities create 1.00', 'claims query 1.00']);
  expect(floorRequests("dialog step's 4.5 Cosmos DB requests, echo")).toEqual([
    'activities create 1.00',
    'botState read 1.00',
    'botState upsert 1.00',
    'claims read 1.00',
    'claims replace 0.50',
  ]);
  expect(floorRequests("Approve invoke's 5 Cosmos DB requests, echo")).toEqual([
    'associations batch 1.00',
    'claims read 1.00',
    'claims replace 1.00',
    'tenantIndex read 1.00',
    'timers upsert 1.00',
  ]);
  expect(output).toMatch(/notification work of all \d+ approvals done \d+\.\d s after the last approval/);
  // The whole cost of an approval, its notification work included (every approval e-mails its customer).
  expect(output).toMatch(/with all of it, an approval cost the bot \d+\.\d\d ms of CPU and \d+\.\d\d Cosmos DB requests \(.*mail create \d/);
  // The sweep at two sizes, with its time and Cosmos DB requests; memory of the bot process against its target.
  expect(row('among 1,000 claims')).toMatch(/\| 100 +\| \d+\.\d\d +\| \d+ +\| 1\.00x/);
  expect(row('among 5,000 claims')).toMatch(/\| 100 +\| \d+\.\d\d +\| \d+ +\| \d+\.\d\dx/);
  // The PoE pre-check of a 20-page PDF and a 2 MB Word document: times, the extra memory of the bot and of
  // the reader process (first file, per file), what the reader holds (ready; after), its cold start.
  for (const file of ['20-page PDF ', '2 MB Word document '])
    expect(row(file)).toMatch(
      /\| \d+ KB +\| \d+ +\| \d+ +\| -?\d+ \+ -?\d+ +\| -?\d+ \+ -?\d+ +\| \d+; \d+ +\| \d+ +\| < 1000 ms, < 50 MB \| (yes|NO); (yes|NO) +\|/,
    );
  expect(row('bot process (npm start), peak during the turns above')).toMatch(/\| \d+ +\| < 300 MB +\| (yes|NO) +\|/);
  // Reading PoE files in the reader process: first read, p50, p95, extra memory.
  for (const file of ['20-page PDF (', 'Word document (2.0 MB)'])
    expect(row(file)).toMatch(/\| \d+ +\| \d+ +\| \d+ +\| \d+ +\| < 1000 ms, < 50 MB \| (yes|NO) +\|/);
});
