import { startBotProcess } from './botProcess';
import { benchRoster } from './benchRoster';
import { printTable, type BenchRow } from './benchTable';
import { approveScenario, dialogStepScenario } from './scenarios';
import { notificationScenario, printNotificationTable, type NotificationRow } from './notificationBench';

/**
 * `npm run bench`: the hot paths on the embedded stack, against the bot in its own process as
 * `npm start` runs it, with 20 people at once. `-- --quick` runs fewer turns for a smoke check;
 * `-- --only=dialog`, `-- --only=approve` or `-- --only=notifications` runs one scenario.
 */
const PEOPLE = 20;
const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const runs = (part: string) => !only || only.includes(part);
  const notifications: NotificationRow[] = [];
  if (runs('notifications')) {
    // 5 tenants x 200 conversations x 10 messages: Teams' 50 per second per tenant allows it in 39 s at best.
    notifications.push(await notificationScenario(quick ? { tenants: 2, conversationsPerTenant: 20, messagesPerConversation: 10 } : { tenants: 5, conversationsPerTenant: 200, messagesPerConversation: 10 }));
    printNotificationTable(notifications);
  }
  if (!runs('dialog') && !runs('approve')) return;
  const roster = benchRoster(PEOPLE);
  const bot = await startBotProcess({ DEMO_DATA: 'false', ROSTER_FILE: roster.file });
  const rows: BenchRow[] = [];
  try {
    // Approvals first: their partners have no chat with the bot yet, so the notification work after them
    // is the timers, the outbox and the delivery records, not 20 chats each (the notification row measures sends).
    if (runs('approve')) rows.push(await approveScenario(bot, roster.reviewers, quick ? 3 : 25));
    if (runs('dialog')) rows.push(await dialogStepScenario(bot, roster.partners, quick ? 10 : 60));
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
