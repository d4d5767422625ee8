import type { Sender } from '../../domain/actionPolicy';
import type { Actor } from '../../domain/actors';
import type { Organisation } from '../../domain/roster';
import type { RosterStore } from '../../storage/rosterStore';

/**
 * Who is speaking, from what Teams sends (from.aadObjectId and the tenant id) and the rosters only.
 * A display name or anything inside a card never decides a role. A person is identified only when
 * Teams names both their AAD object id and their tenant, and every tenant id the activity carries
 * agrees: an absent tenant is never taken for the roster's.
 */
export type Identity =
  | { kind: 'partner'; actor: Extract<Actor, { kind: 'partner' }>; organisation: Organisation }
  | { kind: 'reviewer'; actor: Extract<Actor, { kind: 'reviewer' }> }
  | { kind: 'unknown'; why: UnidentifiedReason };

/** Why a sender is not identified: the first three mean Teams did not say who it is. */
export type UnidentifiedReason = 'noAadObjectId' | 'noTenant' | 'tenantMismatch' | 'notOnRoster' | 'otherTenant';

const ANONYMOUS: readonly UnidentifiedReason[] = ['noAadObjectId', 'noTenant', 'tenantMismatch'];

export interface SenderClaims {
  aadObjectId?: string;
  /** Every tenant id the activity carries (conversation.tenantId, channelData.tenant.id); absent ones are undefined. */
  tenantIds: (string | undefined)[];
}

export async function resolveIdentity(rosters: RosterStore, who: SenderClaims): Promise<Identity> {
  if (!who.aadObjectId) return { kind: 'unknown', why: 'noAadObjectId' };
  const tenants = new Set(who.tenantIds.filter((t): t is string => Boolean(t)).map((t) => t.toLowerCase()));
  if (tenants.size === 0) return { kind: 'unknown', why: 'noTenant' };
  if (tenants.size > 1) return { kind: 'unknown', why: 'tenantMismatch' };
  const [tenantId] = tenants;
  const reviewer = await rosters.reviewer(who.aadObjectId);
  if (reviewer) {
    if (reviewer.tenantId.toLowerCase() !== tenantId) return { kind: 'unknown', why: 'otherTenant' };
    return { kind: 'reviewer', actor: { kind: 'reviewer', id: reviewer.aadObjectId, name: reviewer.name } };
  }
  const user = await rosters.partnerUser(who.aadObjectId);
  if (!user) return { kind: 'unknown', why: 'notOnRoster' };
  if (user.tenantId.toLowerCase() !== tenantId) return { kind: 'unknown', why: 'otherTenant' };
  const organisation = await rosters.organisation(user.orgId);
  if (!organisation) return { kind: 'unknown', why: 'notOnRoster' };
  return {
    kind: 'partner',
    actor: { kind: 'partner', id: user.aadObjectId, name: user.name, orgId: user.orgId, role: user.role },
    organisation,
  };
}

/** The policy's view of an identity (src/domain/actionPolicy.ts). */
export function senderOf(identity: Identity): Sender {
  if (identity.kind === 'unknown') return { kind: ANONYMOUS.includes(identity.why) ? 'anonymous' : 'stranger' };
  if (identity.kind === 'reviewer') return { kind: 'reviewer' };
  return { kind: 'partner', role: identity.actor.role, orgId: identity.actor.orgId };
}
