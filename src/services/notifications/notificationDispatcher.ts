import { randomUUID } from 'node:crypto';
import { CLAIMING_PARTNER_ROLES } from '../../domain/actors';
import type { Claim } from '../../domain/claim';
import { mailedToPartnerContact, NEEDS_A_REVIEWER, type OutboxEntry } from '../../domain/claimNotifications';
import type { ClaimHistoryEvent, MailedPartner } from '../../domain/claimHistory';
import type { PartnerUser } from '../../domain/roster';
import { sameTimers, timersFor, type ClaimTimer } from '../../domain/claimTimers';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { ClaimStore } from '../../storage/claimStore';
import type { ConversationStore, ReviewRegistry, StoredReference } from '../../storage/conversationStore';
import type { DeliveryClaim, DeliveryLog } from '../../storage/deliveryLog';
import type { RosterStore } from '../../storage/rosterStore';
import { dispatchTimerId, timerDocOf, type StoredTimer, type TimerStore } from '../../storage/timerStore';
import type { BusinessCalendar } from '../../domain/businessCalendar';
import type { DeliveryOutcome, DeliveryScheduler } from './deliveryScheduler';
import type { DispatchIntents } from './dispatchIntents';
import { MAIL_SENDS_AT_ONCE, type MailMessage, type MailOutcome } from './mailer';
import type { NoticeRecipient } from './partnerMail';
import { SendSlots } from './sendSlots';

/**
 * Carries out what a claim change left to do: brings the claim's timers in line with its deadlines
 * and delivers its outbox, within Teams' limits, once per person. Called right after a change (in the
 * background) and by the sweep for a claim whose dispatch timer is due (an instance stopped half way,
 * or a delivery to retry). Work on one claim is never done twice at once by one instance.
 */

/** What the bot layer provides: rendering a notification for one recipient, and Teams' send/update. */
export interface NotificationChannel {
  render(request: RenderRequest): Promise<unknown>;
  send(reference: StoredReference['reference'], activity: unknown): Promise<string | undefined>;
  update(reference: StoredReference['reference'], activityId: string, activity: unknown): Promise<void>;
  /** The same message, saying it is sent again because an earlier send was cut off (a crash mid-send). */
  asRepeat(reference: StoredReference['reference'], activity: unknown): unknown;
}

/** The customer's approval e-mail (audience 'customer'): composed in the core, sent by the configured mailer. */
export interface CustomerMail {
  compose(claim: Claim, entry: OutboxEntry, id: string): Promise<MailMessage>;
  send(message: MailMessage): Promise<MailOutcome>;
  /** True when sending a message again keeps one copy of it by its id (the Cosmos DB outbox without SMTP). */
  keepsOneCopyById?: boolean;
}

/**
 * E-mails to the partner's side, composed in the core and sent by the same mailer: the partner contact's
 * (audience 'partnerContact'), and a partner notice Teams could not deliver, to the partner user's address.
 */
export interface PartnerContactMail {
  compose(claim: Claim, entry: OutboxEntry, id: string): Promise<MailMessage>;
  /** The notice's e-mails to partner users, each composed from what they share, made once. */
  noticeMails(claim: Claim, entry: OutboxEntry): (recipient: NoticeRecipient, id: string) => MailMessage;
}

export type RenderRequest =
  /** `entry` records the claim as the change left it: the notice tells that, whatever happened since. */
  | { kind: 'partnerNotice'; claim: Claim; event: ClaimHistoryEvent; entry: OutboxEntry; reference: StoredReference['reference'] }
  | { kind: 'reviewCard'; claim: Claim }
  | { kind: 'reviewerReminder'; claim: Claim; event: ClaimHistoryEvent };

