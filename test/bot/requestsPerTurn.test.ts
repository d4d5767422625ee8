import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, personalMessage, postActivity } from '../support/activities';
import { AVERY, claimThrough } from '../support/seededClaims';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * The Cosmos DB requests a hot path's turn makes, counted by an embedded server of this file's own (by
 * container and operation): every request is CPU in the bot and in the store, so a change that adds one
 * to a status card, a list, a claim-form step or an approval fails here, as a count rather than a time.
 */

jest.setTimeout(180_000);

let cosmos: EmbeddedCosmos;
let app: BotApp;
beforeAll(async () => {
  cosmos = await startEmbeddedCosmos(0);
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, SWEEP_INTERVAL_SECONDS: '0' }), {
    log: silentLogger,
    delivery: TEST_DELIVERY,
  });
});
afterAll(async () => {
  await app?.close();
  await cosmos?.close();
});

/** Rosters are cached for 30 s, and leases are renewed on their own clock: a slow machine can see either in any turn. */
const IGNORED = /^(rosters|leases) /;

async function served(): Promise<Record<string, number>> {
  return ((await (await fetch(`${cosmos.endpoint}_stats`)).json()) as { byKind: Record<string, number> }).byKind;
}

function since(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const requests: Record<string, number> = {};
  for (const [kind, n] of Object.entries(after)) if (n > (before[kind] ?? 0) && !IGNORED.test(kind)) requests[kind] = n - (before[kind] ?? 0);
  return requests;
}

/**
 * The requests made while the activity was answered: earlier turns' follow-up work finished first, and
 * this turn's held back until counted (as it is while other people's turns keep the bot busy), so a slow
 * machine's late count does not take it in.
 */
async function requestsOf(activity: unknown): Promise<{ body: string; requests: Record<string, number> }> {
  await settle();
  for (const lane of [app.background, app.services.followUps]) lane.yieldTo(() => true);
  try {
    const before = await served();
    const { status, body } = await postActivity(app.url, activity);
    expect(status).toBe(200);
    return { body: JSON.stringify(body), requests: since(before, await served()) };
  } finally {
    for (const lane of [app.background, app.services.followUps]) lane.yieldTo(() => false);
  }
}

async function settle(): Promise<void> {
  await app.background.drain();
  await app.services.followUps.drain();
}

const chat = { id: 'a:requests-per-turn', conversationType: 'personal', tenantId: PARTNER_TENANT };
const partnerMessage = (text: string, extra: Record<string, unknown> = {}) => ({ ...personalMessage(text), conversation: chat, ...extra });

test("a status card: the claim read and the activity recorded, nothing else (the person's language and references are known)", async () => {
  const claim = await claimThrough(app.services, 'Submitted', 'requests-status', 1);
  await requestsOf(partnerMessage(`claim ${claim.id}`)); // the first turn saves the chat's reference
  const { body, requests } = await requestsOf(partnerMessage(`claim ${claim.id}`));
  expect(body).toContain(claim.id);
  expect(requests).toEqual({ 'claims read': 1, 'activities create': 1 });
});

test('a list: the query within the organisation (no query plan beside it) and the activity recorded', async () => {
  await claimThrough(app.services, 'Submitted', 'requests-list', 2);
  const { body, requests } = await requestsOf(partnerMessage('my claims'));
  expect(body).toContain('requests-list');
  expect(requests).toEqual({ 'claims query': 1, 'activities create': 1 });
});

test('a claim-form step: the draft read once and written once, the dialog state read and written, the activity recorded', async () => {
  const started = await requestsOf(partnerMessage('new claim'));
  const draftId = started.body.match(/CL-[0-9A-Z]{8}/)![0];
  const next = partnerMessage('', {
    text: undefined,
    value: {
      action: 'form.claim',
      step: 'customer',
      claimId: draftId,
      button: 'next',
      mpnId: '4412345',
      customerDomain: 'requests-step.example',
      customerTenantId: '00000000-0000-4000-8000-000000000123',
    },
  });
  const step = await requestsOf(next);
  expect(step.body).toContain('Solution area and activity');
  expect(step.requests).toEqual({ 'claims read': 1, 'claims replace': 1, 'botState read': 1, 'botState upsert': 1, 'activities create': 1 });
  const back = await requestsOf(partnerMessage('', { text: undefined, value: { action: 'form.claim', step: 'area', claimId: draftId, button: 'back' } }));
  expect(back.body).toContain('"text":"Customer"');
  expect(back.requests).toEqual({ 'claims read': 1, 'botState read': 1, 'botState upsert': 1, 'activities create': 1 });
});

test('an Approve invoke, and the e-mails it leaves: each e-mail is one write to the outbox (created once), without a delivery record around it', async () => {
  const approve = (claim: { id: string; version: number }) => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `i-${claim.id}`,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    locale: 'en-US',
    conversation: { id: '19:requests-reviews@thread.tacv2', conversationType: 'channel', tenantId: REVIEWER_TENANT },
    from: { id: `29:${REVIEWER_AAD}`, aadObjectId: REVIEWER_AAD, name: 'Riley' },
    recipient: { id: '28:cpor-bot' },
    channelData: { tenant: { id: REVIEWER_TENANT } },
    value: {
      action: { type: 'Action.Execute', verb: 'review.approve', data: { claimId: claim.id, orgId: AVERY.orgId, version: claim.version } },
      trigger: 'manual',
    },
  });
  // The first invoke of this reviewer in this channel saves their references; the second is the steady state.
  const first = await claimThrough(app.services, 'UnderReview', 'requests-approve-1', 3);
  const claim = await claimThrough(app.services, 'UnderReview', 'requests-approve-2', 4);
  await requestsOf(approve(first));
  await settle();
  // The reviewer's language as this instance keeps it (for 30 s: the settling above can take longer on a loaded machine).
  await app.services.languages.get(REVIEWER_TENANT, REVIEWER_AAD);
  const before = await served();
  const { body, requests } = await requestsOf(approve(claim));
  expect(body).toContain(`You approved claim ${claim.id}`);
  expect(requests).toEqual({
    'claims read': 1,
    'claims replace': 1, // the claim, written with its ETag
    'associations create': 1, // the association, once only
    'timers upsert': 1, // the dispatch timer for the notification work
    'tenantIndex read': 1, // competing claims shown on the reviewer's card
    // No activity record: a repeated delivery acts once by the press's action id in the claim's history.
  });
  // The notification work after it (the approval e-mail to the customer contact, notices, the review card).
  await settle();
  const work = since(before, await served());
  expect(work['mail create']).toBeGreaterThan(0);
  // Teams messages keep their delivery records (a repeat would reach the person twice); e-mails have none.
  const { resources } = await app.services.cosmos.containers.deliveries.items
    .query<{ id: string }>({ query: 'SELECT c.id FROM c WHERE STARTSWITH(c.id, @claim)', parameters: [{ name: '@claim', value: claim.id }] })
    .fetchAll();
  expect(resources.map((r) => r.id).filter((id) => /(customer|partnerContact|email)$/.test(id))).toEqual([]);
});
