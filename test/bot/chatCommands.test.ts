import { startBotApp, type BotApp } from '../../app/botApp';
import {
  BOT_COMMANDS,
  botCommands,
  COMMAND_WORDS,
  CHINESE_COMMAND_WORDS,
  COMMANDS_BY_SCOPE,
  parseCommand,
  type CommandId,
} from '../../bot/commands/chatCommands';
import { ManualClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { LOCALES } from '../../src/i18n/locales';
import { silentLogger } from '../../src/logger';
import { PARTNER_AAD, PARTNER_TENANT, postActivity, REVIEWER_AAD, REVIEWER_TENANT, TAILSPIN_TENANT, teamsActivity } from '../support/activities';
import { cardProblems } from '../support/cardValidation';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';
import { AVERY as avery, ROBIN as robin, RILEY as riley, ROBIN_AAD } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';

/** "1 business day left", "3 days left": what a card says of a count of days. */
const left = (n: number, unit: 'days' | 'businessDays') => `${n} ${unit === 'businessDays' ? 'business ' : ''}${n === 1 ? 'day' : 'days'} left`;

/**
 * Chat commands through the real adapter and HTTP server (expectReplies): my claims with filters and
 * paging, a claim's status card, its history in pages, what needs my action for partners and
 * reviewers, free text, welcome cards; in en-US and zh-CN. A partner never sees another
 * organisation's claim, in any command. Every card sent is checked as Teams would render it.
 */

const connector = new StubConnector();
const T0 = '2026-11-02T09:00:00Z'; // a Monday
const clock = new ManualClock(T0);
let app: BotApp;

const SAM_AAD = 'a1b2c3d4-0003-4000-8000-000000000003'; // Fabrikam, Referrals admin: may look, may not claim
const STRANGER_AAD = 'ffffffff-0001-4000-8000-00000000dead';

interface Person {
  aad: string;
  tenant: string;
  name: string;
}
const AVERY: Person = { aad: PARTNER_AAD, tenant: PARTNER_TENANT, name: 'Avery Fabrikam' };
const ROBIN: Person = { aad: ROBIN_AAD, tenant: TAILSPIN_TENANT, name: 'Robin Tailspin' };
const RILEY: Person = { aad: REVIEWER_AAD, tenant: REVIEWER_TENANT, name: 'Riley Reviewer' };
const SAM: Person = { aad: SAM_AAD, tenant: PARTNER_TENANT, name: 'Sam Referrals' };
const STRANGER: Person = { aad: STRANGER_AAD, tenant: PARTNER_TENANT, name: 'Stranger' };

type Card = Record<string, unknown> & { body?: unknown[]; actions?: { title: string; data?: Record<string, unknown> }[] };
type Reply = { type?: string; text?: string; attachments?: { content: Card }[] };

/** Sends a message (text or a card button's data) and returns the bot's replies, every card validated. */
async function say(
  who: Person,
  input: string | Record<string, unknown>,
  options: { locale?: string; conversation?: { id: string; conversationType: string }; extra?: Record<string, unknown> } = {},
): Promise<Reply[]> {
  const conversation = options.conversation ?? { id: `a:dm-${who.aad}`, conversationType: 'personal' };
  const message = typeof input === 'string' ? { text: input } : { value: input, replyToId: 'card-1' };
  return post(
    teamsActivity(
      { serviceUrl: connector.url, aadObjectId: who.aad, tenantId: who.tenant, name: who.name, conversation },
      { type: 'message', locale: options.locale ?? 'en-US', deliveryMode: 'expectReplies', ...message, ...options.extra },
    ),
  );
}

async function post(activity: Record<string, unknown>): Promise<Reply[]> {
  const { status, body } = await postActivity(app.url, activity);
  expect(status).toBe(200);
  const replies = (body?.activities ?? []) as Reply[];
  for (const reply of replies) for (const a of reply.attachments ?? []) expect(cardProblems(a.content)).toEqual([]);
  return replies;
}

const json = (replies: unknown) => JSON.stringify(replies);
const cards = (replies: Reply[]) => replies.flatMap((r) => (r.attachments ?? []).map((a) => a.content));
const onlyCard = (replies: Reply[]) => {
  const all = cards(replies);
  expect(all).toHaveLength(1);
  return all[0];
};
const texts = (replies: Reply[]) => replies.map((r) => r.text ?? '').join('\n');
/** The claims a list card shows, in order (from each row's Open button). */
const rowIds = (card: Card) => [...json(card).matchAll(/"command":"claim (CL-[0-9A-Z]{8})"/g)].map((m) => m[1]);
const claimIdsIn = (replies: unknown) => new Set([...json(replies).matchAll(/CL-[0-9A-Z]{8}/g)].map((m) => m[0]));
const button = (card: Card, title: string) => card.actions?.find((a) => a.title === title)?.data;
/** The actions a card's buttons carry, without the buttons that stand for typed commands. */
const verbs = (card: Card) => [...json(card.actions).matchAll(/"(?:verb|action)":"([\w.]+)"/g)].map((m) => m[1]).filter((a) => a !== 'command');

// ---------------------------------------------------------------------------------------------------
// Seeding: claims of two organisations through the claim service, in every status the commands show.

let tenantCounter = 0;
type Target = 'Editing' | 'Submitted' | 'UnderReview' | 'PartnerActionRequired' | 'Approved' | 'Rejected' | 'RejectedFinal' | 'Disputed';

async function seed(owner: typeof avery, claimName: string, customerDomain: string, target: Target): Promise<Claim> {
  const svc = app.services.claimService;
  const tenant = `00000000-0000-4000-8000-${String(++tenantCounter).padStart(12, '0')}`;
  const draft = await svc.createDraft(owner, {
    mpnId: owner === avery ? '4412345' : '5523456',
    customerDomain,
    customerTenantId: tenant,
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName,
    products: ['teams'],
    customerContact: { name: 'Dana', title: 'CIO', email: `dana@${customerDomain}` },
    partnerContact: { name: owner.name, email: 'p@partner.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const step = async (action: Parameters<typeof svc.act>[1], actor: Actor) => {
    clock.advanceMs(60_000);
    const result = await svc.act(id, action, actor, {}, owner.orgId);
    if (!result.ok) throw new Error(`${claimName}: ${JSON.stringify(result.refusal)}`);
    return result.claim;
  };
  let claim = draft.claim;
  if (target !== 'Editing') {
    const poe = poeRecordFor(id, owner, clock.now());
    await step({ type: 'addPoe', files: [poe] }, owner);
    claim = await step({ type: 'submit' }, owner);
  }
  if (!['Editing', 'Submitted'].includes(target)) claim = await step({ type: 'startReview' }, riley);
  if (target === 'PartnerActionRequired')
    claim = await step({ type: 'requestInfo', reasons: ['MissingCustomerAcknowledgment'], comment: 'Please add the customer signature.' }, riley);
  if (target === 'Approved') claim = await step({ type: 'approve' }, riley);
  if (['Rejected', 'RejectedFinal', 'Disputed'].includes(target))
    claim = await step({ type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'The SOW is not signed.' }, riley);
  if (target === 'RejectedFinal') claim = await step({ type: 'withdraw' }, owner);
  if (target === 'Disputed') claim = await step({ type: 'dispute', justification: 'The signed SOW is attached now.' }, owner);
  clock.advanceMs(60_000);
  return claim;
}

const fabrikam: Claim[] = [];
const tailspin: Claim[] = [];
const named: Record<string, Claim> = {};

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0', BUSINESS_TIME_ZONE: 'Europe/Berlin' }), {
    log: silentLogger,
    clock,
    delivery: TEST_DELIVERY,
  });
  // A rejection from September: its 30-day dispute window has passed (the sweep has not closed it yet).
  clock.set('2026-09-21T09:00:00Z');
  named.oldRejection = await seed(avery, 'Old rejection', 'old-rejection.example', 'Rejected');
  clock.set(T0);
  // Twenty submitted claims, three hours apart: pages of claims, and review-start targets on different days.
  for (let i = 1; i <= 20; i++) {
    fabrikam.push(await seed(avery, `Batch claim ${String(i).padStart(2, '0')}`, `batch-${i}.example`, 'Submitted'));
    clock.advanceMs(3 * 3_600_000);
  }
  named.contosoTeams = await seed(avery, 'Contoso Teams adoption', 'contoso-teams.example', 'PartnerActionRequired');
  named.contosoDynamics = await seed(avery, 'Contoso Dynamics 365', 'contoso-dynamics.example', 'Rejected');
  named.northwind = await seed(avery, 'Northwind Intune', 'northwind-intune.example', 'Approved');
  named.litware = await seed(avery, 'Litware usage', 'litware-usage.example', 'UnderReview');
  named.draft = await seed(avery, 'Fourth Coffee draft', 'fourthcoffee.example', 'Editing');
  named.disputed = await seed(avery, 'Wide World dispute', 'wideworld.example', 'Disputed');
  named.withdrawn = await seed(avery, 'Wingtip withdrawn', 'wingtip.example', 'RejectedFinal');
  fabrikam.push(named.oldRejection, named.contosoTeams, named.contosoDynamics, named.northwind, named.litware, named.draft, named.disputed, named.withdrawn);
  named.tailspinContoso = await seed(robin, 'Tailspin Contoso rollout', 'contoso-tailspin.example', 'Submitted');
  named.tailspinSecret = await seed(robin, 'Tailspin secret', 'tailspin-secret.example', 'PartnerActionRequired');
  tailspin.push(named.tailspinContoso, named.tailspinSecret);
  // A long history: 40 comments on one claim (44 events in all).
  for (let i = 1; i <= 40; i++) {
    clock.advanceMs(60_000);
    const result = await app.services.claimService.act(
      named.litware.id,
      { type: 'comment', text: `Note ${String(i).padStart(2, '0')}` },
      i % 2 ? riley : avery,
      {},
      avery.orgId,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  }
  await app.background.drain();
}, 120_000);

