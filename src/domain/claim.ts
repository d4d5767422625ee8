import type { ClaimStatus } from './claimStatus';
import type { DraftFields } from './claimFields';
import type { InfoRequestReason, RejectionReason } from './reasons';
import type { ActorRef } from './actors';
import type { ClaimHistoryEvent } from './claimHistory';
import type { OutboxEntry } from './claimNotifications';

/** A proof-of-execution file stored in Blob storage; the claim keeps its metadata only. */
export interface PoeFile {
  id: string;
  blobName: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  uploadedBy: ActorRef;
}

export interface ClaimComment {
  id: string;
  at: string;
  author: ActorRef;
  text: string;
}

/** Deadlines as ISO instants; each is set when its clock starts and cleared when it stops. */
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
  deadlines: ClaimDeadlines;
  /** The earliest deadline still running, so due claims are found by an indexed range query. */
  nextDueAt: string | null;
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
