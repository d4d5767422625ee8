import type { ActionData, Fact } from '../cardParts';

/** What the claimSummary template (./claimSummary.json) reads; ./claimSummary.sample.json is an example of it. */
export interface ClaimSummaryData {
  title: string;
  subtitle: string;
  errorsTitle: string;
  errors: string[];
  notice: string;
  sections: {
    title: string;
    editable: boolean;
    editLabel: string;
    editData: ActionData;
    facts: Fact[];
  }[];
  actions: {
    title: string;
    style: string;
    data: ActionData;
  }[];
}
