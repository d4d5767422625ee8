import type { Logger } from '../../logger';
import type { LeaseDoc, HeldLease, LeaseStore } from '../../storage/leaseStore';
import type { GateHost, SendGate, TenantWindows } from './deliveryScheduler';

/**
 * Teams' limits (7 per second per conversation... 50 per second per tenant) count for the bot as a
 * whole, however many instances run. One instance at a time sends to a tenant: the holder of the
 * tenant's send lease, a document in the Cosmos DB `leases` container taken and renewed with ETag
 * conditional writes. The holder paces with its in-memory windows exactly as a single instance does,
 * so a message costs no Cosmos DB request at all; the lease costs one write per `renewMs` while an
 * instance sends to the tenant (a shared token bucket would cost a conditional write per message,
 * with a retry on every collision, and a round trip of latency before each send).
 *
 * The work stays where it is: an instance with messages for a tenant it does not hold asks for the
 * lease (it is put on the lease's waiting list) and waits. A holder lets go when it has nothing left
 * for the tenant, or when others wait: after `fairShareMs`, or after `renewMs` if it uses less than
 * half of the tenant's limit (its conversations' own windows hold it back). It reserves the lease
 * for one of the waiters and writes the tenant's windows (send times per conversation and for the
 * tenant) into the document as it lets go; the next holder starts from them, so the windows hold
 * across the hand-over. Those
 * windows are also written at every renewal: if the holder dies (kill -9), its lease runs out after
 * `leaseMs`, another instance takes it with the windows as last renewed and first waits
 * `takeoverPauseMs` (the short windows, for sends made since that renewal). Messages queued in the dead
 * instance are not lost: their claims' outboxes and dispatch timers are in Cosmos DB and a sweep
 * sends them; the delivery log keeps them to once per person.
 *
 * A holder starts a send only while at least half of `leaseMs` is left, so a send never outlives its
 * lease; clocks of instances must agree to well within that (NTP does). Window times cross instances
 * as ages, less `clockSkewMs` of the time the document spent in between, so a skewed clock errs on
 * the safe side.
 */

export interface TenantSendLeaseOptions {
  leaseMs?: number;
  /** How often a holder renews (and looks at who waits). */
  renewMs?: number;
  /** How long a holder keeps a lease others wait for. */
  fairShareMs?: number;
  /** How often a waiting instance looks whether the lease is free. */
  pollMs?: number;
  takeoverPauseMs?: number;
  clockSkewMs?: number;
  /** Epoch milliseconds (injectable for tests). */
  now?: () => number;
}

interface HandOver {
  windows: TenantWindows;
  /** When the windows were read (epoch ms). */
  at: number;
  /** The instance the lease is kept for, until when (after a fair-share hand-over). */
  reservedFor?: string;
  reservedUntil?: number;
  /** Who wrote them. */
  by: string;
}

type TenantState =
  { phase: 'asking'; timer?: NodeJS.Timeout } | { phase: 'held'; lease: HeldLease<HandOver>; startAfter: number; letGo: boolean; timer?: NodeJS.Timeout };

export const leaseIdForTenant = (tenantKey: string) => `send|${tenantKey.replace(/[/\\?#]/g, '_')}`;

export class TenantSendLeases implements SendGate {
  private host?: GateHost;
  private readonly tenants = new Map<string, TenantState>();
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly fairShareMs: number;
  private readonly pollMs: number;
  private readonly takeoverPauseMs: number;
  private readonly clockSkewMs: number;
  private readonly now: () => number;
  private stopped = false;
  /** Hand-overs and take-overs so far (the bench reports them). */
  readonly counts = { acquired: 0, handedOver: 0, takenOver: 0 };

  constructor(
    private readonly store: LeaseStore,
    readonly instanceId: string,
    private readonly log: Logger,
    options: TenantSendLeaseOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 15_000;
    this.renewMs = options.renewMs ?? 1_000;
    this.fairShareMs = options.fairShareMs ?? 10_000;
    this.pollMs = options.pollMs ?? 50;
    this.takeoverPauseMs = options.takeoverPauseMs ?? 2_500;
    this.clockSkewMs = options.clockSkewMs ?? 25;
    this.now = options.now ?? Date.now;
  }

