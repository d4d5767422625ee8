import { makePdf } from '../support/poeDocuments';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { startBotApp, type BotApp } from '../../app/botApp';
import { ManualClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { t } from '../../src/i18n/locales';
import { audiencesFor, outboxEntriesFor } from '../../src/domain/claimNotifications';
import { MemoryLogger } from '../../src/logger';
import { classifySmtpError, MAIL_SENDS_AT_ONCE, SmtpMailer, type StoredMail } from '../../src/services/notifications/mailer';
import { NotificationDispatcher, type DispatcherDeps } from '../../src/services/notifications/notificationDispatcher';
import { PartnerMail, type NoticeRecipient } from '../../src/services/notifications/partnerMail';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, postActivity, teamsActivity } from '../support/activities';
import { TEST_DELIVERY, testConfig, uniqueName } from '../support/testStorage';
import { StubConnector } from '../support/stubConnector';
import { AVERY as avery, ROBIN as robin, RILEY as reviewer } from '../support/personas';

/**
 * The approval e-mail to the customer contact, end to end: the bot on the embedded stack sends it to a
 * real SMTP server on loopback (smtp-server), the test parses it (mailparser) and follows its consent
 * link. Without SMTP settings the e-mail is kept in the Cosmos DB `mail` container and logged.
 */

// Monday 23 November 2026, 09:00 UTC (the test calendar is UTC with no holidays).
const START = '2026-11-23T09:00:00.000Z';
const NOOR = 'a1b2c3d4-0002-4000-8000-000000000002';
const CHANNEL = '19:mail-reviews@thread.tacv2';
// Tailspin's only claiming partner user; the tests never open a chat with the bot for Robin.
const dm = (aad: string) => `a:dm-${aad}`;

/** An SMTP server on loopback that keeps what it receives and refuses recipients as a test scripts it. */
class TestSmtpServer {
  readonly received: { rcptTo: string[]; raw: Buffer }[] = [];
  /** Every RCPT TO the server saw, accepted or not. */
  readonly attempts: string[] = [];
  /** The next RCPT TO replies for an address (e.g. 451, then normal), or one reply for every attempt. */
  readonly refuse = new Map<string, { codes: number[]; always?: number }>();
  port = 0;
  /** Sessions open now, the most open at once since `resetSessions`, and how many were opened since. */
  sessions = 0;
  mostSessions = 0;
  opened = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect: (_session, callback) => {
      this.opened++;
      this.mostSessions = Math.max(this.mostSessions, ++this.sessions);
      callback();
    },
    onClose: () => {
      this.sessions--;
    },
    onRcptTo: (address, _session, callback) => {
      const to = address.address.toLowerCase();
      this.attempts.push(to);
      const script = this.refuse.get(to);
      const code = script?.codes.shift() ?? script?.always;
      if (!code) return callback();
      const error = new Error(code >= 500 ? `5.1.1 <${to}>: mailbox unavailable` : '4.7.1 Try again later') as Error & { responseCode: number };
      error.responseCode = code;
      return callback(error);
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        this.received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  resetSessions(): void {
    this.mostSessions = this.sessions;
    this.opened = 0;
  }

  to(address: string) {
    return this.received.filter((m) => m.rcptTo.includes(address.toLowerCase()));
  }
}

/** A bot on the embedded stack with its partners' chats and the reviewers' channel known, and the claim steps the tests need. */
class Harness {
  readonly log = new MemoryLogger();
  readonly clock = new ManualClock(START);
  app!: BotApp;

