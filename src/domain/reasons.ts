/** Rejection reasons (docs/claim-rules.md, "Reasons"): the three primary ones and the detailed ones. */
export const REJECTION_REASONS = [
  'InsufficientProofOfExecution',
  'PartnerRequest',
  'CustomerDecline',
  'MissingCustomerConsentOnPoe',
  'MissingProducts',
  'NoPartnerResponse',
  'PoeUnavailable',
  /** Arbitration gave the workload or subscription to another partner's claim. */
  'AssociationSuperseded',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The reasons a reviewer may pick; the others are given by the partner, the customer or a deadline. */
export const REVIEWER_REJECTION_REASONS: readonly RejectionReason[] = [
  'InsufficientProofOfExecution',
  'MissingCustomerConsentOnPoe',
  'MissingProducts',
  'PoeUnavailable',
  'PartnerRequest',
];

/** "Partner action required" reasons: also what a PoE pre-check looks for. */
export const INFO_REQUEST_REASONS = [
  'MissingAllPoe',
  'MissingCustomerAcknowledgment',
  'MissingOrOldDates',
  'MissingPartnerSolutionDescription',
  'MissingProducts',
] as const;
export type InfoRequestReason = (typeof INFO_REQUEST_REASONS)[number];
