import type { ActorRef } from './actors';
import type { ChecklistShown } from './poePrecheck';
import type { ClaimStatus } from './claimStatus';
import type { InfoRequestReason, RejectionReason } from './reasons';
import type { Message } from '../i18n/locales';
import type { Claim } from './claim';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * One entry of a claim's append-only history: who, when, what, and the before/after values.
 * Refused attempts that matter (a stranger pressing a reviewer button) are recorded too, with the refusal.
 */
/** Who on the partner's side an e-mail went to: the claim's partner contact, or a partner user Teams could not reach. */
export type MailedPartner = 'partnerContact' | 'partnerUser';

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

/** What history compares between two versions of a claim: every field, and the lifecycle state. */
const TRACKED_TOP_LEVEL = ['status', 'reviewer', 'infoRequest', 'rejection', 'approval', 'dispute', 'disputeWindowClosedAt', 'submittedAt'] as const;

export function diffClaims(beforeClaim: Claim, afterClaim: Claim): FieldChange[] {
  // Compared generically, field by field: a new field of a claim is tracked without changing this code.
  const before = beforeClaim as unknown as Record<string, unknown> & { fields: Record<string, unknown>; deadlines: Record<string, unknown>; poe: Claim['poe'] };
  const after = afterClaim as unknown as typeof before;
  const changes: FieldChange[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const fieldNames = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  for (const name of fieldNames) {
    if (!same(before.fields[name], after.fields[name])) {
      changes.push({ field: `fields.${name}`, before: before.fields[name] ?? null, after: after.fields[name] ?? null });
    }
  }
  for (const key of TRACKED_TOP_LEVEL) {
    if (!same(before[key], after[key])) changes.push({ field: key, before: before[key] ?? null, after: after[key] ?? null });
  }
  const deadlineNames = new Set([...Object.keys(before.deadlines), ...Object.keys(after.deadlines)]);
  for (const name of deadlineNames) {
    if (!same(before.deadlines[name], after.deadlines[name])) {
      changes.push({ field: `deadlines.${name}`, before: before.deadlines[name] ?? null, after: after.deadlines[name] ?? null });
    }
  }
  const poeNames = (files: Claim['poe']) => files.map((f) => f.fileName);
  if (
    !same(
      before.poe.map((f) => f.id),
      after.poe.map((f) => f.id),
    )
  ) {
    changes.push({ field: 'poe', before: poeNames(before.poe), after: poeNames(after.poe) });
  }
  return changes;
}
