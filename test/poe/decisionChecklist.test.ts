import { startBotApp, type BotApp } from '../../app/botApp';
import { ReviewCardActions } from '../../bot/reviews/reviewCardActions';
import { ReviewCardPublisher } from '../../bot/reviews/reviewCardPublisher';
import { silentLogger } from '../../src/logger';
import { PoePrecheckService } from '../../src/services/poe/poePrecheckService';
import { PoeReadings, readingBlobName } from '../../src/services/poe/poeReadings';
import { AVERY, RILEY, submittedWithPoe } from '../support/seededClaims';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * Several instances share the stores, and Teams sends a reviewer's button to any of them. The decision
 * records the PoE checklist the reviewer's card showed: an instance that has not read the claim's files
 * itself takes the readings another instance kept, instead of recording the checklist as not ready.
 */

let app: BotApp;
beforeAll(async () => {
  app = await startBotApp(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger, delivery: TEST_DELIVERY });
});
afterAll(() => app.close());
// The first file is read by the reader process, which loads pdf.js: slow on a busy machine.
jest.setTimeout(120_000);

test("a decision on an instance that has not read the claim's files records the checklist from the readings another instance kept", async () => {
  const submitted = await submittedWithPoe(app.services, AVERY, 1, 'Decision');
  expect((await app.services.claimService.act(submitted.id, { type: 'startReview' }, RILEY, {}, AVERY.orgId)).ok).toBe(true);
  // The instance that drew the reviewer's card read the file and kept its reading beside it.
  const shown = await app.services.precheck.checklist(submitted);
  expect(await app.services.poe.getJson(readingBlobName(submitted.poe[0]))).toBeDefined();

  // Another instance: the same stores, nothing read in its process yet.
  const readings = new PoeReadings({ poe: app.services.poe, log: silentLogger, now: () => new Date() });
  const precheck = new PoePrecheckService({
    documentOf: (file) => readings.documentOf(file),
    rosters: app.services.rosters,
    clock: app.services.clock,
    log: silentLogger,
  });
  const services = { ...app.services, precheck };
  const actions = new ReviewCardActions(services, new ReviewCardPublisher(services));
  try {
    const claim = (await app.services.claimService.get(submitted.id, AVERY.orgId))!;
    await actions.handle({
      action: 'review.approve',
      data: { claimId: claim.id, orgId: claim.orgId, version: claim.version },
      identity: { kind: 'reviewer', actor: RILEY },
      locale: 'en-US',
    });
    const decided = (await app.services.claimService.get(submitted.id, AVERY.orgId))!;
    expect(decided.status).toBe('Approved');
    expect(decided.history.at(-1)).toMatchObject({
      action: 'approve',
      checklist: { verdicts: Object.fromEntries(shown.results.map((r) => [r.check, r.verdict])), unread: [] },
    });
  } finally {
    await precheck.close();
    await readings.close();
  }
});
