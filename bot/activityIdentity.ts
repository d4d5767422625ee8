import type { Activity } from 'botbuilder';
import { resolveIdentity, type Identity } from '../src/services/identity';
import type { RosterStore } from '../src/storage/rosterStore';
import { tenantIdOf } from './conversationReferences';

/** Who sent an activity, as the rosters know them (AAD object id and tenant, as Teams sends them). */
export function identityOf(rosters: RosterStore, activity: Partial<Activity>): Promise<Identity> {
  return resolveIdentity(rosters, { aadObjectId: activity.from?.aadObjectId, tenantId: tenantIdOf(activity) });
}