export interface DispatcherDeps {
  claims: ClaimStore;
  timers: TimerStore;
  intents: DispatchIntents;
  deliveries: DeliveryLog;
  conversations: ConversationStore;
  reviews: ReviewRegistry;
  rosters: RosterStore;
  calendar: BusinessCalendar;
  clock: Clock;
  scheduler: DeliveryScheduler;
  channel: NotificationChannel;
  mail: CustomerMail;
  partnerMail: PartnerContactMail;
  log: Logger;
  /** Configured reviewers' conversation (REVIEW_CONVERSATION_ID); otherwise the one a reviewer chose. */
  reviewConversationId?: string;
  /**
   * Records a delivery refused for good in the claim's history (the claim service's deliveryFailed): Teams'
   * 403/404, or with channel 'email' a mail server's 5xx (a bounce, which the partner is told of): the
   * customer contact's, or with `to` the partner contact's or a partner user's.
   */
  recordFailure: (claim: Claim, recipient: string, status: number, channel?: 'email', to?: MailedPartner) => Promise<void>;
  /** How long an instance owns one message's send before another may take over (default 2 minutes). */
  sendLeaseMs?: number;
  /** How long after a failed try a claim's remaining deliveries are tried again (default 1 minute). */
  retryAfterMs?: number;
  owner?: string;
}

/** What is known of a change when its work is done: the version before it, the leased dispatch timer, the ETag it was written with. */
export interface DispatchOptions {
  previous?: Claim;
  intent?: StoredTimer;
  etag?: string;
}

/** How often a warning that every claim would repeat (no reviewers' conversation) is said. */
const REPEAT_WARNING_MS = 10 * 60_000;

type RecipientResult = 'delivered' | 'skipped' | 'unreachable' | 'retry';
type Failure = { recipient: string; status: number; channel?: 'email'; to?: MailedPartner };
/** One try of a send: `settled` when the delivery is done for good (sent, or refused for good), with the id it went as. */
type Attempt = { result: RecipientResult; settled?: { as: string | undefined } };

export class NotificationDispatcher {
  readonly owner: string;
  private readonly running = new Map<string, Promise<void>>();
  /** When each repeating warning was last said. */
  private readonly warned = new Map<string, number>();
  /** E-mails this dispatcher sends at once, over all claims: as many as the SMTP mailer keeps sessions. */
  private readonly mailSlots = new SendSlots(MAIL_SENDS_AT_ONCE);

  constructor(private readonly deps: DispatcherDeps) {
    this.owner = deps.owner ?? `instance-${randomUUID().slice(0, 8)}`;
  }

  /**
   * Does the work for a claim after a change (`previous` is the version before it, when known) or when
   * its dispatch timer fires (`intent` is then the leased timer); `etag` is the one the change was
   * written with, when known. Concurrent calls for one claim wait for each other.
   */
  dispatch(claim: Claim, options: DispatchOptions = {}): Promise<void> {
    return this.inTurn(claim.id, () => this.dispatchNow(claim, options));
  }

  /**
   * Whether a change leaves this dispatcher anything to do: a dispatch timer to finish, notices in the
   * outbox, or timers to move. Most edits of a draft leave nothing, and are not queued behind people's
   * turns holding two copies of the claim (under a burst of edits that queue grew by hundreds).
   */
  hasWorkAfter(claim: Claim, options: DispatchOptions): boolean {
    if (options.intent || claim.outbox?.length) return true;
    if (!options.previous || options.previous.version !== claim.version - 1) return true;
    return !sameTimers(timersFor(options.previous, this.deps.calendar), timersFor(claim, this.deps.calendar));
  }

  /**
   * Draws the claim's posted review card again, from the claim as stored now: what the card shows changed
   * without a change to the claim (its PoE checklist became known). Nothing when no card was posted yet;
   * a failed update is logged, not retried (the next change or refresh draws the card again).
   */
  refreshReviewCard(orgId: string, claimId: string): Promise<void> {
    return this.inTurn(claimId, async () => {
      const stored = await this.deps.claims.get(orgId, claimId);
      if (!stored) return;
      const failures: Failure[] = [];
      await this.deliverReviewCard(stored.claim, [], failures);
      if (failures.length) this.deps.log.warn(`Claim ${claimId}: the review card could not be drawn again (${failures.map((f) => f.status).join(', ')})`);
    });
  }

  /** Work for one claim runs one piece at a time, in the order asked. */
  private inTurn(claimId: string, work: () => Promise<void>): Promise<void> {
    const before = this.running.get(claimId) ?? Promise.resolve(undefined);
    const next = before
      .catch(() => undefined)
      .then(work)
      .finally(() => {
        if (this.running.get(claimId) === next) this.running.delete(claimId);
      });
    this.running.set(claimId, next);
    return next;
  }

