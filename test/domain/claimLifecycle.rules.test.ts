import { decide, createClaim, isActionOffered } from '../../src/domain/claimLifecycle';
import { render } from '../../src/i18n/locales';
import { associationKeys } from '../../src/domain/associationKeys';
import {
  claimIn,
  ctxAt,
  customer,
  d365Fields,
  draft,
  expectOk,
  m365Fields,
  partner,
  poeFile,
  referralsAdmin,
  reviewer,
  reviewer2,
  system,
  T0,
} from '../support/claimFixtures';

const day = 86_400_000;
const at = (iso: string) => ctxAt(new Date(iso));

describe('creating and editing', () => {
  test('a draft keeps only valid fields and names every bad one', () => {
    const decision = createClaim({ id: 'CL-X', actor: partner, fields: { ...m365Fields, customerTenantId: 'not-a-guid' } }, ctxAt(T0));
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusal.fieldErrors).toEqual([{ field: 'customerTenantId', code: 'guid', params: {} }]);
    expect(render('en-US', decision.refusal.message)).toBe('Some fields need attention: Customer directory (tenant) ID');
  });

  test('a Referrals admin may not create a claim', () => {
    const decision = createClaim({ id: 'CL-X', actor: referralsAdmin, fields: {} }, ctxAt(T0));
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'partnerRoleNotAllowed' } });
  });

  test('an MPN ID outside the organisation is refused with the allowed ones', () => {
    const decision = decide(draft(), { type: 'edit', changes: { mpnId: '9999999' } }, partner, ctxAt(T0));
    expect(decision.ok).toBe(false);
    if (!decision.ok)
      expect(decision.refusal.fieldErrors?.[0]).toMatchObject({ field: 'mpnId', code: 'mpnNotInOrganisation', params: { allowed: '4412345, 4467890' } });
  });

  test('a draft may clear a field; changing the solution area with its products keeps the rest', () => {
    const next = expectOk(
      decide(
        draft(),
        { type: 'edit', changes: { solutionArea: 'BusinessApplications', activity: 'RevenueAssociation', products: ['d365-finance'] } },
        partner,
        ctxAt(T0),
      ),
    ).claim;
    expect(next.fields).toMatchObject({
      solutionArea: 'BusinessApplications',
      activity: 'RevenueAssociation',
      products: ['d365-finance'],
      claimName: 'Contoso Teams adoption',
    });
    const cleared = expectOk(decide(next, { type: 'edit', changes: { products: null } }, partner, ctxAt(T0))).claim;
    expect(cleared.fields.products).toBeUndefined();
  });

  test('after submission only MPN ID, products and contacts can change, and each refused field is named', () => {
    const submitted = claimIn('Submitted');
    const refused = decide(
      submitted,
      { type: 'edit', changes: { claimName: 'New name', customerDomain: 'other.example', products: ['teams'] } },
      partner,
      ctxAt(T0),
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.refusal.fieldErrors?.map((e) => e.field)).toEqual(['claimName', 'customerDomain']);
      expect(render('en-US', { key: 'fieldError.notEditableNow', params: { field: '@field.claimName', status: '@status.Submitted' } })).toContain(
        'while the claim is Submitted',
      );
    }
    const edited = expectOk(decide(submitted, { type: 'edit', changes: { products: ['teams'], mpnId: '4467890' } }, partner, ctxAt(T0)));
    expect(edited.claim.status).toBe('Submitted');
    expect(edited.event.changes).toEqual(
      expect.arrayContaining([
        { field: 'fields.products', before: ['teams', 'exchange-online'], after: ['teams'] },
        { field: 'fields.mpnId', before: '4412345', after: '4467890' },
      ]),
    );
  });

  test('an edit after submission may not remove what the claim needs', () => {
    const submitted = claimIn('Submitted', d365Fields);
    const decision = decide(submitted, { type: 'edit', changes: { technicalContact: null } }, partner, ctxAt(T0));
    expect(decision).toMatchObject({
      ok: false,
      refusal: { code: 'invalidFields', fieldErrors: [{ field: 'technicalContact', code: 'technicalContactRequired' }] },
    });
  });

  test('an edit that changes nothing is refused rather than recorded', () => {
    expect(decide(draft(), { type: 'edit', changes: { claimName: 'Contoso Teams adoption' } }, partner, ctxAt(T0))).toMatchObject({
      ok: false,
      refusal: { code: 'nothingToChange' },
    });
  });
});

