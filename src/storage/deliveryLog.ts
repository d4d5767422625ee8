import type { Container } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed } from './cosmosDatabase';

/**
 * One record per message per person: the notification's id plus the recipient. A message is sent only
 * by the instance that claimed its record, and is marked sent right after Teams accepted it, so a
 * retry after a crash or a second sweeper skips what a person has already seen.
 *
 * The one window this cannot close is a crash during the send itself (Teams may or may not have the
 * message): that record's claim expires and the message is sent again. Losing a deadline notice
 * would be worse than seeing it twice.
 */

/** `resumed`: an earlier send of this message was cut off (Teams may have it), so this one is a repeat. */
export type DeliveryClaim = { state: 'mine'; etag: string; resumed?: boolean } | { state: 'sent' } | { state: 'busy' };

interface DeliveryRecord {
  id: string;
  state: 'sending' | 'sent';
  owner: string;
  until: string;
  activityId?: string;
  at: string;
}

export class DeliveryLog {
  constructor(
    private readonly container: Container,
    private readonly now: () => Date,
  ) {}

  /** Claims the right to send message `id` for `leaseMs`. */
  async begin(id: string, owner: string, leaseMs: number): Promise<DeliveryClaim> {
    const now = this.now();
    const record: DeliveryRecord = { id, state: 'sending', owner, until: new Date(now.getTime() + leaseMs).toISOString(), at: now.toISOString() };
    try {
      const { resource } = await this.container.items.create(record);
      return { state: 'mine', etag: resource!._etag };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    let existing: (DeliveryRecord & { _etag: string }) | undefined;
    try {
      existing = (await this.container.item(id, id).read<DeliveryRecord & { _etag: string }>()).resource;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!existing) return { state: 'busy' };
    if (existing.state === 'sent') return { state: 'sent' };
    if (existing.until > now.toISOString()) return { state: 'busy' };
    // The sender before us stopped without finishing: take over.
    try {
      const { resource } = await this.container.item(id, id).replace(record, { accessCondition: { type: 'IfMatch', condition: existing._etag } });
      return { state: 'mine', etag: resource!._etag, resumed: true };
    } catch (error) {
      if (isPreconditionFailed(error)) return { state: 'busy' };
      throw error;
    }
  }

  async sent(id: string, owner: string, activityId: string | undefined): Promise<void> {
    const record: DeliveryRecord = {
      id,
      state: 'sent',
      owner,
      until: this.now().toISOString(),
      at: this.now().toISOString(),
      ...(activityId ? { activityId } : {}),
    };
    await this.container.items.upsert(record);
  }

  /**
   * Frees every send left half-done by a process that is known to be gone (the embedded store's data
   * folder has one bot at a time), so the messages go out at once instead of after their lease.
   */
  async releaseInterrupted(): Promise<number> {
    const { resources } = await this.container.items
      .query<DeliveryRecord & { _etag: string }>({ query: "SELECT * FROM d WHERE d.state = 'sending'" })
      .fetchAll();
    let released = 0;
    for (const record of resources) {
      const freed: DeliveryRecord = { id: record.id, state: 'sending', owner: record.owner, until: new Date(0).toISOString(), at: record.at };
      try {
        await this.container.item(record.id, record.id).replace(freed, { accessCondition: { type: 'IfMatch', condition: record._etag } });
        released++;
      } catch (error) {
        if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
      }
    }
    return released;
  }

  /** Gives the record back after a send that failed, so a later run may try again at once. */
  async abandon(id: string, etag: string): Promise<void> {
    try {
      await this.container.item(id, id).delete({ accessCondition: { type: 'IfMatch', condition: etag } });
    } catch (error) {
      if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
    }
  }
}
