import type { Container, ItemDefinition } from '@azure/cosmos';
import type { ClaimTimer, TimerPurpose } from '../domain/claimTimers';
import { isConflict, isNotFound, isPreconditionFailed, withoutSystemProperties } from './cosmosDatabase';

/**
 * Pending timers, one small document each, in a container that holds nothing else: a sweep asks for
 * the due ones by time, so its cost follows the number of due timers, not the number of claims.
 *
 * A timer is taken with an ETag lease: the instance that wins moves `dueAt` past the lease and owns
 * the timer until then; if it stops half way, the timer becomes due again and another instance takes
 * it. A fired timer is deleted with the lease's ETag.
 *
 * Besides the claim's deadline and reminder timers there is one "dispatch" timer per claim with work
 * pending (notifications to deliver, timers to bring in line). It is written before the claim change
 * and deleted when that work is done, so a crash in between leaves a timer that finishes the job.
 */

export type TimerDocPurpose = TimerPurpose | { type: 'dispatch' };

export interface TimerDoc {
  id: string;
  claimId: string;
  orgId: string;
  /** When the timer should fire (the deadline or reminder time); stays as set while leases move dueAt. */
  firesAt: string;
  /** When a sweep should look at it next: firesAt, or the end of a lease. */
  dueAt: string;
  purpose: TimerDocPurpose;
  leasedBy?: string;
  leases?: number;
}

export interface StoredTimer {
  timer: TimerDoc;
  etag: string;
}

export const dispatchTimerId = (claimId: string) => `${claimId}|dispatch`;

function strip(resource: ItemDefinition): StoredTimer {
  return { timer: withoutSystemProperties<TimerDoc>(resource), etag: resource._etag as string };
}

export function timerDocOf(timer: ClaimTimer): TimerDoc {
  return { id: timer.id, claimId: timer.claimId, orgId: timer.orgId, firesAt: timer.dueAt, dueAt: timer.dueAt, purpose: timer.purpose };
}

/** Counts the requests a store makes, so a sweep's cost can be reported (npm run bench). */
export interface RequestCounter {
  count: number;
}

export class TimerStore {
  readonly requests: RequestCounter = { count: 0 };

  constructor(private readonly container: Container) {}

  async put(timer: TimerDoc): Promise<StoredTimer> {
    this.requests.count++;
    const { resource } = await this.container.items.upsert(timer);
    return strip(resource!);
  }

  /** Deletes a timer; with an ETag only if nobody changed it since (a re-armed timer stays). */
  async remove(id: string, etag?: string): Promise<boolean> {
    this.requests.count++;
    try {
      await this.container.item(id, id).delete(etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {});
      return true;
    } catch (error) {
      if (isNotFound(error) || isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  /** The earliest due timers (an index on dueAt serves this on Azure; the result is at most `limit` small documents). */
  async due(now: Date, limit: number): Promise<StoredTimer[]> {
    this.requests.count++;
    const { resources } = await this.container.items
      .query<ItemDefinition>({
        query: 'SELECT TOP @limit * FROM t WHERE t.dueAt <= @now ORDER BY t.dueAt',
        parameters: [
          { name: '@limit', value: limit },
          { name: '@now', value: now.toISOString() },
        ],
      })
      .fetchAll();
    return resources.map(strip);
  }

  async forClaim(claimId: string): Promise<StoredTimer[]> {
    this.requests.count++;
    const { resources } = await this.container.items
      .query<ItemDefinition>({ query: 'SELECT * FROM t WHERE t.claimId = @claimId', parameters: [{ name: '@claimId', value: claimId }] })
      .fetchAll();
    return resources.map(strip);
  }

  async get(id: string): Promise<StoredTimer | undefined> {
    this.requests.count++;
    try {
      const { resource } = await this.container.item(id, id).read();
      return resource ? strip(resource) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Takes a due timer until `until`; undefined when another instance took (or removed) it first. */
  async lease(stored: StoredTimer, owner: string, until: Date): Promise<StoredTimer | undefined> {
    this.requests.count++;
    const next: TimerDoc = { ...stored.timer, dueAt: until.toISOString(), leasedBy: owner, leases: (stored.timer.leases ?? 0) + 1 };
    try {
      const { resource } = await this.container
        .item(stored.timer.id, stored.timer.id)
        .replace(next, { accessCondition: { type: 'IfMatch', condition: stored.etag } });
      return strip(resource!);
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error) || isConflict(error)) return undefined;
      throw error;
    }
  }

  /** Makes every leased timer due again at once: its holder is known to be gone (see DeliveryLog.releaseInterrupted). */
  async releaseLeases(): Promise<number> {
    this.requests.count++;
    const { resources } = await this.container.items.query<ItemDefinition>({ query: 'SELECT * FROM t WHERE IS_DEFINED(t.leasedBy)' }).fetchAll();
    let released = 0;
    for (const resource of resources) {
      const stored = strip(resource);
      if (await this.reschedule(stored, new Date(stored.timer.firesAt))) released++;
    }
    return released;
  }

  /** Moves a leased timer to a later time (a delivery to retry), keeping it only if still ours. */
  async reschedule(stored: StoredTimer, dueAt: Date): Promise<boolean> {
    this.requests.count++;
    const next: TimerDoc = { ...stored.timer, dueAt: dueAt.toISOString() };
    delete next.leasedBy;
    try {
      await this.container.item(stored.timer.id, stored.timer.id).replace(next, { accessCondition: { type: 'IfMatch', condition: stored.etag } });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }
}
