/** What the notice template (./notice.json) reads: one sentence, e.g. a claim that no longer exists; ./notice.sample.json is an example. */
export interface NoticeData {
  text: string;
}
