import type { Actor } from '../../src/domain/actors';
import { BusinessCalendar } from '../../src/domain/businessCalendar';
import type { Claim, PoeFile } from '../../src/domain/claim';
import type { ClaimStatus } from '../../src/domain/claimStatus';
import { createClaim, decide, type ClaimAction, type DecideContext, type Decision } from '../../src/domain/claimLifecycle';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { AVERY, RILEY, ROBIN } from './personas';

export const ORG = 'fabrikam-consulting';
export const ORG_MPN_IDS = ['4412345', '4467890'];

export const partner: Actor = AVERY;
export const otherOrgPartner: Actor = ROBIN;
export const referralsAdmin: Actor = { kind: 'partner', id: 'a1b2c3d4-0003-4000-8000-000000000003', name: 'Sam Referrals', orgId: ORG, role: 'ReferralsAdmin' };
export const reviewer: Actor = RILEY;
export const reviewer2: Actor = { kind: 'reviewer', id: 'c3d4e5f6-0002-4000-8000-000000000002', name: 'Jordan Reviewer' };
export const customer: Actor = { kind: 'customer', id: 'dana@customer.example', name: 'Dana Customer' };
export const system: Actor = { kind: 'system', id: 'system', name: 'CPOR deadlines' };

export const calendar = new BusinessCalendar({ timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25', '2026-12-26'] });

/** Monday 2 November 2026, 10:00 in Berlin. */
export const T0 = new Date('2026-11-02T09:00:00Z');

export function ctxAt(now: Date, extra: Partial<DecideContext> = {}): DecideContext {
  return { now, calendar, policy: DEFAULT_DEADLINE_POLICY, organisationMpnIds: ORG_MPN_IDS, ...extra };
}

export const m365Fields = {
  mpnId: '4412345',
  customerDomain: 'contoso.onmicrosoft.com',
  customerTenantId: '11111111-2222-4333-8444-555555555555',
  solutionArea: 'Microsoft365',
  activity: 'Usage',
  claimName: 'Contoso Teams adoption',
  products: ['teams', 'exchange-online'],
  customerContact: { name: 'Dana Customer', title: 'IT Director', email: 'dana@contoso.example' },
  partnerContact: { name: 'Avery Fabrikam', email: 'avery@fabrikam.example' },
};

export const d365Fields = {
  ...m365Fields,
  solutionArea: 'BusinessApplications',
  activity: 'UsageAndOrPreSales',
  claimName: 'Contoso Dynamics 365 Sales',
  products: ['d365-sales', 'power-bi'],
  subscriptions: [{ productId: 'd365-sales', subscriptionId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }],
  technicalContact: { name: 'Lee Admin', title: 'CRM Administrator', email: 'lee@contoso.example' },
};

export function poeFile(id = 'poe-1'): PoeFile {
  return {
    id,
    blobName: `claim/${id}/sow.pdf`,
    fileName: 'signed-sow.pdf',
    contentType: 'application/pdf',
    size: 1234,
    sha256: 'ab'.repeat(32),
    uploadedAt: T0.toISOString(),
    uploadedBy: { kind: 'partner', id: partner.id, name: partner.name },
  };
}

/** The record of one PoE file as the intake keeps it (no bytes behind it), for a claim that needs a file: `addPoe`. */
export function poeRecordFor(claimId: string, by: { id: string; name: string }, uploadedAt: Date | string, fileName = 'sow.pdf'): PoeFile {
  return {
    id: `${claimId}-1`,
    blobName: `${claimId}/x/${fileName}`,
    fileName,
    contentType: 'application/pdf',
    size: 1000,
    sha256: 'x',
    uploadedAt: typeof uploadedAt === 'string' ? uploadedAt : uploadedAt.toISOString(),
    uploadedBy: { kind: 'partner', id: by.id, name: by.name },
  };
}

export function expectOk(decision: Decision): Extract<Decision, { ok: true }> {
  if (!decision.ok) throw new Error(`Expected the action to be allowed, got ${JSON.stringify(decision.refusal)}`);
  return decision;
}

const MPN_IDS_BY_ORG: Record<string, string[]> = { [ORG]: ORG_MPN_IDS, 'tailspin-partners': ['5523456'] };

function ownerCtx(owner: Actor, now: Date): DecideContext {
  return ctxAt(now, { organisationMpnIds: owner.kind === 'partner' ? MPN_IDS_BY_ORG[owner.orgId] : undefined });
}

export function draft(fields: Record<string, unknown> = m365Fields, id = 'CL-TEST0001', owner: Actor = partner): Claim {
  return expectOk(createClaim({ id, actor: owner, fields }, ownerCtx(owner, T0))).claim;
}

/** Drives a claim through the lifecycle to a status, one hour per step; `owner` plays the partner. */
export function claimIn(status: ClaimStatus, fields: Record<string, unknown> = m365Fields, owner: Actor = partner): Claim {
  let claim = draft(fields, 'CL-TEST0001', owner);
  let hour = 0;
  const step = (action: ClaimAction, actor: Actor) => {
    hour += 1;
    claim = expectOk(decide(claim, action, actor === partner ? owner : actor, ownerCtx(owner, new Date(T0.getTime() + hour * 3600_000)))).claim;
  };
  const paths: Record<ClaimStatus, [ClaimAction, Actor][]> = {
    Editing: [],
    Submitted: [
      [{ type: 'addPoe', files: [poeFile()] }, partner],
      [{ type: 'submit' }, partner],
    ],
    UnderReview: [],
    PartnerActionRequired: [],
    Approved: [],
    Rejected: [],
    RejectedFinal: [],
  };
  paths.UnderReview = [...paths.Submitted, [{ type: 'startReview' }, reviewer]];
  paths.PartnerActionRequired = [
    ...paths.UnderReview,
    [{ type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Please name the products in the SOW.' }, reviewer],
  ];
  paths.Approved = [...paths.UnderReview, [{ type: 'approve' }, reviewer]];
  paths.Rejected = [...paths.UnderReview, [{ type: 'reject', reason: 'InsufficientProofOfExecution' }, reviewer]];
  paths.RejectedFinal = [
    ...paths.Rejected,
    [{ type: 'dispute', justification: 'The SOW was signed.' }, partner],
    [{ type: 'reject', reason: 'InsufficientProofOfExecution' }, reviewer],
  ];
  for (const [action, actor] of paths[status]) step(action, actor);
  return claim;
}
