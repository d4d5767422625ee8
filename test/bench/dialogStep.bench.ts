import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBotProcess } from './botProcess';
import { personalMessage, PARTNER_TENANT } from '../support/activities';
import { percentile, printTable, type BenchRow } from './benchTable';

/**
 * Dialog step turns on the embedded stack: 20 partners at once, each moving between the first two
 * steps of a new claim (validate, save the draft, draw the next card), over HTTP with expectReplies,
 * against the bot running in its own process as `npm start` runs it.
 */

const USERS = 20;
const quick = process.argv.includes('--quick');
const TURNS_PER_USER = quick ? 15 : 60;
/** The demo roster plus one Incentives admin per simulated partner, so each works on a draft of their own. */
function benchRoster(): { file: string; users: string[] } {
  const roster = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'demo-roster.json'), 'utf8'));
  const users = Array.from({ length: USERS }, (_, i) => `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`);
  roster.organisations[0].users.push(...users.map((aadObjectId, i) => ({ aadObjectId, name: `Bench Partner ${i}`, email: `bench${i}@fabrikam.example`, role: 'IncentivesAdmin' })));
  const file = join(mkdtempSync(join(tmpdir(), 'bench-roster-')), 'roster.json');
  writeFileSync(file, JSON.stringify(roster));
  return { file, users };
}

async function main(): Promise<void> {
  const roster = benchRoster();
  const app = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
  const post = async (body: unknown) => {
    const response = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await response.json()) as { activities?: { text?: string }[] };
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    return json;
  };
  const latencies: number[] = [];
  try {
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const aad = roster.users[i];
        const conversation = { id: `a:bench-${i}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
        const message = (extra: Record<string, unknown>) => ({ ...personalMessage('', { aadObjectId: aad }), conversation, ...extra });
        const started = await post(message({ text: 'new claim' }));
        const claimId = JSON.stringify(started).match(/CL-[0-9A-Z]{8}/)![0];
        return { message, claimId };
      }),
    );
    const started = Date.now();
    await Promise.all(
      users.map(async ({ message, claimId }, i) => {
        for (let turn = 0; turn < TURNS_PER_USER; turn++) {
          const value = turn % 2 === 0
            ? { cpor: 'claimStep', step: 'customer', claimId, action: 'next', mpnId: '4412345', customerDomain: `customer${i}.example`, customerTenantId: `00000000-0000-4000-8000-${String(turn).padStart(12, '0')}` }
            : { cpor: 'claimStep', step: 'area', claimId, action: 'back' };
          const t0 = performance.now();
          const reply = JSON.stringify(await post(message({ text: undefined, value })));
          latencies.push(performance.now() - t0);
          // Measure the intended path only: the next step's card, not a refusal or a stale-card answer.
          const expected = turn % 2 === 0 ? 'Solution area and activity' : '"text":"Customer"';
          if (!reply.includes(expected)) throw new Error(`Unexpected reply on turn ${turn}: ${reply.slice(0, 300)}`);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const row: BenchRow = {
      name: `dialog step turn (${USERS} users)`,
      turnsPerSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      target: 'p95 < 300 ms',
      met: percentile(latencies, 95) < 300,
    };
    printTable([row]);
    console.log(`Peak RSS of the bot process: ${app.peakRssMb()?.toFixed(0) ?? 'n/a'} MB`);
  } finally {
    await app.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
