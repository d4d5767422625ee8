import { CLAIMING_PARTNER_ROLES, type PartnerRole } from './actors';
import type { LifecycleActionType } from './claimLifecycle';

/**
 * Every action a person can take through the bot (a button on any card, or a typed command) and who
 * may take it: the one authorization policy. The bot consults it before any handler runs and before
 * any claim is read into a reply; the lifecycle then decides what the claim's status allows.
 *
 * Buttons carry one payload shape, `{ action: '<name>', claimId?, ... }`, for Action.Submit and
 * Action.Execute alike (an Execute's verb is the action name, its data the rest).
 */

/** Who may take an action: reviewers, partner users (any role, or only the roles that manage claims), nobody else. */
export interface ActionRule {
  reviewer: boolean;
  partner: 'no' | 'anyRole' | 'claimingRoles';
  /**
   * The action names one claim: `required` (a button without a valid claim id is refused), `optional`
   * (forms before their draft exists). A partner's claim must belong to their organisation; a claim of
   * another organisation is answered exactly as a claim that does not exist.
   */
  claim: 'none' | 'required' | 'optional';
  /** The lifecycle action a refused attempt is recorded as in the claim's history (reviewers audit them). */
  recordAs?: LifecycleActionType;
}

const REVIEWERS: Omit<ActionRule, 'claim'> = { reviewer: true, partner: 'no' };
const CLAIMING_PARTNERS: Omit<ActionRule, 'claim'> = { reviewer: false, partner: 'claimingRoles' };
const PEOPLE: Omit<ActionRule, 'claim'> = { reviewer: true, partner: 'anyRole' };

export const ACTION_POLICY = {
  // The reviewers' claim card.
  'review.refresh': { ...REVIEWERS, claim: 'required' },
  'review.history': { ...REVIEWERS, claim: 'required' },
  'review.start': { ...REVIEWERS, claim: 'required', recordAs: 'startReview' },
  'review.approve': { ...REVIEWERS, claim: 'required', recordAs: 'approve' },
  'review.approveSupersede': { ...REVIEWERS, claim: 'required', recordAs: 'approve' },
  'review.reject': { ...REVIEWERS, claim: 'required', recordAs: 'reject' },
  'review.requestInfo': { ...REVIEWERS, claim: 'required', recordAs: 'requestInfo' },
  'review.comment': { ...REVIEWERS, claim: 'required', recordAs: 'comment' },
  // A partner's buttons on a notice or a status card of their own claim.
  'claim.reply': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'comment' },
  'claim.edit': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'edit' },
  'claim.resubmit': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'resubmit' },
  'claim.dispute': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'dispute' },
  'claim.newFrom': { ...CLAIMING_PARTNERS, claim: 'required' },
  /** Asks for confirmation; `claim.withdrawConfirm` withdraws, `claim.keep` keeps it. */
  'claim.withdraw': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'withdraw' },
  'claim.withdrawConfirm': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'withdraw' },
  'claim.keep': { ...CLAIMING_PARTNERS, claim: 'required' },
  /**
   * "Open" on a claim card shared in any conversation (from the message extension or an unfurled link):
   * the full card, shown only to the person who pressed, if they may see the claim.
   */
  'claim.open': { ...PEOPLE, claim: 'required' },
  // The forms of an open dialog: the claim form (each step, the summary) and the dispute form.
  'form.claim': { ...CLAIMING_PARTNERS, claim: 'optional' },
  'form.dispute': { ...CLAIMING_PARTNERS, claim: 'required', recordAs: 'dispute' },
  // Commands, typed or pressed (a button's `command` holds the words a person would type).
  /** Everyone, strangers too: it names no claim. */
  'command.help': { ...PEOPLE, claim: 'none' },
  /** "language 中文" / "language English": a person's own setting, for everyone Teams identifies (strangers too). */
  'command.language': { ...PEOPLE, claim: 'none' },
  'command.myClaims': { ...PEOPLE, claim: 'none' },
  'command.needsAction': { ...PEOPLE, claim: 'none' },
  /** "claim CL-…", "status of …", free text naming a claim: visibility is the queries' (an organisation's claims, or all for reviewers). */
  'command.find': { ...PEOPLE, claim: 'optional' },
  'command.history': { ...PEOPLE, claim: 'optional' },
  'command.newClaim': { ...CLAIMING_PARTNERS, claim: 'none' },
  'command.withdraw': { ...CLAIMING_PARTNERS, claim: 'optional', recordAs: 'withdraw' },
  'command.dispute': { ...CLAIMING_PARTNERS, claim: 'optional', recordAs: 'dispute' },
  'command.useForReviews': { ...REVIEWERS, claim: 'none' },
  /** "export my claims" / "export queue": the lists' visibility (an organisation's claims, or all for reviewers), as a file in the 1:1 chat. */
  'command.export': { ...PEOPLE, claim: 'none' },
  /**
   * The answer to an export's file consent card (`fileConsent/invoke`, accept or decline): the person is
   * authorized again when they accept, and the file is built then from the filter the offer carried.
   */
  'file.exportConsent': { ...PEOPLE, claim: 'none' },
  // The message extension: searching from the compose box, and a claim link pasted into a message.
  /** Results are the queries' (an organisation's claims, or all for reviewers), as for `my claims`. */
  'extension.search': { ...PEOPLE, claim: 'none' },
  /**
   * A claim's compact card for the compose box: a pasted claim link (`composeExtension/queryLink`) or a
   * chosen search result (`composeExtension/selectItem`); only for someone who may see the claim.
   */
  'extension.share': { ...PEOPLE, claim: 'required' },
} as const satisfies Record<string, ActionRule>;

