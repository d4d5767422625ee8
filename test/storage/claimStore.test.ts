import { ClaimStore, HistoryRewriteError } from '../../src/storage/claimStore';
import { AssociationStore } from '../../src/storage/associationStore';
import { RosterStore } from '../../src/storage/rosterStore';
import { ClaimService } from '../../src/services/claims/claimService';
import { TenantClaimIndex } from '../../src/storage/tenantClaimIndex';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { ManualClock } from '../../src/clock';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { decide } from '../../src/domain/claimLifecycle';
import {
  calendar,
  claimIn,
  ctxAt,
  d365Fields,
  expectOk,
  m365Fields,
  ORG,
  otherOrgPartner,
  partner,
  poeFile,
  reviewer,
  reviewer2,
  T0,
} from '../support/claimFixtures';
import { DEMO_ROSTER, openTestDatabase } from '../support/testStorage';
import type { Actor } from '../../src/domain/actors';

let db: CosmosDatabase;
let claims: ClaimStore;
let associations: AssociationStore;
let service: ClaimService;
const clock = new ManualClock(T0);

beforeAll(async () => {
  db = await openTestDatabase();
  claims = new ClaimStore(db.containers.claims);
  associations = new AssociationStore(db.containers.associations);
  const rosters = new RosterStore(db.containers.rosters);
  await rosters.loadFile(DEMO_ROSTER);
  service = new ClaimService({
    claims,
    associations,
    rosters,
    tenantIndex: new TenantClaimIndex(db.containers.tenantIndex),
    clock,
    calendar,
    policy: DEFAULT_DEADLINE_POLICY,
  });
});
afterAll(() => db.close());

let counter = 0;
async function storedClaim(status: Parameters<typeof claimIn>[0], fields: Record<string, unknown> = m365Fields, orgActor: Actor = partner) {
  const base = claimIn(status, fields, orgActor);
  const claim = { ...base, id: `CL-STORE${++counter}` };
  const stored = await claims.create(claim);
  if (!stored) throw new Error('create failed');
  return stored.claim;
}