afterAll(async () => {
  await app.close();
  await connector.stop();
});

/** Presses Next until the last page, then Previous back to the first: every page's claim ids. */
async function walk(who: Person, first: Reply[], options: { locale?: string } = {}): Promise<{ forward: string[][]; backward: string[][]; cards: Card[] }> {
  const seen: Card[] = [];
  let card = cards(first).at(-1)!;
  const forward: string[][] = [rowIds(card)];
  seen.push(card);
  for (let next = button(card, 'Next'); next; next = button(card, 'Next')) {
    card = cards(await say(who, next, options)).at(-1)!;
    seen.push(card);
    forward.push(rowIds(card));
    expect(forward.length).toBeLessThan(20);
  }
  const backward: string[][] = [rowIds(card)];
  for (let previous = button(card, 'Previous'); previous; previous = button(card, 'Previous')) {
    card = cards(await say(who, previous, options)).at(-1)!;
    seen.push(card);
    backward.unshift(rowIds(card));
  }
  return { forward, backward, cards: seen };
}

describe('my claims', () => {
  test("a partner sees their organisation's claims, newest first, in pages of 10 with no duplicates and no gaps, forwards and back", async () => {
    const first = await say(AVERY, 'my claims');
    const card = onlyCard(first);
    expect(json(card)).toContain('Claims of Fabrikam Consulting Ltd');
    expect(json(card)).toContain('Page 1 · newest first');
    const { forward, backward, cards: seen } = await walk(AVERY, first);
    expect(forward.map((p) => p.length)).toEqual([10, 10, 8]);
    const all = forward.flat();
    expect(new Set(all).size).toBe(all.length);
    const expected = [...fabrikam].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((c) => c.id);
    expect(all).toEqual(expected);
    expect(backward).toEqual(forward);
    expect(json(seen)).toContain('Page 3 · newest first');
    for (const c of tailspin) expect(json(seen)).not.toContain(c.id);
  });

  test('each row shows the claim id, name, customer domain, status and next deadline with days left, and an Open button', async () => {
    const card = onlyCard(await say(AVERY, 'my claims partner action required'));
    expect(rowIds(card)).toEqual([named.contosoTeams.id]);
    const due = named.contosoTeams.deadlines.partnerResponse!;
    const businessDays = app.services.calendar.daysLeft(clock.now(), new Date(due), 'businessDays');
    expect(json(card)).toContain('Contoso Teams adoption');
    expect(json(card)).toContain(`${named.contosoTeams.id} · contoso-teams.example`);
    expect(json(card)).toContain('Partner action required');
    expect(json(card)).toContain(`Partner response due: ${formatDeadline(app.services, due, 'en-US')} · ${left(businessDays, 'businessDays')}`);
    expect(formatDeadline(app.services, due, 'en-US')).toMatch(/^[A-Z][a-z]{2} \d{1,2}, 2026, 11:59\sPM \(Europe\/Berlin\)$/);
    expect(json(card)).toContain('Status: Partner action required');
    expect(button(card, 'Next')).toBeUndefined();
  });

  test("filters by status and by customer domain or claim name (any case), typed or from the card's form", async () => {
    expect(rowIds(onlyCard(await say(AVERY, 'my claims CONTOSO'))).sort()).toEqual([named.contosoTeams.id, named.contosoDynamics.id].sort());
    expect(rowIds(onlyCard(await say(AVERY, 'my claims rejected contoso')))).toEqual([named.contosoDynamics.id]);
    expect(rowIds(onlyCard(await say(AVERY, 'my claims status:approved')))).toEqual([named.northwind.id]);
    expect(rowIds(onlyCard(await say(AVERY, 'my claims customer:Teams adoption')))).toEqual([named.contosoTeams.id]);
    expect(rowIds(onlyCard(await say(AVERY, 'my claims rejected (final)')))).toEqual([named.withdrawn.id]);
    // The list card's form: its inputs come with the Filter button's data.
    const formed = onlyCard(await say(AVERY, { action: 'command', command: 'my claims', filter: true, filterStatus: 'Rejected', filterCustomer: 'Contoso' }));
    expect(rowIds(formed)).toEqual([named.contosoDynamics.id]);
    expect(json(formed)).toContain('"value":"Rejected"'); // the form shows the filter in force
    const cleared = onlyCard(await say(AVERY, { action: 'command', command: 'my claims', filter: true, filterStatus: 'all', filterCustomer: '' }));
    expect(rowIds(cleared)).toHaveLength(10);
    // Nothing matches: the card says so and keeps the form.
    const none = onlyCard(await say(AVERY, 'my claims approved contoso'));
    expect(rowIds(none)).toEqual([]);
    expect(json(none)).toContain('No claim matches this filter.');
    expect(json(none)).toContain('filterCustomer');
  });

  test('paging keeps the filter: all submitted claims over three pages, nothing else', async () => {
    const { forward } = await walk(AVERY, await say(AVERY, 'my claims submitted'));
    expect(forward.map((p) => p.length)).toEqual([10, 10]);
    expect(forward.flat().sort()).toEqual(
      fabrikam
        .filter((c) => c.status === 'Submitted')
        .map((c) => c.id)
        .sort(),
    );
  });

  test("a filter that can't be used is answered with what is expected", async () => {
    const bad = texts(await say(AVERY, 'my claims status:sleeping'));
    expect(bad).toBe(
      '"sleeping" is not a claim status. Use one of: Editing, Submitted, Under review, Partner action required, Approved, Rejected, Rejected (final).',
    );
    expect(texts(await say(AVERY, { action: 'command', command: 'my claims', filter: true, filterStatus: 'Nonsense', filterCustomer: '' }))).toContain(
      '"Nonsense" is not a claim status.',
    );
    expect(texts(await say(AVERY, `my claims customer:${'x'.repeat(101)}`))).toBe('The customer or claim name to filter by can have at most 100 characters.');
    // A malformed or foreign page button is the first page, not an error.
    const odd = onlyCard(await say(AVERY, { action: 'command', command: 'my claims', page: 'seven', starts: 42 }));
    expect(json(odd)).toContain('Page 1 · newest first');
  });

  test('a reviewer typing "my claims" is told why and gets the review queue; with a filter, all organisations\' claims', async () => {
    const replies = await say(RILEY, 'my claims');
    expect(texts(replies)).toContain('Reviewers have no claims of their own');
    expect(json(onlyCard(replies))).toContain('Review queue');
    const contoso = onlyCard(await say(RILEY, 'my claims contoso'));
    expect(json(contoso)).toContain('Claims of all partner organisations');
    expect(rowIds(contoso).sort()).toEqual([named.contosoTeams.id, named.contosoDynamics.id, named.tailspinContoso.id].sort());
    expect(json(contoso)).toContain('Tailspin Partners GmbH'); // reviewers see whose claim it is
  });
});