  attach(host: GateHost): void {
    this.host = host;
  }

  mayStart(tenantKey: string): boolean {
    if (this.stopped) return false;
    const state = this.tenants.get(tenantKey);
    if (!state) {
      this.ask(tenantKey);
      return false;
    }
    if (state.phase !== 'held' || state.letGo) return false;
    const now = this.now();
    return now >= state.startAfter && now < state.lease.doc.until - this.leaseMs / 2;
  }

  /** Lets every held lease go (with its windows), for a bot that stops: others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.tenants.entries()].map(async ([tenantKey, state]) => {
        if (state.timer) clearTimeout(state.timer);
        if (state.phase === 'held') await this.letGo(tenantKey, state, false);
        this.tenants.delete(tenantKey);
      }),
    );
  }

  /** What kill -9 leaves: leases held until they run out, nothing handed over (tests). */
  abandon(): void {
    this.stopped = true;
    for (const state of this.tenants.values()) if (state.timer) clearTimeout(state.timer);
    this.tenants.clear();
  }

  private ask(tenantKey: string): void {
    const state: TenantState = { phase: 'asking' };
    this.tenants.set(tenantKey, state);
    const attempt = async () => {
      if (this.stopped || this.tenants.get(tenantKey) !== state) return;
      if (!this.host!.workFor(tenantKey).pending) {
        this.tenants.delete(tenantKey);
        return;
      }
      const id = leaseIdForTenant(tenantKey);
      const now = this.now();
      const current = await this.store.read<HandOver>(id);
      const handOver = current?.doc.data;
      const reservedForOther = handOver?.reservedFor && handOver.reservedFor !== this.instanceId && (handOver.reservedUntil ?? 0) > now;
      const taken = reservedForOther ? undefined : await this.store.acquire<HandOver>(id, this.instanceId, now, this.leaseMs, current);
      if (this.stopped) {
        if (taken) await this.store.update(taken.lease, (doc) => ({ ...doc, until: now, released: true, holder: undefined }));
        return;
      }
      if (taken) {
        this.took(tenantKey, taken.lease, taken.before);
        return;
      }
      // On the waiting list (again when the wish is getting old), so the holder hands over after its fair share.
      const wished = current?.doc.waiting?.[this.instanceId] ?? 0;
      if (current && wished < now + this.leaseMs / 2) await this.store.wish(current, this.instanceId, now + this.leaseMs);
      state.timer = setTimeout(() => void attempt().catch((e) => this.failed(tenantKey, state, e)), this.pollMs);
      state.timer.unref();
    };
    void attempt().catch((e) => this.failed(tenantKey, state, e));
  }

  private took(tenantKey: string, lease: HeldLease<HandOver>, before: LeaseDoc<HandOver> | undefined): void {
    this.counts.acquired++;
    const now = this.now();
    let startAfter = now;
    const handOver = before?.data;
    // Our own windows are the newest when we were the last to send; otherwise the last holder's are.
    if (handOver && handOver.by !== this.instanceId) {
      const elapsed = Math.max(0, now - handOver.at - this.clockSkewMs);
      this.host!.restore(tenantKey, aged(handOver.windows, elapsed));
    }
    if (before?.holder && before.holder !== this.instanceId && !before.released) {
      // The holder before stopped without letting go: it may have sent after its last renewal.
      this.counts.takenOver++;
      startAfter = Math.max(now, before.until + this.takeoverPauseMs);
      this.log.warn(`Sending to tenant ${tenantKey}: instance ${before.holder} stopped renewing its send lease; ${this.instanceId} takes over`);
    }
    const state: TenantState = { phase: 'held', lease, startAfter, letGo: false };
    this.tenants.set(tenantKey, state);
    this.schedule(tenantKey, state, this.renewMs);
    if (startAfter > now) setTimeout(() => this.host!.wake(), startAfter - now).unref();
    this.host!.wake();
  }

  private schedule(tenantKey: string, state: TenantState & { phase: 'held' }, ms: number): void {
    state.timer = setTimeout(() => void this.tend(tenantKey, state).catch((e) => this.failed(tenantKey, state, e)), ms);
    state.timer.unref();
  }