  /** Brings the stored timers of a claim in line with what its current state needs (a full comparison). */
  async syncTimers(claim: Claim): Promise<void> {
    const wanted = timersFor(claim, this.deps.calendar);
    const existing = (await this.deps.timers.forClaim(claim.id)).filter((s) => s.timer.purpose.type !== 'dispatch');
    await this.applyTimers(
      wanted,
      existing.map((s) => ({ id: s.timer.id, firesAt: s.timer.firesAt, etag: s.etag })),
    );
  }

  private async dispatchNow(claim: Claim, options: DispatchOptions): Promise<void> {
    // Right after a change the timers it had are known; otherwise (a sweep) the stored ones are read.
    if (options.previous && options.previous.version === claim.version - 1) {
      await this.applyTimers(
        timersFor(claim, this.deps.calendar),
        timersFor(options.previous, this.deps.calendar).map((t) => ({ id: t.id, firesAt: t.dueAt })),
      );
    } else {
      await this.syncTimers(claim);
    }

    const outbox = claim.outbox ?? [];
    const settled: string[] = [];
    const failures: Failure[] = [];
    const reviewCardEntries = outbox.filter((e) => e.audience === 'reviewCard');
    const results = await Promise.all([
      ...outbox
        .filter((e) => e.audience !== 'reviewCard')
        .map(async (entry) => ({ entries: [entry], results: await this.deliverEntry(claim, entry, failures) })),
      ...(reviewCardEntries.length
        ? [this.deliverReviewCard(claim, reviewCardEntries, failures).then((r) => ({ entries: reviewCardEntries, results: [r] }))]
        : []),
    ]);
    for (const { entries, results: outcomes } of results) if (!outcomes.includes('retry')) settled.push(...entries.map((e) => e.id));
    for (const failure of failures) {
      try {
        await this.deps.recordFailure(claim, failure.recipient, failure.status, failure.channel, failure.to);
      } catch (error) {
        this.deps.log.error(`Could not record an undeliverable notification on claim ${claim.id}`, error);
      }
    }
    if (settled.length) await this.deps.claims.removeFromOutbox(claim.orgId, claim.id, settled, options.etag ? { claim, etag: options.etag } : undefined);
    await this.finishIntent(claim, options.intent, settled.length < outbox.length);
  }

  /** The dispatch timer goes when its work is done; with deliveries left to retry it waits a minute. */
  private async finishIntent(claim: Claim, intent: StoredTimer | undefined, retry: boolean): Promise<void> {
    if (retry) {
      const delayMs = this.deps.retryAfterMs ?? 60_000;
      const moved = intent && (await this.deps.timers.reschedule(intent, new Date(this.deps.clock.now().getTime() + delayMs)));
      if (!moved) await this.deps.intents.record(claim, delayMs);
      return;
    }
    // Only the timer this work was for: a later change may have armed it again for its own work.
    if (intent) await this.deps.timers.remove(dispatchTimerId(claim.id), intent.etag);
  }

  private async applyTimers(wanted: ClaimTimer[], existing: { id: string; firesAt: string; etag?: string }[]): Promise<void> {
    const have = new Map(existing.map((e) => [e.id, e]));
    const wantedIds = new Set(wanted.map((t) => t.id));
    const writes = wanted.filter((t) => have.get(t.id)?.firesAt !== t.dueAt);
    const removals = existing.filter((e) => !wantedIds.has(e.id));
    await Promise.all([...writes.map((t) => this.deps.timers.put(timerDocOf(t))), ...removals.map((e) => this.deps.timers.remove(e.id, e.etag))]);
  }

