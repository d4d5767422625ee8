import { decide } from '../../src/domain/claimLifecycle';
import { subscriptionsEnding, timersFor } from '../../src/domain/claimTimers';
import { calendar, claimIn, ctxAt, expectOk, reviewer, system } from '../support/claimFixtures';

/**
 * docs/deadlines.md: 30 days before an associated subscription ends (where the directory knows the date) the
 * partner is reminded, within business hours. The approval records the end days the directory gave;
 * the timer comes from the claim alone. Europe/Berlin, approved Monday 2 November 2026 (fixtures).
 */

const SUB_A = 'd4000000-0000-4000-8000-00000000000a';
const SUB_B = 'd4000000-0000-4000-8000-00000000000b';

function approvedWith(ends: { subscriptionId: string; endsOn: string }[], at = new Date('2026-11-02T12:00:00Z')) {
  const underReview = claimIn('UnderReview');
  return expectOk(decide(underReview, { type: 'approve', subscriptionEnds: ends.map((e) => ({ ...e, productId: 'teams' })) }, reviewer, ctxAt(at))).claim;
}

const reminderTimers = (claim: ReturnType<typeof approvedWith>) =>
  timersFor(claim, calendar)
    .filter((t) => t.purpose.type === 'reminder' && t.purpose.reminder === 'subscriptionEnds30d')
    .map((t) => t.dueAt);

describe('the reminder 30 days before a held subscription ends', () => {
  test.each([
    ['no end date known: no reminder', [], []],
    // Last day Wed 30 June 2027: 30 days left from Mon 31 May, 09:00 CEST.
    ['ends Wed 30 Jun 2027: Mon 31 May 09:00', [{ subscriptionId: SUB_A, endsOn: '2027-06-30' }], ['2027-05-31T07:00:00.000Z']],
    // Last day Mon 31 May 2027: 30 days left from Saturday 1 May, so the next opening, Monday 3 May 09:00.
    ['30 days before falls on a Saturday: the Monday opening', [{ subscriptionId: SUB_A, endsOn: '2027-05-31' }], ['2027-05-03T07:00:00.000Z']],
    ['already ended at the approval: nothing to remind', [{ subscriptionId: SUB_A, endsOn: '2026-10-31' }], []],
    // Within 30 days at the approval: due in the past (Wed 21 Oct, 09:00 CEST), so the next sweep sends it.
    ['ends within 30 days of the approval: reminded at once', [{ subscriptionId: SUB_A, endsOn: '2026-11-20' }], ['2026-10-21T07:00:00.000Z']],
    [
      'two end dates: the nearer first',
      [
        { subscriptionId: SUB_B, endsOn: '2027-12-31' },
        { subscriptionId: SUB_A, endsOn: '2027-06-30' },
      ],
      ['2027-05-31T07:00:00.000Z'],
    ],
  ] as const)('%s', (_why, ends, expected) => {
    expect(reminderTimers(approvedWith([...ends]))).toEqual(expected);
  });

  test('sent once within business hours, then the next end date gets its timer; none once the claim is no longer approved', () => {
    let claim = approvedWith([
      { subscriptionId: SUB_A, endsOn: '2027-06-30' },
      { subscriptionId: SUB_B, endsOn: '2027-12-31' },
    ]);
    // Saturday 5 June 2027, 10:00: not business hours.
    expect(decide(claim, { type: 'remind', reminder: 'subscriptionEnds30d' }, system, ctxAt(new Date('2027-06-05T08:00:00Z'))).ok).toBe(false);
    claim = expectOk(decide(claim, { type: 'remind', reminder: 'subscriptionEnds30d' }, system, ctxAt(new Date('2027-05-31T07:00:00Z')))).claim;
    expect(subscriptionsEnding(calendar, claim, new Date('2027-05-31T07:00:00Z')).map((s) => s.subscriptionId)).toEqual([SUB_A]);
    expect(decide(claim, { type: 'remind', reminder: 'subscriptionEnds30d' }, system, ctxAt(new Date('2027-06-01T07:00:00Z'))).ok).toBe(false);
    // Last day Fri 31 Dec 2027: 30 days left from Wed 1 Dec.
    expect(reminderTimers(claim)).toEqual(['2027-12-01T08:00:00.000Z']);
    const withdrawn = { ...claim, status: 'RejectedFinal' as const };
    expect(reminderTimers(withdrawn)).toEqual([]);
  });

  test('a reminder past the end date is not sent', () => {
    const claim = approvedWith([{ subscriptionId: SUB_A, endsOn: '2027-06-30' }]);
    expect(decide(claim, { type: 'remind', reminder: 'subscriptionEnds30d' }, system, ctxAt(new Date('2027-07-01T08:00:00Z'))).ok).toBe(false);
  });
});
