import { startBotApp, type BotApp } from '../../app/botApp';
import { ManualClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { MemoryLogger, silentLogger } from '../../src/logger';
import { NotificationDispatcher, type DispatcherDeps } from '../../src/services/notifications/notificationDispatcher';
import { Sweeper } from '../../src/services/notifications/sweeper';
import { reminderDueAt } from '../../src/domain/claimTimers';
import { userReferenceKey } from '../../src/storage/conversationStore';
import type { TimerDocPurpose } from '../../src/storage/timerStore';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, postActivity, teamsActivity } from '../support/activities';
import { TEST_DELIVERY, testConfig, uniqueName } from '../support/testStorage';
import { StubConnector, type ConnectorCall } from '../support/stubConnector';
import { mentionTag, reviewerMentions } from '../../bot/notifications/reviewerMentions';
import { AVERY as avery, RILEY as reviewer } from '../support/personas';
import { uniqueTenant } from '../support/consentClaims';
import { poeRecordFor } from '../support/claimFixtures';

/**
 * Proactive notifications, timers and the sweep, end to end: the bot on the embedded stack, Teams
 * played by a stub Bot Connector on loopback, time moved by a manual clock.
 */

const connector = new StubConnector();
let app: BotApp;
// Monday 23 November 2026, 09:00 UTC (the test calendar is UTC with no holidays).
const START = '2026-11-23T09:00:00.000Z';
const clock = new ManualClock(START);
const CHANNEL = '19:notify-reviews@thread.tacv2';
const NOOR = 'a1b2c3d4-0002-4000-8000-000000000002';
const dm = (aad: string) => `a:dm-${aad}`;

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, clock, delivery: TEST_DELIVERY });
  await post(from(REVIEWER_AAD, REVIEWER_TENANT, { id: CHANNEL, conversationType: 'channel' }, { type: 'installationUpdate', action: 'add' }));
  await app.services.reviews.setReviewConversation(CHANNEL, 'test');
  for (const aad of [PARTNER_AAD, NOOR]) {
    await post(from(aad, PARTNER_TENANT, { id: dm(aad), conversationType: 'personal' }, { type: 'message', text: 'help', deliveryMode: 'expectReplies' }));
  }
});
afterAll(async () => {
  await app.close();
  await connector.stop();
});
beforeEach(async () => {
  await settle();
  connector.clear();
  // Every test starts on Monday morning, also after one that failed half way with the clock moved.
  clock.set(START);
});

/** A message (or install) from a person, as Teams sends it; the bot keeps where to reach them. */
function from(aad: string, tenantId: string, conversation: { id: string; conversationType: string }, extra: Record<string, unknown>) {
  return teamsActivity({ serviceUrl: connector.url, aadObjectId: aad, tenantId, conversation }, extra);
}

async function post(activity: unknown): Promise<void> {
  await postActivity(app.url, activity);
}

/** Waits for the background work of every change so far (notifications, timers). */
async function settle(): Promise<void> {
  await app.background.drain();
}

async function submittedClaim(fields: Record<string, unknown> = {}): Promise<Claim> {
  const { claimService } = app.services;
  const draft = await claimService.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: 'fourthcoffee.example',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams'],
    customerTenantId: uniqueTenant(),
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@fourthcoffee.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
    claimName: uniqueName('Notify claim '),
    ...fields,
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const file = poeRecordFor(draft.claim.id, avery, clock.now());
  await claimService.act(draft.claim.id, { type: 'addPoe', files: [file] }, avery);
  const submitted = await claimService.act(draft.claim.id, { type: 'submit' }, avery);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.refusal));
  await settle();
  return submitted.claim;
}

async function act(claim: Claim, action: Parameters<BotApp['services']['claimService']['act']>[1], actor: Actor): Promise<Claim> {
  const result = await app.services.claimService.act(claim.id, action, actor, {}, claim.orgId);
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  await settle();
  return result.claim;
}

async function current(claim: Claim): Promise<Claim> {
  return (await app.services.claimService.get(claim.id, claim.orgId))!;
}

