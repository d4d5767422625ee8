import type { ActionData, Fact } from '../cardParts';

/** What the claimForm template (./claimForm.json) reads; ./claimForm.sample.json is an example of it. */
export interface ClaimFormData {
  title: string;
  progress: string;
  intro: string;
  errorsTitle: string;
  errors: string[];
  fields: {
    kind: string;
    id: string;
    label: string;
    value: string;
    multi: boolean;
    placeholder: string;
    multiline: boolean;
    maxLength: number;
    required: boolean;
    errorMessage: string;
    choices: Fact[];
  }[];
  actions: {
    title: string;
    style: string;
    inputs: string;
    data: ActionData;
  }[];
}
