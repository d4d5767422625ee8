/** The claim statuses of the CPOR lifecycle (Partner Center's wording lives in the i18n catalogue). */
export const CLAIM_STATUSES = ['Editing', 'Submitted', 'UnderReview', 'PartnerActionRequired', 'Approved', 'Rejected', 'RejectedFinal'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