/** New messages (not card updates) about one claim in one conversation. */
const newMessages = (conversationId: string, claim: Claim) =>
  connector.to(conversationId).filter((c) => c.method === 'POST' && JSON.stringify(c.activity).includes(claim.id));
const titles = (calls: ConnectorCall[]) =>
  calls.map((c) => String((c.activity.attachments?.[0]?.content?.body as { text?: string }[] | undefined)?.[0]?.text ?? c.activity.text));

async function sweep(sweeper: Sweeper = app.notifications.sweeper) {
  const report = await sweeper.runOnce();
  await settle();
  return report;
}

function newSweeper(owner: string): Sweeper {
  const { services } = app;
  return new Sweeper({
    timers: services.timers,
    claims: services.claimService,
    dispatcher: app.notifications.dispatcher,
    clock,
    calendar: services.calendar,
    log: silentLogger,
    owner,
  });
}

describe('every status change reaches the people concerned, once', () => {
  test('submit, review, request for information, resubmit, approval: partners in their chats, reviewers on the card', async () => {
    const claim = await submittedClaim();
    // The reviewers get the claim's card once; Noor hears that Avery submitted it; Avery is not told of her own action.
    expect(newMessages(CHANNEL, claim)).toHaveLength(1);
    expect(titles(newMessages(dm(NOOR), claim))).toEqual([expect.stringContaining('is Submitted')]);
    expect(newMessages(dm(PARTNER_AAD), claim)).toHaveLength(0);

    let c = await act(claim, { type: 'startReview' }, reviewer);
    c = await act(c, { type: 'requestInfo', reasons: ['MissingOrOldDates'], comment: 'Please add the signature date.' }, reviewer);
    for (const person of [PARTNER_AAD, NOOR]) {
      const got = newMessages(dm(person), claim);
      expect(titles(got).slice(-2)).toEqual([expect.stringContaining('is Under review'), expect.stringContaining('Partner action required')]);
      // The request names what to do and by when (5 business days: Monday 30 November, end of day).
      expect(JSON.stringify(got.at(-1)!.activity)).toContain('Please add the signature date.');
      expect(JSON.stringify(got.at(-1)!.activity)).toMatch(/Nov 30, 2026, 11:59\sPM \(UTC\)/);
    }
    c = await act(c, { type: 'resubmit', comment: 'Dates added.' }, avery);
    c = await act(c, { type: 'approve' }, reviewer);
    expect(titles(newMessages(dm(NOOR), claim))).toEqual(
      ['is Submitted', 'is Under review', 'Partner action required', 'is Under review', 'is Approved'].map((s) => expect.stringContaining(s)),
    );
    expect(titles(newMessages(dm(PARTNER_AAD), claim)).filter((t) => t.includes('is Approved'))).toHaveLength(1);
    // One card for the claim in the reviewers' channel, updated in place after each change.
    expect(newMessages(CHANNEL, claim)).toHaveLength(1);
    const updates = connector.to(CHANNEL).filter((x) => x.method === 'PUT' && JSON.stringify(x.activity).includes(claim.id));
    expect(updates.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(updates.at(-1)!.activity)).toContain('Approved');
    // Everything delivered: nothing left in the outbox, no dispatch work pending.
    expect((await current(c)).outbox ?? []).toEqual([]);
    expect((await app.services.timers.forClaim(claim.id)).map((t) => t.timer.purpose.type)).not.toContain('dispatch');
  });

  test("a reviewers' conversation the bot was never added to is warned about once, not once per claim", async () => {
    const deps = (app.notifications.dispatcher as unknown as { deps: DispatcherDeps }).deps;
    const log = new MemoryLogger();
    const misconfigured = new NotificationDispatcher({ ...deps, log, owner: 'misconfigured', reviewConversationId: '19:bot-never-added@thread.tacv2' });
    const claims = [await submittedClaim(), await submittedClaim(), await submittedClaim()];
    for (const c of claims) await misconfigured.dispatch(c);
    expect(log.lines.filter((line) => line.startsWith('WARN'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `Claim ${claims[0].id}: the reviewers' conversation 19:bot-never-added@thread.tacv2 is not known to the bot yet: add the bot to it\\. \\(said again every 10 minutes while it lasts\\)`,
        ),
      ),
    ]);
  });

  test('after a change its notifications are cleared from the claim written with it, without reading the claim again', async () => {
    const claim = await submittedClaim();
    // The submission's review card went out with the PoE checklist still being read and is drawn again once
    // it is known, which reads the claim: background work of the submission, not of the change below.
    await app.services.precheck.drain();
    const reads = jest.spyOn(app.services.claims, 'get');
    try {
      const c = await act(claim, { type: 'startReview' }, reviewer);
      expect(titles(newMessages(dm(NOOR), claim)).at(-1)).toContain('is Under review');
      expect((await current(c)).outbox ?? []).toEqual([]);
      // Two reads: the change's own (the service decides on a fresh copy) and current() above. Clearing
      // the outbox wrote with the change's ETag and read nothing.
      expect(reads.mock.calls.filter(([, id]) => id === claim.id)).toHaveLength(2);
    } finally {
      reads.mockRestore();
    }
  });
});

