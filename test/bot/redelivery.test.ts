import { demoPdf } from '../../app/demo/demoSeed';
import { FileServer } from '../support/fileServer';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, personalMessage } from '../support/activities';
import { botForTests } from '../support/botDriver';
import { uniqueName } from '../support/testStorage';
import { CONTAINERS } from '../../src/storage/cosmosDatabase';
import { AVERY, RILEY, claimThrough } from '../support/seededClaims';

/**
 * Teams delivers an activity again when the bot was slow or answered 5xx. Every activity a partner or a
 * reviewer sends, delivered twice with the same id, acts once: one draft, one step, one file, one
 * approval; the repeat of a message is acknowledged without a second answer, the repeat of a card
 * action is answered with the first answer.
 */

const files = new FileServer();
beforeAll(() => files.start());
afterAll(() => files.stop());
const bot = botForTests();

type Activity = { type?: string; text?: string; attachments?: { content: Record<string, unknown> }[] };

/** A partner's 1:1 chat in which every activity is delivered twice, as Teams does on a retry. */
class TwiceDeliveredChat {
  claimId = '';
  private readonly conversation = { id: `a:${uniqueName('twice-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };

  /** Returns the answers to the first delivery and to the repeat. */
  async sendTwice(extra: Record<string, unknown>): Promise<[Activity[], Activity[]]> {
    const activity = { ...personalMessage('', { aadObjectId: PARTNER_AAD }), conversation: this.conversation, ...extra };
    const first = await bot.post(activity);
    const repeat = await bot.post(activity);
    expect([first.status, repeat.status]).toEqual([200, 200]);
    const answers = [first, repeat].map((r) => (r.body?.activities ?? []) as Activity[]) as [Activity[], Activity[]];
    const started = JSON.stringify(answers[0]).match(/I started draft (CL-[0-9A-Z]{8})/);
    if (started) this.claimId = started[1];
    return answers;
  }

  press(step: string, button: string, inputs: Record<string, unknown> = {}) {
    return this.sendTwice({ text: undefined, value: { action: 'form.claim', step, claimId: this.claimId, button, ...inputs } });
  }
}

/** A partner's 1:1 chat where buttons are pressed on the cards the bot sent, as a person does (each press a new activity). */
class CardChat {
  claimId = '';
  constructor(private readonly aadObjectId = PARTNER_AAD) {}
  /** The cards the bot sent, newest last. */
  readonly cards: Record<string, unknown>[] = [];
  private readonly conversation = { id: `a:${uniqueName('clicks-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };

  async send(extra: Record<string, unknown>): Promise<Activity[]> {
    const { status, body } = await bot.post({ ...personalMessage('', { aadObjectId: this.aadObjectId }), conversation: this.conversation, ...extra });
    expect(status).toBe(200);
    const answers = (body?.activities ?? []) as Activity[];
    for (const a of answers) for (const c of a.attachments ?? []) this.cards.push(c.content);
    const started = JSON.stringify(answers).match(/I started draft (CL-[0-9A-Z]{8})/);
    if (started) this.claimId = started[1];
    return answers;
  }

  /** Presses the button titled `title` on `card`, with these inputs. */
  press(card: Record<string, unknown>, title: string, inputs: Record<string, unknown> = {}): Promise<Activity[]> {
    const button = JSON.parse(JSON.stringify(card)).actions.find((a: { title: string }) => a.title === title);
    if (!button) throw new Error(`No ${title} button on ${JSON.stringify(card).slice(0, 200)}`);
    return this.send({ text: undefined, value: { ...button.data, ...inputs } });
  }

  latest(): Record<string, unknown> {
    return this.cards.at(-1)!;
  }
}

const texts = (answers: Activity[]) => answers.map((a) => a.text ?? '').join('\n');

const title = (answers: Activity[]) => {
  const card = [...answers].reverse().find((a) => a.attachments?.length)?.attachments?.[0].content as { body?: { text?: string }[] } | undefined;
  return card?.body?.[0]?.text;
};

describe('an activity delivered twice acts once', () => {
  test('new claim, each form step, a file and the submit: one draft, one step each, one file, one submission', async () => {
    const chat = new TwiceDeliveredChat();
    const before = (await bot.app.services.claims.listByOrganisation('fabrikam-consulting', { status: 'Editing', pageSize: 100 })).claims.length;
    let [first, repeat] = await chat.sendTwice({ text: 'new claim' });
    if (title(first) === 'Continue a draft?') [first, repeat] = await chat.press('resume', 'new');
    expect(chat.claimId).toMatch(/^CL-/);
    expect(repeat).toEqual([]); // acknowledged, not answered again
    expect((await bot.app.services.claims.listByOrganisation('fabrikam-consulting', { status: 'Editing', pageSize: 100 })).claims.length).toBe(before + 1);

    [first, repeat] = await chat.press('customer', 'next', {
      mpnId: '4412345',
      customerDomain: 'twice.example',
      customerTenantId: '12121212-0000-4000-8000-000000000001',
    });
    expect(title(first)).toBe('Solution area and activity');
    expect(repeat).toEqual([]);
    [first, repeat] = await chat.press('area', 'next', { areaActivity: 'Microsoft365|Usage' });
    expect(title(first)).toBe('Products and workloads');
    expect(repeat).toEqual([]);
    [first] = await chat.press('products', 'next', { products: 'teams' });
    [first] = await chat.press('contacts', 'next', {
      customerContact_name: 'Dana',
      customerContact_title: 'CIO',
      customerContact_email: 'dana@twice.example',
      partnerContact_name: 'Avery',
      partnerContact_email: 'avery@fabrikam.example',
      claimName: 'Twice delivered',
    });
    expect(title(first)).toBe('Proof of execution');

    [first, repeat] = await chat.sendTwice({ text: '', attachments: [files.teamsFile('sow.pdf', demoPdf('sow'))] });
    expect(JSON.stringify(first)).toContain('sow.pdf');
    expect(repeat).toEqual([]);
    const withFile = (await bot.app.services.claimService.get(chat.claimId))!;
    expect(withFile.poe.map((f) => f.fileName)).toEqual(['sow.pdf']);

    await chat.press('poe', 'next');
    await chat.press('comment', 'next');
    [first, repeat] = await chat.press('summary', 'submit');
    expect(JSON.stringify(first)).toContain('is now Submitted');
    expect(repeat).toEqual([]);
    const submitted = (await bot.app.services.claimService.get(chat.claimId))!;
    expect(submitted.status).toBe('Submitted');
    expect(submitted.history.filter((e) => e.action === 'submit' && e.outcome === 'applied')).toHaveLength(1);
  });

  /** A button on a claim's card (Action.Execute), pressed once by someone in their 1:1 chat; post it as often as Teams delivers it. */
  const cardInvoke = (claim: { id: string; version: number }, verb: string, sender: 'reviewer' | 'partner' = 'reviewer') => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `inv-${uniqueName(verb)}`,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    locale: 'en-US',
    ...(sender === 'reviewer'
      ? {
          conversation: { id: `a:${uniqueName('reviewer-')}`, conversationType: 'personal', tenantId: REVIEWER_TENANT },
          from: { id: `29:${REVIEWER_AAD}`, aadObjectId: REVIEWER_AAD, name: 'Riley Reviewer' },
          channelData: { tenant: { id: REVIEWER_TENANT } },
        }
      : {
          conversation: { id: `a:${uniqueName('partner-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT },
          from: { id: `29:${PARTNER_AAD}`, aadObjectId: PARTNER_AAD, name: 'Avery Fabrikam' },
          channelData: { tenant: { id: PARTNER_TENANT } },
        }),
    recipient: { id: '28:cpor-bot' },
    value: { action: { type: 'Action.Execute', verb, data: { claimId: claim.id, orgId: AVERY.orgId, version: claim.version } }, trigger: 'manual' },
  });

  test("a reviewer's card action delivered twice acts once and is answered twice with the card saying so", async () => {
    const svc = bot.app.services.claimService;
    const submitted = await claimThrough(bot.app.services, 'Submitted', 'twice-review', 2);
    const id = submitted.id;
    const invoke = cardInvoke(submitted, 'review.start');
    const [first, repeat] = [await bot.post(invoke), await bot.post(invoke)].map((r) => JSON.stringify(r.body));
    // The repeat is the card as the claim stands (its PoE check may have finished meanwhile), with the same notice.
    for (const answer of [first, repeat]) {
      expect(answer).toContain(`You started the review of claim ${id}.`);
      expect(answer).toContain('Under review');
    }
    const after = (await svc.get(id))!;
    expect(after.status).toBe('UnderReview');
    expect(after.history.filter((e) => e.action === 'startReview')).toHaveLength(1);
  });

  test('an approval delivered again acts once (by its action id) and shows the claim as it stands now; a refused press is refused again and recorded once', async () => {
    const svc = bot.app.services.claimService;
    const claim = await claimThrough(bot.app.services, 'UnderReview', 'twice-approve', 251);
    const approve = cardInvoke(claim, 'review.approve');
    const first = await bot.post(approve);
    expect(JSON.stringify(first.body)).toContain(`You approved claim ${claim.id}`);
    // Meanwhile a reviewer comments: a later delivery of the same press shows the comment, and approves nothing again.
    const commented = await svc.act(claim.id, { type: 'comment', text: 'Checked the SOW twice.' }, RILEY);
    expect(commented.ok).toBe(true);
    const repeat = JSON.stringify((await bot.post(approve)).body);
    expect(repeat).toContain(`You approved claim ${claim.id}`);
    expect(repeat).toContain('Checked the SOW twice.');
    const approved = (await svc.get(claim.id))!;
    expect(approved.status).toBe('Approved');
    expect(approved.history.filter((e) => e.action === 'approve')).toHaveLength(1);

    // A partner pressing a reviewer's button is refused on each delivery; the attempt is in the history once.
    const other = await claimThrough(bot.app.services, 'UnderReview', 'twice-refused', 252);
    const refused = cardInvoke(other, 'review.approve', 'partner');
    const answers = [await bot.post(refused), await bot.post(refused)].map((r) => JSON.stringify(r.body));
    expect(answers[0]).toContain('reviewer');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[1]).not.toContain(other.fields.customerDomain!);
    const after = (await svc.get(other.id))!;
    expect(after.status).toBe('UnderReview');
    expect(after.history.filter((e) => e.action === 'approve' && e.outcome === 'refused')).toHaveLength(1);
  });
});

describe('one submission per form', () => {
  const customer = { mpnId: '4412345', customerDomain: 'clicks.example', customerTenantId: '12121212-0000-4000-8000-000000000003' };

  test('a double click acts once and says it was received; an older card of the open form says it is out of date', async () => {
    const chat = new CardChat();
    let answers = await chat.send({ text: 'new claim' });
    if (title(answers) === 'Continue a draft?') answers = await chat.press(chat.latest(), 'Start a new claim');
    const customerCard = chat.latest();
    expect(title(answers)).toBe('Customer');

    const first = await chat.press(customerCard, 'Next', customer);
    expect(title(first)).toBe('Solution area and activity');
    const second = await chat.press(customerCard, 'Next', { ...customer, customerDomain: 'second-click.example' });
    expect(texts(second)).toBe(`Already received: that button was pressed before and acted on for draft ${chat.claimId}. Carry on with the latest card.`);
    expect(second.filter((a) => a.attachments?.length)).toEqual([]); // no second card
    expect((await bot.app.services.claimService.get(chat.claimId))!.fields.customerDomain).toBe('clicks.example');

    // "help" shows the step again on a new card: the card before it is now out of date.
    const areaCard = chat.latest();
    await chat.send({ text: 'help' });
    const stale = await chat.press(areaCard, 'Next', { areaActivity: 'Microsoft365|Usage' });
    expect(texts(stale)).toContain('That card is out of date.');
    expect(title(stale)).toBe('Solution area and activity');
    expect((await bot.app.services.claimService.get(chat.claimId))!.fields.solutionArea).toBeUndefined();
  });

  test("the summary's Submit pressed twice submits once; the second press says where the claim stands", async () => {
    const chat = new CardChat();
    let answers = await chat.send({ text: 'new claim' });
    if (title(answers) === 'Continue a draft?') answers = await chat.press(chat.latest(), 'Start a new claim');
    await chat.press(chat.latest(), 'Next', { ...customer, customerTenantId: '12121212-0000-4000-8000-000000000004' });
    await chat.press(chat.latest(), 'Next', { areaActivity: 'Microsoft365|Usage' });
    await chat.press(chat.latest(), 'Next', { products: 'teams' });
    await chat.press(chat.latest(), 'Next', {
      customerContact_name: 'Dana',
      customerContact_title: 'CIO',
      customerContact_email: 'dana@clicks.example',
      partnerContact_name: 'Avery',
      partnerContact_email: 'avery@fabrikam.example',
      claimName: 'Clicked twice',
    });
    await chat.send({ text: '', attachments: [files.teamsFile('sow.pdf', demoPdf('sow'))] });
    await chat.press(chat.latest(), 'Next');
    await chat.press(chat.latest(), 'Next');
    const summary = chat.latest();
    expect(texts(await chat.press(summary, 'Submit claim'))).toContain('is now Submitted');
    const again = await chat.press(summary, 'Submit claim');
    expect(texts(again)).toContain(`Already received: claim ${chat.claimId} is Submitted, so this form is out of date and nothing was changed.`);
    expect(JSON.stringify(again)).toContain(chat.claimId); // the status card
    const claim = (await bot.app.services.claimService.get(chat.claimId))!;
    expect(claim.history.filter((e) => e.action === 'submit' && e.outcome === 'applied')).toHaveLength(1);
  });

  test('a form of a discarded draft, or of a draft whose form was closed, says so instead of the help card', async () => {
    const chat = new CardChat();
    let answers = await chat.send({ text: 'new claim' });
    if (title(answers) === 'Continue a draft?') answers = await chat.press(chat.latest(), 'Start a new claim');
    const customerCard = chat.latest();
    await chat.send({ text: 'cancel' });
    const kept = await chat.press(chat.latest(), 'Keep the draft');
    expect(texts(kept)).toContain('kept');
    const closed = await chat.press(customerCard, 'Next', customer);
    expect(texts(closed)).toBe(
      `Draft ${chat.claimId} is kept as you left it, but this form is no longer open, so nothing was changed. Type "new claim" to continue it.`,
    );
    // A colleague (same organisation) pressing a button of this draft's form is told whose draft it is.
    const colleague = new CardChat('a1b2c3d4-0002-4000-8000-000000000002');
    const others = await colleague.press(customerCard, 'Next', customer);
    expect(texts(others)).toContain(`Draft ${chat.claimId} was started by Avery Fabrikam: only they can continue it`);

    answers = await chat.send({ text: 'new claim' });
    if (title(answers) === 'Continue a draft?') await chat.press(chat.latest(), 'Continue this draft', { draftId: chat.claimId });
    await chat.send({ text: 'cancel' });
    await chat.press(chat.latest(), 'Discard the draft');
    const gone = await chat.press(customerCard, 'Next', customer);
    expect(JSON.stringify(gone)).toContain(`There is no draft ${chat.claimId} of yours any more (a discarded draft is gone for good), so nothing was changed.`);
  });
});

describe("a partner's buttons on a notice, delivered twice and double-clicked", () => {
  let n = 0;
  const claimIn = (status: 'PartnerActionRequired' | 'Rejected') => claimThrough(bot.app.services, status, `buttons-${++n}`, 100 + n);

  const conversation = () => ({ id: `a:${uniqueName('notice-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT });
  const press = async (chat: { id: string }, value: Record<string, unknown>, id?: string) => {
    const activity = {
      ...personalMessage('', { aadObjectId: PARTNER_AAD }),
      ...(id ? { id } : {}),
      conversation: chat,
      text: undefined,
      replyToId: 'notice-1',
      value,
    };
    const { body } = await bot.post(activity);
    return JSON.stringify(body?.activities ?? []);
  };

  test('a reply: delivered twice it is sent once and answered once; double-clicked the second press is already received', async () => {
    const claim = await claimIn('PartnerActionRequired');
    const chat = conversation();
    const value = { action: 'claim.reply', claimId: claim.id, comment: 'Teams and Exchange.' };
    expect(await press(chat, value, 'reply-1')).toContain('was sent to the reviewers');
    expect(await press(chat, value, 'reply-1')).toBe('[]');
    expect(await press(chat, value)).toContain('Already received');
    const after = (await bot.app.services.claimService.get(claim.id))!;
    expect(after.comments.filter((c) => c.text === 'Teams and Exchange.')).toHaveLength(1);
  });

  test('withdrawing: delivered twice or double-clicked, the claim is withdrawn once', async () => {
    const claim = await claimIn('PartnerActionRequired');
    const chat = conversation();
    const value = { action: 'claim.withdrawConfirm', claimId: claim.id, comment: '' };
    expect(await press(chat, value, 'withdraw-1')).toContain('withdrawn');
    expect(await press(chat, value, 'withdraw-1')).toBe('[]');
    const second = await press(chat, value);
    expect(second).toMatch(/already|Already/);
    const after = (await bot.app.services.claimService.get(claim.id))!;
    expect(after.history.filter((e) => e.action === 'withdraw' && e.outcome === 'applied')).toHaveLength(1);
  });

  test('a dispute: its Send delivered twice or double-clicked sends one dispute', async () => {
    const claim = await claimIn('Rejected');
    const chat = conversation();
    expect(await press(chat, { action: 'claim.dispute', claimId: claim.id })).toContain('Send dispute');
    const send = { action: 'form.dispute', claimId: claim.id, button: 'submit', justification: 'The SOW is signed on page 3.' };
    expect(await press(chat, send, 'dispute-1')).toContain('Dispute sent');
    expect(await press(chat, send, 'dispute-1')).toBe('[]');
    expect(await press(chat, send)).toContain('This dispute form is no longer open');
    const after = (await bot.app.services.claimService.get(claim.id))!;
    expect(after.history.filter((e) => e.action === 'dispute' && e.outcome === 'applied')).toHaveLength(1);
  });
});

describe('a typed question (its answer is made while its activity record is written)', () => {
  const question = (text: string) => ({
    ...personalMessage(text, { aadObjectId: PARTNER_AAD }),
    id: `q-${uniqueName('question-')}`,
    conversation: { id: `a:${uniqueName('questions-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT },
  });
  const answersOf = (body: { activities?: Activity[] } | undefined) => body?.activities ?? [];
  const cardsIn = (answers: Activity[]) => answers.flatMap((a) => a.attachments ?? []).length;

  test('delivered twice, one after the other or both at once, it is answered once', async () => {
    await claimThrough(bot.app.services, 'Submitted', 'twice-question', 7);
    const asked = question('my claims');
    const first = await bot.post(asked);
    const repeat = await bot.post(asked);
    expect(cardsIn(answersOf(first.body))).toBe(1);
    expect(answersOf(repeat.body)).toEqual([]);

    // Two instances (or one) get the same activity at the same moment: one answers, the other stays silent.
    const atOnce = question('my claims');
    const both = await Promise.all([bot.post(atOnce), bot.post(atOnce)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.map((r) => cardsIn(answersOf(r.body))).sort()).toEqual([0, 1]);
    expect(both.map((r) => answersOf(r.body).length).sort()).toEqual([0, 1]);
  });

  test('when its record cannot be written the answer is held back and the person is told something went wrong', async () => {
    const { database, containers } = bot.app.services.cosmos;
    await containers.activities.delete();
    try {
      const { status, body } = await bot.post(question('my claims'));
      expect(status).toBe(200);
      const answers = answersOf(body);
      expect(cardsIn(answers)).toBe(0);
      expect(texts(answers)).toContain('Sorry, something went wrong on my side and nothing was changed.');
    } finally {
      await database.containers.createIfNotExists(CONTAINERS.activities);
    }
    // With the records' container back, questions are answered again.
    expect(cardsIn(answersOf((await bot.post(question('my claims'))).body))).toBe(1);
  });
});
