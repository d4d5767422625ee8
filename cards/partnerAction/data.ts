import type { ActionData } from '../cardParts';

/** What the partnerAction template (./partnerAction.json) reads; ./partnerAction.sample.json is an example of it. */
export interface PartnerActionData {
  title: string;
  subtitle: string;
  lines: string[];
  filesHeading: string;
  files: string[];
  input: {
    show: boolean;
    id: string;
    label: string;
    value: string;
    placeholder: string;
  };
  error: string;
  actions: {
    title: string;
    style: string;
    data: ActionData;
  }[];
}
