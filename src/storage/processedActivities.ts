import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed } from './cosmosDatabase';

/**
 * "This activity was handled": one record per activity (conversation + activity id), created before the
 * turn acts. Teams delivers an activity again when the bot was slow or answered 5xx; whichever instance
 * gets the second delivery finds the record and does not act again. Messages and file consent answers
 * have one; a card action (Action.Execute) acts once by its action id in the claim's history instead
 * (bot/cporBot.ts, deliveryOf). A turn that failed gives its record back, so Teams' retry can act.
 *
 * Records expire after a day (Azure Cosmos DB removes them by TTL; the embedded server has no TTL, so an
 * expired record is simply taken over, and `purgeExpired` clears old ones).
 */

export const PROCESSED_ACTIVITY_TTL_SECONDS = 24 * 60 * 60;

interface ProcessedDoc {
  id: string;
  conversationId: string;
  activityId: string;
  at: string;
  expiresAt: string;
  /** Cosmos DB's time to live, in seconds. */
  ttl: number;
}

const recordId = (conversationId: string, activityId: string) => `act:${createHash('sha256').update(`${conversationId}\n${activityId}`).digest('base64url')}`;

export class ProcessedActivities {
  constructor(
    private readonly container: Container,
    private readonly now: () => Date,
  ) {}

  /** True for the first delivery (the caller acts); false for a repeat (the caller does not act again). */
  async claim(conversationId: string, activityId: string): Promise<boolean> {
    const now = this.now();
    const doc: ProcessedDoc = {
      id: recordId(conversationId, activityId),
      conversationId,
      activityId,
      at: now.toISOString(),
      expiresAt: new Date(now.getTime() + PROCESSED_ACTIVITY_TTL_SECONDS * 1000).toISOString(),
      ttl: PROCESSED_ACTIVITY_TTL_SECONDS,
    };
    try {
      await this.container.items.create(doc);
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const { resource, etag } = await this.container.item(doc.id, doc.id).read<ProcessedDoc>();
    if (resource && Date.parse(resource.expiresAt) > now.getTime()) return false;
    // An expired record (never removed on a store without TTL): this delivery is a new one.
    try {
      if (resource) await this.container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: etag! } });
      else await this.container.items.create(doc);
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isConflict(error)) return false;
      throw error;
    }
  }

  /** The turn failed: the next delivery of this activity acts. */
  async release(conversationId: string, activityId: string): Promise<void> {
    const id = recordId(conversationId, activityId);
    try {
      await this.container.item(id, id).delete();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Removes expired records (for stores without TTL); returns how many. */
  async purgeExpired(limit = 500): Promise<number> {
    const { resources } = await this.container.items
      .query<{ id: string }>({
        query: 'SELECT TOP @limit c.id FROM c WHERE STARTSWITH(c.id, "act:") AND c.expiresAt < @now',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@now', value: this.now().toISOString() },
        ],
      })
      .fetchAll();
    for (const { id } of resources) {
      try {
        await this.container.item(id, id).delete();
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return resources.length;
  }
}
