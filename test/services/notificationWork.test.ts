import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { m365Fields, poeRecordFor } from '../support/claimFixtures';
import { AVERY as avery } from '../support/personas';
import { uniqueTenant } from '../support/consentClaims';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * Notification work follows a change in the background, behind people's turns. A change that leaves it
 * nothing to do (most edits of a draft: no notice, no timer moved) is not queued at all: under a burst of
 * claim-form steps, each queued edit held two copies of its claim for seconds, and the bot's memory grew
 * by the hundreds of them. A change with work (a submission) is still queued and done.
 */

let app: BotApp;
beforeAll(async () => {
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY });
});
afterAll(async () => {
  await app?.close();
});

test('editing a draft queues no notification work; submitting it queues its notices, which are delivered', async () => {
  const { claimService } = app.services;
  const queued = jest.spyOn(app.background, 'run');
  const draft = await claimService.createDraft(avery, {
    ...m365Fields,
    customerDomain: 'fourthcoffee.example',
    customerTenantId: uniqueTenant(),
    claimName: 'Queued work',
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  queued.mockClear();

  for (const claimName of ['Queued work, renamed', 'Queued work, renamed again']) {
    expect((await claimService.act(id, { type: 'edit', changes: { claimName } }, avery, {}, avery.orgId)).ok).toBe(true);
  }
  await claimService.act(id, { type: 'addPoe', files: [poeRecordFor(id, avery, new Date())] }, avery, {}, avery.orgId);
  expect(queued).not.toHaveBeenCalled();

  expect((await claimService.act(id, { type: 'submit' }, avery, {}, avery.orgId)).ok).toBe(true);
  expect(queued.mock.calls.map(([name]) => name)).toEqual([`notifications for ${id}`]);
  await app.background.drain();
  // The submission's notices left the outbox: the work queued was the work done.
  expect((await claimService.get(id, avery.orgId))?.outbox ?? []).toEqual([]);
});