  private async deliverEntry(claim: Claim, entry: OutboxEntry, failures: Failure[]): Promise<RecipientResult[]> {
    const event = claim.history[entry.seq - 1];
    if (!event) return ['skipped'];
    if (entry.audience === 'customer') return [await this.deliverCustomerMail(claim, entry, failures)];
    if (entry.audience === 'partnerContact') return [await this.deliverPartnerContactMail(claim, entry, failures)];
    if (entry.audience === 'reviewers') {
      const target = (await this.reviewTarget(claim))?.stored;
      if (!target) return ['skipped'];
      return [
        await this.sendOnce(claim, `${entry.id}>${target.id}`, target, 'reviewers', failures, () =>
          this.deps.channel.render({ kind: 'reviewerReminder', claim, event }),
        ),
      ];
    }
    const users = (await this.deps.rosters.partnerUsersOf(claim.orgId)).filter(
      (u) => CLAIMING_PARTNER_ROLES.includes(u.role) && u.aadObjectId !== event.actor.id,
    );
    // The e-mails instead of Teams share everything but their greeting: composed from one notice.
    let mails: ReturnType<PartnerContactMail['noticeMails']> | undefined;
    const mailInstead = (user: PartnerUser, target: StoredReference | undefined) =>
      this.mailInstead(
        claim,
        event,
        user,
        target,
        failures,
        `${entry.id}>${user.aadObjectId}>email`,
        (mails ??= this.deps.partnerMail.noticeMails(claim, entry)),
      );
    return Promise.all(
      users.map(async (user) => {
        const target = await this.deps.conversations.forUser(user.tenantId, user.aadObjectId);
        // Not installed for this person yet, or Teams said they can't be reached: by e-mail instead.
        if (!target || target.unreachable) return mailInstead(user, target);
        const result = await this.sendOnce(claim, `${entry.id}>${user.aadObjectId}`, target, user.name, failures, () =>
          this.deps.channel.render({ kind: 'partnerNotice', claim, event, entry, reference: target.reference }),
        );
        return result === 'unreachable' ? mailInstead(user, target) : result;
      }),
    );
  }

  /**
   * A partner notice Teams could not deliver to a partner user (no chat with the bot yet, or their chat
   * answered 403/404), e-mailed to their roster address instead, once (its own delivery record), in
   * their Teams language when the bot has seen it. Not sent when the partner contact's own e-mail about
   * the change already goes to that address, nor as news of a bounce to the address that bounced.
   */
  private async mailInstead(
    claim: Claim,
    event: ClaimHistoryEvent,
    user: PartnerUser,
    target: StoredReference | undefined,
    failures: Failure[],
    deliveryId: string,
    mails: ReturnType<PartnerContactMail['noticeMails']>,
  ): Promise<RecipientResult> {
    const address = user.email.trim();
    const isAddress = (other: string | undefined) => other?.trim().toLowerCase() === address.toLowerCase();
    if (mailedToPartnerContact(event) && isAddress(claim.fields.partnerContact?.email)) return 'skipped';
    if (event.action === 'deliveryFailed' && isAddress(event.delivery?.recipient)) return 'skipped';
    const locale = target?.reference.locale;
    const recipient: NoticeRecipient = {
      name: user.name,
      email: address,
      why: target ? 'unreachable' : 'noChat',
      ...(typeof locale === 'string' && locale ? { locale } : {}),
    };
    const compose = async (id: string) => mails(recipient, id);
    return this.mailOnce(claim, deliveryId, address, 'a notice e-mailed instead of Teams', failures, compose, 'partnerUser');
  }

  /**
   * The approval e-mail to the claim's customer contact, at most once: the delivery log decides who sends,
   * as for Teams messages. A connection failure or a 4xx reply leaves the entry for a later try; a 5xx
   * refusal of the recipient or the message (a bounce) is not retried: it is logged, recorded in the
   * claim's history and the partner is told.
   */
  private async deliverCustomerMail(claim: Claim, entry: OutboxEntry, failures: Failure[]): Promise<RecipientResult> {
    const address = claim.fields.customerContact?.email;
    if (!address) {
      this.deps.log.warn(`Claim ${claim.id}: the customer contact has no e-mail address, so no approval e-mail is sent to the customer.`);
      return 'skipped';
    }
    if (claim.status !== 'Approved') {
      this.deps.log.info(`Claim ${claim.id}: no longer approved (${claim.status}), so its approval e-mail to the customer is not sent.`);
      return 'skipped';
    }
    return this.mailOnce(claim, `${entry.id}>customer`, address, 'the approval e-mail', failures, (id) => this.deps.mail.compose(claim, entry, id));
  }

  /**
   * The partner contact's e-mail for a change that made the claim Rejected, Partner action required or
   * Approved, once, whatever the claim's status is now (the e-mail tells the change as it was).
   */
  private async deliverPartnerContactMail(claim: Claim, entry: OutboxEntry, failures: Failure[]): Promise<RecipientResult> {
    const address = claim.fields.partnerContact?.email;
    if (!address) {
      this.deps.log.warn(`Claim ${claim.id}: the partner contact has no e-mail address, so no e-mail is sent to them.`);
      return 'skipped';
    }
    return this.mailOnce(
      claim,
      `${entry.id}>partnerContact`,
      address,
      'an e-mail to the partner contact',
      failures,
      (id) => this.deps.partnerMail.compose(claim, entry, id),
      'partnerContact',
    );
  }

