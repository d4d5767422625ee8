import { PartnerNotifier } from '../../bot/reviews/partnerNotifier';
import { ManualClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { outboxEntriesFor } from '../../src/domain/claimNotifications';
import { reminderDueAt } from '../../src/domain/claimTimers';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { testConfig } from '../support/testStorage';
import { AVERY as avery } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';

/**
 * A notice tells the change it announces, as the change left the claim, even when it is delivered after
 * later changes; a reminder sent late says how much time is really left.
 */

const clock = new ManualClock('2026-11-02T09:00:00Z'); // a Monday
let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false', BUSINESS_TIME_ZONE: 'Europe/Berlin' }), { log: silentLogger, clock });
});
afterAll(() => services.close());

const jordan: Actor = { kind: 'reviewer', id: 'c3d4e5f6-0002-4000-8000-000000000002', name: 'Jordan Reviewer' };

async function act(claim: Claim, action: Parameters<AppServices['claimService']['act']>[1], actor: Actor): Promise<Claim> {
  clock.advanceMs(60_000);
  const result = await services.claimService.act(claim.id, action, actor, {}, claim.orgId);
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  return result.claim;
}

async function submitted(n: number): Promise<Claim> {
  const draft = await services.claimService.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: `then-${n}.example`,
    customerTenantId: `13131313-0000-4000-8000-00000000000${n}`,
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: `Told then ${n}`,
    products: ['teams'],
    customerContact: { name: 'D', title: 'T', email: `d@then-${n}.example` },
    partnerContact: { name: 'A', email: 'a@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const poe = poeRecordFor(draft.claim.id, avery, clock.now());
  const withPoe = await act(draft.claim, { type: 'addPoe', files: [poe] }, avery);
  return act(withPoe, { type: 'submit' }, avery);
}

const text = (card: unknown) => JSON.stringify(card);

test('a notice delivered after a later change tells the status and deadline its change left, not the present', async () => {
  const started = await act(await submitted(1), { type: 'startReview' }, jordan);
  const startEvent = started.history.at(-1)!;
  const [entry] = outboxEntriesFor(started, startEvent).filter((e) => e.audience === 'partners');
  expect(entry).toMatchObject({ status: 'UnderReview', next: { name: 'reviewDecision', due: started.deadlines.reviewDecision } });

  // Jordan approves before the start-review notice went out.
  const approved = await act(started, { type: 'approve' }, jordan);
  const notice = text(new PartnerNotifier(services).card(approved, startEvent, 'en-US', entry));
  expect(notice).toContain('is Under review');
  expect(notice).not.toContain('Approved');
  // Without what the entry recorded, the notice would tell the present.
  expect(text(new PartnerNotifier(services).card(approved, startEvent, 'en-US'))).toContain('Approved');
});

test('a request for information delivered after a resubmission still names the response deadline it set', async () => {
  const started = await act(await submitted(2), { type: 'startReview' }, jordan);
  const asked = await act(started, { type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Name the products.' }, jordan);
  const askEvent = asked.history.at(-1)!;
  const [entry] = outboxEntriesFor(asked, askEvent).filter((e) => e.audience === 'partners');
  const resubmitted = await act(asked, { type: 'resubmit' }, avery);
  expect(resubmitted.deadlines.partnerResponse).toBeUndefined();
  const notice = text(new PartnerNotifier(services).card(resubmitted, askEvent, 'en-US', entry));
  expect(notice).toContain('Partner action required');
  expect(entry.next?.name).toBe('partnerResponse');
  expect(notice).toMatch(/respond|resubmit/i);
});

test('a reminder sent late says the days really left', async () => {
  const started = await act(await submitted(3), { type: 'startReview' }, jordan);
  const asked = await act(started, { type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Name the products.' }, jordan);
  const due = asked.deadlines.partnerResponse!;
  const remindEvent = {
    ...asked.history.at(-1)!,
    action: 'remind' as const,
    reminder: 'partnerResponse2bd',
    actor: { kind: 'system' as const, id: 'system', name: 'CPOR bot' },
  };
  // On time (two business days before the deadline): the reminder's own sentence.
  clock.set(reminderDueAt(services.calendar, 'partnerResponse2bd', due));
  expect(text(new PartnerNotifier(services).card(asked, remindEvent, 'en-US'))).toContain('Two business days left');
  // The bot was down; the same reminder goes out on the last business day.
  clock.set(reminderDueAt(services.calendar, 'partnerResponse1bd', due));
  const late = text(new PartnerNotifier(services).card(asked, remindEvent, 'en-US'));
  expect(late).not.toContain('Two business days left');
  expect(late).toContain('1 business day left');
  // Moved to the last day (e.g. an outage into the weekend): it says the deadline is today.
  clock.set(new Date(Date.parse(due) - 3600_000));
  expect(text(new PartnerNotifier(services).card(asked, remindEvent, 'en-US'))).toContain('Today is the last day');
});