  constructor(
    private readonly connector: StubConnector,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    this.app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0', ...this.env }), {
      log: this.log,
      clock: this.clock,
      delivery: TEST_DELIVERY,
    });
    const from = (aad: string, tenantId: string, conversation: { id: string; conversationType: string }, extra: Record<string, unknown>) =>
      postActivity(this.app.url, teamsActivity({ serviceUrl: this.connector.url, aadObjectId: aad, tenantId, conversation }, extra));
    await from(REVIEWER_AAD, REVIEWER_TENANT, { id: CHANNEL, conversationType: 'channel' }, { type: 'installationUpdate', action: 'add' });
    await this.app.services.reviews.setReviewConversation(CHANNEL, 'test');
    for (const aad of [PARTNER_AAD, NOOR]) {
      await from(aad, PARTNER_TENANT, { id: dm(aad), conversationType: 'personal' }, { type: 'message', text: 'help', deliveryMode: 'expectReplies' });
    }
  }

  /** Waits for the background work of every change so far (notifications, e-mails, timers). */
  settle(): Promise<void> {
    return this.app.background.drain();
  }

  /** A claim under review, with a customer contact at `email` (a fresh tenant each, so claims never compete), by Avery unless said. */
  async claimUnderReview(contact: { name: string; email: string }, fields: Record<string, unknown> = {}, by: Actor = avery): Promise<Claim> {
    const { claimService } = this.app.services;
    const tenantDigits = uniqueName('')
      .replace(/[^0-9]/g, '')
      .padStart(12, '0')
      .slice(-12);
    const draft = await claimService.createDraft(by, {
      mpnId: '4412345',
      customerDomain: 'fourthcoffee.example',
      solutionArea: 'Microsoft365',
      activity: 'Usage',
      products: ['teams', 'exchange-online'],
      customerTenantId: `88888888-0000-4000-8000-${tenantDigits}`,
      customerContact: { ...contact, title: 'CIO' },
      partnerContact: { name: 'Avery Fabrikam', email: 'avery@fabrikam.example' },
      claimName: uniqueName('Mail claim '),
      ...fields,
    });
    if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
    // A real stored PoE: the claim's files are read (pre-check) when it is decided, and a listed file missing from storage is worth a warning.
    const data = await makePdf({ pages: ['Statement of work: Fabrikam Consulting deploys Microsoft Teams and Exchange Online for Fourth Coffee.'] });
    const stored = await this.app.services.poe.upload({ claimId: draft.claim.id, fileName: 'sow.pdf', contentType: 'application/pdf', data });
    const file = {
      id: `${draft.claim.id}-1`,
      ...stored,
      fileName: 'sow.pdf',
      uploadedAt: this.clock.now().toISOString(),
      uploadedBy: { kind: 'partner' as const, id: by.id, name: by.name },
    };
    await claimService.act(draft.claim.id, { type: 'addPoe', files: [file] }, by, {}, draft.claim.orgId);
    await this.act(draft.claim, { type: 'submit' }, by);
    return this.act(draft.claim, { type: 'startReview' }, reviewer);
  }

  async act(claim: Claim, action: Parameters<BotApp['services']['claimService']['act']>[1], actor: Actor): Promise<Claim> {
    const result = await this.app.services.claimService.act(claim.id, action, actor, {}, claim.orgId);
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
    await this.settle();
    return result.claim;
  }

  async current(claim: Claim): Promise<Claim> {
    return (await this.app.services.claimService.get(claim.id, claim.orgId))!;
  }

  async sweepLater(): Promise<void> {
    this.clock.advanceMs(2 * 60_000);
    await this.app.notifications.sweeper.runOnce();
    await this.settle();
  }

  /** Another bot instance's dispatcher (its own owner in the delivery log) over the same stores. */
  secondDispatcher(): NotificationDispatcher {
    const deps = (this.app.notifications.dispatcher as unknown as { deps: DispatcherDeps }).deps;
    return new NotificationDispatcher({ ...deps, owner: 'second-instance' });
  }
}

const connector = new StubConnector();
const smtp = new TestSmtpServer();
let bot: Harness;

beforeAll(async () => {
  await Promise.all([connector.start(), smtp.start()]);
  bot = new Harness(connector, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_SECURE: 'false', MAIL_FROM: 'CPOR <cpor@test.example>' });
  await bot.start();
});
afterAll(async () => {
  await bot?.app.close();
  await Promise.all([connector.stop(), smtp.stop()]);
});
beforeEach(async () => {
  await bot.settle();
  connector.clear();
  bot.clock.set(START);
});

const customerAddress = (label: string) => `${uniqueName(label)}@fourthcoffee.example`;
const linkIn = (text: string) => /https?:\/\/\S+\/consent\/[^\s?]+\?t=[A-Za-z0-9._~%-]+/.exec(text)?.[0];
const notices = (conversationId: string, claim: Claim) =>
  connector
    .to(conversationId)
    .filter((c) => c.method === 'POST' && JSON.stringify(c.activity).includes(claim.id))
    .map((c) => JSON.stringify(c.activity));

const partnerAddress = (label: string) => `${uniqueName(label)}@fabrikam.example`;