  /** One e-mail, at most once (the delivery log); a bounce is settled and recorded, anything else is tried again later. */
  private async mailOnce(
    claim: Claim,
    deliveryId: string,
    address: string,
    what: string,
    failures: Failure[],
    compose: (id: string) => Promise<MailMessage>,
    to?: MailedPartner,
  ): Promise<RecipientResult> {
    // The outbox keeps an e-mail by its delivery id (a second write of it is the same record), so it needs
    // no delivery log around it: two requests fewer per e-mail. Sent over SMTP, a repeat would reach the
    // person twice, so the log decides who sends.
    const once = this.deps.mail.keepsOneCopyById ? (send: () => Promise<Attempt>) => send() : (send: () => Promise<Attempt>) => this.onceOnly(deliveryId, send);
    // The slot covers the delivery record as well as the send: both are requests of this e-mail.
    return (
      await this.mailSlots.run(() =>
        once(async (): Promise<Attempt> => {
          let outcome: MailOutcome;
          try {
            outcome = await this.deps.mail.send(await compose(deliveryId));
          } catch (error) {
            outcome = { ok: false, permanent: false, message: (error as Error).message };
          }
          if (outcome.ok) return { result: 'delivered', settled: { as: outcome.messageId } };
          if (outcome.permanent) {
            failures.push({ recipient: address, status: outcome.status ?? 550, channel: 'email', ...(to ? { to } : {}) });
            this.deps.log.error(`Claim ${claim.id}: ${what} to ${address} was refused (${outcome.message}); not sent again, the partner is told.`);
            // Settled in the log, so neither a retry nor another instance sends it again.
            return { result: 'unreachable', settled: { as: `refused:${outcome.status ?? 'permanent'}` } };
          }
          this.deps.log.warn(`Claim ${claim.id}: ${what} to ${address} not sent yet (${outcome.message}); tried again later.`);
          return { result: 'retry' };
        }),
      )
    ).result;
  }

  /** One card per claim in the reviewers' conversation: posted once when the claim needs a reviewer, then updated in place. */
  private async deliverReviewCard(claim: Claim, entries: OutboxEntry[], failures: Failure[]): Promise<RecipientResult> {
    const review = await this.reviewTarget(claim);
    if (!review) return 'skipped';
    const { stored: target, conversationId } = review;
    const existing = await this.deps.reviews.reviewCard(claim.id);
    if (existing && existing.conversationId === conversationId) {
      const outcome = await this.deps.scheduler.deliver({
        conversationKey: target.id,
        tenantKey: target.tenantId,
        send: async () => this.deps.channel.update(target.reference, existing.activityId, await this.deps.channel.render({ kind: 'reviewCard', claim })),
      });
      return this.judge(claim, outcome, target, 'reviewers', failures);
    }
    const posting = entries.find((e) => NEEDS_A_REVIEWER.has(claim.history[e.seq - 1]?.action ?? ''));
    if (!posting) return 'skipped';
    return this.sendOnce(
      claim,
      `${posting.id}>${target.id}`,
      target,
      'reviewers',
      failures,
      () => this.deps.channel.render({ kind: 'reviewCard', claim }),
      async (activityId) => {
        await this.deps.reviews.saveReviewCard({ claimId: claim.id, conversationId, activityId, postedAt: this.deps.clock.now().toISOString() });
      },
    );
  }

  /** The reviewers' conversation (as set) and the bot's reference to it, when it can be reached. */
  private async reviewTarget(claim: Claim): Promise<{ conversationId: string; stored: StoredReference } | undefined> {
    const conversationId = this.deps.reviewConversationId ?? (await this.deps.reviews.reviewConversation())?.conversationId;
    if (!conversationId) {
      this.warnWhileItLasts(
        'noReviewConversation',
        `Claim ${claim.id}: no reviewers' conversation is set, so reviewers are not shown claims; a reviewer types "use this channel for reviews" in it.`,
      );
      return undefined;
    }
    const stored = await this.deps.conversations.forConversation(conversationId);
    if (!stored)
      this.warnWhileItLasts(
        `unknownReviewConversation:${conversationId}`,
        `Claim ${claim.id}: the reviewers' conversation ${conversationId} is not known to the bot yet: add the bot to it.`,
      );
    return stored && !stored.unreachable ? { conversationId, stored } : undefined;
  }

