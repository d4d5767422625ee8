import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { printGrid, type BenchRow } from './benchTable';
import { BENCH_PARTNER, benchClaimService } from './benchClaims';
import { startBotProcess } from './botProcess';
import { dialogStepScenario } from './scenarios';

/**
 * The default that keeps data (DATA_DIR): how long the bot takes to start on a data folder holding many
 * claims (spawn to "Ready": the journal replayed, then the snapshot made from it), and the dialog step
 * turn with every write journalled and fsync'd against the same turn in memory.
 */

export function temporaryDataDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'cpor-bench-data-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts of the bot on a folder seeded with `claims` drafts through the claim store, 20 writers at once. */
export async function startUpScenario(claims: number): Promise<string[][]> {
  const dir = temporaryDataDir();
  const lines: string[][] = [];
  const env = { DEMO_DATA: 'false', DATA_DIR: dir.path };
  try {
    const empty = await startBotProcess({ DEMO_DATA: 'false' });
    await empty.stop();
    lines.push(['in memory (DATA_DIR=:memory:), empty', '0', String(empty.startedInMs), '-']);

    const seeding = await startBotProcess(env);
    const db = await CosmosDatabase.open({ endpoint: seeding.cosmosEndpoint, key: 'unused', database: 'cpor', embedded: true });
    const service = benchClaimService(db);
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < claims) {
          const i = next++;
          const draft = await service.createDraft(BENCH_PARTNER, {
            mpnId: '4412345',
            customerDomain: `customer${i}.example`,
            customerTenantId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            solutionArea: 'Microsoft365',
            activity: 'Usage',
            products: ['teams', 'exchange-online'],
            claimName: `Bench claim ${i}`,
            customerContact: { name: 'Dana', title: 'CIO', email: 'dana@bench.example' },
            partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
          });
          if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
        }
      }),
    );
    await db.close();
    await seeding.stop();

    // First start: everything is in the journal; it is replayed, and folded into a snapshot after "Ready".
    for (const from of ['journal', 'snapshot']) {
      const bot = await startBotProcess(env);
      const restored = /(\d+) documents? restored in (\d+) ms/.exec(bot.output());
      // Give the background snapshot time to finish before the next start reads it.
      if (from === 'journal') await new Promise((r) => setTimeout(r, 3000));
      await bot.stop();
      lines.push([`on disk, ${claims.toLocaleString('en-US')} claims, from the ${from}`, restored?.[1] ?? '?', String(bot.startedInMs), restored?.[2] ?? '?']);
    }
  } finally {
    dir.remove();
  }
  return lines;
}

export function printStartUpTable(lines: string[][]): void {
  printGrid(['start-up (spawn to "Ready")', 'documents', 'ms', 'of which restoring, ms'], lines);
}

/** The dialog step turn on a data folder; `inMemory` is the same turn's row of this run, in memory. */
export async function dialogOnDiskScenario(
  env: Record<string, string>,
  partners: string[],
  turnsPerUser: number,
  inMemory: BenchRow | undefined,
): Promise<BenchRow> {
  const dir = temporaryDataDir();
  try {
    const bot = await startBotProcess({ ...env, DATA_DIR: dir.path });
    try {
      const row = await dialogStepScenario(bot, partners, turnsPerUser);
      const ofMemory = inMemory ? row.turnsPerSecond / inMemory.turnsPerSecond : undefined;
      return {
        ...row,
        name: 'dialog step turn, on disk (DATA_DIR)',
        goal: undefined,
        target: '>= 80% of in memory',
        ...(ofMemory === undefined
          ? {}
          : {
              met: ofMemory >= 0.8,
              note: `${(ofMemory * 100).toFixed(0)}% of the in-memory dialog step turn's throughput (every write journalled and fsync'd before it is answered)`,
            }),
      };
    } finally {
      await bot.stop();
    }
  } finally {
    dir.remove();
  }
}
