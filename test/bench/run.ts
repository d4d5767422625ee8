import { startBotProcess } from './botProcess';
import { benchRoster } from './benchRoster';
import { printGrid, printTable, type BenchRow } from './benchTable';
import { approveScenario, dialogStepScenario, echoScenario, myClaimsScenario, statusScenario } from './scenarios';
import { notificationScenario, printNotificationTable } from './notificationBench';
import { printSweepTable, sweepScenario } from './sweepBench';
import { multiInstanceScenario, sharingLine } from './multiInstanceBench';
import { dialogOnDiskScenario, printStartUpTable, startUpScenario } from './dataBench';
import { precheckFileScenario, printPrecheckFileTable, stepWhilePrecheckingScenario } from './precheckBench';

/**
 * `npm run bench`: the hot paths on the embedded stack, each beside the framework's own ceiling in the
 * same run (a bare echo bot on the same restify + CloudAdapter setup), with 20 connections at once; the
 * product runs in its own process as `npm start` runs it. `-- --quick` is a smoke run of every part in
 * under a minute; `-- --only=notifications,turns,precheck,sweep,startup` runs some parts (`turns` is echo, approve,
 * status, list, dialog and disk (the dialog turn on a data folder), which can also be named one by one).
 * The turns run in memory (DATA_DIR=:memory:) unless the row says "on disk".
 */
const CONNECTIONS = 20;
const RSS_TARGET_MB = 300;
const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const runs = (part: string) => !only || only.includes(part);
  const memory: string[][] = [];

  if (runs('notifications')) {
    // 5 tenants x 200 conversations x 10 messages: Teams' 50 per second per tenant allows it in 39 s at best.
    // The same load again from two bot instances on one store (Teams' limits are per bot, not per instance).
    const load = quick ? { tenants: 2, conversationsPerTenant: 20, messagesPerConversation: 5 } : { tenants: 5, conversationsPerTenant: 200, messagesPerConversation: 10 };
    const single = await notificationScenario(load);
    const shared = await multiInstanceScenario(load);
    printNotificationTable([single, shared]);
    console.log(sharingLine(shared));
  }

  const turn = (part: string) => runs('turns') || runs(part);
  if (['echo', 'approve', 'status', 'list', 'dialog', 'disk'].some(turn)) {
    const rows: BenchRow[] = [];
    const echoBot = await startBotProcess({}, 'echo');
    try {
      rows.push(await echoScenario(echoBot, CONNECTIONS, quick ? 400 : 4000));
    } finally {
      await echoBot.stop();
    }
    const roster = benchRoster(CONNECTIONS);
    const bot = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
    try {
      // Approvals first: their partners have no chat with the bot yet, so the notification work after them
      // is the timers, the outbox and the delivery records, not 20 chats each (the notification row measures sends).
      if (turn('approve')) rows.push(await approveScenario(bot, roster.reviewers, quick ? 3 : 25));
      if (turn('status')) rows.push(await statusScenario(bot, roster.partners, quick ? 200 : 2000));
      if (turn('list')) rows.push(await myClaimsScenario(bot, roster.partners, quick ? 100 : 1000));
      if (turn('dialog')) rows.push(await dialogStepScenario(bot, roster.partners, quick ? 10 : 60));
    } finally {
      // Read from /proc while the processes live.
      const peak = bot.peakRssMb();
      memory.push(['bot process (npm start), peak during the turns above', peak?.toFixed(0) ?? 'n/a', `< ${RSS_TARGET_MB} MB`, peak !== undefined && peak < RSS_TARGET_MB ? 'yes' : 'NO']);
      memory.push(['embedded Cosmos DB server + Azurite processes (stand-ins for Azure)', bot.embeddedPeakRssMb().toFixed(0), '-', '-']);
      await bot.stop();
    }
    try {
      const inMemory = rows.find((r) => r.name === 'dialog step turn');
      if (turn('disk')) rows.push(await dialogOnDiskScenario({ DEMO_DATA: 'false', ROSTER_FILE: roster.file }, roster.partners, quick ? 10 : 60, inMemory));
    } finally {
      const echo = rows[0].turnsPerSecond;
      for (const row of rows.slice(1)) row.ofEcho = row.turnsPerSecond / echo;
      const status = rows.find((r) => r.name.startsWith('claim <id>'));
      if (status?.met !== undefined) status.met = status.met && (status.ofEcho ?? 0) >= 0.5;
      printTable(rows);
    }
  }

  if (runs('precheck')) {
    printPrecheckFileTable(await precheckFileScenario(quick));
    if (quick) console.log('Pre-check: the form step turn with pre-checks in the background is measured in a full run (or -- --only=precheck).');
    if (!quick || only?.includes('precheck')) {
      // Two more partners than connections: they attach PoE files while the others fill in the form.
      const roster = benchRoster(CONNECTIONS + 2);
      const bot = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
      try {
        printTable(await stepWhilePrecheckingScenario(bot, roster.partners.slice(0, CONNECTIONS), roster.partners.slice(CONNECTIONS), quick ? 10 : 60));
      } finally {
        await bot.stop();
      }
    }
  }

  if (runs('startup')) printStartUpTable(await startUpScenario(quick ? 1000 : 10000));

  if (runs('sweep')) printSweepTable(await sweepScenario(quick ? [1000, 5000] : [1000, 10000, 100000]));

  if (memory.length) printGrid(['memory', 'peak RSS MB', 'target', 'met'], memory);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
