/** The claim statuses of the CPOR lifecycle (Partner Center's wording lives in the i18n catalogue). */
export const CLAIM_STATUSES = [
  'Editing',
  'Submitted',
  'UnderReview',
  'PartnerActionRequired',
  'Approved',
  'Rejected',
  'RejectedFinal',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** Statuses in which the claim's partner holds (or is acquiring) a live association. */
export const ASSOCIATION_HOLDING_STATUSES: readonly ClaimStatus[] = ['Approved'];

/** Statuses from which nothing more happens but comments. */
export const FINAL_STATUSES: readonly ClaimStatus[] = ['RejectedFinal'];
