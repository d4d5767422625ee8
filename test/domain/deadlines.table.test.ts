import { BusinessCalendar } from '../../src/domain/businessCalendar';
import type { Claim } from '../../src/domain/claim';
import { decide, deadlineParam, disputeWindowEnd, type ClaimAction } from '../../src/domain/claimLifecycle';
import { reminderDueAt, reminderTiming, timersFor, type ReminderKind } from '../../src/domain/claimTimers';
import { formatDateTime, render } from '../../src/i18n/locales';
import { calendar, claimIn, ctxAt, expectOk, partner, poeFile, draft, reviewer, system } from '../support/claimFixtures';

/**
 * docs/deadlines.md's reminders, "Days left" and "Closed windows", and the decision target, as
 * tables: when each reminder goes out (weekends, holidays, DST changes in Berlin and Los Angeles, a
 * window ending on a weekend), what a sweep does after an outage of several days, the review clocks
 * that stop while the partner acts, and a withdrawal that is final.
 */

const la = new BusinessCalendar({ timeZone: 'America/Los_Angeles', holidays: [] });
// The fixtures' calendar: Europe/Berlin, holidays 24-26 December 2026, business hours 09:00-17:00.
const berlin = calendar;

describe('when a reminder goes out: at the business-hours opening of the day it falls due, never after its deadline', () => {
  test.each([
    // why, reminder, deadline (the local midnight ending the last day), expected send time, calendar
    ['last day Mon 9 Nov: Thu 09:00, Fri and Mon left', 'partnerResponse2bd', '2026-11-09T23:00:00Z', '2026-11-05T08:00:00.000Z', berlin],
    ['last day Mon 9 Nov: Fri 09:00, Mon left', 'partnerResponse1bd', '2026-11-09T23:00:00Z', '2026-11-06T08:00:00.000Z', berlin],
    ['last day Tue 10 Nov: Fri 09:00, not Saturday 00:00', 'partnerResponse2bd', '2026-11-10T23:00:00Z', '2026-11-06T08:00:00.000Z', berlin],
    ['last day Tue 10 Nov: Mon 09:00, not the early hours of the last day', 'partnerResponse1bd', '2026-11-10T23:00:00Z', '2026-11-09T08:00:00.000Z', berlin],
    [
      'last day Mon 28 Dec: Wed 23rd, before the 24-26 Dec holidays and the weekend',
      'partnerResponse1bd',
      '2026-12-28T23:00:00Z',
      '2026-12-23T08:00:00.000Z',
      berlin,
    ],
    ['Berlin, clocks go back on Sun 25 Oct: Fri 23rd 09:00 CEST', 'partnerResponse2bd', '2026-10-27T23:00:00Z', '2026-10-23T07:00:00.000Z', berlin],
    ['Berlin, clocks go forward on Sun 29 Mar: Fri 27th 09:00 CET', 'partnerResponse1bd', '2026-03-30T22:00:00Z', '2026-03-27T08:00:00.000Z', berlin],
    ['last day Wed 30 Dec: Wed 23rd', 'disputeWindow7d', '2026-12-30T23:00:00Z', '2026-12-23T08:00:00.000Z', berlin],
    ['last day Wed 30 Dec: Tue 29th, one day left', 'disputeWindow1d', '2026-12-30T23:00:00Z', '2026-12-29T08:00:00.000Z', berlin],
    ['due Sat 28 Nov: waits for Mon 30 Nov 09:00', 'disputeWindow7d', '2026-12-05T23:00:00Z', '2026-11-30T08:00:00.000Z', berlin],
    ['last day Sun 29 Nov: Monday is too late, so Friday 09:00', 'disputeWindow1d', '2026-11-29T23:00:00Z', '2026-11-27T08:00:00.000Z', berlin],
    ['passed at Sat 00:00: Mon 09:00', 'reviewStartPassed', '2026-11-06T23:00:00Z', '2026-11-09T08:00:00.000Z', berlin],
    ['target Thu 12 Nov: Tue 09:00', 'decisionTarget2bd', '2026-11-12T23:00:00Z', '2026-11-10T08:00:00.000Z', berlin],
    ['target passed at Fri 00:00: Fri 09:00', 'decisionTargetPassed', '2026-11-12T23:00:00Z', '2026-11-13T08:00:00.000Z', berlin],
    ['Los Angeles, last day Mon 9 Mar: Thu 09:00 PST', 'partnerResponse2bd', '2026-03-10T07:00:00Z', '2026-03-05T17:00:00.000Z', la],
    ['Los Angeles, passed Sat 00:00 PST, clocks go forward Sunday: Mon 09:00 PDT', 'reviewStartPassed', '2026-03-07T08:00:00Z', '2026-03-09T16:00:00.000Z', la],
    ['Los Angeles, last day Mon 2 Nov, clocks go back Sunday: Fri 09:00 PDT', 'reviewDecision1bd', '2026-11-03T08:00:00Z', '2026-10-30T16:00:00.000Z', la],
  ] as const)('%s (%s)', (_why, kind, deadline, expected, cal) => {
    expect(reminderDueAt(cal, kind, deadline)).toBe(expected);
    const at = new Date(expected);
    expect(cal.isBusinessTime(at)).toBe(true);
  });
});

