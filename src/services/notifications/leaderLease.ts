import type { HeldLease, LeaseStore } from '../../storage/leaseStore';

/**
 * One instance at a time leads a periodic job (the sweep): the holder of a named lease in the Cosmos
 * DB `leases` container, taken and renewed with ETag conditional writes. A leader that stops lets go
 * (another instance leads from its next round); one that dies stops renewing, and the lease is free
 * once `durationMs` has passed since its last renewal.
 */
export class LeaderLease {
  private held?: HeldLease<never>;

  constructor(
    private readonly store: LeaseStore,
    readonly name: string,
    readonly holder: string,
    private readonly now: () => number,
  ) {}

  /** Takes the lease or renews it for `durationMs`: true while this instance leads. */
  async hold(durationMs: number): Promise<boolean> {
    const now = this.now();
    if (this.held && this.held.doc.holder === this.holder && this.held.doc.until > now) {
      this.held = await this.store.update(this.held, (doc) => ({ ...doc, until: now + durationMs }));
    } else {
      this.held = (await this.store.acquire<never>(this.name, this.holder, now, durationMs))?.lease;
    }
    return Boolean(this.held);
  }

  /** Lets go at once, so another instance leads from its next round. */
  async release(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    await this.store.update(held, (doc) => {
      const next = { ...doc, until: this.now(), released: true };
      delete next.holder;
      return next;
    });
  }
}