describe('submitting and reviewing', () => {
  test('submit needs a PoE and every required field', () => {
    expect(decide(draft(), { type: 'submit' }, partner, ctxAt(T0))).toMatchObject({ ok: false, refusal: { code: 'poeRequired' } });
    const incomplete = expectOk(decide(draft({ claimName: 'Only a name' }), { type: 'addPoe', files: [poeFile()] }, partner, ctxAt(T0))).claim;
    const decision = decide(incomplete, { type: 'submit' }, partner, ctxAt(T0));
    expect(decision.ok).toBe(false);
    if (!decision.ok)
      expect(decision.refusal.fieldErrors?.map((e) => e.field)).toEqual([
        'mpnId',
        'customerDomain',
        'customerTenantId',
        'solutionArea',
        'activity',
        'products',
        'customerContact',
        'partnerContact',
      ]);
  });

  test('submit starts the 5 business day review-start target and the claim records it as its next due time', () => {
    const submitted = claimIn('Submitted');
    // Submitted Monday 2 Nov 2026 (Berlin): 5 business days -> end of Monday 9 Nov, Berlin midnight.
    // ...and the 10-day decision target (docs/deadlines.md): end of Thursday 12 Nov.
    expect(submitted.deadlines).toEqual({ reviewStart: '2026-11-09T23:00:00.000Z', decisionTarget: '2026-11-12T23:00:00.000Z' });
    expect(submitted.nextDueAt).toBe('2026-11-09T23:00:00.000Z');
  });

  test('a second approval is refused and says who approved and when', () => {
    const approved = claimIn('Approved');
    const decision = decide(approved, { type: 'approve' }, reviewer2, at('2026-11-03T12:00:00Z'));
    expect(decision.ok).toBe(false);
    if (!decision.ok) {
      expect(decision.refusal.code).toBe('alreadyDone');
      expect(render('en-US', decision.refusal.message)).toMatch(
        /^The claim is already Approved: Riley Reviewer did that on Nov 2, 2026, \d{1,2}:\d\d\s[AP]M \(Europe\/Berlin\)\.$/,
      );
      expect(render('zh-CN', decision.refusal.message)).toMatch(/2026年11月2日 \d\d:\d\d（Europe\/Berlin）/);
    }
  });

  test('approval asks for the association and starts the consent period', () => {
    const decision = expectOk(decide(claimIn('UnderReview'), { type: 'approve' }, reviewer, at('2026-11-05T10:00:00Z')));
    expect(decision.effects).toEqual(['createAssociations']);
    expect(decision.claim.deadlines).toEqual({ consentEnds: '2026-11-12T23:00:00.000Z' }); // 7 calendar days, end of day Berlin
  });

  test('reviewers reject only with reviewer reasons; info requests need reasons and a comment', () => {
    const underReview = claimIn('UnderReview');
    expect(decide(underReview, { type: 'reject', reason: 'CustomerDecline' }, reviewer, ctxAt(T0))).toMatchObject({
      ok: false,
      refusal: { code: 'reasonNotAllowed' },
    });
    expect(decide(underReview, { type: 'requestInfo', reasons: [], comment: 'x' }, reviewer, ctxAt(T0))).toMatchObject({
      ok: false,
      refusal: { code: 'reasonsRequired' },
    });
    expect(decide(underReview, { type: 'requestInfo', reasons: ['MissingProducts'], comment: '  ' }, reviewer, ctxAt(T0))).toMatchObject({
      ok: false,
      refusal: { code: 'commentRequired' },
    });
  });

  test('a request for information goes into the comment thread and starts the partner response deadline', () => {
    const par = claimIn('PartnerActionRequired');
    expect(par.comments.at(-1)).toMatchObject({ author: { kind: 'reviewer' }, text: 'Please name the products in the SOW.' });
    expect(par.infoRequest?.reasons).toEqual(['MissingProducts']);
    expect(par.deadlines.partnerResponse).toBeDefined();
    const resubmitted = expectOk(decide(par, { type: 'resubmit', comment: 'Products named on page 2.' }, partner, ctxAt(T0)));
    expect(resubmitted.claim.status).toBe('UnderReview');
    expect(resubmitted.claim.deadlines.reviewDecision).toBeDefined();
    expect(resubmitted.claim.deadlines.partnerResponse).toBeUndefined();
  });
});

