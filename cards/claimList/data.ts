import type { ActionData } from '../cardParts';

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
  /** The filter form: every filter with the value in force, so Filter keeps what is not changed. */
  filter: {
    show: boolean;
    inputs: {
      /** 'choice', 'text' or 'date': which input the template draws (JSON samples can't carry a literal type). */
      kind: string;
      id: string;
      label: string;
      value: string;
      placeholder: string;
      choices: { title: string; value: string }[];
    }[];
    apply: string;
    export: string;
    command: string;
    exportCommand: string;
  };
  pager: {
    title: string;
    data: ActionData;
  }[];
}
