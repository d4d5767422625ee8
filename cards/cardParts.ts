/** Pieces several cards' data share (each card's own data type is in cards/<name>/data.ts). */

/**
 * What a card button sends back (Action.Submit data): `{ action: '<name>', claimId?, ... }`. Its shape
 * per action is checked where it arrives (bot/actionRouter.ts and src/domain/actionPolicy.ts), so a card
 * carries it as given.
 */
export type ActionData = Record<string, unknown>;

/** One row of a fact set: a label and its value. */
export interface Fact {
  title: string;
  value: string;
}

/** The steps a partner may take on their claim, as the status card and the partner notice offer them. */
export interface PartnerStepFlags {
  reply: boolean;
  edit: boolean;
  resubmit: boolean;
  dispute: boolean;
  newClaimFrom: boolean;
  withdraw: boolean;
}

/** The words on those steps' buttons and on the reply form. */
export interface PartnerStepLabels {
  reply: string;
  replyLabel: string;
  replyRequired: string;
  send: string;
  edit: string;
  resubmit: string;
  dispute: string;
  newClaimFrom: string;
  withdraw: string;
}
