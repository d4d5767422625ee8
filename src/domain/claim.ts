import type { ClaimStatus } from './claimStatus';
import type { DraftFields } from './claimFields';
import type { InfoRequestReason, RejectionReason } from './reasons';
import type { ActorRef } from './actors';
import type { ChecklistShown } from './poePrecheck';
import type { Message } from '../i18n/locales';
import type { PoeEmailHeader } from './poeDocument';

/** A proof-of-execution file stored in Blob storage; the claim keeps its metadata only. */
/** What a claim keeps of a customer approval e-mail's header (the whole message stays in Blob Storage). */
export type PoeFileEmail = Partial<Pick<PoeEmailHeader, 'fromName' | 'fromAddress' | 'sentAt' | 'subject'>>;

/**
 * The most proof-of-execution files a claim holds: enough for a statement of work, its annexes and
 * e-mails, and few enough for reviewers to read each (and for the cards listing them to stay small).
 * The lifecycle refuses more; the bot says so per file before uploading any.
 */
export const MAX_POE_FILES = 20;

export interface PoeFile {
  id: string;
  blobName: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  uploadedBy: ActorRef;
  /** For an e-mail (.eml, .msg): sender, date and subject, read when the file was accepted. */
  email?: PoeFileEmail;
}

export interface ClaimComment {
  id: string;
  at: string;
  author: ActorRef;
  text: string;
}

/** Deadlines as ISO instants; each is set when its clock starts and cleared when it stops. */
/** A held subscription's end: the day the directory gave, and the local midnight that ends it. */
export interface SubscriptionEnd {
  subscriptionId: string;
  productId: string;
  endsOn: string;
  endsAt: string;
}

export interface ClaimDeadlines {
  /** Submitted: a reviewer should start the review by then (target). */
  reviewStart?: string;
  /** Under review: decision due (SLA), also for a dispute. */
  reviewDecision?: string;
  /** Partner action required: the partner must resubmit by then, or the claim is rejected. */
  partnerResponse?: string;
  /** Approved: the customer may opt out until then; then the claim goes to eligibility assessment. */
  consentEnds?: string;
  /** Rejected: a dispute is possible until then. */
  disputeWindowEnds?: string;
  /**
   * Submitted and Under review: the decision target (docs/deadlines.md), 10 calendar days from submission not counting
   * days in Partner action required (the clock stops there, see `pausedClocks`). Not for disputes.
   */
  decisionTarget?: string;
}

/** A clock stopped while the partner acts, with what it had left (or, once passed, the deadline it passed). */
export interface PausedClock {
  name: 'reviewDecision' | 'decisionTarget';
  due: string;
  /** Counted days left when it stopped (docs/deadlines.md, "Days left"), in the deadline's own unit. */
  daysLeft: number;
  passed: boolean;
}

export interface Claim {
  id: string;
  /** Partition key: the partner organisation, so "my organisation's claims" is one partition. */
  orgId: string;
  status: ClaimStatus;
  fields: DraftFields;
  poe: PoeFile[];
  comments: ClaimComment[];
  createdAt: string;
  createdBy: ActorRef;
  updatedAt: string;
  submittedAt?: string;
  reviewer?: ActorRef;
  infoRequest?: { reasons: InfoRequestReason[]; comment: string; at: string; by: ActorRef };
  rejection?: { reason: RejectionReason; comment?: string; at: string; by: ActorRef };
  approval?: { at: string; by: ActorRef; sentForEligibilityAt?: string };
  dispute?: { openedAt: string; by: ActorRef; justification?: string; poeFileIds: string[]; outcome?: 'upheld' | 'failed' };
  disputeWindowClosedAt?: string;
  /**
   * Approved: the subscriptions the association holds whose end the customer directory knew at the
   * approval (docs/deadlines.md: the partner is reminded 30 days before one ends). Kept on the claim so its timers
   * are derived from the claim alone.
   */
  subscriptionEnds?: SubscriptionEnd[];
  deadlines: ClaimDeadlines;
  /** The earliest deadline still running, so due claims are found by an indexed range query. */
  nextDueAt: string | null;
  /** What orders the reviewers' queue (the decision target, or a dispute's answer deadline); null outside review. */
  reviewQueueDueAt?: string | null;
  /** Partner action required: the review clocks stopped at the request, to go on at the resubmission. */
  pausedClocks?: PausedClock[];
  /** Reminders already sent, by key (reminder and the deadline it was for): each goes out once. */
  remindersSent?: string[];
  /**
   * The outbox: notifications written in the same document write as the change they report, removed
   * once delivered. A change can't be stored without its notifications, nor a notification without its change.
   */
  outbox?: OutboxEntry[];
  /** Increases by one with every change; the history event of a change carries the new version. */
  version: number;
  history: ClaimHistoryEvent[];
}