  /** A warning about a setting that every claim runs into: said once per REPEAT_WARNING_MS, not once per claim. */
  private warnWhileItLasts(key: string, message: string): void {
    const now = Date.now();
    const last = this.warned.get(key);
    if (last !== undefined && now - last < REPEAT_WARNING_MS) return;
    this.warned.set(key, now);
    this.deps.log.warn(`${message} (said again every ${REPEAT_WARNING_MS / 60_000} minutes while it lasts)`);
  }

  /**
   * Sends one new message to one recipient, at most once: the delivery log decides who sends. The log
   * is claimed when the paced slot comes, just before Teams is called, so a record a crash leaves
   * "sending" means the message may really have reached Teams (and its repeat says so).
   */
  private async sendOnce(
    claim: Claim,
    deliveryId: string,
    target: StoredReference,
    label: string,
    failures: Failure[],
    render: () => Promise<unknown>,
    afterSend?: (activityId: string) => Promise<void>,
  ): Promise<RecipientResult> {
    const rendered = await render();
    let claimed: DeliveryClaim | undefined;
    const outcome = await this.deps.scheduler.deliver({
      conversationKey: target.id,
      tenantKey: target.tenantId,
      send: async () => {
        claimed ??= await this.deps.deliveries.begin(deliveryId, this.owner, this.deps.sendLeaseMs ?? 120_000);
        if (claimed.state !== 'mine') return undefined;
        return this.deps.channel.send(target.reference, claimed.resumed ? this.deps.channel.asRepeat(target.reference, rendered) : rendered);
      },
    });
    const taken = claimed as DeliveryClaim | undefined;
    if (taken?.state === 'sent') return 'delivered';
    if (taken?.state === 'busy') return 'retry';
    if (outcome.ok) {
      await this.deps.deliveries.sent(deliveryId, this.owner, outcome.value);
      if (afterSend && outcome.value) await afterSend(outcome.value);
      return 'delivered';
    }
    const result = await this.judge(claim, outcome, target, label, failures);
    if (result === 'retry' && taken) await this.deps.deliveries.abandon(deliveryId, taken.etag);
    return result;
  }

  /**
   * The delivery log around one send, so a message goes out at most once across retries and instances:
   * already sent (or being sent by another instance) it is left alone; a try that settled it is recorded
   * with the id it was sent as; a try to repeat later gives the send back.
   */
  private async onceOnly(deliveryId: string, send: () => Promise<Attempt>): Promise<Attempt> {
    const claimed = await this.deps.deliveries.begin(deliveryId, this.owner, this.deps.sendLeaseMs ?? 120_000);
    if (claimed.state === 'sent') return { result: 'delivered' };
    if (claimed.state === 'busy') return { result: 'retry' };
    const attempt = await send();
    if (attempt.settled) await this.deps.deliveries.sent(deliveryId, this.owner, attempt.settled.as);
    else if (attempt.result === 'retry') await this.deps.deliveries.abandon(deliveryId, claimed.etag);
    return attempt;
  }

  private async judge(claim: Claim, outcome: DeliveryOutcome<unknown>, target: StoredReference, label: string, failures: Failure[]): Promise<RecipientResult> {
    if (outcome.ok) return 'delivered';
    if (outcome.status === 403 || outcome.status === 404) {
      await this.deps.conversations.markUnreachable(target.id, outcome.status);
      failures.push({ recipient: label, status: outcome.status });
      this.deps.log.warn(`Claim ${claim.id}: ${label} can't be reached in Teams (${outcome.status}); marked unreachable until they message the bot again.`);
      return 'unreachable';
    }
    if (outcome.final) {
      this.deps.log.error(`Claim ${claim.id}: Teams refused a notification for ${label} (${outcome.status}): ${outcome.message}; not retried.`);
      return 'skipped';
    }
    this.deps.log.warn(
      `Claim ${claim.id}: notification for ${label} not delivered yet (${outcome.status ?? 'network'}: ${outcome.message}); tried again later.`,
    );
    return 'retry';
  }
}