describe('deadlines the bot applies itself', () => {
  test('Partner action required left 5 business days: reminders at 2 and 1 business days, then rejected once and the partner told once', async () => {
    const claim = await submittedClaim();
    let c = await act(claim, { type: 'startReview' }, reviewer);
    c = await act(c, { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: 'No PoE.' }, reviewer);
    const due = Date.parse(c.deadlines.partnerResponse!);
    expect(new Date(due).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    connector.clear();

    // Thursday 26 November: two business days left (Friday and Monday), said when business hours open.
    clock.set('2026-11-26T00:00:00.000Z');
    await sweep();
    clock.set('2026-11-26T08:59:00.000Z');
    await sweep();
    expect(titles(newMessages(dm(NOOR), claim))).toEqual([]);
    clock.set('2026-11-26T09:00:00.000Z');
    await sweep();
    await sweep();
    expect(titles(newMessages(dm(NOOR), claim))).toEqual([expect.stringContaining('Reminder')]);
    expect(JSON.stringify(newMessages(dm(NOOR), claim)[0].activity)).toContain('Two business days left');
    clock.set('2026-11-27T09:00:00.000Z');
    await sweep();
    expect(JSON.stringify(newMessages(dm(NOOR), claim).at(-1)!.activity)).toContain('One business day left');

    clock.set(new Date(due + 1000));
    // Two instances sweep at the same moment, then one again: the deadline is applied once.
    await Promise.all([sweep(), sweep(newSweeper('other-instance'))]);
    await sweep();
    const after = await current(c);
    expect(after.status).toBe('Rejected');
    expect(after.rejection?.reason).toBe('NoPartnerResponse');
    expect(after.history.filter((e) => e.action === 'noPartnerResponse')).toHaveLength(1);
    for (const person of [PARTNER_AAD, NOOR]) {
      const rejected = titles(newMessages(dm(person), claim)).filter((t) => t.includes('is Rejected'));
      expect(rejected).toHaveLength(1);
    }
    // The reminders are in the claim's history, once each.
    expect(after.history.filter((e) => e.action === 'remind').map((e) => e.reminder)).toEqual(['partnerResponse2bd', 'partnerResponse1bd']);
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('a sweep outage into the weekend: nothing is sent on Saturday, the timer waits for Monday 09:00, and one reminder then says the deadline is today', async () => {
    const claim = await submittedClaim();
    let c = await act(claim, { type: 'startReview' }, reviewer);
    c = await act(c, { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: 'No PoE.' }, reviewer);
    expect(c.deadlines.partnerResponse).toBe('2026-12-01T00:00:00.000Z'); // last day Monday 30 November
    connector.clear();
    // The sweep was down from Wednesday; it comes back on Saturday 28 November, 10:00.
    clock.set('2026-11-28T10:00:00.000Z');
    await sweep();
    expect(newMessages(dm(NOOR), claim)).toEqual([]);
    const waiting = (await app.services.timers.forClaim(claim.id)).find((t) => t.timer.id.endsWith('|partnerResponse1bd'));
    expect(waiting?.timer.dueAt).toBe('2026-11-30T09:00:00.000Z');
    clock.set('2026-11-30T09:00:00.000Z');
    await sweep();
    await sweep();
    const sent = newMessages(dm(NOOR), claim).map((m) => JSON.stringify(m.activity));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('Today is the last day');
    expect((await current(c)).history.filter((e) => e.action === 'remind').map((e) => e.reminder)).toEqual(['partnerResponse1bd']);
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('a resubmitted claim is not rejected when its old deadline passes, and its timers go', async () => {
    const claim = await submittedClaim();
    let c = await act(claim, { type: 'startReview' }, reviewer);
    c = await act(c, { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: 'No PoE.' }, reviewer);
    c = await act(c, { type: 'resubmit', comment: 'Added.' }, avery);
    const timers = (await app.services.timers.forClaim(claim.id)).map((t) => t.timer.id);
    expect(timers.filter((id) => id.includes('noPartnerResponse') || id.includes('partnerResponse'))).toEqual([]);
    clock.set('2026-12-02T00:00:00.000Z');
    await sweep();
    expect((await current(c)).status).toBe('UnderReview');
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('reviewers are reminded in their channel when a claim passes its start-review target, once, within business hours', async () => {
    const claim = await submittedClaim();
    connector.clear();
    // Passed at midnight: the nudge waits for the business day's opening.
    clock.set(new Date(Date.parse(claim.deadlines.reviewStart!) + 1000));
    await sweep();
    expect(connector.to(CHANNEL).filter((x) => x.method === 'POST' && String(x.activity.text ?? '').includes(claim.id))).toEqual([]);
    clock.set(reminderDueAt(app.services.calendar, 'reviewStartPassed', claim.deadlines.reviewStart!));
    await sweep();
    await sweep();
    const reminders = connector.to(CHANNEL).filter((x) => x.method === 'POST' && String(x.activity.text ?? '').includes(claim.id));
    // The same opening is two business days before the 10-day decision target (end of Thu 3 Dec): that nudge goes too.
    expect(reminders).toHaveLength(2);
    expect(reminders.map((r) => r.activity.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('passed its start-review target'),
        expect.stringContaining('two business days from its decision target'),
      ]),
    );
    // Nobody has taken the claim on: every reviewer the bot can reach is @mentioned (Jordan has never used the bot: not mentionable).
    for (const reminder of reminders) {
      expect(reminder.activity.text).toMatch(/^<at>Riley Reviewer<\/at>: Claim CL-/);
      expect(reminder.activity.entities).toEqual([
        { type: 'mention', text: '<at>Riley Reviewer</at>', mentioned: { id: `29:${REVIEWER_AAD}`, name: 'Riley Reviewer' } },
      ]);
    }
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('reminders @mention the reviewers concerned: every reviewer the bot can reach before review starts, then the reviewer who took the claim on; names are shown, never read as markup', async () => {
    const riley = { type: 'mention', text: '<at>Riley Reviewer</at>', mentioned: { id: `29:${REVIEWER_AAD}`, name: 'Riley Reviewer' } };
    // Jordan, on the roster, has never written to the bot: no Teams id, so not mentionable (the channel still sees the message).
    expect(await reviewerMentions(app.services, {})).toEqual({ text: '<at>Riley Reviewer</at>', entities: [riley] });
    expect(await reviewerMentions(app.services, { reviewer: { kind: 'reviewer', id: REVIEWER_AAD, name: 'Riley Reviewer' } })).toEqual({
      text: '<at>Riley Reviewer</at>',
      entities: [riley],
    });
    // Taken on by Jordan: the reminder is for Jordan alone, and Jordan cannot be reached yet, so nobody is mentioned.
    expect(
      await reviewerMentions(app.services, { reviewer: { kind: 'reviewer', id: 'c3d4e5f6-0002-4000-8000-000000000002', name: 'Jordan Reviewer' } }),
    ).toEqual({ text: '', entities: [] });
    expect(mentionTag('<b>Eve</b> & co')).toBe('<at>&lt;b&gt;Eve&lt;/b&gt; &amp; co</at>');
  });

  test('dispute window: reminders 7 days and 1 day before it closes, then closed once; consent period over: sent for eligibility, partner told', async () => {
    const rejectedClaim = await act(
      await act(await submittedClaim(), { type: 'startReview' }, reviewer),
      { type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'Unsigned.' },
      reviewer,
    );
    const approvedClaim = await act(await act(await submittedClaim(), { type: 'startReview' }, reviewer), { type: 'approve' }, reviewer);
    const windowEnds = Date.parse(rejectedClaim.deadlines.disputeWindowEnds!);
    connector.clear();
    clock.set(reminderDueAt(app.services.calendar, 'disputeWindow7d', rejectedClaim.deadlines.disputeWindowEnds!));
    await sweep();
    clock.set(reminderDueAt(app.services.calendar, 'disputeWindow1d', rejectedClaim.deadlines.disputeWindowEnds!));
    await sweep();
    clock.set(new Date(windowEnds + 1000));
    await sweep();
    await sweep();
    const rejected = await current(rejectedClaim);
    expect(rejected.history.filter((e) => e.action === 'remind').map((e) => e.reminder)).toEqual(['disputeWindow7d', 'disputeWindow1d']);
    expect(rejected.history.filter((e) => e.action === 'disputeWindowClosed')).toHaveLength(1);
    // Closed when the window ended, not when the sweep came by.
    expect(rejected.disputeWindowClosedAt).toBe(new Date(windowEnds).toISOString());
    const notices = newMessages(dm(NOOR), rejectedClaim).map((c) => JSON.stringify(c.activity));
    expect(notices.filter((n) => n.includes('Seven days left to dispute'))).toHaveLength(1);
    expect(notices.filter((n) => n.includes('One day left to dispute'))).toHaveLength(1);
    // The consent period (7 days) ended long before: the approved claim went to eligibility assessment once.
    const approved = await current(approvedClaim);
    expect(approved.status).toBe('Approved');
    expect(approved.approval?.sentForEligibilityAt).toBeDefined();
    expect(approved.history.filter((e) => e.action === 'consentPeriodOver')).toHaveLength(1);
    expect(newMessages(dm(NOOR), approvedClaim).filter((c) => JSON.stringify(c.activity).includes('sent for incentive eligibility assessment'))).toHaveLength(
      1,
    );
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('reviewers are reminded when a claim comes within 1 business day of its review SLA', async () => {
    const reviewing = await act(await submittedClaim(), { type: 'startReview' }, reviewer);
    connector.clear();
    // Review started Monday 23 November: decision due by the end of Monday 30 November; reminded Friday 27th at 09:00.
    expect(reviewing.deadlines.reviewDecision).toBe('2026-12-01T00:00:00.000Z');
    clock.set('2026-11-27T09:00:00.000Z');
    const reads = jest.spyOn(app.services.claims, 'get');
    try {
      await sweep();
      // The reminder read the claim once (the action decides on its own fresh copy) and sent its notice
      // without reading it again.
      expect(reads.mock.calls.filter(([, id]) => id === reviewing.id)).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
    const reminders = connector.to(CHANNEL).filter((x) => x.method === 'POST' && String(x.activity.text ?? '').includes(reviewing.id));
    expect(reminders.map((r) => r.activity.text)).toEqual([expect.stringContaining('within one business day of its review SLA')]);
    // Riley started the review: the reminder is for Riley.
    expect(reminders[0].activity.entities).toEqual([
      expect.objectContaining({ type: 'mention', mentioned: { id: `29:${REVIEWER_AAD}`, name: 'Riley Reviewer' } }),
    ]);
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('a due timer whose claim is gone (a discarded draft) is dropped, not retried', async () => {
    const claimId = 'CL-GONE0001';
    const purposes: TimerDocPurpose[] = [{ type: 'transition', action: 'noPartnerResponse' }, { type: 'dispatch' }];
    for (const purpose of purposes) {
      const at = '2026-11-23T08:00:00.000Z';
      await app.services.timers.put({ id: `${claimId}|${purpose.type}`, claimId, orgId: 'fabrikam-consulting', firesAt: at, dueAt: at, purpose });
      const report = await sweep();
      expect(report).toMatchObject({ fired: 0, dropped: 1, failed: 0 });
      expect(await app.services.timers.forClaim(claimId)).toEqual([]);
    }
  });

  test('a sweep reads only due timers: with nothing due it costs one query', async () => {
    await submittedClaim();
    const before = app.services.timers.requests.count;
    const report = await app.notifications.sweeper.runOnce();
    expect(report).toMatchObject({ due: 0, fired: 0 });
    expect(app.services.timers.requests.count - before).toBe(1);
  });
});

describe('the end of an associated subscription', () => {
  test('30 days before a held subscription ends the partners are reminded once, with "Claim the renewed subscription"', async () => {
    // Northwind's Teams subscription ...001 ends on 30 June 2027 (data/customer-directory.json); ...002 on 31 December 2027.
    const claim = await submittedClaim({
      customerDomain: 'northwind.example',
      customerTenantId: '11111111-2222-4333-8444-555555555555',
      activity: 'PreSales',
      subscriptions: [{ productId: 'teams', subscriptionId: 'd4000000-0000-4000-8000-000000000001' }],
    });
    const approved = await act(await act(claim, { type: 'startReview' }, reviewer), { type: 'approve' }, reviewer);
    expect(approved.subscriptionEnds?.map((s) => s.endsOn)).toEqual(['2027-06-30']);
    connector.clear();
    // Wednesday 30 June 2027 is the last day: reminded at the opening of Monday 31 May (30 days left).
    const due = reminderDueAt(app.services.calendar, 'subscriptionEnds30d', approved.subscriptionEnds![0].endsAt);
    expect(due).toBe('2027-05-31T09:00:00.000Z');
    clock.set(new Date(Date.parse(due) - 60_000));
    await sweep();
    expect(newMessages(dm(NOOR), claim).filter((c) => JSON.stringify(c.activity).includes('ends soon'))).toHaveLength(0);
    clock.set(due);
    await sweep();
    await sweep();
    const reminders = newMessages(dm(NOOR), claim)
      .map((c) => JSON.stringify(c.activity))
      .filter((n) => n.includes('ends soon'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toContain('d4000000-0000-4000-8000-000000000001 ends on Jun 30, 2027');
    expect(reminders[0]).toContain('Claim the renewed subscription');
    expect(reminders[0]).toContain(`"action":"claim.newFrom","claimId":"${claim.id}"`);
    expect((await current(claim)).history.filter((e) => e.action === 'remind').map((e) => e.reminder)).toEqual(['subscriptionEnds30d']);

    // Noor presses "Claim the renewed subscription": a draft with the claim's details without the ending subscription's ID.
    const press = (claimId: string) =>
      postActivity(
        app.url,
        from(
          NOOR,
          PARTNER_TENANT,
          { id: dm(NOOR), conversationType: 'personal' },
          { type: 'message', deliveryMode: 'expectReplies', value: { action: 'claim.newFrom', claimId } },
        ),
      );
    const replies = JSON.stringify((await press(claim.id)).body?.activities ?? []);
    const draftId = /I started draft (CL-[0-9A-Z]{8}) with the details of claim/.exec(replies)?.[1];
    expect(replies).toContain('without the subscription IDs that end (d4000000-0000-4000-8000-000000000001)');
    const draft = (await app.services.claimService.get(draftId!))!;
    expect(draft).toMatchObject({
      status: 'Editing',
      poe: [],
      fields: { customerDomain: 'northwind.example', customerTenantId: '11111111-2222-4333-8444-555555555555', activity: 'PreSales', products: ['teams'] },
    });
    expect(draft.fields.subscriptions).toBeUndefined();
    // Once the subscription has ended there is nothing to renew: the old button says so.
    clock.set('2027-07-01T09:00:00.000Z');
    expect(JSON.stringify((await press(claim.id)).body?.activities ?? [])).toContain('holds no subscription that ends within the next 30 days');
  });
});

describe('many instances, crashes and restarts', () => {
  /** Claims in Partner action required whose 5 business days are over (the clock is moved past them). */
  async function claimsPastTheirResponseDeadline(count: number): Promise<Claim[]> {
    // Side by side: each claim's steps in order, the claims at once (as partners and reviewers work).
    const claims = await Promise.all(
      Array.from({ length: count }, async () => {
        const s = await submittedClaim();
        const r = await act(s, { type: 'startReview' }, reviewer);
        return act(r, { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: 'No PoE.' }, reviewer);
      }),
    );
    await settle();
    connector.clear();
    clock.set('2026-12-01T00:00:01.000Z');
    return claims;
  }

  test('two sweepers racing over many due timers fire each once; every partner is told once per claim', async () => {
    const claims = await claimsPastTheirResponseDeadline(6);
    const reports = await Promise.all([sweep(newSweeper('a')), sweep(newSweeper('b'))]);
    await sweep();
    const rejections = reports.reduce((n, r) => n + r.fired, 0);
    expect(rejections).toBeGreaterThanOrEqual(6);
    // Each due timer was handled by exactly one of the two; the other found it taken.
    const handled = reports.reduce((n, r) => n + r.fired + r.dropped + r.failed, 0);
    expect(handled).toBe(Math.max(reports[0].due, reports[1].due));
    for (const c of claims) {
      const after = await current(c);
      expect(after.status).toBe('Rejected');
      expect(after.history.filter((e) => e.action === 'noPartnerResponse')).toHaveLength(1);
      expect(titles(newMessages(dm(NOOR), c)).filter((t) => t.includes('is Rejected'))).toHaveLength(1);
    }
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('a sweeper stopped half way and restarted loses nothing and repeats nothing', async () => {
    const claims = await claimsPastTheirResponseDeadline(4);
    // The first instance stops after its first timer.
    const stop = new AbortController();
    const first = newSweeper('stopping');
    const original = app.services.claimService.act.bind(app.services.claimService);
    const spy = jest.spyOn(app.services.claimService, 'act').mockImplementation(async (...args) => {
      const result = await original(...args);
      stop.abort();
      return result;
    });
    const partial = await first.runOnce(stop.signal);
    spy.mockRestore();
    await settle();
    expect(partial.fired).toBeLessThan(4);
    await sweep(newSweeper('restarted'));
    await sweep();
    for (const c of claims) {
      expect((await current(c)).status).toBe('Rejected');
      expect(titles(newMessages(dm(NOOR), c)).filter((t) => t.includes('is Rejected'))).toHaveLength(1);
    }
    clock.set('2026-11-23T09:00:00.000Z');
  });

  test('an instance that stops after sending but before clearing the outbox: the next sweep finishes, nobody sees a message twice', async () => {
    const claim = await submittedClaim();
    const reviewing = await act(claim, { type: 'startReview' }, reviewer);
    connector.clear();
    // The instance "crashes" while clearing the outbox of the next change, after its messages went out.
    const spy = jest.spyOn(app.services.claims, 'removeFromOutbox').mockRejectedValueOnce(new Error('instance stopped'));
    const result = await app.services.claimService.act(
      claim.id,
      { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: 'No PoE.' },
      reviewer,
      {},
      claim.orgId,
    );
    expect(result.ok).toBe(true);
    await settle();
    spy.mockRestore();
    expect((await current(reviewing)).outbox?.length).toBeGreaterThan(0);
    expect((await app.services.timers.forClaim(claim.id)).some((t) => t.timer.purpose.type === 'dispatch')).toBe(true);
    // Another instance's sweep, after the first instance's grace period.
    clock.advanceMs(2 * 60_000);
    await sweep(newSweeper('other'));
    expect((await current(reviewing)).outbox ?? []).toEqual([]);
    expect((await app.services.timers.forClaim(claim.id)).some((t) => t.timer.purpose.type === 'dispatch')).toBe(false);
    for (const person of [PARTNER_AAD, NOOR])
      expect(titles(newMessages(dm(person), claim)).filter((t) => t.includes('Partner action required'))).toHaveLength(1);
    clock.set('2026-11-23T09:00:00.000Z');
  });
});

describe('within Teams limits', () => {
  test('a 429 storm is honoured: every retry waits for Retry-After, and the message arrives once', async () => {
    const claim = await submittedClaim();
    connector.clear();
    connector.script(dm(NOOR), ...Array.from({ length: 5 }, () => ({ status: 429, retryAfterSeconds: 1 })));
    const started = performance.now();
    await act(claim, { type: 'startReview' }, reviewer);
    const attempts = connector.refused.filter((r) => r.conversationId === dm(NOOR));
    expect(attempts).toHaveLength(5);
    for (let i = 1; i < attempts.length; i++) expect(attempts[i].at - attempts[i - 1].at).toBeGreaterThanOrEqual(950);
    expect(titles(newMessages(dm(NOOR), claim))).toEqual([expect.stringContaining('is Under review')]);
    expect(newMessages(dm(NOOR), claim)[0].at - started).toBeGreaterThanOrEqual(5 * 950);
    // Avery's chat was not held up by Noor's throttling: her notice came before Noor's second try
    // (an order, not a time: the machine may be slow).
    expect(newMessages(dm(PARTNER_AAD), claim)[0].at).toBeLessThan(attempts[1].at);
  }, 30_000);

  test('403 marks the conversation unreachable, is recorded in the history, and is not retried', async () => {
    const claim = await submittedClaim();
    connector.clear();
    connector.script(dm(NOOR), { status: 403 });
    const reviewing = await act(claim, { type: 'startReview' }, reviewer);
    await settle();
    expect(connector.refused.filter((r) => r.conversationId === dm(NOOR))).toHaveLength(1);
    const stored = await app.services.conversations.get(userReferenceKey(PARTNER_TENANT, NOOR));
    expect(stored?.unreachable).toMatchObject({ status: 403 });
    const after = await current(reviewing);
    expect(after.history.at(-1)).toMatchObject({ action: 'deliveryFailed', actor: { kind: 'system' }, delivery: { status: 403 } });
    // The next change is not sent there; Avery still gets it.
    await act(after, { type: 'comment', text: 'We are looking at it.' }, reviewer);
    expect(connector.to(dm(NOOR))).toHaveLength(0);
    expect(titles(newMessages(dm(PARTNER_AAD), claim)).some((t) => t.includes('New comment'))).toBe(true);
    // Noor writes to the bot again: reachable again.
    await post(
      from(
        NOOR,
        PARTNER_TENANT,
        { id: dm(NOOR), conversationType: 'personal' },
        { type: 'message', text: 'help', locale: 'en-GB', deliveryMode: 'expectReplies' },
      ),
    );
    expect((await app.services.conversations.get(userReferenceKey(PARTNER_TENANT, NOOR)))?.unreachable).toBeUndefined();
  });

  test('500 backs off and is tried again; after the tries are used up the claim keeps the notice for a later sweep', async () => {
    const claim = await submittedClaim();
    connector.clear();
    connector.script(dm(NOOR), ...Array.from({ length: 30 }, () => ({ status: 500 })));
    await act(claim, { type: 'startReview' }, reviewer);
    expect(newMessages(dm(NOOR), claim)).toHaveLength(0);
    expect((await current(claim)).outbox?.length).toBeGreaterThan(0);
    connector.clear();
    clock.advanceMs(61_000); // the retry a minute later, within the failed send's 2-minute lease: given back, not waited out
    await sweep();
    expect(titles(newMessages(dm(NOOR), claim))).toEqual([expect.stringContaining('is Under review')]);
    expect(newMessages(dm(PARTNER_AAD), claim)).toHaveLength(0); // Avery had hers already
    expect((await current(claim)).outbox ?? []).toEqual([]);
    clock.set('2026-11-23T09:00:00.000Z');
  }, 60_000);
});
