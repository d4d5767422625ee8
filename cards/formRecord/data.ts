import type { Fact } from '../cardParts';

/** What the formRecord template (./formRecord.json) reads; ./formRecord.sample.json is an example of it. */
export interface FormRecordData {
  title: string;
  progress: string;
  facts: Fact[];
  pressed: string;
}