export type ActionName = keyof typeof ACTION_POLICY;
export const ACTION_NAMES = Object.keys(ACTION_POLICY) as ActionName[];

/** Actions a card button may carry (commands travel as `{ action: 'command', command }`; the message extension's and file consent's invokes are no buttons). */
export type ButtonAction = Exclude<ActionName, `command.${string}` | `extension.${string}` | `file.${string}`>;
export const BUTTON_ACTIONS = ACTION_NAMES.filter((n): n is ButtonAction => !n.startsWith('command.') && !n.startsWith('extension.') && !n.startsWith('file.'));

export function isButtonAction(value: unknown): value is ButtonAction {
  return typeof value === 'string' && (BUTTON_ACTIONS as readonly string[]).includes(value);
}

/**
 * The kinds of sender the policy knows. `anonymous`: Teams did not say who it is (no AAD object id, or no
 * tenant, or two tenants that disagree); `stranger`: identified, but on no roster (or in another tenant).
 */
export type SenderKind = 'anonymous' | 'stranger' | 'reviewer' | 'partner';

export interface Sender {
  kind: SenderKind;
  /** A partner user's role and organisation. */
  role?: PartnerRole;
  orgId?: string;
}

export type AccessRefusal = 'signInRequired' | 'notOnRoster' | 'reviewersOnly' | 'partnersOnly' | 'partnerRoleNotAllowed';

/** Whether this sender may take this action at all (ownership of the claim is checked where the claim is read). */
export function authorize(action: ActionName, sender: Sender): { ok: true } | { ok: false; refusal: AccessRefusal } {
  const rule: ActionRule = ACTION_POLICY[action];
  // Help says who the bot takes the sender for and what they could do: nothing about any claim.
  if (action === 'command.help') return { ok: true };
  if (action === 'command.language') return sender.kind === 'anonymous' ? { ok: false, refusal: 'signInRequired' } : { ok: true };
  if (sender.kind === 'anonymous') return { ok: false, refusal: 'signInRequired' };
  if (sender.kind === 'stranger') return { ok: false, refusal: 'notOnRoster' };
  if (sender.kind === 'reviewer') return rule.reviewer ? { ok: true } : { ok: false, refusal: 'partnersOnly' };
  if (rule.partner === 'no') return { ok: false, refusal: 'reviewersOnly' };
  if (rule.partner === 'claimingRoles' && !(sender.role && CLAIMING_PARTNER_ROLES.includes(sender.role)))
    return { ok: false, refusal: 'partnerRoleNotAllowed' };
  return { ok: true };
}

/** Whether a partner may see a claim of this organisation: their own organisation's only. Reviewers see all. */
export function mayReadClaim(sender: Sender, claimOrgId: string): boolean {
  if (sender.kind === 'reviewer') return true;
  return sender.kind === 'partner' && sender.orgId === claimOrgId;
}
