/** What the welcome template (./welcome.json) reads; ./welcome.sample.json is an example of it. */
export interface WelcomeData {
  title: string;
  intro: string;
  youAre: string;
  lines: string[];
  buttons: {
    title: string;
    command: string;
  }[];
}
