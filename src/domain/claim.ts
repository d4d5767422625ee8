import type { ClaimStatus } from './claimStatus';
import type { DraftFields } from './claimFields';
import type { InfoRequestReason, RejectionReason } from './reasons';
import type { ActorRef } from './actors';
import type { ClaimHistoryEvent } from './claimHistory';
import type { OutboxEntry } from './claimNotifications';
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
