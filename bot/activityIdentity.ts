import type { Activity } from 'botbuilder';
import { resolveIdentity, type Identity } from '../src/services/identity';
import type { RosterStore } from '../src/storage/rosterStore';

/**
 * Who sent an activity, as the rosters know them: the AAD object id and the tenant as Teams sends them,
 * on the conversation and in channelData (both, where present, must name the same tenant).
 */
export function identityOf(rosters: RosterStore, activity: Partial<Activity>): Promise<Identity> {
  const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return resolveIdentity(rosters, {
    aadObjectId: activity.from?.aadObjectId,
    tenantIds: [activity.conversation?.tenantId, typeof channelTenant === 'string' ? channelTenant : undefined],
  });
}