describe('claim store', () => {
  test("a claim round-trips and an organisation's claims come from its own partition", async () => {
    const a = await storedClaim('Submitted');
    const b = await storedClaim('Editing', { ...m365Fields, mpnId: '5523456' }, otherOrgPartner);
    const mine = await claims.listByOrganisation(ORG);
    expect(mine.claims.map((c) => c.id)).toContain(a.id);
    expect(mine.claims.map((c) => c.id)).not.toContain(b.id);
    expect((await claims.get(ORG, a.id))?.claim).toEqual(a);
    expect((await claims.findById(b.id))?.claim.orgId).toBe('tailspin-partners');
  });

  test('a stale ETag is never written over: the change is decided again on fresh data', async () => {
    const claim = await storedClaim('Submitted');
    const stale = await claims.get(ORG, claim.id);
    // Someone else comments first...
    await claims.update(ORG, claim.id, (c) => ({ next: expectOk(decide(c, { type: 'comment', text: 'first' }, reviewer, ctxAt(T0))).claim, result: 1 }));
    // ...a write with the old ETag is refused by Cosmos DB itself.
    await expect(
      db.containers.claims.item(claim.id, ORG).replace(stale!.claim, { accessCondition: { type: 'IfMatch', condition: stale!.etag } }),
    ).rejects.toMatchObject({ code: 412 });
    // Two concurrent comments through the store both land, each on the other's result.
    await Promise.all([
      claims.update(ORG, claim.id, (c) => ({ next: expectOk(decide(c, { type: 'comment', text: 'A' }, partner, ctxAt(T0))).claim, result: 1 })),
      claims.update(ORG, claim.id, (c) => ({ next: expectOk(decide(c, { type: 'comment', text: 'B' }, reviewer, ctxAt(T0))).claim, result: 1 })),
    ]);
    const final = (await claims.get(ORG, claim.id))!.claim;
    expect(final.comments.map((c) => c.text).sort()).toEqual(['A', 'B', 'first']);
    expect(final.history.map((e) => e.seq)).toEqual(final.history.map((_, i) => i + 1));
    expect(final.version).toBe(claim.version + 3);
  });

  test('clearing delivered notifications from the copy last written costs one write; a change made since is kept', async () => {
    const base = await storedClaim('Submitted');
    const entry = (id: string) => ({ id, seq: 1, audience: 'partners' as const, at: T0.toISOString() });
    const written = await claims.update(ORG, base.id, (c) => ({
      next: { ...expectOk(decide(c, { type: 'comment', text: 'first' }, partner, ctxAt(T0))).claim, outbox: [entry('e1'), entry('e2')] },
      result: 1,
    }));
    if (!written.found || !written.written) throw new Error('not written');
    const reads = jest.spyOn(claims, 'get');
    try {
      // Nothing changed the claim since: no read, e1 goes.
      await claims.removeFromOutbox(ORG, base.id, ['e1'], { claim: written.claim, etag: written.etag });
      expect(reads).not.toHaveBeenCalled();
      expect((await db.containers.claims.item(base.id, ORG).read()).resource.outbox.map((e: { id: string }) => e.id)).toEqual(['e2']);
      // With that copy now stale (e1 already gone, and a comment since), the write is refused, the claim
      // read again, and only e2 is taken out: the comment stays.
      await claims.update(ORG, base.id, (c) => ({ next: expectOk(decide(c, { type: 'comment', text: 'meanwhile' }, reviewer, ctxAt(T0))).claim, result: 1 }));
      reads.mockClear();
      await claims.removeFromOutbox(ORG, base.id, ['e2'], { claim: written.claim, etag: written.etag });
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
    const final = (await claims.get(ORG, base.id))!.claim;
    expect(final.outbox).toEqual([]);
    expect(final.comments.map((c) => c.text)).toEqual(['first', 'meanwhile']);
  });

  test('history is never rewritten: the store refuses a version that changes an earlier event', async () => {
    const claim = await storedClaim('Submitted');
    const tampered = (c: typeof claim) => {
      const next = expectOk(decide(c, { type: 'comment', text: 'x' }, partner, ctxAt(T0))).claim;
      next.history[0] = { ...next.history[0], actor: { kind: 'reviewer', id: 'someone', name: 'Someone else' } };
      return { next, result: 1 };
    };
    await expect(claims.update(ORG, claim.id, tampered)).rejects.toBeInstanceOf(HistoryRewriteError);
    const dropped = (c: typeof claim) => ({ next: { ...c, version: c.version + 1, history: c.history.slice(1) }, result: 1 });
    await expect(claims.update(ORG, claim.id, dropped)).rejects.toBeInstanceOf(HistoryRewriteError);
    expect((await claims.get(ORG, claim.id))!.claim).toEqual(claim);
    // Earlier events that are copies (not the objects read) are compared by content: the same content is no rewrite.
    const copied = (c: typeof claim) => {
      const next = expectOk(decide(c, { type: 'comment', text: 'copied' }, partner, ctxAt(T0))).claim;
      return { next: { ...next, history: structuredClone(next.history) }, result: 1 };
    };
    expect((await claims.update(ORG, claim.id, copied)).found).toBe(true);
    expect((await claims.get(ORG, claim.id))!.claim.history.at(-1)).toMatchObject({ action: 'comment' });
  });
});

describe('claim service: approvals and the association rule', () => {
  test('two reviewers approving one claim at once: one approval, one association, the other told who approved', async () => {
    const claim = await storedClaim('UnderReview', { ...m365Fields, customerTenantId: '00000000-0000-4000-8000-000000000001' });
    const [a, b] = await Promise.all([
      service.act(claim.id, { type: 'approve' }, reviewer, {}, ORG),
      service.act(claim.id, { type: 'approve' }, reviewer2, {}, ORG),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const loser = a.ok ? b : a;
    expect(loser).toMatchObject({ ok: false, refusal: { code: 'alreadyDone' } });
    const final = (await claims.get(ORG, claim.id))!.claim;
    expect(final.history.filter((e) => e.action === 'approve')).toHaveLength(1);
    const live = await associations.listForTenant('00000000-0000-4000-8000-000000000001');
    expect(live.map((d) => [d.id, d.claimId, d.state]).sort()).toEqual([
      ['osu-m365:workload:exchange-online', claim.id, 'live'],
      ['osu-m365:workload:teams', claim.id, 'live'],
    ]);
  });

  test("two partners' claims for one tenant + workload approved at once: exactly one association", async () => {
    const tenant = '00000000-0000-4000-8000-000000000002';
    const mine = await storedClaim('UnderReview', { ...m365Fields, customerTenantId: tenant, products: ['teams'] });
    const theirs = await storedClaim(
      'UnderReview',
      { ...m365Fields, mpnId: '5523456', customerTenantId: tenant, products: ['teams', 'intune'] },
      otherOrgPartner,
    );
    const results = await Promise.all([
      service.act(mine.id, { type: 'approve' }, reviewer, {}, mine.orgId),
      service.act(theirs.id, { type: 'approve' }, reviewer2, {}, theirs.orgId),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok)!;
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'associationConflict' } });
    const docs = await associations.listForTenant(tenant);
    const teams = docs.filter((d) => d.id === 'osu-m365:workload:teams');
    expect(teams).toHaveLength(1);
    const winner = results[0].ok ? mine : theirs;
    expect(teams[0]).toMatchObject({ claimId: winner.id, state: 'live' });
    // The loser keeps nothing: no pending "intune" left behind if the other claim lost.
    expect(docs.every((d) => d.claimId === winner.id)).toBe(true);
    expect((await claims.get(refused.claim!.orgId, refused.claim!.id))!.claim.status).toBe('UnderReview');
  });

  test('associations marked live after the answer: until then the pending documents already keep a competing approval out', async () => {
    const tenant = '00000000-0000-4000-8000-000000000009';
    const later: (() => Promise<void>)[] = [];
    const deferring = new ClaimService({
      claims,
      associations,
      rosters: new RosterStore(db.containers.rosters),
      tenantIndex: new TenantClaimIndex(db.containers.tenantIndex),
      clock,
      calendar,
      policy: DEFAULT_DEADLINE_POLICY,
      followUp: (_name, task) => later.push(task),
    });
    const mine = await storedClaim('UnderReview', { ...m365Fields, customerTenantId: tenant, products: ['teams', 'intune'] });
    const theirs = await storedClaim('UnderReview', { ...m365Fields, mpnId: '5523456', customerTenantId: tenant, products: ['intune'] }, otherOrgPartner);
    expect(await deferring.act(mine.id, { type: 'approve' }, reviewer, {}, ORG)).toMatchObject({ ok: true, claim: { status: 'Approved' } });
    expect(later).toHaveLength(1);
    expect((await associations.listForTenant(tenant)).map((d) => d.state)).toEqual(['pending', 'pending']);
    // Past the pending lease too: the holder claim is Approved, so the documents are not abandoned.
    clock.advanceMs(10 * 60_000);
    const competing = await deferring.act(theirs.id, { type: 'approve' }, reviewer2, {}, theirs.orgId);
    clock.set(T0);
    expect(competing).toMatchObject({ ok: false, refusal: { code: 'associationConflict' } });
    await Promise.all(later.splice(0).map((task) => task()));
    const docs = await associations.listForTenant(tenant);
    expect(docs.map((d) => [d.id, d.claimId, d.state]).sort()).toEqual([
      ['osu-m365:workload:intune', mine.id, 'live'],
      ['osu-m365:workload:teams', mine.id, 'live'],
    ]);
  });

  test('Business Applications claims are keyed by subscription; withdrawal after approval releases them', async () => {
    const tenant = '00000000-0000-4000-8000-000000000003';
    const claim = await storedClaim('UnderReview', { ...d365Fields, customerTenantId: tenant });
    expect((await service.act(claim.id, { type: 'approve' }, reviewer, {}, ORG)).ok).toBe(true);
    expect((await associations.listForTenant(tenant)).map((d) => d.id).sort()).toEqual([
      'osu-osa-bizapps:product:power-bi',
      'osu-osa-bizapps:subscription:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    ]);
    const withdrawn = await service.act(claim.id, { type: 'withdraw', comment: 'No longer working with the customer' }, partner, {}, ORG);
    expect(withdrawn).toMatchObject({ ok: true, claim: { status: 'RejectedFinal' } });
    expect(await associations.listForTenant(tenant)).toEqual([]);
  });

  test('an approval that crashed before committing does not block others forever', async () => {
    const tenant = '00000000-0000-4000-8000-000000000004';
    const crashed = await storedClaim('UnderReview', { ...m365Fields, customerTenantId: tenant, products: ['intune'] });
    // The crashed approval acquired the association but never committed its claim.
    await associations.acquire(tenant, ['osu-m365:workload:intune'], { claimId: crashed.id, orgId: ORG }, new Date(Date.now() - 60_000), async () => false);
    const other = await storedClaim('UnderReview', { ...m365Fields, mpnId: '5523456', customerTenantId: tenant, products: ['intune'] }, otherOrgPartner);
    clock.set(new Date());
    const result = await service.act(other.id, { type: 'approve' }, reviewer, {}, other.orgId);
    expect(result.ok).toBe(true);
    expect((await associations.listForTenant(tenant)).map((d) => d.claimId)).toEqual([other.id]);
  });

  test('the same request delivered twice acts once', async () => {
    const claim = await storedClaim('Submitted');
    const first = await service.act(claim.id, { type: 'startReview' }, reviewer, { actionId: 'invoke-123' }, ORG);
    const again = await service.act(claim.id, { type: 'startReview' }, reviewer, { actionId: 'invoke-123' }, ORG);
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(again).toMatchObject({ ok: true, duplicate: true });
    expect((await claims.get(ORG, claim.id))!.claim.history.filter((e) => e.action === 'startReview')).toHaveLength(1);
  });

  test('a partner pressing a reviewer button is refused and the attempt is recorded in history', async () => {
    const claim = await storedClaim('UnderReview');
    const result = await service.act(claim.id, { type: 'approve' }, partner, {}, ORG);
    expect(result).toMatchObject({ ok: false, refusal: { code: 'roleNotAllowed' } });
    const last = (await claims.get(ORG, claim.id))!.claim.history.at(-1)!;
    expect(last).toMatchObject({ action: 'approve', outcome: 'refused', actor: { id: partner.id }, fromStatus: 'UnderReview', toStatus: 'UnderReview' });
  });

  test('a draft created through the service gets a readable id and its first history event', async () => {
    const result = await service.createDraft(partner, { claimName: 'Fresh draft', mpnId: '4412345' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claim.id).toMatch(/^CL-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(result.claim.history).toHaveLength(1);
    const addPoe = await service.act(result.claim.id, { type: 'addPoe', files: [poeFile()] }, partner);
    expect(addPoe.ok).toBe(true);
  });
});