/**
 * The sweeper, at the domain level: at each sweep every timer of the claim that is due is fired (an
 * action by the system), as src/services/notifications/sweeper.ts does; what is sent is recorded with the days left then.
 */
function sweepAt(claim: Claim, at: Date, log: string[]): Claim {
  let current = claim;
  const due = timersFor(current, berlin)
    .filter((t) => t.dueAt <= at.toISOString())
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  for (const timer of due) {
    const action: ClaimAction = timer.purpose.type === 'transition' ? { type: timer.purpose.action } : { type: 'remind', reminder: timer.purpose.reminder };
    const decision = decide(current, action, system, ctxAt(at));
    if (!decision.ok) continue;
    current = decision.claim;
    if (action.type === 'remind') {
      const timing = reminderTiming(ctxAt(at), current, action.reminder)!;
      log.push(`${at.toISOString()} ${action.reminder} ${timing.daysLeft} left${timing.onTime ? '' : ' (says so)'}`);
    } else log.push(`${at.toISOString()} ${action.type} -> ${current.status}`);
  }
  return current;
}

/** Sweeps every hour from `from` to `to`, except while the sweep is down. */
function runSweeps(claim: Claim, from: string, to: string, down?: [string, string]): { claim: Claim; log: string[] } {
  const log: string[] = [];
  let current = claim;
  for (let t = Date.parse(from); t <= Date.parse(to); t += 3600_000) {
    if (down && t >= Date.parse(down[0]) && t < Date.parse(down[1])) continue;
    current = sweepAt(current, new Date(t), log);
  }
  return { claim: current, log };
}

describe('Partner action required (last day Mon 9 Nov, rejected at Tue 10 Nov 00:00 Berlin), swept hourly', () => {
  // Information requested Mon 2 Nov 13:00 Berlin.
  const asked = claimIn('PartnerActionRequired');
  test('the deadline is what the tables above assume', () => {
    expect(asked.deadlines.partnerResponse).toBe('2026-11-09T23:00:00.000Z');
  });

  test.each([
    [
      'no outage',
      undefined,
      [
        '2026-11-05T08:00:00.000Z partnerResponse2bd 2 left',
        '2026-11-06T08:00:00.000Z partnerResponse1bd 1 left',
        '2026-11-09T23:00:00.000Z noPartnerResponse -> Rejected',
      ],
    ],
    [
      'down Thu 07:00 to Fri 12:00: the late reminder alone, at 12:00, with the day really left',
      ['2026-11-05T06:00:00Z', '2026-11-06T11:00:00Z'],
      ['2026-11-06T11:00:00.000Z partnerResponse1bd 1 left', '2026-11-09T23:00:00.000Z noPartnerResponse -> Rejected'],
    ],
    [
      'down Thu 07:00 to Sat 11:00: nothing at the weekend; Monday 09:00, the last day, says it ends today',
      ['2026-11-05T06:00:00Z', '2026-11-07T10:00:00Z'],
      ['2026-11-09T08:00:00.000Z partnerResponse1bd 0 left (says so)', '2026-11-09T23:00:00.000Z noPartnerResponse -> Rejected'],
    ],
    [
      'down Thu 07:00 to Wed 11 Nov 10:00: no reminder after the deadline; the rejection applies at once',
      ['2026-11-05T06:00:00Z', '2026-11-11T09:00:00Z'],
      ['2026-11-11T09:00:00.000Z noPartnerResponse -> Rejected'],
    ],
  ] as const)('%s', (_name, down, expected) => {
    const { claim, log } = runSweeps(asked, '2026-11-02T13:00:00Z', '2026-11-12T00:00:00Z', down as [string, string] | undefined);
    expect(log).toEqual(expected);
    // Each reminder (sent or made pointless by a nearer one) is recorded once: no timer is left for it.
    expect(timersFor(claim, berlin).filter((t) => t.purpose.type === 'reminder' && t.purpose.reminder.startsWith('partnerResponse'))).toEqual([]);
  });
});

