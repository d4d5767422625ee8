import type { Actor } from './actors';
import type { Claim } from './claim';
import { decide, isActionOffered, type DecideContext } from './claimLifecycle';
import { subscriptionsEnding } from './claimTimers';

/**
 * The steps a partner user can take on a claim now, as buttons: the lifecycle's own rules (role,
 * organisation, status, the one dispute within its window), asked once here for every card that
 * offers them (status notices, the claim status card).
 */
export interface PartnerSteps {
  /** Comment to the reviewers. */
  reply: boolean;
  /** Edit the fields that may change after submission. */
  edit: boolean;
  resubmit: boolean;
  dispute: boolean;
  /** Start a new claim from a rejected one that can no longer be disputed. */
  newClaimFrom: boolean;
  /** Start a new claim for the renewal of held subscriptions that end within 30 days (an approved claim). */
  claimRenewal: boolean;
  withdraw: boolean;
}

export function partnerSteps(claim: Claim, actor: Actor, ctx: DecideContext): PartnerSteps {
  const disputeOpen = decide(claim, { type: 'dispute', justification: '-' }, actor, ctx).ok;
  const rejected = claim.status === 'Rejected' || claim.status === 'RejectedFinal';
  return {
    reply: isActionOffered(claim, actor, 'comment'),
    edit: claim.status !== 'Editing' && isActionOffered(claim, actor, 'edit'),
    resubmit: isActionOffered(claim, actor, 'resubmit'),
    // Dispute while the lifecycle would take one (rejected, within its window, not disputed yet); a
    // fresh claim once it can't be disputed any more; withdraw in any status before final.
    dispute: disputeOpen,
    newClaimFrom: rejected && !disputeOpen && isActionOffered(claim, actor, 'comment'),
    withdraw: isActionOffered(claim, actor, 'withdraw'),
    claimRenewal: claim.status === 'Approved' && subscriptionsEnding(ctx.calendar, claim, ctx.now).length > 0 && isActionOffered(claim, actor, 'comment'),
  };
}