describe('claim <id or name>', () => {
  test('typed while a claim form is open: the status card, and the form goes on where it was', async () => {
    const started = await say(AVERY, 'new claim');
    const resume = json(started).includes('Continue a draft?') ? await say(AVERY, { action: 'form.claim', step: 'resume', button: 'new' }) : started;
    const draftId = /I started draft (CL-[0-9A-Z]{8})/.exec(json(resume))?.[1];
    expect(draftId).toBeDefined();
    const status = onlyCard(await say(AVERY, `claim ${named.contosoTeams.id}`));
    expect(json(status)).toContain('Contoso Teams adoption');
    // The form's own step is still the one that answers its card.
    const next = await say(AVERY, {
      action: 'form.claim',
      step: 'customer',
      claimId: draftId,
      button: 'next',
      mpnId: '4412345',
      customerDomain: 'typed-during-form.example',
      customerTenantId: '00000000-0000-4000-8000-00000000abcd',
    });
    expect(json(next)).toContain('Solution area and activity');
    await say(AVERY, { action: 'form.claim', step: 'area', claimId: draftId, button: 'cancel' });
    await say(AVERY, { action: 'form.claim', step: 'cancel', claimId: draftId, button: 'discard' });
  });

  test('a status card: facts, every running deadline with date and business days left, the timeline, and the steps the partner may take now', async () => {
    const card = onlyCard(await say(AVERY, `claim ${named.contosoTeams.id.toLowerCase()}`));
    const text = json(card);
    expect(text).toContain('Contoso Teams adoption');
    expect(text).toContain(`Claim ${named.contosoTeams.id} · contoso-teams.example · Partner action required`);
    expect(text).toContain('Fabrikam Consulting Ltd (MPN 4412345)');
    expect(text).toContain('Riley Reviewer needs more information: Missing customer acknowledgment (no customer signature).');
    const due = named.contosoTeams.deadlines.partnerResponse!;
    const businessDays = app.services.calendar.daysLeft(clock.now(), new Date(due), 'businessDays');
    expect(text).toContain(`Partner response due","value":"${formatDeadline(app.services, due, 'en-US')} · ${left(businessDays, 'businessDays')}`);
    expect(text).toContain('Avery Fabrikam submitted the claim on');
    expect(text).toMatch(/Avery Fabrikam submitted the claim on [^→]+ → Submitted/);
    expect(text).toMatch(/Riley Reviewer asked for more information on [^→]+ → Partner action required/);
    expect(verbs(card)).toEqual(['claim.reply', 'claim.edit', 'claim.resubmit', 'claim.withdraw']);
    expect(button(card, 'History')).toEqual({ action: 'command', command: `history ${named.contosoTeams.id}` });
  });

  test('a rejected claim within its window offers Dispute, with the calendar days left; a final one a new claim', async () => {
    const card = onlyCard(await say(AVERY, `claim ${named.contosoDynamics.id}`));
    const due = named.contosoDynamics.deadlines.disputeWindowEnds!;
    const days = app.services.calendar.daysLeft(clock.now(), new Date(due), 'days');
    expect(json(card)).toContain(`Dispute window closes","value":"${formatDeadline(app.services, due, 'en-US')} · ${left(days, 'days')}`);
    expect(json(card)).toContain('Insufficient proof of execution · The SOW is not signed.');
    expect(verbs(card)).toEqual(['claim.reply', 'claim.dispute', 'claim.withdraw']);
    const final = onlyCard(await say(AVERY, `claim ${named.withdrawn.id}`));
    expect(verbs(final)).toEqual(['claim.reply', 'claim.newFrom']);
    expect(json(final)).toContain('No deadline is running for this claim.');
    // A partner user who may not claim sees the card without the buttons that act.
    expect(verbs(onlyCard(await say(SAM, `claim ${named.contosoDynamics.id}`)))).toEqual([]);
  });

  test("the card's buttons work: Dispute opens the dispute form, History the history", async () => {
    const card = onlyCard(await say(AVERY, `claim ${named.contosoDynamics.id}`));
    const disputeButton = card.actions!.find((a) => a.data?.action === 'claim.dispute')!.data!;
    expect(json(await say(AVERY, disputeButton))).toContain(`Dispute the rejection of claim Contoso Dynamics 365 (${named.contosoDynamics.id})`);
    await say(AVERY, 'cancel');
    expect(json(await say(AVERY, button(card, 'History')!))).toContain('History of Contoso Dynamics 365');
  });

  test("a card's Open button is answered while a claim form is open, and the form stays open", async () => {
    const chat = { conversation: { id: 'a:dm-avery-form', conversationType: 'personal' } };
    expect(json(await say(AVERY, 'new claim', chat))).toContain('Continue a draft?'); // Avery has a draft
    expect(json(onlyCard(await say(AVERY, { action: 'command', command: `claim ${named.northwind.id}` }, chat)))).toContain('Northwind Intune');
    expect(texts(await say(AVERY, 'help', chat))).toContain('You are creating a claim.');
  });

  test('by name or customer domain: one match is its status card, several the list, none says so', async () => {
    expect(json(onlyCard(await say(AVERY, 'claim litware')))).toContain(`Claim ${named.litware.id} · litware-usage.example · Under review`);
    expect(rowIds(onlyCard(await say(AVERY, 'claim contoso'))).sort()).toEqual([named.contosoTeams.id, named.contosoDynamics.id].sort());
    expect(texts(await say(AVERY, 'claim zebra'))).toBe('I found no claim of your organisation matching "zebra". Type "my claims" to see all of them.');
    expect(texts(await say(AVERY, 'claim'))).toContain('Type "claim" followed by a claim id');
    expect(texts(await say(AVERY, 'claim CL-00000000'))).toBe("I could not find claim CL-00000000 among your organisation's claims.");
  });

  test("a reviewer sees any organisation's claim, with a button that opens its review card", async () => {
    for (const claim of [named.contosoTeams, named.tailspinSecret]) {
      const card = onlyCard(await say(RILEY, `claim ${claim.id}`));
      expect(json(card)).toContain(claim.fields.claimName!);
      expect(verbs(card)).toEqual(['review.refresh']);
    }
    connector.clear();
    const card = onlyCard(await say(RILEY, `claim ${named.tailspinContoso.id}`));
    await say(RILEY, card.actions!.find((a) => a.data?.action === 'review.refresh')!.data!);
    const update = connector.to(`a:dm-${REVIEWER_AAD}`).find((c) => c.method === 'PUT');
    expect(json(update?.activity)).toContain('"verb":"review.start"'); // the status card became the review card
  });
});