describe('a dispute window closed late by a sweep shows its real end', () => {
  // Rejected Mon 2 Nov 13:00 Berlin: the window's last day is Wed 2 Dec.
  const rejected = claimIn('Rejected');
  const end = rejected.deadlines.disputeWindowEnds!;
  test('the window ends at the end of its 30th day', () => {
    expect(end).toBe('2026-12-02T23:00:00.000Z');
  });

  test('after a three-day outage: closed at its end, and a dispute is refused naming the last minute of its last day', () => {
    const sweptLate = new Date('2026-12-05T23:30:00Z');
    const closed = expectOk(decide(rejected, { type: 'disputeWindowClosed' }, system, ctxAt(sweptLate))).claim;
    expect(closed.disputeWindowClosedAt).toBe(end);
    expect(disputeWindowEnd(closed)).toBe(end);
    const refusal = decide(closed, { type: 'dispute', justification: 'Signed SOW attached.' }, partner, ctxAt(new Date('2026-12-07T10:00:00Z')));
    expect(refusal).toMatchObject({ ok: false, refusal: { code: 'disputeWindowClosed' } });
    if (refusal.ok) return;
    expect(render('en-US', refusal.refusal.message)).toContain(formatDateTime('en-US', deadlineParam(ctxAt(sweptLate), end)));
    expect(render('en-US', refusal.refusal.message)).toContain('Dec 2, 2026, 11:59 PM');
    expect(render('en-US', refusal.refusal.message)).not.toContain('Dec 6');
  });

  test('a claim closed before the end was kept (closed-at = sweep time) finds the end in the history of the closing', () => {
    const closed = expectOk(decide(rejected, { type: 'disputeWindowClosed' }, system, ctxAt(new Date('2026-12-05T23:30:00Z')))).claim;
    expect(disputeWindowEnd({ ...closed, disputeWindowClosedAt: '2026-12-05T23:30:00.000Z' })).toBe(end);
  });
});

