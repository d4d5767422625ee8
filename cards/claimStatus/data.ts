import type { Fact, PartnerStepFlags, PartnerStepLabels } from '../cardParts';

/** What the claimStatus template (./claimStatus.json) reads; ./claimStatus.sample.json is an example of it. */
export interface ClaimStatusData {
  claimId: string;
  orgId: string;
  title: string;
  subtitle: string;
  notice: string;
  facts: Fact[];
  deadlines: Fact[];
  noDeadlines: string;
  poe: string[];
  comments: string[];
  commentsMore: string;
  timeline: string[];
  timelineMore: string;
  historyCommand: string;
  can: PartnerStepFlags & {
    continueDraft: boolean;
    review: boolean;
  };
  labels: PartnerStepLabels & {
    deadlines: string;
    poe: string;
    comments: string;
    timeline: string;
    continueDraft: string;
    review: string;
    history: string;
  };
}
