import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseRoster } from '../../src/domain/roster';
import { RosterFileError, RosterStore } from '../../src/storage/rosterStore';
import { ClaimStore } from '../../src/storage/claimStore';
import { ConversationStore, userReferenceKey } from '../../src/storage/conversationStore';
import { resolveIdentity } from '../../src/services/roster/identity';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { claimIn } from '../support/claimFixtures';
import { DEMO_ROSTER, openTestDatabase } from '../support/testStorage';

let db: CosmosDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const demo = JSON.parse(readFileSync(DEMO_ROSTER, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'roster-'));
function rosterFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('roster file', () => {
  test('the demo roster is valid', () => {
    expect(parseRoster(demo)).toMatchObject({ ok: true });
  });

  test('mistakes are named with where they are', () => {
    const bad = structuredClone(demo);
    bad.organisations[0].users[0].role = 'Boss';
    bad.organisations[0].mpnIds[0].id = 'MPN-1';
    bad.reviewers[0].aadObjectId = 'riley';
    const result = parseRoster(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^organisations\.0\.users\.0\.role: role must be one of GlobalAdmin/),
          'organisations.0.mpnIds.0.id: MPN ID must be 6 to 10 digits',
          'reviewers.0.aadObjectId: reviewer aadObjectId must be a GUID',
        ]),
      );
    }
  });

  test("a person can be in one organisation only, and a reviewer can't also be a partner user", () => {
    const twice = structuredClone(demo);
    twice.reviewers.push({
      aadObjectId: twice.organisations[0].users[0].aadObjectId,
      tenantId: twice.organisations[0].tenantId,
      name: 'Avery',
      email: 'a@b.example',
    });
    const result = parseRoster(twice);
    expect(result).toMatchObject({
      ok: false,
      errors: [`reviewer ${twice.organisations[0].users[0].aadObjectId} is also listed as a partner user of fabrikam-consulting`],
    });
  });
});

describe('roster store', () => {
  test('loading, looking people up by AAD object id and tenant, and reloading without losing claims', async () => {
    const rosters = new RosterStore(db.containers.rosters);
    const claims = new ClaimStore(db.containers.claims);
    await rosters.loadFile(DEMO_ROSTER);
    const claim = claimIn('Submitted');
    await claims.create(claim);

    const PARTNER_TENANT = '5c2a1f3e-8b4d-4e6f-9a7b-1c2d3e4f5a6b';
    const REVIEWER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const avery = await resolveIdentity(rosters, {
      aadObjectId: 'A1B2C3D4-0001-4000-8000-000000000001',
      tenantIds: [PARTNER_TENANT.toUpperCase(), PARTNER_TENANT],
    });
    expect(avery).toMatchObject({
      kind: 'partner',
      actor: { orgId: 'fabrikam-consulting', role: 'GlobalAdmin' },
      organisation: { name: 'Fabrikam Consulting Ltd' },
    });
    expect(await resolveIdentity(rosters, { aadObjectId: 'c3d4e5f6-0001-4000-8000-000000000001', tenantIds: [REVIEWER_TENANT] })).toMatchObject({
      kind: 'reviewer',
    });
    // Teams names the tenant, or nobody is identified: a missing tenant is never taken for the roster's.
    expect(await resolveIdentity(rosters, { aadObjectId: 'c3d4e5f6-0001-4000-8000-000000000001', tenantIds: [undefined, undefined] })).toEqual({
      kind: 'unknown',
      why: 'noTenant',
    });
    expect(await resolveIdentity(rosters, { aadObjectId: 'c3d4e5f6-0001-4000-8000-000000000001', tenantIds: [REVIEWER_TENANT, PARTNER_TENANT] })).toEqual({
      kind: 'unknown',
      why: 'tenantMismatch',
    });
    expect(await resolveIdentity(rosters, { aadObjectId: 'c3d4e5f6-0001-4000-8000-000000000001', tenantIds: [PARTNER_TENANT] })).toEqual({
      kind: 'unknown',
      why: 'otherTenant',
    });
    expect(await resolveIdentity(rosters, { tenantIds: [REVIEWER_TENANT] })).toEqual({ kind: 'unknown', why: 'noAadObjectId' });

    // The operator removes Noor and reloads: Noor is gone at once on this instance, the claims stay.
    const smaller = structuredClone(demo);
    smaller.organisations[0].users = smaller.organisations[0].users.filter((u: { name: string }) => u.name !== 'Noor Incentives');
    const summary = await rosters.loadFile(rosterFile('smaller.json', smaller));
    expect(summary).toMatchObject({ partnerUsers: 3, removed: 1 });
    expect(await resolveIdentity(rosters, { aadObjectId: 'a1b2c3d4-0002-4000-8000-000000000002', tenantIds: [PARTNER_TENANT] })).toEqual({
      kind: 'unknown',
      why: 'notOnRoster',
    });
    expect((await claims.get(claim.orgId, claim.id))?.claim).toEqual(claim);
  });

  test('a bad roster file is refused whole and the stored roster stays as it was', async () => {
    const rosters = new RosterStore(db.containers.rosters);
    await rosters.loadFile(DEMO_ROSTER);
    await expect(rosters.loadFile(rosterFile('broken.json', { organisations: 'none' }))).rejects.toBeInstanceOf(RosterFileError);
    await expect(rosters.loadFile(join(dir, 'missing.json'))).rejects.toThrow(/Roster file .*missing\.json is not valid/);
    expect(await rosters.reviewer('c3d4e5f6-0002-4000-8000-000000000002')).toMatchObject({ name: 'Jordan Reviewer' });
  });
});

describe('conversation references', () => {
  test('an unchanged reference costs no write; a changed one is stored', async () => {
    const store = new ConversationStore(db.containers.conversations);
    const entry = {
      id: userReferenceKey('t1', 'u1'),
      kind: 'user' as const,
      tenantId: 't1',
      aadObjectId: 'u1',
      reference: { serviceUrl: 'https://smba.example/', conversation: { id: 'a:1' } },
    };
    expect(await store.save(entry)).toBe(true);
    expect(await store.save(entry)).toBe(false);
    expect(await store.save({ ...entry, reference: { ...entry.reference, serviceUrl: 'https://smba2.example/' } })).toBe(true);
    expect(await store.forUser('T1', 'U1')).toMatchObject({ reference: { serviceUrl: 'https://smba2.example/' } });
  });
});