  /** The holder's round: let go when done or when it is someone else's turn, otherwise renew. */
  private async tend(tenantKey: string, state: TenantState & { phase: 'held' }): Promise<void> {
    if (this.stopped || this.tenants.get(tenantKey) !== state) return;
    const now = this.now();
    const work = this.host!.workFor(tenantKey);
    const fresh = await this.store.read<HandOver>(state.lease.doc.id);
    if (this.stopped || this.tenants.get(tenantKey) !== state) return;
    const waiters = Object.entries(fresh?.doc.waiting ?? {})
      .filter(([id, until]) => id !== this.instanceId && until > now)
      .map(([id]) => id);
    // Someone else's turn after a fair share, or sooner when this holder leaves most of the tenant's
    // limit unused (a few busy conversations paced by their own windows) while others have work.
    const heldFor = now - (state.lease.doc.since ?? now);
    const turnOver = waiters.length > 0 && (heldFor >= this.fairShareMs || (heldFor >= this.renewMs && this.host!.tenantUse(tenantKey) < 0.5));
    if (!work.pending || turnOver) {
      await this.letGo(tenantKey, state, turnOver ? waiters[Math.floor(Math.random() * waiters.length)] : false);
      this.tenants.delete(tenantKey);
      // Work left (a fair-share hand-over), or work that came while letting go (`work` above was read
      // before two database round trips): ask again, behind the one it was handed to. The scheduler
      // holds such messages without a timer of its own, so nobody else would wake it.
      if (this.host!.workFor(tenantKey).pending && !this.stopped) this.ask(tenantKey);
      return;
    }
    const renewed = await this.store.update(fresh && fresh.doc.holder === this.instanceId ? fresh : state.lease, (doc) => ({
      ...doc,
      until: this.now() + this.leaseMs,
      data: this.handOver(tenantKey),
    }));
    if (this.stopped || this.tenants.get(tenantKey) !== state) return;
    if (!renewed) {
      this.log.warn(`Sending to tenant ${tenantKey}: ${this.instanceId} lost its send lease; asking again`);
      this.tenants.delete(tenantKey);
      this.ask(tenantKey);
      return;
    }
    state.lease = renewed;
    this.schedule(tenantKey, state, this.renewMs);
    // Renewal may have made room again (sends stop when half the lease is used).
    this.host!.wake();
  }

  /** Stops new sends, waits for those in flight, and writes the windows into the released lease. */
  private async letGo(tenantKey: string, state: TenantState & { phase: 'held' }, reserveFor: string | false): Promise<void> {
    state.letGo = true;
    if (state.timer) clearTimeout(state.timer);
    for (let waited = 0; this.host!.workFor(tenantKey).inFlight > 0 && waited < this.leaseMs / 2; waited += 5) await sleep(5);
    const at = this.now();
    const handed = await this.store.update(state.lease, (doc) => {
      const next: LeaseDoc<HandOver> = {
        ...doc,
        until: at,
        released: true,
        data: { ...this.handOver(tenantKey), ...(reserveFor ? { reservedFor: reserveFor, reservedUntil: at + 4 * this.pollMs + 1_000 } : {}) },
      };
      delete next.holder;
      return next;
    });
    if (handed) this.counts.handedOver++;
  }

  private handOver(tenantKey: string): HandOver {
    return { windows: this.host!.windowsOf(tenantKey), at: this.now(), by: this.instanceId };
  }

  private failed(tenantKey: string, state: TenantState, error: unknown): void {
    this.log.error(`Sending to tenant ${tenantKey}: the send lease could not be read or written; trying again`, error);
    if (this.tenants.get(tenantKey) !== state || this.stopped) return;
    this.tenants.delete(tenantKey);
    setTimeout(() => this.host!.wake(), this.pollMs * 10).unref();
  }
}

function aged(windows: TenantWindows, elapsed: number): TenantWindows {
  const age = (s: TenantWindows['tenant']) => ({ ages: s.ages.map((a) => a + elapsed), ...(s.slotAge !== undefined ? { slotAge: s.slotAge + elapsed } : {}) });
  return { tenant: age(windows.tenant), conversations: Object.fromEntries(Object.entries(windows.conversations).map(([k, s]) => [k, age(s)])) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
