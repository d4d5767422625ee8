import type { PartnerStepFlags, PartnerStepLabels } from '../cardParts';

/** What the partnerNotice template (./partnerNotice.json) reads; ./partnerNotice.sample.json is an example of it. */
export interface PartnerNoticeData {
  claimId: string;
  title: string;
  subtitle: string;
  lines: string[];
  quote: string;
  can: PartnerStepFlags;
  labels: PartnerStepLabels;
}
