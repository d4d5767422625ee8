import { startBotProcess } from './botProcess';
import { benchRoster } from './benchRoster';
import { judge, printGrid, printMedianTable, printTable, type BenchRow } from './benchTable';
import { approveScenario, dialogStepScenario, echoScenario, myClaimsScenario, refusedScenario, statusScenario } from './scenarios';
import { notificationScenario, printNotificationTable } from './notificationBench';
import { printSweepTable, sweepScenario } from './sweepBench';
import { multiInstanceScenario, sharingLine } from './multiInstanceBench';
import { dialogOnDiskScenario, printStartUpTable, startUpScenario } from './dataBench';
import { printReadingTable, readingScenario } from './readingBench';
import { FLOOR_PATHS, FLOOR_ROW_NAMES } from './requestFloors';
import { precheckFileScenario, printPrecheckFileTable, printPrecheckTurnSummary, stepWhilePrecheckingScenario } from './precheckBench';

/**
 * `npm run bench`: the hot paths on the embedded stack, each beside the framework's own floor in the
 * same run (a bare echo bot on the same restify server and a stock Bot Framework CloudAdapter), with 20
 * connections at once; the product runs in its own process as `npm start` runs it. Each row has the bot
 * process's CPU time per turn beside its throughput (steadier on a shared machine), and the Cosmos DB
 * requests per turn. `-- --quick` is a smoke run of every part in under a minute; `-- --only=notifications,turns,sweep,startup,reading,precheck`
 * runs some parts (`turns` is echo, agents (the echo bot on the Microsoft 365 Agents SDK), floors (each
 * path's Cosmos DB requests and nothing else, requestFloors.ts), approve, status,
 * list, dialog, refused (bad input) and disk (the dialog turn on a data folder), which can also be named
 * one by one; the Bot Framework echo bot always runs). `-- --runs=3` runs the turns three times and adds
 * a table of the medians. The turns run in memory (DATA_DIR=:memory:) unless the row says "on disk".
 */
const CONNECTIONS = 20;
const RSS_TARGET_MB = 300;
const quick = process.argv.includes('--quick');
/**
 * Turns each echo bot, floor, status, list and refused row runs before it is measured. A fresh process's
 * first thousands of turns cost more (code not yet optimised, its heap still growing): after 40, as before
 * session 19, the echo bot's next 2,000 turns cost 1.16-1.21 ms each, after 1,000 they cost 0.78-1.03 ms,
 * and its later turns less still; a product row, in a process warmed by the rows before it, moves less. A
 * short warm-up made the echo bot dearer than it stays and flattered every ratio to it.
 */
const WARM_UP = quick ? 40 : 2000;
/** `--runs=3`: the turns three times over, and the pre-check's form step rows three rounds in turn. */
const runsOf = (argv: string[]) => Number(argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 1);

async function main(): Promise<void> {
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const runs = (part: string) => !only || only.includes(part);
  const memory: string[][] = [];

  if (runs('notifications')) {
    // 5 tenants x 200 conversations x 10 messages: Teams' 50 per second per tenant allows it in 39 s at best.
    // The same load again from two bot instances on one store (Teams' limits are per bot, not per instance).
    const load = quick
      ? { tenants: 2, conversationsPerTenant: 20, messagesPerConversation: 5 }
      : { tenants: 5, conversationsPerTenant: 200, messagesPerConversation: 10 };
    const single = await notificationScenario(load);
    const shared = await multiInstanceScenario(load);
    printNotificationTable([single, shared]);
    console.log(sharingLine(shared));
  }

  const turn = (part: string) => runs('turns') || runs(part);
  if (['echo', 'agents', 'floors', 'approve', 'status', 'list', 'dialog', 'refused', 'disk'].some(turn)) {
    // --runs=3: the turns three times over (fresh processes each time), then the median of each ratio.
    const times = runsOf(process.argv);
    const all: BenchRow[][] = [];
    for (let n = 1; n <= times; n++) {
      if (times > 1) console.log(`Turns, run ${n} of ${times}:`);
      all.push(await turnRows(turn, memory));
    }
    if (times > 1) printMedianTable(all);
  }

  if (runs('precheck')) {
    printPrecheckFileTable(await precheckFileScenario(quick));
    if (quick) console.log('Pre-check: the form step turn with pre-checks in the background is measured in a full run (or -- --only=precheck).');
    if (!quick || only?.includes('precheck')) {
      // Eight more partners than connections per round: two slots attach images, then two others PDFs, each slot two
      // partners one after the other, while the others fill in the form. --runs=3: three rounds of the three rows in
      // turn, and a summary of their medians. 150 turns per connection: a p99 of 3,000 turns, steadier than of 1,200.
      const rounds = runsOf(process.argv);
      const roster = benchRoster(CONNECTIONS + 8 * rounds);
      const bot = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
      try {
        const attachers = Array.from({ length: rounds }, (_, r) => {
          const own = roster.partners.slice(CONNECTIONS + 8 * r, CONNECTIONS + 8 * (r + 1));
          return { images: [own.slice(0, 2), own.slice(2, 4)], pdfs: [own.slice(4, 6), own.slice(6, 8)] };
        });
        const results = await stepWhilePrecheckingScenario(bot, roster.partners.slice(0, CONNECTIONS), attachers, quick ? 10 : 150);
        for (const [r, rows] of results.entries()) {
          if (rounds > 1) console.log(`Form step with pre-checks, round ${r + 1} of ${rounds} (measured from row ${(r % rows.length) + 1} on):`);
          printTable(rows);
        }
        if (rounds > 1) printPrecheckTurnSummary(results);
      } finally {
        await bot.stop();
      }
    }
  }

  if (runs('startup')) printStartUpTable(await startUpScenario(quick ? 1000 : 10000));

  if (runs('reading')) printReadingTable(await readingScenario(quick ? 3 : 20));

  if (runs('sweep')) printSweepTable(await sweepScenario(quick ? [1000, 5000] : [1000, 10000, 100000]));

  if (memory.length) printGrid(['memory', 'peak RSS MB', 'target', 'met'], memory);
}

