import type { Fact } from '../cardParts';

/** What the help template (./help.json) reads; ./help.sample.json is an example of it. */
export interface HelpData {
  title: string;
  intro: string;
  youAre: string;
  partnerLine: string;
  reviewerLine: string;
  deadlinesLine: string;
  commandsLine: string;
  commandsHeading: string;
  commands: Fact[];
  languageLine: string;
  buttons: {
    title: string;
    command: string;
  }[];
}
