import { systemClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import { BusinessCalendar } from '../../src/domain/businessCalendar';
import type { Claim } from '../../src/domain/claim';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { ClaimService } from '../../src/services/claims/claimService';
import { AssociationStore } from '../../src/storage/associationStore';
import { ClaimStore } from '../../src/storage/claimStore';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { RosterStore } from '../../src/storage/rosterStore';
import { TenantClaimIndex } from '../../src/storage/tenantClaimIndex';
import { AVERY } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';

/** Claims the benchmarks seed through the core: the demo roster's Fabrikam Global admin submits them. */

export const BENCH_PARTNER: Extract<Actor, { kind: 'partner' }> = AVERY;

/** A claim service straight on the bot's database (seeding happens outside the measured turns). */
export function benchClaimService(db: CosmosDatabase): ClaimService {
  return new ClaimService({
    claims: new ClaimStore(db.containers.claims),
    associations: new AssociationStore(db.containers.associations),
    rosters: new RosterStore(db.containers.rosters),
    tenantIndex: new TenantClaimIndex(db.containers.tenantIndex),
    clock: systemClock,
    calendar: new BusinessCalendar({ timeZone: 'UTC', holidays: [] }),
    policy: DEFAULT_DEADLINE_POLICY,
  });
}

/**
 * A Microsoft 365 usage claim with one PoE file, submitted; `fields` names the customer and the claim.
 * `asHistory`: its changes leave no notices to deliver (as if they had been delivered when they happened).
 */
export async function submittedClaim(
  service: ClaimService,
  fields: { customerDomain: string; customerTenantId: string; claimName: string; products?: string[] },
  uploadedAt = new Date().toISOString(),
  { asHistory = false } = {},
): Promise<Claim> {
  const partner = BENCH_PARTNER;
  const draft = await service.createDraft(partner, {
    mpnId: '4412345',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams', 'exchange-online'],
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@bench.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
    ...fields,
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const file = poeRecordFor(id, partner, uploadedAt);
  await service.act(id, { type: 'addPoe', files: [file] }, partner, {}, partner.orgId);
  const submitted = await service.act(id, { type: 'submit' }, partner, { asHistory }, partner.orgId);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.refusal));
  return submitted.claim;
}
