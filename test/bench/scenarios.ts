import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import type { Actor } from '../../src/domain/actors';
import { personalMessage, PARTNER_TENANT, REVIEWER_TENANT } from '../support/activities';
import { targetOf, type BenchRow, type Goal } from './benchTable';
import type { BotProcess } from './botProcess';
import { driveLoad, statsOf, type LoadResult } from './loadDriver';
import { BENCH_PARTNER, BenchPoeFiles, benchClaimService, submittedClaim } from './benchClaims';

/**
 * The goals against the echo bot of the same run (issue 23): a status turn at half the echo bot's
 * throughput and at most twice its CPU per turn; lists, dialog steps and approvals at a third and three
 * times; every path's p99 under 300 ms at 20 connections.
 */
const STATUS_GOAL: Goal = { minOfEcho: 0.5, maxCpuOfEcho: 2, maxP99Ms: 300 };
const TURN_GOAL: Goal = { minOfEcho: 0.33, maxCpuOfEcho: 3, maxP99Ms: 300 };

/** Turns per person before measuring: the first ones run cold code (JIT) and all arrive at once. */
const WARM_UP_TURNS = 5;

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

/**
 * Dialog step turns: each partner moves between the first two steps of a new claim (validate, save the
 * draft, draw the next card), over HTTP with expectReplies.
 */
