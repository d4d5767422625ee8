import type { Container } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed, withoutSystemProperties } from './cosmosDatabase';

/**
 * Named leases shared by every bot instance on one Cosmos DB: one small document per lease (the sweep
 * leader, one per tenant for sending) holding who has it and until when. Every change is an ETag
 * conditional write, so two instances never both win; a holder that dies (kill -9) simply stops
 * renewing and the lease is free once `until` has passed. The document also carries the holder's
 * hand-over data (a tenant's send windows) and the instances waiting for it.
 *
 * Times are epoch milliseconds from each instance's own clock: instances must keep their clocks in
 * step (NTP), and callers keep margins of a few hundred milliseconds.
 */

export interface LeaseDoc<D> {
  id: string;
  holder?: string;
  until: number;
  /** When the present holder took it (for a fair share when others wait). */
  since?: number;
  /** Instances that asked for it, with when their wish lapses. */
  waiting?: Record<string, number>;
  /** Set by a holder that let go in good order (its data is complete up to then). */
  released?: boolean;
  data?: D;
}

export interface HeldLease<D> {
  doc: LeaseDoc<D>;
  etag: string;
}

export class LeaseStore {
  /** Requests made, so the bench can report a lease's cost per message. */
  requests = 0;

  constructor(private readonly container: Container) {}

  async read<D>(id: string): Promise<HeldLease<D> | undefined> {
    this.requests++;
    try {
      const { resource } = await this.container.item(id, id).read();
      return resource ? { doc: withoutSystemProperties<LeaseDoc<D>>(resource), etag: resource._etag as string } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Takes the lease for `holder` until `now + durationMs` if it is free (never held, released, or
   * expired) or already `holder`'s. Returns the taken lease and the document as it was before (its
   * data, whether it was released), or undefined when someone else holds it or won the race.
   */
  async acquire<D>(
    id: string,
    holder: string,
    now: number,
    durationMs: number,
    seen?: HeldLease<D>,
  ): Promise<{ lease: HeldLease<D>; before?: LeaseDoc<D> } | undefined> {
    const current = seen ?? (await this.read<D>(id));
    if (current && current.doc.holder && current.doc.holder !== holder && current.doc.until > now) return undefined;
    const waiting = { ...(current?.doc.waiting ?? {}) };
    delete waiting[holder];
    const doc: LeaseDoc<D> = {
      ...(current?.doc ?? { id }),
      id,
      holder,
      until: now + durationMs,
      since: current?.doc.holder === holder ? (current.doc.since ?? now) : now,
      waiting,
      released: false,
    };
    this.requests++;
    try {
      const { resource } = current
        ? await this.container.item(id, id).replace(doc, { accessCondition: { type: 'IfMatch', condition: current.etag } })
        : await this.container.items.create(doc);
      return { lease: { doc, etag: resource!._etag as string }, ...(current ? { before: current.doc } : {}) };
    } catch (error) {
      if (isPreconditionFailed(error) || isConflict(error) || isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Writes a lease the caller holds (renewal, new data, release): only if nobody wrote it since. A
   * waiter's wish changes the ETag too, so a failed write is read again and retried while the lease is
   * still the caller's; undefined when it is not any more.
   */
  async update<D>(held: HeldLease<D>, change: (doc: LeaseDoc<D>) => LeaseDoc<D>): Promise<HeldLease<D> | undefined> {
    let current = held;
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = change(current.doc);
      this.requests++;
      try {
        const { resource } = await this.container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: current.etag } });
        return { doc, etag: resource!._etag as string };
      } catch (error) {
        if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
      const fresh = await this.read<D>(held.doc.id);
      if (!fresh || fresh.doc.holder !== held.doc.holder) return undefined;
      current = fresh;
    }
    return undefined;
  }

  /** Lets the holder know `waiter` wants the lease (until `until`); harmless if the lease changed meanwhile. */
  async wish<D>(current: HeldLease<D>, waiter: string, until: number): Promise<void> {
    this.requests++;
    try {
      await this.container.item(current.doc.id, current.doc.id).patch([{ op: 'set', path: `/waiting/${waiter}`, value: until }]);
    } catch (error) {
      if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
    }
  }

  /**
   * Ends every lease still held (without marking it released, so a tenant's next sender still waits as
   * after a crash): the holders are known to be gone (see DeliveryLog.releaseInterrupted).
   */
  async expireAll(now: number): Promise<number> {
    this.requests++;
    const { resources } = await this.container.items
      .query<LeaseDoc<unknown> & { _etag: string }>({ query: 'SELECT * FROM l WHERE l.until > @now', parameters: [{ name: '@now', value: now }] })
      .fetchAll();
    let expired = 0;
    for (const resource of resources) {
      const held = { doc: withoutSystemProperties<LeaseDoc<unknown>>(resource as unknown as Record<string, unknown>), etag: resource._etag };
      if (await this.update(held, (doc) => ({ ...doc, until: now - 1 }))) expired++;
    }
    return expired;
  }
}