describe('deadlines applied by the system', () => {
  test('no partner response: refused before the deadline, applied once after it', () => {
    const par = claimIn('PartnerActionRequired');
    const due = new Date(par.deadlines.partnerResponse!);
    expect(decide(par, { type: 'noPartnerResponse' }, system, ctxAt(new Date(due.getTime() - 1)))).toMatchObject({ ok: false, refusal: { code: 'notDueYet' } });
    const rejected = expectOk(decide(par, { type: 'noPartnerResponse' }, system, ctxAt(due)));
    expect(rejected.claim).toMatchObject({ status: 'Rejected', rejection: { reason: 'NoPartnerResponse', by: { kind: 'system' } } });
    expect(decide(rejected.claim, { type: 'noPartnerResponse' }, system, ctxAt(due)).ok).toBe(false);
  });

  test('consent period over marks the claim for eligibility assessment, once, and it stays Approved', () => {
    const approved = claimIn('Approved');
    const over = expectOk(decide(approved, { type: 'consentPeriodOver' }, system, ctxAt(new Date(approved.deadlines.consentEnds!))));
    expect(over.claim.status).toBe('Approved');
    expect(over.claim.approval?.sentForEligibilityAt).toBeDefined();
    expect(over.claim.nextDueAt).toBeNull();
    expect(decide(over.claim, { type: 'consentPeriodOver' }, system, ctxAt(new Date(approved.deadlines.consentEnds!)))).toMatchObject({
      ok: false,
      refusal: { code: 'alreadySentForEligibility' },
    });
    // The customer may still decline after the consent period: that ends the association.
    const declined = expectOk(
      decide(over.claim, { type: 'customerDecline' }, customer, ctxAt(new Date(Date.parse(approved.deadlines.consentEnds!) + 5 * day))),
    );
    expect(declined.claim).toMatchObject({ status: 'Rejected', rejection: { reason: 'CustomerDecline' } });
    expect(declined.effects).toEqual(['releaseAssociations']);
  });
});