// The records a claim keeps of what happened to it and who is still to be told: here with the claim, so
// the modules that write them (claimHistory.ts, claimNotifications.ts) import the claim and not the other way round.

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Who on the partner's side an e-mail went to: the claim's partner contact, or a partner user Teams could not reach. */
export type MailedPartner = 'partnerContact' | 'partnerUser';

/**
 * One entry of a claim's append-only history: who, when, what, and the before/after values.
 * Refused attempts that matter (a stranger pressing a reviewer button) are recorded too, with the refusal.
 */
export interface ClaimHistoryEvent {
  seq: number;
  at: string;
  actor: ActorRef;
  action: string;
  outcome: 'applied' | 'refused';
  fromStatus: ClaimStatus;
  toStatus: ClaimStatus;
  changes: FieldChange[];
  reason?: RejectionReason;
  /** For a reminder: which one (see REMINDER_RULES). */
  reminder?: string;
  /**
   * For a notification refused for good: who could not be reached and the answer, Teams' (403/404) or,
   * with channel 'email', the mail server's (an SMTP 5xx reply code) of the customer contact or, with
   * `to`, of the partner contact or of a partner user a notice was e-mailed to instead of Teams.
   */
  delivery?: { recipient: string; status: number; channel?: 'email'; to?: MailedPartner };
  reasons?: InfoRequestReason[];
  comment?: string;
  refusal?: Message;
  /** A reviewer's decision: the PoE checklist they were shown (verdict per check), or that it was still being read. */
  checklist?: ChecklistShown;
  /** The idempotency key of the request that caused this event, when the caller gave one. */
  actionId?: string;
}

/**
 * Who hears of a change, decided once in claimNotifications.ts and written into the claim's outbox with the change:
 * - `partners`: the claim's partner users, each in their 1:1 chat (the person who acted is not told of their own action),
 *   or by e-mail to their roster address when Teams can't deliver it (no chat with the bot yet, 403/404);
 * - `reviewCard`: the claim's card in the reviewers' conversation, posted or updated in place;
 * - `reviewers`: a message in the reviewers' conversation (SLA reminders);
 * - `customer`: the claim's customer contact, by e-mail, once, when the claim is approved (the consent link);
 *   nothing else goes to the customer;
 * - `partnerContact`: the claim's partner contact, by e-mail, once, when the claim becomes Rejected, Partner
 *   action required or Approved: the notices a partner must not miss even if they never opened the bot.
 */
export type NotificationAudience = 'partners' | 'reviewCard' | 'reviewers' | 'customer' | 'partnerContact';

export interface OutboxEntry {
  /** Unique per claim: the history event it reports and its audience. */
  id: string;
  seq: number;
  audience: NotificationAudience;
  at: string;
  /**
   * The claim as the change left it, for a notice delivered later (after further changes) to tell what
   * happened then, not what is true now. Absent on entries written before they were recorded.
   */
  status?: ClaimStatus;
  /** The deadline that ran next after the change. */
  next?: { name: keyof ClaimDeadlines; due: string };
}