/** One run of the turns: the echo bots, then the product's paths, each judged against the Bot Framework echo bot of this run. */
async function turnRows(turn: (part: string) => boolean, memory: string[][]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const echoBot = await startBotProcess({}, 'echo');
  try {
    rows.push(await echoScenario(echoBot, 'echo bot (stock Bot Framework CloudAdapter)', 'the floor', CONNECTIONS, quick ? 400 : 4000, WARM_UP));
  } finally {
    await echoBot.stop();
  }
  if (turn('agents')) {
    const agentsBot = await startBotProcess({}, 'agentsEcho');
    try {
      rows.push(await echoScenario(agentsBot, 'echo bot on the Microsoft 365 Agents SDK', '-', CONNECTIONS, quick ? 400 : 4000, WARM_UP));
    } finally {
      await agentsBot.stop();
    }
  }
  // Each path's floor: the product's adapter and the path's Cosmos DB requests, nothing else (requestFloors.ts).
  if (turn('floors')) {
    for (const path of FLOOR_PATHS) {
      const floorBot = await startBotProcess({ BENCH_CONNECTIONS: String(CONNECTIONS) }, 'floor', [path]);
      try {
        rows.push(await echoScenario(floorBot, FLOOR_ROW_NAMES[path], '-', CONNECTIONS, quick ? 200 : 2000, WARM_UP));
      } finally {
        await floorBot.stop();
      }
    }
  }
  const roster = benchRoster(CONNECTIONS);
  const bot = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
  try {
    // Approvals first: their partners have no chat with the bot yet, so the notification work after them
    // is the timers, the outbox and the delivery records, not 20 chats each (the notification row measures sends).
    if (turn('approve')) rows.push(await approveScenario(bot, roster.reviewers, quick ? 3 : 25));
    if (turn('status')) rows.push(await statusScenario(bot, roster.partners, quick ? 200 : 2000, WARM_UP));
    if (turn('list')) rows.push(await myClaimsScenario(bot, roster.partners, quick ? 100 : 1000, WARM_UP));
    if (turn('dialog')) rows.push(await dialogStepScenario(bot, roster.partners, quick ? 10 : 60));
    if (turn('refused')) rows.push(await refusedScenario(bot, CONNECTIONS, quick ? 300 : 3000, WARM_UP));
  } finally {
    // Read from /proc while the processes live.
    const peak = bot.peakRssMb();
    memory.push([
      'bot process (npm start), peak during the turns above',
      peak?.toFixed(0) ?? 'n/a',
      `< ${RSS_TARGET_MB} MB`,
      peak !== undefined && peak < RSS_TARGET_MB ? 'yes' : 'NO',
    ]);
    memory.push(['embedded Cosmos DB server + Azurite processes (stand-ins for Azure)', bot.embeddedPeakRssMb().toFixed(0), '-', '-']);
    await bot.stop();
  }
  try {
    const inMemory = rows.find((r) => r.name === 'dialog step turn');
    if (turn('disk')) rows.push(await dialogOnDiskScenario({ DEMO_DATA: 'false', ROSTER_FILE: roster.file }, roster.partners, quick ? 10 : 60, inMemory));
  } finally {
    judge(rows, rows[0]);
    printTable(rows);
  }
  return rows;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
