/**
 * Who acts on a claim. An actor is always resolved on the server from the identity Teams sends
 * (AAD object id + tenant) and the rosters, never from data inside a card.
 */
export const PARTNER_ROLES = ['GlobalAdmin', 'BillingAdmin', 'IncentivesAdmin', 'AccountAdmin', 'MpnAdmin', 'ReferralsAdmin'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/** docs/claim-rules.md, "People": only these roles of a partner organisation may create and manage claims. */
export const CLAIMING_PARTNER_ROLES: readonly PartnerRole[] = ['GlobalAdmin', 'BillingAdmin', 'IncentivesAdmin'];

export type Actor =
  | { kind: 'partner'; id: string; name: string; orgId: string; role: PartnerRole }
  | { kind: 'reviewer'; id: string; name: string }
  | { kind: 'customer'; id: string; name: string }
  | { kind: 'system'; id: 'system'; name: string }
  /** Someone Teams identifies but no roster knows: may do nothing, and their attempts are recorded. */
  | { kind: 'stranger'; id: string; name: string };

export type ActorKind = Actor['kind'];

/** The bot itself, when it applies a deadline, sends a reminder or records a delivery failure. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: 'CPOR bot' };

/** The part of an actor that history keeps. */
export interface ActorRef {
  kind: ActorKind;
  id: string;
  name: string;
  orgId?: string;
  role?: PartnerRole;
}

export function actorRef(actor: Actor): ActorRef {
  return actor.kind === 'partner'
    ? { kind: actor.kind, id: actor.id, name: actor.name, orgId: actor.orgId, role: actor.role }
    : { kind: actor.kind, id: actor.id, name: actor.name };
}
