import type { Actor } from '../../src/domain/actors';
import { CLAIM_STATUSES, type ClaimStatus } from '../../src/domain/claimStatus';
import { decide, type ClaimAction } from '../../src/domain/claimLifecycle';
import { render } from '../../src/i18n/locales';
import { claimIn, ctxAt, expectOk, customer, otherOrgPartner, partner, poeFile, referralsAdmin, reviewer, system, T0 } from '../support/claimFixtures';

/**
 * The lifecycle as a table: every status x action x role. This table is written out here on its own,
 * from docs/claim-rules.md, so a change to the state machine's rules shows up as a failing row.
 */

type Role = 'partner' | 'reviewer' | 'customer' | 'system';
const ROLES: Record<Role, Actor> = { partner, reviewer, customer, system };

const actions: Record<string, ClaimAction> = {
  edit: { type: 'edit', changes: { products: ['teams'] } },
  addPoe: { type: 'addPoe', files: [poeFile('poe-extra')] },
  submit: { type: 'submit' },
  startReview: { type: 'startReview' },
  approve: { type: 'approve' },
  reject: { type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'Not signed.' },
  requestInfo: { type: 'requestInfo', reasons: ['MissingOrOldDates'], comment: 'Please add dates.' },
  resubmit: { type: 'resubmit', comment: 'Dates added.' },
  comment: { type: 'comment', text: 'Any news?' },
  withdraw: { type: 'withdraw', comment: 'Wrong MPN ID.' },
  customerDecline: { type: 'customerDecline' },
  dispute: { type: 'dispute', justification: 'The customer signed the SOW on page 3.' },
  noPartnerResponse: { type: 'noPartnerResponse' },
  consentPeriodOver: { type: 'consentPeriodOver' },
  disputeWindowClosed: { type: 'disputeWindowClosed' },
  supersede: { type: 'supersede', supersededBy: 'CL-OTHER001', comment: 'Arbitration decided for the other partner.' },
  remind: { type: 'remind', reminder: 'reviewStartPassed' },
  deliveryFailed: { type: 'deliveryFailed', recipient: 'a partner user', status: 403 },
};

const ALL = CLAIM_STATUSES;
const same = (statuses: readonly ClaimStatus[]) => Object.fromEntries(statuses.map((s) => [s, s]));

/** action -> role -> from status -> resulting status. Anything not listed is refused. */
const EXPECTED: Record<string, Partial<Record<Role, Partial<Record<ClaimStatus, ClaimStatus>>>>> = {
  edit: { partner: same(['Editing', 'Submitted', 'PartnerActionRequired']) },
  addPoe: { partner: same(['Editing', 'Submitted', 'PartnerActionRequired']) },
  submit: { partner: { Editing: 'Submitted' } },
  startReview: { reviewer: { Submitted: 'UnderReview' } },
  approve: { reviewer: { UnderReview: 'Approved' } },
  reject: { reviewer: { UnderReview: 'Rejected' } },
  requestInfo: { reviewer: { UnderReview: 'PartnerActionRequired' } },
  resubmit: { partner: { PartnerActionRequired: 'UnderReview' } },
  comment: { partner: same(ALL), reviewer: same(ALL.filter((s) => s !== 'Editing')) },
  // docs/deadlines.md, "Withdrawal": the partner asked for the rejection, so it is final at once (no dispute window).
  withdraw: {
    partner: {
      Submitted: 'RejectedFinal',
      UnderReview: 'RejectedFinal',
      PartnerActionRequired: 'RejectedFinal',
      Approved: 'RejectedFinal',
      Rejected: 'RejectedFinal',
    },
  },
  customerDecline: { customer: { Approved: 'Rejected' } },
  dispute: { partner: { Rejected: 'UnderReview' } },
  noPartnerResponse: { system: { PartnerActionRequired: 'Rejected' } },
  consentPeriodOver: { system: { Approved: 'Approved' } },
  disputeWindowClosed: { system: { Rejected: 'Rejected' } },
  supersede: { reviewer: { Approved: 'Rejected' } },
  // Only a submitted claim has a start-review target to pass; the reminder needs it.
  remind: { system: { Submitted: 'Submitted' } },
  deliveryFailed: { system: same(ALL) },
};

// A draft gets its PoE before it is submitted; every other row starts from the status as reached.
function fixture(status: ClaimStatus, action: string) {
  const claim = claimIn(status);
  return status === 'Editing' && action === 'submit' ? expectOk(decide(claim, actions.addPoe, partner, ctxAt(T0))).claim : claim;
}

// Deadline actions are tried after every deadline has passed; people act a day after the last step.
const later = (role: Role) => ctxAt(new Date(T0.getTime() + (role === 'system' ? 60 : 1) * 86_400_000));

const rows: [string, Role, ClaimStatus][] = [];
for (const action of Object.keys(actions)) for (const role of Object.keys(ROLES) as Role[]) for (const status of ALL) rows.push([action, role, status]);

describe('claim lifecycle: every status x action x role', () => {
  test.each(rows)('%s by %s in %s', (action, role, status) => {
    const expected = EXPECTED[action]?.[role]?.[status];
    const claim = fixture(status, action);
    const decision = decide(claim, actions[action], ROLES[role], later(role));
    if (expected) {
      expect(decision).toMatchObject({ ok: true });
      if (!decision.ok) return;
      expect(decision.claim.status).toBe(expected);
      expect(decision.claim.history).toHaveLength(claim.history.length + 1);
      expect(decision.event).toMatchObject({ action, actor: { kind: role }, fromStatus: status, toStatus: expected, outcome: 'applied' });
      expect(decision.claim.version).toBe(claim.version + 1);
    } else {
      expect(decision.ok).toBe(false);
      if (decision.ok) return;
      const sentence = render('en-US', decision.refusal.message);
      expect(sentence).not.toMatch(/\{|\}|@/); // fully rendered, no placeholders left
      expect(sentence.length).toBeGreaterThan(10);
      expect(render('zh-CN', decision.refusal.message)).not.toMatch(/\{|\}|@/);
      const roleAllowedSomewhere = Boolean(EXPECTED[action]?.[role]);
      if (roleAllowedSomewhere) expect(decision.refusal.code).toMatch(/^(wrongStatus|alreadyDone|alreadyDisputed|draftCanBeDiscarded|reminderNotNeeded)$/);
      else expect(decision.refusal.code).toBe('roleNotAllowed');
    }
  });
});

describe('partner checks apply to every partner action', () => {
  const partnerActions = Object.entries(EXPECTED).filter(([, byRole]) => byRole.partner);
  test.each(partnerActions.map(([a]) => a))('%s by a partner of another organisation is refused', (action) => {
    const status = Object.keys(EXPECTED[action].partner!)[0] as ClaimStatus;
    const decision = decide(fixture(status, action), actions[action], otherOrgPartner, later('partner'));
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'notYourOrganisation' } });
  });
  test.each(partnerActions.map(([a]) => a))('%s by a Referrals admin is refused with the roles that may', (action) => {
    const status = Object.keys(EXPECTED[action].partner!)[0] as ClaimStatus;
    const decision = decide(fixture(status, action), actions[action], referralsAdmin, later('partner'));
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'partnerRoleNotAllowed' } });
    if (!decision.ok) expect(render('en-US', decision.refusal.message)).toContain('Global admin, Billing admin or Incentives admin');
  });
});