describe('withdrawal and dispute', () => {
  test('withdrawing after approval is final and releases the association', () => {
    const decision = expectOk(decide(claimIn('Approved'), { type: 'withdraw' }, partner, ctxAt(T0)));
    expect(decision.claim).toMatchObject({ status: 'RejectedFinal', rejection: { reason: 'PartnerRequest' } });
    expect(decision.effects).toEqual(['releaseAssociations']);
  });

  test('a draft is discarded, not withdrawn', () => {
    expect(decide(draft(), { type: 'withdraw' }, partner, ctxAt(T0))).toMatchObject({ ok: false, refusal: { code: 'draftCanBeDiscarded' } });
  });

  test('a dispute is possible on day 30 and not on day 31 (Berlin time)', () => {
    const rejected = claimIn('Rejected'); // rejected on 2026-11-02 (Berlin)
    expect(rejected.deadlines.disputeWindowEnds).toBe('2026-12-02T23:00:00.000Z');
    const dispute = { type: 'dispute' as const, justification: 'Signed SOW attached.' };
    expect(decide(rejected, dispute, partner, at('2026-12-02T22:59:00Z')).ok).toBe(true); // 23:59 on day 30
    const late = decide(rejected, dispute, partner, at('2026-12-02T23:00:00Z')); // 00:00 on day 31
    expect(late).toMatchObject({ ok: false, refusal: { code: 'disputeWindowClosed' } });
    if (!late.ok) expect(render('en-US', late.refusal.message)).toContain('Create a new claim with updated proof of execution');
  });

  test('one dispute per claim; a failed dispute is final', () => {
    const disputed = expectOk(decide(claimIn('Rejected'), { type: 'dispute', files: [poeFile('poe-2')] }, partner, ctxAt(T0))).claim;
    expect(disputed).toMatchObject({ status: 'UnderReview', dispute: { poeFileIds: ['poe-2'] } });
    expect(disputed.poe.map((f) => f.id)).toEqual(['poe-1', 'poe-2']);
    const failed = expectOk(decide(disputed, { type: 'reject', reason: 'InsufficientProofOfExecution' }, reviewer, ctxAt(T0))).claim;
    expect(failed).toMatchObject({ status: 'RejectedFinal', dispute: { outcome: 'failed' } });
    expect(failed.deadlines).toEqual({});
    expect(decide(failed, { type: 'dispute', justification: 'again' }, partner, ctxAt(T0))).toMatchObject({ ok: false, refusal: { code: 'alreadyDisputed' } });
  });

  test('a claim that used its dispute and is rejected again cannot be disputed twice', () => {
    const disputed = expectOk(decide(claimIn('Rejected'), { type: 'dispute', justification: 'x' }, partner, ctxAt(T0))).claim;
    const upheld = expectOk(decide(disputed, { type: 'approve' }, reviewer, ctxAt(T0))).claim;
    expect(upheld.dispute?.outcome).toBe('upheld');
    const declined = expectOk(decide(upheld, { type: 'customerDecline' }, customer, ctxAt(T0))).claim;
    expect(declined.status).toBe('RejectedFinal');
  });

  test('a dispute needs a justification or a file', () => {
    expect(decide(claimIn('Rejected'), { type: 'dispute', justification: '  ' }, partner, ctxAt(T0))).toMatchObject({
      ok: false,
      refusal: { code: 'disputeNeedsContent' },
    });
  });
});

describe('history and offered actions', () => {
  test('every applied action appends one event with who, when, what and before/after', () => {
    const claim = claimIn('Approved');
    expect(claim.history.map((e) => e.action)).toEqual(['create', 'addPoe', 'submit', 'startReview', 'approve']);
    expect(claim.history.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const approve = claim.history[4];
    expect(approve).toMatchObject({ actor: { kind: 'reviewer', id: reviewer.id, name: 'Riley Reviewer' }, fromStatus: 'UnderReview', toStatus: 'Approved' });
    expect(approve.changes).toEqual(expect.arrayContaining([{ field: 'status', before: 'UnderReview', after: 'Approved' }]));
  });

  test('buttons are offered only where the action is allowed', () => {
    const submitted = claimIn('Submitted');
    expect(isActionOffered(submitted, reviewer, 'startReview')).toBe(true);
    expect(isActionOffered(submitted, reviewer, 'approve')).toBe(false);
    expect(isActionOffered(submitted, partner, 'startReview')).toBe(false);
    expect(isActionOffered(submitted, partner, 'edit')).toBe(true);
  });

  test('association keys name the program (the full table is test/domain/associationRule.table.test.ts)', () => {
    expect(associationKeys(m365Fields as never)).toEqual(['osu-m365:workload:teams', 'osu-m365:workload:exchange-online']);
    expect(associationKeys(d365Fields as never)).toEqual([
      'osu-osa-bizapps:subscription:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      'osu-osa-bizapps:product:power-bi',
    ]);
  });
});
