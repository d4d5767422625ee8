import type { ActionData } from '../cardParts';

/** What the claimHistory template (./claimHistory.json) reads; ./claimHistory.sample.json is an example of it. */
export interface ClaimHistoryData {
  claimId: string;
  title: string;
  subtitle: string;
  back: string;
  pageLine: string;
  pager: {
    title: string;
    data: ActionData;
  }[];
  events: {
    heading: string;
    lines: string[];
  }[];
}
