/** What the refusal template (./refusal.json) reads; ./refusal.sample.json is an example of it. */
export interface RefusalData {
  title: string;
  text: string;
  color: string;
}