export async function dialogStepScenario(bot: BotProcess, partners: string[], turnsPerUser: number): Promise<BenchRow> {
  const users = await Promise.all(
    partners.map(async (aad, i) => {
      const conversation = { id: `a:bench-${i}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
      const message = (extra: Record<string, unknown>) => ({ ...personalMessage('', { aadObjectId: aad }), conversation, ...extra });
      let started = await post(bot.url, message({ text: 'new claim' }));
      // A partner still in an earlier row's draft discards it: every measurement starts on a new draft, as the first
      // does. A draft's history grows with each change (1,200 steps make a 250 KB document that each step reads and
      // writes: 3x the bot's CPU per step), and a later row must not pay for an earlier one's.
      if (started.includes('You are in the middle of draft')) {
        for (const text of ['cancel', 'discard', 'new claim']) started = await post(bot.url, message({ text }));
      }
      return { message, claimId: started.match(/CL-[0-9A-Z]{8}/)![0], i };
    }),
  );
  // One connection per person at a time (the driver hands each loop a person no other connection has).
  const userOf = (state: { connection: number }) => users[state.connection % users.length];
  let turn = 0;
  const result = await driveLoad(bot.url, {
    meters: bot.meters,
    connections: users.length,
    requests: users.length * turnsPerUser,
    steps: [
      {
        body: (state) => {
          const { message, claimId, i } = userOf(state);
          return message({
            text: undefined,
            value: {
              action: 'form.claim',
              step: 'customer',
              claimId,
              button: 'next',
              mpnId: '4412345',
              customerDomain: `customer${i}.example`,
              customerTenantId: `00000000-0000-4000-8000-${String(turn++ % 1e12).padStart(12, '0')}`,
            },
          });
        },
        // The intended path only: the next step's card, not a refusal or a stale-card answer.
        expect: (text) => text.includes('Solution area and activity'),
      },
      {
        body: (state) => {
          const { message, claimId } = userOf(state);
          return message({ text: undefined, value: { action: 'form.claim', step: 'area', claimId, button: 'back' } });
        },
        expect: (text) => text.includes('"text":"Customer"'),
      },
    ],
  });
  if (result.failures.length) throw new Error(`${result.failures.length} dialog turns failed, e.g. ${result.failures[0]}`);
  return row('dialog step turn', TURN_GOAL, result);
}

/**
 * Approve invokes: reviewers approve claims under review (seeded straight into the bot's Cosmos DB),
 * as Teams sends them (adaptiveCard/action, no expectReplies), and get the refreshed card back. Each
 * request approves the next claim of the queue, so every one is a real approval.
 */
export async function approveScenario(bot: BotProcess, reviewers: string[], claimsPerReviewer: number): Promise<BenchRow> {
  const db = await CosmosDatabase.open({ endpoint: bot.cosmosEndpoint, key: 'unused', database: 'cpor', embedded: true });
  const warmUp = reviewers.length * WARM_UP_TURNS;
  const measured = reviewers.length * claimsPerReviewer;
  try {
    const service = benchClaimService(db);
    const poeFiles = bot.poeStorage && (await BenchPoeFiles.open(bot.poeStorage));
    const partner = BENCH_PARTNER;
    const seedReviewer: Actor = { kind: 'reviewer', id: reviewers[0], name: 'Bench Reviewer 0' };
    const queue: { id: string; version: number }[] = [];
    // Seeded ten at a time: the bot is idle meanwhile, and this is not what is measured. Their submission
    // and review start are history, not news: in use their notices went out when they happened, so an
    // approval's notification work is its own (not three changes' worth of notices to every partner user).
    for (let n = 0; n < warmUp + measured; n += 10) {
      queue.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, warmUp + measured - n) }, async (_, k) => {
            const i = n + k;
            const fields = {
              customerDomain: `bench${i}.example`,
              customerTenantId: `dddddddd-0000-4000-8000-${String(i).padStart(12, '0')}`,
              claimName: `Bench claim ${i}`,
            };
            const { id } = await submittedClaim(service, fields, undefined, { asHistory: true, poeFiles });
            const started = await service.act(id, { type: 'startReview' }, seedReviewer, { asHistory: true }, partner.orgId);
            if (!started.ok) throw new Error(JSON.stringify(started.refusal));
            return { id, version: started.claim.version };
          }),
        )),
      );
    }
    let next = 0;
    // Claims whose notification work is not done yet: their dispatch timers are still there.
    let polls = 0;
    const pending = async () => {
      polls++;
      return (await db.containers.timers.items.query<number>("SELECT VALUE COUNT(1) FROM c WHERE c.purpose.type = 'dispatch'").fetchAll()).resources[0] ?? 0;
    };
    const settled = async (withinMs: number): Promise<number> => {
      let left = await pending();
      for (const started = Date.now(); left > 0 && Date.now() - started < withinMs; left = await pending())
        await new Promise((resolve) => setTimeout(resolve, 100));
      return left;
    };
    // The whole cost of an approval (the turn and all of its notification work, wherever it ran): from the
    // start of the measured turns until their work is done, beside the window's figure in the table.
    type Reading = { cpuMs: number; requests: number; byKind: Record<string, number> };
    let start: (Reading & { polls: number }) | undefined;
    const reading = async (): Promise<Reading> => {
      const served = await bot.meters.storeRequests?.();
      return { cpuMs: bot.meters.cpuMs(), requests: served?.requests ?? 0, byKind: served?.byKind ?? {} };
    };
    const result = await driveLoad(bot.url, {
      meters: bot.meters,
      connections: reviewers.length,
      warmUp,
      requests: measured,
      settle: async () => {
        await settled(30_000);
        start = { ...(await reading()), polls };
      },
      steps: [
        {
          body: ({ connection }) => {
            const { id: claimId, version } = queue[next++];
            const r = connection % reviewers.length;
            return {
              type: 'invoke',
              name: 'adaptiveCard/action',
              id: `i-${claimId}`,
              channelId: 'msteams',
              serviceUrl: 'http://127.0.0.1:9/',
              locale: 'en-US',
              conversation: { id: '19:bench-reviews@thread.tacv2', conversationType: 'channel', tenantId: REVIEWER_TENANT },
              from: { id: `29:${reviewers[r]}`, aadObjectId: reviewers[r], name: `Bench Reviewer ${r}` },
              recipient: { id: '28:cpor-bot' },
              value: { action: { type: 'Action.Execute', verb: 'review.approve', data: { claimId, orgId: partner.orgId, version } }, trigger: 'manual' },
            };
          },
          expect: (text) => text.includes('You approved claim'),
        },
      ],
    });
    if (result.failures.length) throw new Error(`${result.failures.length} approvals failed, e.g. ${result.failures[0]}`);
    const approved = row('Approve invoke (adaptiveCard/action)', TURN_GOAL, result);
    // The turns go first and the notification work follows: how long until every approval's work is done.
    const lastAnswer = Date.now();
    const atEnd = await pending();
    const left = await settled(120_000);
    const end = { ...(await reading()), polls };
    // The bench's own polling for pending work reaches the same server: what a poll costs is taken off.
    const beforePoll = (await reading()).requests;
    await pending();
    const perPoll = (await reading()).requests - beforePoll;
    const perApproval = (n: number) => (n / measured).toFixed(2);
    const kinds = (from: Reading) =>
      Object.entries(end.byKind)
        .map(([kind, n]) => [kind, n - (from.byKind[kind] ?? 0)] as const)
        .filter(([kind, n]) => n > 0 && !kind.startsWith('timers query')) // the bench's polls
        .sort((a, b) => b[1] - a[1])
        .map(([kind, n]) => `${kind} ${perApproval(n)}`)
        .join(', ');
    const whole =
      start && !left
        ? `; with all of it, an approval cost the bot ${perApproval(end.cpuMs - start.cpuMs)} ms of CPU and ${perApproval(end.requests - start.requests - (end.polls - start.polls) * perPoll)} Cosmos DB requests (${kinds(start)})`
        : '';
    approved.note = left
      ? `${left} of the approvals' notification work still pending 120 s after the last approval`
      : `notification work of all ${warmUp + measured} approvals done ${((Date.now() - lastAnswer) / 1000).toFixed(1)} s after the last approval (${atEnd} claims were waiting then)${whole}`;
    return approved;
  } finally {
    db.close();
  }
}

/** The floors: a bare echo bot (`echoBot.ts`), or a path's floor (`requestFloors.ts`), driven the same way (expectReplies). */
export async function echoScenario(bot: BotProcess, name: string, target: string, connections: number, requests: number, warmUp?: number): Promise<BenchRow> {
  const result = await driveLoad(bot.url, {
    meters: bot.meters,
    connections,
    requests,
    ...(warmUp === undefined ? {} : { warmUp }),
    steps: [
      {
        body: ({ connection }) => ({ ...personalMessage(`hello ${connection}`), deliveryMode: 'expectReplies' }),
        expect: (text) => text.includes('echo: hello'),
      },
    ],
  });
  if (result.failures.length) throw new Error(`${result.failures.length} echo turns failed, e.g. ${result.failures[0]}`);
  return row(name, undefined, result, target);
}

/**
 * Bad input at the product's /api/messages, in turn: a body that is not JSON, an activity without its
 * serviceUrl (both 400), and an activity from a channel the bot does not serve (403). Each must cost no
 * more than an echo turn. (The bench's bot has no app id, so it checks no tokens: a refused token is
 * covered by test/teams/httpEdge.test.ts, not timed here.)
 */
export async function refusedScenario(bot: BotProcess, connections: number, requests: number, warmUp?: number): Promise<BenchRow> {
  const activity = (connection: number) => ({ ...personalMessage(`hello ${connection}`), deliveryMode: 'expectReplies' });
  const result = await driveLoad(bot.url, {
    meters: bot.meters,
    connections,
    requests,
    ...(warmUp === undefined ? {} : { warmUp }),
    steps: [
      { body: () => '{"type":"message","text":', status: 400, expect: (text) => text.includes('error') },
      { body: ({ connection }) => ({ ...activity(connection), serviceUrl: undefined }), status: 400, expect: (text) => text.includes('serviceUrl missing') },
      { body: ({ connection }) => ({ ...activity(connection), channelId: 'slack' }), status: 403, expect: (text) => text.includes('channel not served') },
    ],
  });
  if (result.failures.length) throw new Error(`${result.failures.length} refusals were not answered as expected, e.g. ${result.failures[0]}`);
  return row('refused requests (bad JSON, malformed activity, channel not served)', { maxCpuOfEcho: 1 }, result);
}

/**
 * Status turns: partners ask for their claims' status cards (`claim <id>`, expectReplies): identity,
 * a point read, the deadlines in the configured time zone, the card.
 */
export async function statusScenario(bot: BotProcess, partners: string[], requests: number, warmUp?: number): Promise<BenchRow> {
  const claimIds = await seedPartnerClaims(bot, 20);
  let n = 0;
  return partnerQuestionScenario(bot, partners, requests, warmUp, {
    name: 'claim <id> status turn',
    goal: STATUS_GOAL,
    text: () => `claim ${claimIds[n++ % claimIds.length]}`,
    expect: (text) => text.includes('AdaptiveCard') && /CL-[0-9A-Z]{8}/.test(text),
  });
}

/**
 * "my claims" turns: partners ask for the first page of their organisation's claims, newest first (one
 * single-partition query for ten rows, their running deadlines, the list card), over HTTP with expectReplies.
 */
export async function myClaimsScenario(bot: BotProcess, partners: string[], requests: number, warmUp?: number): Promise<BenchRow> {
  await seedPartnerClaims(bot, 20);
  return partnerQuestionScenario(bot, partners, requests, warmUp, {
    name: '"my claims" list turn',
    goal: TURN_GOAL,
    text: () => 'my claims',
    // A page of ten claims with their Open buttons, not an empty list or a refusal.
    expect: (text) => text.includes('AdaptiveCard') && (text.match(/"claim CL-[0-9A-Z]{8}"/g) ?? []).length === 10,
  });
}

/** Partners type a question in their 1:1 chats (one chat per connection, expectReplies); every row's p99 target is 300 ms. */
async function partnerQuestionScenario(
  bot: BotProcess,
  partners: string[],
  requests: number,
  warmUp: number | undefined,
  question: { name: string; goal: Goal; text: () => string; expect: (text: string) => boolean },
): Promise<BenchRow> {
  const result = await driveLoad(bot.url, {
    meters: bot.meters,
    connections: partners.length,
    requests,
    ...(warmUp === undefined ? {} : { warmUp }),
    steps: [
      {
        body: ({ connection }) => ({
          ...personalMessage(question.text(), { aadObjectId: partners[connection % partners.length] }),
          conversation: { id: `a:bench-question-${connection}`, conversationType: 'personal', tenantId: PARTNER_TENANT },
          deliveryMode: 'expectReplies',
        }),
        expect: question.expect,
      },
    ],
  });
  if (result.failures.length) throw new Error(`${result.failures.length} ${question.name}s failed, e.g. ${result.failures[0]}`);
  return row(question.name, question.goal, result);
}

/** Submitted claims of the bench partners' organisation, seeded through the core into the bot's database. */
async function seedPartnerClaims(bot: BotProcess, count: number): Promise<string[]> {
  const db = await CosmosDatabase.open({ endpoint: bot.cosmosEndpoint, key: 'unused', database: 'cpor', embedded: true });
  try {
    const service = benchClaimService(db);
    const poeFiles = bot.poeStorage && (await BenchPoeFiles.open(bot.poeStorage));
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(
        (
          await submittedClaim(
            service,
            {
              customerDomain: `status${i}.example`,
              customerTenantId: `eeeeeeee-0000-4000-8000-${String(i).padStart(12, '0')}`,
              claimName: `Status claim ${i}`,
            },
            undefined,
            { poeFiles },
          )
        ).id,
      );
    }
    return ids;
  } finally {
    db.close();
  }
}

function row(name: string, goal: Goal | undefined, result: LoadResult, target = goal ? targetOf(goal) : '-'): BenchRow {
  return { name, ...statsOf(result), ...(goal ? { goal } : {}), target };
}