describe("the partner contact's e-mails through SMTP", () => {
  const partnerContactAddress = partnerAddress;
  /** A claim under review whose partner contact is `email` (not a partner user the bot knows, unless said). */
  const claimWithPartnerContact = (email: string) =>
    bot.claimUnderReview({ name: 'Dana', email: customerAddress('pc-customer-') }, { partnerContact: { name: 'Pat <i>Partner</i>', email } });
  const onlyMailTo = async (email: string): Promise<ParsedMail> => {
    const messages = smtp.to(email);
    expect(messages).toHaveLength(1);
    return simpleParser(messages[0].raw);
  };

  test("Partner action required: the reasons, the reviewer's comment and the deadline, in English and Chinese, escaped in HTML", async () => {
    const email = partnerContactAddress('par-');
    const claim = await claimWithPartnerContact(email);
    const asked = await bot.act(
      claim,
      { type: 'requestInfo', reasons: ['MissingCustomerAcknowledgment'], comment: 'Add the <b>signed</b> SOW & dates' },
      reviewer,
    );
    const mail = await onlyMailTo(email);
    const due = asked.deadlines.partnerResponse!;
    const [en, zh] = [formatDeadline(bot.app.services, due, 'en-US'), formatDeadline(bot.app.services, due, 'zh-CN')];
    expect(mail.subject).toBe(
      `Partner action required on claim ${claim.fields.claimName} (${claim.id}) by ${en} / 声明 ${claim.fields.claimName}（${claim.id}）需要合作伙伴操作，截止 ${zh}`,
    );
    const text = mail.text ?? '';
    for (const fact of [
      'Dear Pat <i>Partner</i>,',
      `What is needed: ${t('en-US', 'infoReason.MissingCustomerAcknowledgment')}.`,
      'Comment from Riley Reviewer: Add the <b>signed</b> SOW & dates',
      `resubmit by ${en}`,
      'rejected automatically',
      `type "claim ${claim.id}"`,
      `需要的信息：${t('zh-CN', 'infoReason.MissingCustomerAcknowledgment')}。`,
      'Riley Reviewer 的评论：Add the <b>signed</b> SOW & dates',
      `在 ${zh} 之前重新提交`,
      `“声明 ${claim.id}”`,
    ])
      expect(text).toContain(fact);
    expect(text.indexOf('What is needed')).toBeLessThan(text.indexOf('需要的信息'));
    expect(mail.html).toContain('Add the &lt;b&gt;signed&lt;/b&gt; SOW &amp; dates');
    expect(mail.html).not.toContain('<b>signed</b>');
    expect(mail.html).not.toContain('<i>Partner</i>');
  });

  test('Rejected: the reason, where to read it, and how and until when to dispute; Approved: what approval means', async () => {
    const email = partnerContactAddress('rej-');
    const claim = await claimWithPartnerContact(email);
    const rejected = await bot.act(claim, { type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'The SOW is not signed.' }, reviewer);
    const mail = await onlyMailTo(email);
    const until = rejected.deadlines.disputeWindowEnds!;
    const [en, zh] = [formatDeadline(bot.app.services, until, 'en-US'), formatDeadline(bot.app.services, until, 'zh-CN')];
    expect(mail.subject).toContain(`Claim ${claim.fields.claimName} (${claim.id}) was rejected / 声明`);
    for (const fact of [
      'Reason: Insufficient proof of execution.',
      'Comment from Riley Reviewer: The SOW is not signed.',
      `open your 1:1 chat with the bot, or type "claim ${claim.id}"`,
      `dispute this rejection once, until ${en}`,
      `type "dispute ${claim.id}"`,
      `原因：${t('zh-CN', 'reason.InsufficientProofOfExecution')}。`,
      `在 ${zh} 之前对此拒绝提出一次异议`,
    ])
      expect(mail.text).toContain(fact);

    const approvedEmail = partnerContactAddress('ok-');
    const toApprove = await claimWithPartnerContact(approvedEmail);
    await bot.act(toApprove, { type: 'approve' }, reviewer);
    const approval = await onlyMailTo(approvedEmail);
    const guide = bot.app.services.config.incentiveGuideUrl;
    expect(approval.subject).toContain(`Claim ${toApprove.fields.claimName} (${toApprove.id}) was approved`);
    expect(approval.text).toContain(t('en-US', 'partner.approvalMeaning', { url: guide }));
    expect(approval.text).toContain(t('zh-CN', 'partner.approvalMeaning', { url: guide }));
    expect(approval.html).toContain(`<a href="${guide}">`);
  });

  test("exactly once however often the dispatch runs, here and in a second instance; in the partner user's language when known", async () => {
    // avery@fabrikam.example is Avery's roster address, and Avery's chat with the bot is in English.
    const claim = await bot.claimUnderReview({ name: 'Dana', email: customerAddress('once-') });
    const before = smtp.to('avery@fabrikam.example').length;
    const result = await bot.app.services.claimService.act(
      claim.id,
      { type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Which products?' },
      reviewer,
      {},
      claim.orgId,
    );
    if (!result.ok) throw new Error('requestInfo refused');
    await bot.settle();
    await Promise.all([
      bot.app.notifications.dispatcher.dispatch(result.claim),
      bot.secondDispatcher().dispatch(result.claim),
      bot.secondDispatcher().dispatch(result.claim),
    ]);
    await bot.sweepLater();
    const sent = smtp
      .to('avery@fabrikam.example')
      .slice(before)
      .filter((m) => m.raw.toString().includes(claim.id));
    expect(sent).toHaveLength(1);
    const mail = await simpleParser(sent[0].raw);
    expect(mail.text).toContain('Which products?');
    expect(mail.subject).not.toMatch(/声明/);
    expect(mail.text).not.toMatch(/需要的信息/);
  });

  test("a bounce is recorded in the claim's history, not retried, and the partners are told in Teams", async () => {
    const email = partnerContactAddress('pc-bounce-');
    smtp.refuse.set(email, { codes: [], always: 550 });
    const claim = await claimWithPartnerContact(email);
    await bot.act(claim, { type: 'reject', reason: 'InsufficientProofOfExecution' }, reviewer);
    await bot.sweepLater();
    expect(smtp.attempts.filter((a) => a === email)).toHaveLength(1);
    const after = await bot.current(claim);
    expect(after.outbox ?? []).toEqual([]);
    expect(after.history.filter((e) => e.action === 'deliveryFailed')).toEqual([
      expect.objectContaining({ delivery: { recipient: email, status: 550, channel: 'email', to: 'partnerContact' } }),
    ]);
    for (const person of [PARTNER_AAD, NOOR]) {
      expect(notices(dm(person), claim).filter((n) => n.includes('an e-mail to the partner contact bounced'))).toHaveLength(1);
    }
  });
});

describe('a partner notice Teams could not deliver goes by e-mail instead', () => {
  const ROBIN_EMAIL = 'robin@tailspin.example';
  const NOOR_EMAIL = 'noor@fabrikam.example';
  /** A Tailspin claim under review: Robin never opened a chat with the bot. */
  const tailspinClaim = (fields: Record<string, unknown> = {}) =>
    bot.claimUnderReview(
      { name: 'Dana', email: customerAddress('ts-') },
      { mpnId: '5523456', partnerContact: { name: 'Robin Tailspin', email: ROBIN_EMAIL }, ...fields },
      robin,
    );
  const mailsAbout = (address: string, claim: Claim) => smtp.to(address).filter((m) => m.raw.toString().includes(claim.id));
  const noorSays = (locale: string) =>
    postActivity(
      bot.app.url,
      teamsActivity(
        { serviceUrl: connector.url, aadObjectId: NOOR, tenantId: PARTNER_TENANT, conversation: { id: dm(NOOR), conversationType: 'personal' } },
        { type: 'message', text: 'help', locale, deliveryMode: 'expectReplies' },
      ),
    );

  test("a partner user who never opened the bot gets a reviewer's comment by e-mail, once, in English and Chinese, escaped in HTML", async () => {
    const claim = await tailspinClaim();
    await bot.act(claim, { type: 'comment', text: 'Please check the <b>SOW</b> dates & signatures.' }, reviewer);
    await Promise.all([bot.app.notifications.dispatcher.dispatch(await bot.current(claim)), bot.secondDispatcher().dispatch(await bot.current(claim))]);
    await bot.sweepLater();
    // Review started, then the comment: two notices, one e-mail each (the partner contact's e-mails are only for Rejected, PAR, Approved).
    const mails = await Promise.all(mailsAbout(ROBIN_EMAIL, claim).map((m) => simpleParser(m.raw)));
    expect(mails.map((m) => m.subject)).toEqual([
      expect.stringContaining(`${claim.fields.claimName} is Under review / `),
      expect.stringContaining('New comment'),
    ]);
    const comment = mails[1];
    expect(comment.subject).toContain(' / ');
    for (const fact of [
      'Dear Robin Tailspin,',
      t('en-US', 'mail.notice.why.noChat'),
      'Comment from Riley Reviewer: Please check the <b>SOW</b> dates & signatures.',
      `type "claim ${claim.id}"`,
      t('zh-CN', 'mail.notice.why.noChat'),
      'Riley Reviewer 的评论：Please check the <b>SOW</b> dates & signatures.',
    ])
      expect(comment.text).toContain(fact);
    expect(comment.html).toContain('Please check the &lt;b&gt;SOW&lt;/b&gt; dates &amp; signatures.');
    expect(comment.html).not.toContain('<b>SOW</b>');
    expect((await bot.current(claim)).outbox ?? []).toEqual([]);
  });

  test('one notice e-mailed to several partner users: each e-mail has its own greeting, reason and language, as if composed alone', async () => {
    const claim = await bot.act(await tailspinClaim(), { type: 'comment', text: 'Shared by <i>all</i>.' }, reviewer);
    const entry = outboxEntriesFor(claim, claim.history.at(-1)!).find((e) => e.audience === 'partners')!;
    const partnerMail = new PartnerMail(bot.app.services);
    const recipients: NoticeRecipient[] = [
      { name: 'Robin Tailspin', email: ROBIN_EMAIL, why: 'noChat' },
      { name: 'Noor Incentives', email: NOOR_EMAIL, why: 'unreachable', locale: 'zh-CN' },
      { name: 'Sam Both', email: 'sam@tailspin.example', why: 'noChat' },
    ];
    const shared = partnerMail.noticeMails(claim, entry);
    const together = recipients.map((r, i) => shared(r, `m-${i}`));
    const alone = recipients.map((r, i) => new PartnerMail(bot.app.services).noticeMails(claim, entry)(r, `m-${i}`));
    expect(together).toEqual(alone);
    expect(together[0].text).toContain('Dear Robin Tailspin,');
    expect(together[0].text).not.toContain('Sam Both');
    expect(together[2].text).toContain('Dear Sam Both,');
    expect(together[2].html).toContain('Shared by &lt;i&gt;all&lt;/i&gt;.');
    expect(together[1].subject).not.toContain(' / ');
    expect(together[1].text).toContain(t('zh-CN', 'mail.notice.why.unreachable'));
    expect(together[1].text).not.toContain(t('en-US', 'mail.notice.why.noChat'));
    expect(together[0].subject).toContain(' / ');
  });

  test('a notice to many partner users without a chat: each gets the e-mail, a few at a time, over sessions the mailer keeps', async () => {
    const claim = await bot.act(await tailspinClaim(), { type: 'comment', text: 'For the whole team.' }, reviewer);
    const entry = outboxEntriesFor(claim, claim.history.at(-1)!).find((e) => e.audience === 'partners')!;
    // Twenty claiming partner users of Tailspin, none of whom has opened the bot.
    const team = Array.from({ length: 20 }, (_, i) => ({
      aadObjectId: `7a7a7a7a-0000-4000-8000-${String(i).padStart(12, '0')}`,
      tenantId: PARTNER_TENANT,
      orgId: robin.orgId,
      name: `Tailspin Partner ${i}`,
      email: partnerAddress(`team${i}-`).replace('@fabrikam.', '@tailspin.'),
      role: 'BillingAdmin' as const,
    }));
    const deps = (bot.app.notifications.dispatcher as unknown as { deps: DispatcherDeps }).deps;
    const rosters = Object.create(deps.rosters, { partnerUsersOf: { value: async () => team } }) as DispatcherDeps['rosters'];
    smtp.resetSessions();
    await new NotificationDispatcher({ ...deps, rosters, owner: 'team-instance' }).dispatch({ ...claim, outbox: [entry] });
    for (const member of team) expect(mailsAbout(member.email, claim)).toHaveLength(1);
    // Sent side by side, and the mail server never sees more sessions than the dispatcher's slots at once.
    expect(smtp.mostSessions).toBeGreaterThan(1);
    expect(smtp.mostSessions).toBeLessThanOrEqual(MAIL_SENDS_AT_ONCE);
    // Sessions are reused: a new one per e-mail (a TLS handshake and a login each) would be 20.
    expect(smtp.opened).toBeLessThan(team.length / 2);
  });

  test("the partner contact's own e-mail of a change is not sent twice to the same address", async () => {
    const claim = await tailspinClaim();
    const before = mailsAbout(ROBIN_EMAIL, claim).length;
    await bot.act(claim, { type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Which products?' }, reviewer);
    await bot.sweepLater();
    const sent = mailsAbout(ROBIN_EMAIL, claim).slice(before);
    expect(sent).toHaveLength(1);
    expect((await simpleParser(sent[0].raw)).subject).toContain('Partner action required on claim');
  });

  test("a chat that answers 403: the notice goes to the partner user's roster address, in the language of their Teams", async () => {
    try {
      await noorSays('zh-CN');
      const claim = await bot.claimUnderReview({ name: 'Dana', email: customerAddress('403-') });
      connector.script(dm(NOOR), { status: 403 });
      await bot.act(claim, { type: 'comment', text: 'Noch eine Frage.' }, reviewer);
      await bot.sweepLater();
      const sent = mailsAbout(NOOR_EMAIL, claim);
      expect(sent).toHaveLength(1);
      const mail = await simpleParser(sent[0].raw);
      expect(mail.subject).not.toContain(' / ');
      expect(mail.text).toContain(t('zh-CN', 'mail.notice.why.unreachable'));
      expect(mail.text).toContain('Noch eine Frage.');
      expect(mail.text).not.toContain('Dear');
      // The 403 is in the history as before; Avery, who is reachable, got the notice in Teams and no e-mail.
      expect((await bot.current(claim)).history.filter((e) => e.action === 'deliveryFailed')).toEqual([
        expect.objectContaining({ delivery: { recipient: 'Noor Incentives', status: 403 } }),
      ]);
      expect(notices(dm(PARTNER_AAD), claim).filter((n) => n.includes('New comment'))).toHaveLength(1);
      expect(mailsAbout('avery@fabrikam.example', claim)).toHaveLength(0);
    } finally {
      // Noor writes to the bot again (in English): reachable again for the other tests.
      await noorSays('en-US');
    }
  });

  test("a bounce of such an e-mail is recorded in the claim's history, not retried, and not e-mailed to the address that bounced", async () => {
    smtp.refuse.set(ROBIN_EMAIL, { codes: [], always: 550 });
    const triedBefore = smtp.attempts.filter((a) => a === ROBIN_EMAIL).length;
    try {
      const claim = await tailspinClaim({ partnerContact: { name: 'Pat', email: partnerAddress('ts-pc-') } });
      await bot.act(claim, { type: 'comment', text: 'One more thing.' }, reviewer);
      await bot.sweepLater();
      await bot.sweepLater();
      const after = await bot.current(claim);
      const bounces = after.history.filter((e) => e.action === 'deliveryFailed');
      // Review started and the comment: two notices to Robin, each refused once.
      expect(bounces).toEqual([
        expect.objectContaining({ delivery: { recipient: ROBIN_EMAIL, status: 550, channel: 'email', to: 'partnerUser' } }),
        expect.objectContaining({ delivery: { recipient: ROBIN_EMAIL, status: 550, channel: 'email', to: 'partnerUser' } }),
      ]);
      expect(smtp.attempts.filter((a) => a === ROBIN_EMAIL).length - triedBefore).toBe(2);
      expect(after.outbox ?? []).toEqual([]);
    } finally {
      smtp.refuse.delete(ROBIN_EMAIL);
    }
  });
});

describe('the approval e-mail through SMTP', () => {
  test("the customer contact gets one e-mail in English and Chinese with the claim's facts and a consent link that works", async () => {
    const email = customerAddress('dana-');
    // A name with markup characters: shown as text in the HTML part, never as markup.
    const claim = await bot.claimUnderReview({ name: 'Dana <b>O\'Brien</b> & "Co"', email });
    const approved = await bot.act(claim, { type: 'approve' }, reviewer);
    const messages = smtp.to(email);
    expect(messages).toHaveLength(1);
    const mail: ParsedMail = await simpleParser(messages[0].raw);

    // Envelope and headers.
    expect(messages[0].rcptTo).toEqual([email]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: 'Dana <b>O\'Brien</b> & "Co"', address: email }]);
    expect(mail.from?.value).toEqual([{ name: 'CPOR', address: 'cpor@test.example' }]);
    expect(mail.subject).toBe(
      'Partner association approved: Fabrikam Consulting Ltd for fourthcoffee.example / 合作伙伴关联已批准：Fabrikam Consulting Ltd（fourthcoffee.example）',
    );
    expect(mail.messageId).toMatch(/^<cpor\.[0-9a-f]{32}@test\.example>$/);
    expect(mail.headers.get('x-cpor-claim')).toBe(claim.id);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');

    // The facts, in both languages, English first.
    const text = mail.text ?? '';
    // Each language's section writes its dates in its own locale, in the configured zone (UTC here).
    const consentEnds = formatDeadline(bot.app.services, approved.deadlines.consentEnds!, 'en-US');
    const consentEndsZh = formatDeadline(bot.app.services, approved.deadlines.consentEnds!, 'zh-CN');
    expect(consentEnds).toMatch(/^Nov 30, 2026, 11:59\sPM \(UTC\)$/);
    expect(consentEndsZh).toBe('2026年11月30日 23:59（UTC）');
    for (const fact of [
      'Partner organisation: Fabrikam Consulting Ltd',
      'MPN ID: 4412345',
      'Partner contact: Avery Fabrikam <avery@fabrikam.example>',
      'Solution area: Microsoft 365',
      'Products and workloads: Microsoft Teams, Exchange Online',
      'Customer domain name: fourthcoffee.example',
      `Customer directory (tenant) ID: ${claim.fields.customerTenantId}`,
      `Consent period ends: ${consentEnds}`,
      `Claim ID: ${claim.id}`,
      'Dear Dana <b>O\'Brien</b> & "Co",',
      `deny consent by ${consentEnds}`,
      'Denying consent ends the association: the claim is rejected with the reason "Customer decline"',
      'No sign-in is needed',
      '合作伙伴组织：Fabrikam Consulting Ltd',
      '产品和工作负荷：Microsoft Teams、Exchange Online',
      '客户域名：fourthcoffee.example',
      `同意期结束时间：${consentEndsZh}`,
      '批准时间：2026年11月23日 09:00（UTC）',
      `请在 ${consentEndsZh} 之前拒绝同意`,
      '拒绝同意将终止该关联：声明将以“客户拒绝”为由被拒绝',
      '无需登录',
    ]) {
      expect([fact, text.includes(fact)]).toEqual([fact, true]);
    }
    expect(text.indexOf('Partner organisation')).toBeLessThan(text.indexOf('合作伙伴组织'));
    const [english, chinese] = text.split('----------------------------------------');
    expect(english).toMatch(/Approved on: Nov 23, 2026, 9:00\sAM \(UTC\)/);
    expect(english).toMatch(/It works until [A-Z][a-z]{2} \d{1,2}, \d{4}, 9:00\sAM \(UTC\);/);
    expect(english).not.toContain('年');
    expect(chinese).toMatch(/链接有效期至 \d{4}年\d{1,2}月\d{1,2}日 09:00（UTC）；/);
    expect(chinese).not.toMatch(/[AP]M \(UTC\)/);

    // The HTML part: both languages, every claim value escaped.
    const html = String(mail.html);
    expect(html).toContain('<div lang="en-US">');
    expect(html).toContain('<div lang="zh-CN">');
    expect(html).toContain('Dana &lt;b&gt;O&#39;Brien&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(html).not.toContain('<b>O');
    expect(html).toContain(claim.fields.customerTenantId!);

    // The link: the bot's own server, this claim, a token the bot accepts; the same link in both parts.
    const link = linkIn(text)!;
    expect(link).toBeDefined();
    const url = new URL(link);
    expect(`${url.protocol}//${url.host}`).toBe(bot.app.url);
    expect(url.pathname).toBe(`/consent/${encodeURIComponent(claim.id)}`);
    expect(html).toContain(`href="${link}"`);
    const token = url.searchParams.get('t')!;
    const check = bot.app.services.consentLinks.check(token, claim.id, bot.clock.now());
    expect(check).toMatchObject({ ok: true, payload: { claimId: claim.id } });
    // The e-mail's outbox entry is the token's nonce (the consent page's idempotency key).
    const approveSeq = approved.history.find((e) => e.action === 'approve')!.seq;
    expect(check.ok && check.payload.nonce).toBe(`${claim.id}:${approveSeq}:customer`);
    expect(bot.app.services.consentLinks.check(token, 'CPOR-some-other-claim', bot.clock.now())).toMatchObject({ ok: false, reason: 'otherClaim' });

    // Following the link: the consent page when this build serves it (another part of the bot), with the claim's domain.
    const page = await fetch(link);
    const body = await page.text();
    const routeServed = !(page.status === 404 && /ResourceNotFound|does not exist/.test(body));
    if (routeServed) {
      expect(page.status).toBe(200);
      expect(body).toContain('fourthcoffee.example');
    }

    // Delivered: nothing left in the outbox; the partners heard of the approval as always.
    expect((await bot.current(claim)).outbox ?? []).toEqual([]);
    expect(notices(dm(NOOR), claim).filter((n) => n.includes('is Approved'))).toHaveLength(1);
    expect(bot.log.lines.filter((l) => l.includes(claim.id) && /WARN|ERROR/.test(l))).toEqual([]);
  });

  test('nothing else goes to the customer: comments and the end of the consent period send no e-mail', async () => {
    const email = customerAddress('quiet-');
    const claim = await bot.claimUnderReview({ name: 'Quinn', email });
    let c = await bot.act(claim, { type: 'approve' }, reviewer);
    c = await bot.act(c, { type: 'comment', text: 'Approved, thanks.' }, reviewer);
    bot.clock.set(new Date(Date.parse(c.deadlines.consentEnds!) + 1000));
    await bot.app.notifications.sweeper.runOnce();
    await bot.settle();
    const after = await bot.current(claim);
    expect(after.approval?.sentForEligibilityAt).toBeDefined();
    expect(smtp.to(email)).toHaveLength(1);
    // Of every change in the claim's life, only the approval is for the customer.
    expect(after.history.filter((e) => audiencesFor(after, e).includes('customer')).map((e) => e.action)).toEqual(['approve']);
    expect(
      audiencesFor(after, { ...after.history[0], action: 'deliveryFailed', outcome: 'applied', delivery: { recipient: email, status: 550, channel: 'email' } }),
    ).toEqual(['partners', 'reviewCard']);
    expect(audiencesFor(after, { ...after.history[0], action: 'deliveryFailed', outcome: 'applied', delivery: { recipient: 'Noor', status: 403 } })).toEqual(
      [],
    );
  });

  test('one e-mail only: a second approval is refused, and dispatching again (here and in a second instance at once) sends nothing more', async () => {
    const email = customerAddress('once-');
    const claim = await bot.claimUnderReview({ name: 'Olive', email });
    const result = await bot.app.services.claimService.act(claim.id, { type: 'approve' }, reviewer, {}, claim.orgId);
    expect(result.ok).toBe(true);
    const stale = result.ok ? result.claim : claim;
    expect(stale.outbox?.map((e) => e.audience)).toContain('customer');
    const again = await bot.app.services.claimService.act(claim.id, { type: 'approve' }, reviewer, {}, claim.orgId);
    expect(again.ok).toBe(false);
    await bot.settle();
    // The claim as it was right after the approval, outbox still full: as after a crash before the outbox was cleared.
    await Promise.all([bot.app.notifications.dispatcher.dispatch(stale), bot.secondDispatcher().dispatch(stale), bot.secondDispatcher().dispatch(stale)]);
    await bot.sweepLater();
    expect(smtp.to(email)).toHaveLength(1);
    expect(smtp.attempts.filter((a) => a === email)).toHaveLength(1);
    expect((await bot.current(claim)).outbox ?? []).toEqual([]);
  });

  test('a 4xx reply leaves the e-mail in the outbox; a later sweep sends it, once', async () => {
    const email = customerAddress('later-');
    smtp.refuse.set(email, { codes: [451] });
    const claim = await bot.claimUnderReview({ name: 'Lee', email });
    await bot.act(claim, { type: 'approve' }, reviewer);
    expect(smtp.to(email)).toHaveLength(0);
    const pending = await bot.current(claim);
    expect(pending.outbox?.map((e) => e.audience)).toEqual(['customer']);
    expect((await bot.app.services.timers.forClaim(claim.id)).some((t) => t.timer.purpose.type === 'dispatch')).toBe(true);
    expect(bot.log.lines.filter((l) => l.includes(claim.id) && l.includes('not sent yet'))).toEqual([expect.stringContaining('451')]);
    // The partners were told at once; the e-mail does not hold them up.
    expect(notices(dm(NOOR), claim).filter((n) => n.includes('is Approved'))).toHaveLength(1);

    await bot.sweepLater();
    await bot.sweepLater();
    expect(smtp.to(email)).toHaveLength(1);
    expect((await bot.current(claim)).outbox ?? []).toEqual([]);
    expect((await bot.current(claim)).history.filter((e) => e.action === 'deliveryFailed')).toEqual([]);
  });

  test("a permanent 5xx refusal is not retried: logged, recorded in the claim's history, and the partners are told", async () => {
    const email = customerAddress('bounce-');
    smtp.refuse.set(email, { codes: [], always: 550 });
    const claim = await bot.claimUnderReview({ name: 'Bo', email });
    await bot.act(claim, { type: 'approve' }, reviewer);
    await bot.sweepLater();
    expect(smtp.attempts.filter((a) => a === email)).toHaveLength(1);
    expect(smtp.to(email)).toHaveLength(0);
    const after = await bot.current(claim);
    expect(after.outbox ?? []).toEqual([]);
    expect(after.status).toBe('Approved');
    expect(after.history.filter((e) => e.action === 'deliveryFailed')).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ kind: 'system' }), delivery: { recipient: email, status: 550, channel: 'email' } }),
    ]);
    expect(bot.log.lines.filter((l) => l.startsWith('ERROR') && l.includes(claim.id))).toEqual([
      expect.stringContaining(`approval e-mail to ${email} was refused`),
    ]);
    for (const person of [PARTNER_AAD, NOOR]) {
      expect(notices(dm(person), claim).filter((n) => n.includes('the approval e-mail to the customer bounced'))).toHaveLength(1);
      expect(notices(dm(person), claim).find((n) => n.includes('bounced'))).toContain('(SMTP 550)');
    }
  });

  test('a claim whose customer contact has no e-mail address: no e-mail, a warning, and the partners are still told', async () => {
    const claim = await bot.claimUnderReview({ name: 'Nobody', email: customerAddress('gone-') });
    // Stored without the address (data from before it was required, or written by hand).
    const stored = (await bot.app.services.claims.get(claim.orgId, claim.id))!.claim;
    await bot.app.services.cosmos.containers.claims
      .item(claim.id, claim.orgId)
      .replace({ ...stored, fields: { ...stored.fields, customerContact: { name: 'Nobody', title: 'CIO' } } });
    // E-mails other than the partner contact's own.
    const notToPartnerContact = () => smtp.received.filter((m) => !m.rcptTo.includes(claim.fields.partnerContact!.email)).length;
    const before = notToPartnerContact();
    await bot.act(claim, { type: 'approve' }, reviewer);
    expect(notToPartnerContact()).toBe(before);
    expect(bot.log.lines.filter((l) => l.includes(claim.id) && l.startsWith('WARN'))).toEqual([
      expect.stringContaining('the customer contact has no e-mail address'),
    ]);
    expect((await bot.current(claim)).outbox ?? []).toEqual([]);
    for (const person of [PARTNER_AAD, NOOR]) expect(notices(dm(person), claim).filter((n) => n.includes('is Approved'))).toHaveLength(1);
  });
});