describe('history <id>', () => {
  test('every event with who, when, what and before/after, 15 a page, newer and older pages with no duplicates and no gaps', async () => {
    const total = (await app.services.claimService.get(named.litware.id))!.history.length;
    expect(total).toBe(44);
    let card = onlyCard(await say(AVERY, `history ${named.litware.id}`));
    const pages: Card[] = [card];
    for (let older = button(card, 'Older events'); older; older = button(card, 'Older events')) pages.push((card = onlyCard(await say(AVERY, older))));
    expect(pages).toHaveLength(3);
    expect(json(pages[0])).toContain('Events 1–15 of 44');
    expect(json(pages[2])).toContain('Events 31–44 of 44');
    const notes = pages.flatMap((p) => [...json(p).matchAll(/Comment: Note (\d+)/g)].map((m) => Number(m[1])));
    expect(notes).toEqual(Array.from({ length: 40 }, (_, i) => 40 - i)); // newest first, each once
    expect(json(pages[2])).toContain('Avery Fabrikam created the claim on');
    expect(json(pages[2])).toMatch(/Avery Fabrikam created the claim on [^"]+ \(partner user\)/);
    expect(json(pages[2])).toContain('Status: Editing → Submitted');
    expect(json(pages[2])).toContain('Customer domain name: - → litware-usage.example');
    const back = onlyCard(await say(AVERY, button(pages[2], 'Newer events')!));
    expect(json(back)).toContain('Events 16–30 of 44');
    for (const page of pages) expect(Buffer.byteLength(json(page))).toBeLessThan(80 * 1024);
  });

  test('the history of a claim named instead of its id; usage without either', async () => {
    expect(json(onlyCard(await say(AVERY, 'history northwind')))).toContain('History of Northwind Intune');
    expect(texts(await say(AVERY, 'history'))).toBe('Type the command followed by the claim id, for example "history CL-7K2M9Q4X".');
  });
});

describe('what needs my action', () => {
  test('a partner: Partner action required with business days left, then open dispute windows with days left; a closed window or a final claim is not listed', async () => {
    const card = onlyCard(await say(AVERY, 'what needs my action'));
    expect(rowIds(card)).toEqual([named.contosoTeams.id, named.contosoDynamics.id]);
    const par = app.services.calendar.daysLeft(clock.now(), new Date(named.contosoTeams.deadlines.partnerResponse!), 'businessDays');
    const dispute = app.services.calendar.daysLeft(clock.now(), new Date(named.contosoDynamics.deadlines.disputeWindowEnds!), 'days');
    expect(json(card)).toContain(left(par, 'businessDays'));
    expect(json(card)).toContain(left(dispute, 'days'));
    expect(json(card)).toContain('What needs your action');
    expect(json(card)).not.toContain('filterStatus');
    expect(json(await say(ROBIN, 'what needs my action'))).toContain(named.tailspinSecret.id);
  });

  test('a reviewer: submitted claims and claims under review (disputes too) of every organisation, by decision target, paged', async () => {
    const { forward, cards: seen } = await walk(RILEY, await say(RILEY, 'what needs my action'));
    const ids = forward.flat();
    expect(new Set(ids).size).toBe(ids.length);
    const all = await Promise.all([...fabrikam, ...tailspin].map(async (c) => (await app.services.claimService.get(c.id))!));
    const queued = all.filter((c) => c.status === 'Submitted' || c.status === 'UnderReview');
    expect(ids.sort()).toEqual(queued.map((c) => c.id).sort());
    const ordered = forward.flat();
    // docs/deadlines.md: the queue is ordered by the 10-day decision target (a dispute by its answer deadline), not by whichever deadline is nearest.
    const targets = ordered.map((id) => {
      const c = all.find((x) => x.id === id)!;
      return c.deadlines.decisionTarget ?? c.deadlines.reviewDecision!;
    });
    expect(targets).toEqual([...targets].sort());
    const nearest = ordered.map((id) => all.find((c) => c.id === id)!.nextDueAt!);
    expect(nearest).not.toEqual([...nearest].sort());
    expect(ordered).toContain(named.tailspinContoso.id);
    expect(ordered).toContain(named.disputed.id);
    expect(json(seen[0])).toContain('Review queue');
    expect(json(seen)).toContain('Tailspin Partners GmbH'); // whose claim it is
    expect(json(seen)).toContain('Under review (dispute)');
  });

  test('every partner user of the organisation sees the same list, a Referrals admin too (who may look but not act)', async () => {
    const card = onlyCard(await say(SAM, 'what needs my action'));
    expect(rowIds(card)).toEqual([named.contosoTeams.id, named.contosoDynamics.id]);
  });
});

describe('free text', () => {
  test('"status of contoso" lists the matches, "litware" opens the one match, "where is CL-…" its card', async () => {
    expect(rowIds(onlyCard(await say(AVERY, 'status of contoso'))).sort()).toEqual([named.contosoTeams.id, named.contosoDynamics.id].sort());
    expect(json(onlyCard(await say(AVERY, 'Litware')))).toContain(`Claim ${named.litware.id}`);
    expect(json(onlyCard(await say(AVERY, `where is ${named.northwind.id}?`)))).toContain('Northwind Intune');
    expect(json(onlyCard(await say(AVERY, 'batch-7.example')))).toContain('Batch claim 07');
  });

  test('a question that finds nothing says so and suggests my claims; other words get the usual answer with the help hint', async () => {
    expect(texts(await say(AVERY, 'status of zebra'))).toBe('I found no claim of your organisation matching "zebra". Type "my claims" to see all of them.');
    expect(texts(await say(AVERY, 'good morning'))).toBe('I didn\'t understand that. Type "help" to see what I can do.');
    expect(texts(await say(RILEY, 'status of zebra'))).toBe('I found no claim matching "zebra". Type "what needs my action" to see the review queue.');
  });
});

describe('visibility', () => {
  test("a partner never sees another organisation's claim: list, claim, history, free text, what needs my action, crafted buttons", async () => {
    const foreign = new Set(fabrikam.map((c) => c.id));
    const replies: Reply[][] = [];
    const ask = async (input: string | Record<string, unknown>) => {
      const got = await say(ROBIN, input);
      replies.push(got);
      return got;
    };
    expect(rowIds(onlyCard(await ask('my claims'))).sort()).toEqual(tailspin.map((c) => c.id).sort());
    expect(rowIds(onlyCard(await ask('my claims contoso')))).toEqual([named.tailspinContoso.id]);
    for (const claim of [named.contosoTeams, named.litware]) {
      expect(texts(await ask(`claim ${claim.id}`))).toBe(`I could not find claim ${claim.id} among your organisation's claims.`);
      expect(texts(await ask(`history ${claim.id}`))).toBe(`I could not find claim ${claim.id} among your organisation's claims.`);
      expect(texts(await ask(`where is ${claim.id}`))).toBe(`I could not find claim ${claim.id} among your organisation's claims.`);
      expect(texts(await ask({ action: 'command', command: `claim ${claim.id}` }))).toContain('I could not find claim');
      expect(texts(await ask({ action: 'command', command: 'history', claimId: claim.id, page: 2 }))).toContain('I could not find claim');
    }
    // "contoso" names Fabrikam's claims too; Robin finds Tailspin's only.
    expect(json(onlyCard(await ask('status of contoso')))).toContain(named.tailspinContoso.id);
    expect(texts(await ask('status of Litware'))).toContain('I found no claim of your organisation matching "Litware"');
    expect(texts(await ask('claim Contoso Teams adoption'))).toContain('I found no claim of your organisation');
    expect(rowIds(onlyCard(await ask('what needs my action')))).toEqual([named.tailspinSecret.id]);
    // A Next button taken from Fabrikam's list still lists Tailspin's claims only.
    const averyNext = button(onlyCard(await say(AVERY, 'my claims')), 'Next')!;
    expect(rowIds(onlyCard(await ask(averyNext))).filter((id) => foreign.has(id))).toEqual([]);
    // No card shown to Robin names a Fabrikam claim (the refusals above only repeat the id he typed).
    for (const got of replies) for (const id of claimIdsIn(cards(got))) expect(foreign.has(id) ? `${id} shown to Robin` : id).toBe(id);
    expect(replies.flatMap(cards).length).toBeGreaterThan(4);
  });

  test('a stranger gets the "not on a roster" answer; a partner asking in a channel is sent to the 1:1 chat', async () => {
    for (const command of ['my claims', `claim ${named.litware.id}`, `history ${named.litware.id}`, 'what needs my action', 'status of contoso']) {
      const got = await say(STRANGER, command);
      expect(texts(got)).toBe(
        "You are not on a roster of this bot, so you can't see or change claims. Ask your organisation's Global admin or the bot's operator to add you.",
      );
    }
    expect(texts(await say(STRANGER, 'contoso'))).toBe('I didn\'t understand that. Type "help" to see what I can do.');
    const channel = { id: '19:fabrikam-general@thread.tacv2', conversationType: 'channel' };
    for (const command of ['my claims', `claim ${named.litware.id}`, 'what needs my action']) {
      const got = await say(AVERY, command, { conversation: channel });
      expect(texts(got)).toContain('shown only in our 1:1 chat');
      expect(claimIdsIn(got).size).toBe(0);
    }
    // Reviewers work in their channel.
    expect(
      rowIds(onlyCard(await say(RILEY, 'what needs my action', { conversation: { id: '19:reviews@thread.tacv2', conversationType: 'channel' } }))),
    ).toHaveLength(10);
  });
});

describe('in zh-CN', () => {
  const zh = { locale: 'zh-CN' };
  test('every command answers in Chinese, with dates in the Chinese format', async () => {
    const list = onlyCard(await say(AVERY, 'my claims', zh));
    expect(json(list)).toContain('Fabrikam Consulting Ltd 的声明');
    expect(json(list)).toContain('第 1 页 · 最新的在前');
    expect(json(list)).toContain('下一页');
    expect(json(list)).toContain('所有状态');
    const status = onlyCard(await say(AVERY, `claim ${named.contosoTeams.id}`, zh));
    expect(json(status)).toContain('需要合作伙伴操作');
    expect(json(status)).toContain('正在计时的截止时间');
    const due = formatDeadline(app.services, named.contosoTeams.deadlines.partnerResponse!, 'zh-CN');
    expect(due).toMatch(/^2026年11月\d{1,2}日 23:59（Europe\/Berlin）$/);
    expect(json(status)).toContain(due);
    expect(json(status)).toContain('个工作日');
    const history = onlyCard(await say(AVERY, `history ${named.litware.id}`, zh));
    expect(json(history)).toContain('的历史记录');
    expect(json(history)).toContain('较早的事件');
    expect(json(history)).toMatch(/2026年11月\d{1,2}日/);
    expect(json(onlyCard(await say(AVERY, 'what needs my action', zh)))).toContain('需要你处理的事项');
    expect(json(onlyCard(await say(RILEY, '待办', zh)))).toContain('评审队列');
    expect(json(onlyCard(await say(AVERY, '我的声明 已拒绝', zh)))).toContain(named.contosoDynamics.id);
    expect(texts(await say(AVERY, 'status of zebra', zh))).toBe('在你所在组织的声明中没有找到与“zebra”匹配的声明。输入“我的声明”查看所有声明。');
    expect(texts(await say(AVERY, 'my claims status:sleeping', zh))).toContain('不是声明状态');
    expect(texts(await say(ROBIN, `claim ${named.litware.id}`, zh))).toBe(`在你所在组织的声明中找不到声明 ${named.litware.id}。`);
    expect(json(onlyCard(await say(AVERY, 'help', zh)))).toContain('命令');
  });
});

describe('welcome and help', () => {
  const install = (who: Person, conversation: { id: string; conversationType: string }, extra: Record<string, unknown>, locale = 'en-US') =>
    post(
      teamsActivity(
        {
          serviceUrl: connector.url,
          aadObjectId: who.aad,
          tenantId: who.tenant,
          name: who.name,
          conversation,
          channelData: conversation.conversationType === 'channel' ? { team: { id: '19:team@thread.tacv2' }, channel: { id: conversation.id } } : {},
        },
        { locale, deliveryMode: 'expectReplies', ...extra },
      ),
    );
  const botAdded = { type: 'conversationUpdate', membersAdded: [{ id: '28:cpor-bot' }] };
  const installed = { type: 'installationUpdate', action: 'add' };

  test('installed for a partner (1:1): one welcome card with the commands as buttons, though Teams announces the install twice', async () => {
    const dm = { id: 'a:welcome-avery', conversationType: 'personal' };
    const first = onlyCard(await install(AVERY, dm, installed));
    expect(json(first)).toContain('Welcome to CPOR claims');
    expect(first.actions!.map((a) => a.data)).toEqual([
      { action: 'command', command: 'new claim' },
      { action: 'command', command: 'my claims' },
      { action: 'command', command: 'what needs my action' },
      { action: 'command', command: 'help' },
      { action: 'command', command: 'language 中文' },
    ]);
    expect(await install(AVERY, dm, botAdded)).toEqual([]);
    // The welcome card's buttons are commands like the typed ones.
    expect(json(onlyCard(await say(AVERY, { action: 'command', command: 'my claims' })))).toContain('Claims of Fabrikam Consulting Ltd');
    // A reviewer's welcome offers the queue (Riley typed Chinese in earlier tests: English is chosen first).
    await say(RILEY, 'language English');
    const reviewerCard = onlyCard(await install(RILEY, { id: 'a:welcome-riley', conversationType: 'personal' }, botAdded));
    expect(reviewerCard.actions!.map((a) => a.data)).toEqual([
      { action: 'command', command: 'what needs my action' },
      { action: 'command', command: 'help' },
      { action: 'command', command: 'language 中文' },
    ]);
  });

  test('added to a team: one card in the channel for everyone, with the commands and how to make it the reviews channel; again after a reinstall', async () => {
    const channel = { id: '19:welcome-general@thread.tacv2', conversationType: 'channel' };
    const card = onlyCard(await install(RILEY, channel, botAdded));
    expect(json(card)).toContain('CPOR claims is here');
    expect(json(card)).toContain('use this channel for reviews');
    expect(json(card)).not.toContain('Riley'); // for everyone, not about the installer
    expect(card.actions!.map((a) => a.data)).toEqual([
      { action: 'command', command: 'what needs my action' },
      { action: 'command', command: 'help' },
    ]);
    expect(await install(RILEY, channel, installed)).toEqual([]);
    expect(await install(RILEY, channel, botAdded)).toEqual([]);
    await install(RILEY, channel, { type: 'installationUpdate', action: 'remove' });
    expect(json(onlyCard(await install(RILEY, channel, installed, 'zh-CN')))).toContain('CPOR 声明机器人已加入');
    // A group chat is welcomed the same way.
    expect(json(onlyCard(await install(AVERY, { id: '19:group@thread.v2', conversationType: 'groupChat' }, installed)))).toContain(
      'use this channel for reviews',
    );
  });

  test("help lists the commands of the conversation's kind", async () => {
    const personal = json(onlyCard(await say(AVERY, 'help')));
    for (const id of COMMANDS_BY_SCOPE.personal) expect(personal).toContain(`"title":"${COMMAND_WORDS[id]}"`);
    const channel = json(onlyCard(await say(RILEY, 'help', { conversation: { id: '19:reviews@thread.tacv2', conversationType: 'channel' } })));
    expect(channel).toContain('"title":"use this channel for reviews"');
    expect(channel).not.toContain('"title":"new claim"');
  });
});

describe('the command list (for the manifest)', () => {
  test('at most 10 commands a scope, titles up to 32 characters, descriptions up to 128, in both languages', () => {
    expect(Object.keys(BOT_COMMANDS).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const locale of LOCALES) {
      for (const list of Object.values(botCommands(locale))) {
        expect(list.length).toBeLessThanOrEqual(10);
        for (const c of list) {
          expect(c.title.length).toBeLessThanOrEqual(32);
          expect([c.title, c.description.length <= 128, c.description.length > 0]).toEqual([c.title, true, true]);
        }
      }
    }
  });

  test('every title, typed as Teams inserts it, is understood as its command', () => {
    const kinds: Record<CommandId, string> = {
      myClaims: 'myClaims',
      claim: 'claim',
      history: 'history',
      needsAction: 'needsAction',
      help: 'help',
      newClaim: 'newClaim',
      withdraw: 'withdraw',
      dispute: 'dispute',
      useForReviews: 'useForReviews',
      export: 'export',
    };
    // Both languages' menus (the manifest and its zh-cn localization file): what Teams inserts is the same command.
    for (const titles of [COMMAND_WORDS, CHINESE_COMMAND_WORDS]) {
      for (const [id, words] of Object.entries(titles) as [CommandId, string][]) expect([words, parseCommand(words).kind]).toEqual([words, kinds[id]]);
    }
    for (const scope of ['personal', 'team', 'groupChat'] as const) {
      expect(botCommands('zh-CN')[scope].map((c) => parseCommand(c.title).kind)).toEqual(botCommands('en-US')[scope].map((c) => parseCommand(c.title).kind));
    }
  });
});
