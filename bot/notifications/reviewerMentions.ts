import type { Entity } from 'botbuilder';
import type { Claim } from '../../src/domain/claim';
import type { AppServices } from '../../src/services/services';

/**
 * Who a reviewers' reminder is for, as Teams @mentions: the reviewer who took the claim on (who started
 * its review), or, before anyone has, every reviewer on the roster. Only people the bot has seen can be
 * mentioned (a mention needs their Teams id); the others still see the message in the channel.
 */

/** A reminder names at most this many reviewers: a longer list is noise, and the channel sees the message anyway. */
export const MAX_MENTIONS = 20;

export interface Mentions {
  /** `<at>Name</at>` for each reviewer, in the order of `entities`, to put in the message text. */
  text: string;
  entities: Entity[];
}

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** A name as the text of a mention: Teams reads the message as HTML, so markup in a name is shown, not applied. */
export function mentionTag(name: string): string {
  return `<at>${name.replace(/[&<>]/g, (c) => MARKUP[c])}</at>`;
}

export async function reviewerMentions(services: Pick<AppServices, 'reviews' | 'rosters'>, claim: Pick<Claim, 'reviewer'>): Promise<Mentions> {
  const roster = await services.rosters.reviewers();
  const concerned = claim.reviewer ? roster.filter((r) => r.aadObjectId === claim.reviewer!.id) : roster;
  const known = await Promise.all(
    concerned.slice(0, MAX_MENTIONS).map(async (r) => ({ name: r.name, teamsId: await services.reviews.teamsUserIdOf(r.aadObjectId) })),
  );
  const entities = known
    .filter((r): r is { name: string; teamsId: string } => Boolean(r.teamsId))
    .map((r) => ({ type: 'mention', text: mentionTag(r.name), mentioned: { id: r.teamsId, name: r.name } }));
  return { text: entities.map((e) => e.text).join(' '), entities };
}