describe('without SMTP settings', () => {
  let outboxBot: Harness;
  beforeAll(async () => {
    outboxBot = new Harness(connector, {});
    await outboxBot.start();
  });
  afterAll(async () => {
    await outboxBot?.app.close();
  });

  test('the e-mail is kept in the Cosmos DB "mail" container and logged, once', async () => {
    expect(outboxBot.app.services.mailer.kind).toBe('outbox');
    expect(outboxBot.log.lines).toContainEqual(expect.stringContaining('SMTP_HOST is not set'));
    const email = customerAddress('kept-');
    const claim = await outboxBot.claimUnderReview({ name: 'Kim', email });
    const result = await outboxBot.app.services.claimService.act(claim.id, { type: 'approve' }, reviewer, {}, claim.orgId);
    await outboxBot.settle();
    // Dispatched again from the claim as it was before its outbox was cleared: still one stored e-mail.
    if (result.ok) await outboxBot.secondDispatcher().dispatch(result.claim);

    const { resources } = await outboxBot.app.services.cosmos.containers.mail.items
      .query<StoredMail>({ query: 'SELECT * FROM c WHERE c.claimId = @claimId', parameters: [{ name: '@claimId', value: claim.id }] })
      .fetchAll();
    // The customer's e-mail (the partner contact gets their own).
    const toCustomer = resources.filter((m) => m.to.includes(email));
    expect(toCustomer).toHaveLength(1);
    const mail = toCustomer[0];
    expect(mail).toMatchObject({
      to: `Kim <${email}>`,
      from: 'CPOR claims bot <cpor-bot@localhost>',
      subject: expect.stringContaining('Partner association approved: Fabrikam Consulting Ltd for fourthcoffee.example'),
    });
    expect(mail.text).toContain(`Customer directory (tenant) ID: ${claim.fields.customerTenantId}`);
    expect(linkIn(mail.text)).toContain(`/consent/${encodeURIComponent(claim.id)}?t=`);
    const logged = outboxBot.log.lines.filter((l) => l.includes('Mail outbox') && l.includes(claim.id) && l.includes(email));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(mail.subject);
    expect((await outboxBot.current(claim)).outbox ?? []).toEqual([]);
  });
});

describe('SMTP failures, as the mailer sees them', () => {
  test('no server listening is worth another try; so are a refused login or sender; a refused recipient or message is not', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const mailer = new SmtpMailer({ mode: 'smtp', host: '127.0.0.1', port, secure: false, from: 'cpor@test.example' });
    const outcome = await mailer.send({ id: 'x', claimId: 'c', to: { address: 'a@b.example' }, subject: 's', text: 't', html: '<p>t</p>' });
    mailer.close();
    expect(outcome).toMatchObject({ ok: false, permanent: false });

    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 no such user' })).toMatchObject({
      permanent: true,
      status: 550,
    });
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 5.7.1 rejected as spam' })).toMatchObject({
      permanent: true,
      status: 554,
    });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 452, command: 'RCPT TO', response: '452 mailbox full' })).toMatchObject({
      permanent: false,
      status: 452,
    });
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN', response: '535 bad credentials' })).toMatchObject({
      permanent: false,
      status: 535,
    });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM', response: '550 sender not allowed' })).toMatchObject({
      permanent: false,
    });
    expect(classifySmtpError({ code: 'ETIMEDOUT', command: 'CONN', message: 'Greeting never received' })).toMatchObject({ permanent: false });
  });
});
