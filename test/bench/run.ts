import { startBotProcess } from './botProcess';
import { benchRoster } from './benchRoster';
import { printTable, type BenchRow } from './benchTable';
import { approveScenario, dialogStepScenario } from './scenarios';

/**
 * `npm run bench`: the hot paths on the embedded stack, against the bot in its own process as
 * `npm start` runs it, with 20 people at once. `-- --quick` runs fewer turns for a smoke check;
 * `-- --only=dialog` or `-- --only=approve` runs one scenario.
 */
const PEOPLE = 20;
const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  const roster = benchRoster(PEOPLE);
  const bot = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
  const rows: BenchRow[] = [];
  try {
    const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
    if (!only || only === 'dialog') rows.push(await dialogStepScenario(bot, roster.partners, quick ? 10 : 60));
    if (!only || only === 'approve') rows.push(await approveScenario(bot, roster.reviewers, quick ? 3 : 10));
  } finally {
    printTable(rows);
    console.log(`Peak RSS of the bot process: ${bot.peakRssMb()?.toFixed(0) ?? 'n/a'} MB`);
    await bot.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