describe('the decision target and the review clocks stopped in Partner action required', () => {
  const at = (iso: string) => ctxAt(new Date(iso));
  // Submitted Mon 2 Nov 10:00 Berlin; review started the same day.
  const submitted = () => {
    const withPoe = expectOk(decide(draft(), { type: 'addPoe', files: [poeFile()] }, partner, at('2026-11-02T09:00:00Z'))).claim;
    return expectOk(decide(withPoe, { type: 'submit' }, partner, at('2026-11-02T09:00:00Z'))).claim;
  };

  test("10 calendar days from submission; the reviewers' queue is ordered by it", () => {
    const claim = submitted();
    expect(claim.deadlines.decisionTarget).toBe('2026-11-12T23:00:00.000Z'); // end of Thu 12 Nov
    expect(claim.reviewQueueDueAt).toBe(claim.deadlines.decisionTarget);
    const started = expectOk(decide(claim, { type: 'startReview' }, reviewer, at('2026-11-02T10:00:00Z'))).claim;
    expect(started.deadlines).toEqual({ reviewDecision: '2026-11-09T23:00:00.000Z', decisionTarget: '2026-11-12T23:00:00.000Z' });
    expect(started.reviewQueueDueAt).toBe('2026-11-12T23:00:00.000Z');
  });

  test.each([
    // requested, resubmitted, review SLA after it, decision target after it
    [
      'asked Wed 4 Nov, resubmitted Mon 9 Nov: 3 business days and 8 days go on',
      '2026-11-04T10:00:00Z',
      '2026-11-09T10:00:00Z',
      '2026-11-12T23:00:00.000Z',
      '2026-11-17T23:00:00.000Z',
    ],
    [
      'asked and resubmitted the same day: nothing moves',
      '2026-11-04T10:00:00Z',
      '2026-11-04T15:00:00Z',
      '2026-11-09T23:00:00.000Z',
      '2026-11-12T23:00:00.000Z',
    ],
    [
      "asked on the SLA's last day (0 left), resubmitted Wed 11 Nov: the SLA ends that day",
      '2026-11-09T10:00:00Z',
      '2026-11-11T10:00:00Z',
      '2026-11-11T23:00:00.000Z',
      '2026-11-14T23:00:00.000Z',
    ],
    ['asked after both had passed: they stay passed', '2026-11-13T10:00:00Z', '2026-11-16T10:00:00Z', '2026-11-09T23:00:00.000Z', '2026-11-12T23:00:00.000Z'],
  ])('%s', (_name, askedAt, resubmittedAt, reviewDecision, decisionTarget) => {
    const started = expectOk(decide(submitted(), { type: 'startReview' }, reviewer, at('2026-11-02T10:00:00Z'))).claim;
    const asked = expectOk(decide(started, { type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Name the products.' }, reviewer, at(askedAt))).claim;
    // While the partner acts, neither clock runs: reviewers are not reminded and the partner sees their own deadline.
    expect(Object.keys(asked.deadlines)).toEqual(['partnerResponse']);
    expect(asked.reviewQueueDueAt).toBeNull();
    const resubmitted = expectOk(decide(asked, { type: 'resubmit' }, partner, at(resubmittedAt))).claim;
    expect(resubmitted.deadlines).toEqual({ reviewDecision, decisionTarget });
    expect(resubmitted.pausedClocks).toBeUndefined();
  });

  test('a dispute has no decision target: it is answered within its own 5 business days, and queued by that', () => {
    const disputed = expectOk(decide(claimIn('Rejected'), { type: 'dispute', justification: 'Signed.' }, partner, at('2026-11-03T10:00:00Z'))).claim;
    expect(disputed.deadlines.decisionTarget).toBeUndefined();
    expect(disputed.reviewQueueDueAt).toBe(disputed.deadlines.reviewDecision);
  });

  test('reviewers are reminded 2 business days before the target and when it passes, within business hours', () => {
    const claim = submitted();
    const kinds = timersFor(claim, berlin)
      .filter((t) => t.purpose.type === 'reminder')
      .map((t) => [t.purpose.type === 'reminder' && t.purpose.reminder, t.dueAt]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['decisionTarget2bd', '2026-11-10T08:00:00.000Z'],
        ['decisionTargetPassed', '2026-11-13T08:00:00.000Z'],
      ]),
    );
  });
});

describe('withdrawing is final: no dispute window', () => {
  test.each(['Submitted', 'UnderReview', 'PartnerActionRequired', 'Approved', 'Rejected'] as const)('from %s', (status) => {
    const claim = claimIn(status);
    const withdrawn = expectOk(decide(claim, { type: 'withdraw' }, partner, ctxAt(new Date('2026-11-03T10:00:00Z')))).claim;
    expect(withdrawn.status).toBe('RejectedFinal');
    expect(withdrawn.rejection?.reason).toBe('PartnerRequest');
    expect(withdrawn.deadlines).toEqual({});
    expect(timersFor(withdrawn, berlin)).toEqual([]);
    const dispute = decide(withdrawn, { type: 'dispute', justification: 'Changed our mind.' }, partner, ctxAt(new Date('2026-11-03T11:00:00Z')));
    expect(dispute.ok).toBe(false);
  });
});

describe('reminders wait for business hours', () => {
  test.each([
    ['Saturday 10:00', '2026-11-07T09:00:00Z', false],
    ['Friday 07:00 (before opening)', '2026-11-06T06:00:00Z', false],
    ['Friday 17:30 (after closing)', '2026-11-06T16:30:00Z', false],
    ['Friday 09:00', '2026-11-06T08:00:00Z', true],
  ] as const)('the 1-business-day reminder at %s: sent %s', (_name, now, sent) => {
    const asked = claimIn('PartnerActionRequired');
    const decision = decide(asked, { type: 'remind', reminder: 'partnerResponse1bd' satisfies ReminderKind }, system, ctxAt(new Date(now)));
    expect(decision.ok).toBe(sent);
    if (!decision.ok) expect(decision.refusal.code).toBe('notDueYet');
  });
});
