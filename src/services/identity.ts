import type { Actor } from '../domain/actors';
import type { Organisation } from '../domain/roster';
import type { RosterStore } from '../storage/rosterStore';

/**
 * Who is speaking, from what Teams sends (from.aadObjectId and the tenant id) and the rosters only.
 * A display name or anything inside a card never decides a role.
 */
export type Identity =
  | { kind: 'partner'; actor: Extract<Actor, { kind: 'partner' }>; organisation: Organisation }
  | { kind: 'reviewer'; actor: Extract<Actor, { kind: 'reviewer' }> }
  | { kind: 'unknown'; why: 'noAadObjectId' | 'notOnRoster' | 'otherTenant' };

export async function resolveIdentity(rosters: RosterStore, who: { aadObjectId?: string; tenantId?: string }): Promise<Identity> {
  if (!who.aadObjectId) return { kind: 'unknown', why: 'noAadObjectId' };
  const sameTenant = (tenantId: string) => !who.tenantId || who.tenantId.toLowerCase() === tenantId;
  const reviewer = await rosters.reviewer(who.aadObjectId);
  if (reviewer) {
    if (!sameTenant(reviewer.tenantId)) return { kind: 'unknown', why: 'otherTenant' };
    return { kind: 'reviewer', actor: { kind: 'reviewer', id: reviewer.aadObjectId, name: reviewer.name } };
  }
  const user = await rosters.partnerUser(who.aadObjectId);
  if (!user) return { kind: 'unknown', why: 'notOnRoster' };
  if (!sameTenant(user.tenantId)) return { kind: 'unknown', why: 'otherTenant' };
  const organisation = await rosters.organisation(user.orgId);
  if (!organisation) return { kind: 'unknown', why: 'notOnRoster' };
  return {
    kind: 'partner',
    actor: { kind: 'partner', id: user.aadObjectId, name: user.name, orgId: user.orgId, role: user.role },
    organisation,
  };
}
