import type { TurnContext } from 'botbuilder';
import { resolveIdentity, type Identity } from '../src/services/roster/identity';
import type { RosterStore } from '../src/storage/rosterStore';

/** Where a turn keeps who sent its activity, so the router and the open form look it up once. */
const IDENTITY = Symbol('cpor.identity');

/**
 * Who sent a turn's activity, as the rosters know them: the AAD object id and the tenant as Teams sends
 * them, on the conversation and in channelData (both, where present, must name the same tenant).
 * Resolved once per turn (up to three roster reads), whoever asks first.
 */
export function identityOf(rosters: RosterStore, context: TurnContext): Promise<Identity> {
  let identity = context.turnState.get(IDENTITY) as Promise<Identity> | undefined;
  if (!identity) {
    const { activity } = context;
    const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
    identity = resolveIdentity(rosters, {
      aadObjectId: activity.from?.aadObjectId,
      tenantIds: [activity.conversation?.tenantId, typeof channelTenant === 'string' ? channelTenant : undefined],
    });
    context.turnState.set(IDENTITY, identity);
  }
  return identity;
}
