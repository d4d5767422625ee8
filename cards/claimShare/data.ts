import type { Fact } from '../cardParts';

/** What the claimShare template (./claimShare.json) reads; ./claimShare.sample.json is an example of it. */
export interface ClaimShareData {
  claimId: string;
  title: string;
  facts: Fact[];
  hint: string;
  open: string;
}
