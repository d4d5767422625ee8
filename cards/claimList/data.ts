import type { ActionData, Fact } from '../cardParts';

/** What the claimList template (./claimList.json) reads; ./claimList.sample.json is an example of it. */
export interface ClaimListData {
  title: string;
  subtitle: string;
  lines: string[];
  empty: string;
  rows: {
    name: string;
    ids: string;
    org: string;
    status: string;
    deadline: string;
    deadlineColor: string;
    open: {
      title: string;
      command: string;
    };
  }[];
  filter: {
    show: boolean;
    statusLabel: string;
    status: string;
    statuses: Fact[];
    customerLabel: string;
    placeholder: string;
    customer: string;
    apply: string;
  };
  pager: {
    title: string;
    data: ActionData;
  }[];
}
