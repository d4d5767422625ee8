import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { AVERY } from '../support/seededClaims';
import { testConfig } from '../support/testStorage';

/**
 * A change may start from the copy the turn already read (no second read): its ETag still guards the
 * write, so a copy someone changed since never overwrites what they did.
 */

let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger });
});
afterAll(() => services.close());

test('an edit from a fresh copy is written and the next read shows it', async () => {
  const draft = await services.claimService.createDraft(AVERY, {});
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const read = (await services.claimService.get(draft.claim.id, AVERY.orgId))!;
  const result = await services.claimService.act(read.id, { type: 'edit', changes: { claimName: 'From the copy' } }, AVERY, { known: read }, AVERY.orgId);
  expect(result.ok).toBe(true);
  const after = (await services.claimService.get(read.id, AVERY.orgId))!;
  expect(after.fields.claimName).toBe('From the copy');
  expect(after.version).toBe(read.version + 1);
});

test('an edit from a copy someone changed since keeps their change and adds its own', async () => {
  const draft = await services.claimService.createDraft(AVERY, {});
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const stale = (await services.claimService.get(draft.claim.id, AVERY.orgId))!;
  // Someone else, in another turn, changes the draft after this copy was read.
  const other = await services.claimService.act(stale.id, { type: 'edit', changes: { customerDomain: 'contoso.example' } }, AVERY, {}, AVERY.orgId);
  expect(other.ok).toBe(true);
  const result = await services.claimService.act(
    stale.id,
    { type: 'edit', changes: { claimName: 'From the stale copy' } },
    AVERY,
    { known: stale },
    AVERY.orgId,
  );
  expect(result.ok).toBe(true);
  const after = (await services.claimService.get(stale.id, AVERY.orgId))!;
  expect(after.fields).toMatchObject({ customerDomain: 'contoso.example', claimName: 'From the stale copy' });
  expect(after.version).toBe(stale.version + 2);
  expect(after.history.length).toBe(stale.history.length + 2);
});
