import { telemetry } from '../../observability/metrics';

/**
 * Sends proactive messages as fast as Teams allows and no faster. Teams limits a bot per conversation
 * (7 per second, 8 per 2 seconds, 60 per 30 seconds, 1,800 per hour) and per tenant (about 50 per
 * second); the scheduler keeps a log of send times per conversation and per tenant and starts a send
 * only when every window has room. One message per conversation is in flight at a time, so a person
 * reads them in order. Answers: 429 waits for Retry-After; 412, 5xx and network errors back off with
 * jitter; 403/404 are final for that conversation; anything else is not retried.
 *
 * Rate limits are physics, not business time: the scheduler runs on the real monotonic clock (tests
 * that move business time still deliver at once).
 *
 * Teams counts per bot, not per process: with several instances a `gate` (tenantSendLeases.ts) lets
 * one instance at a time send to a tenant, and carries the tenant's windows from one to the next.
 */

export interface RateWindow {
  limit: number;
  windowMs: number;
  /**
   * Spread sends evenly over the window instead of starting `limit` at once: a burst makes the last
   * answers late, and late answers hold up the next window (used for the tenant's 50 per second).
   */
  smooth?: boolean;
}

export interface SendLimits {
  perConversation: readonly RateWindow[];
  perTenant: readonly RateWindow[];
}

/** Teams' documented limits for one bot (docs/teams-platform.md, "Rate limits"). */
export const TEAMS_SEND_LIMITS: SendLimits = {
  perConversation: [
    { limit: 7, windowMs: 1_000 },
    { limit: 8, windowMs: 2_000 },
    { limit: 60, windowMs: 30_000 },
    { limit: 1_800, windowMs: 3_600_000 },
  ],
  perTenant: [{ limit: 50, windowMs: 1_000, smooth: true }],
};

/** An answer from the Bot Connector that was not a success. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export type DeliveryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  /** final: Teams will not take it (403/404 and other 4xx); otherwise it may succeed later (attempts used up). */
  | { ok: false; status: number | undefined; final: boolean; message: string; attempts: number };

export interface DeliveryJob<T> {
  conversationKey: string;
  tenantKey: string;
  send: () => Promise<T>;
}

/** Send times of one tenant and its conversations, as ages in ms before the moment they were read. */
export interface TenantWindows {
  tenant: LogSnapshot;
  conversations: Record<string, LogSnapshot>;
}

export interface LogSnapshot {
  ages: number[];
  /** Age of the last slot on the smooth schedule, when there is one. */
  slotAge?: number;
}

/**
 * Whether this instance may send to a tenant now (the bot as a whole must keep Teams' limits). The
 * scheduler asks before every send; a gate that says no works on it and calls the host's `wake`.
 */
export interface SendGate {
  attach(host: GateHost): void;
  mayStart(tenantKey: string): boolean;
  stop(): Promise<void>;
}

/** What a gate sees of the scheduler: the work waiting for a tenant, and the tenant's windows to hand on. */
export interface GateHost {
  wake(): void;
  /** Messages for the tenant queued or in flight, and those in flight. */
  workFor(tenantKey: string): { pending: number; inFlight: number };
  windowsOf(tenantKey: string): TenantWindows;
  /** How much of the tenant's limit recent sends used (0 to 1): a holder that uses little hands over sooner. */
  tenantUse(tenantKey: string): number;
  /** Takes the windows another instance left (ages counted from now). */
  restore(tenantKey: string, windows: TenantWindows): void;
}

export interface DeliverySchedulerOptions {
  limits?: SendLimits;
  /** Shares the limits with other instances (none: this process is the only sender). */
  gate?: SendGate;
  maxInFlight?: number;
  /** Tries per message for 412/5xx/network errors within one delivery run. */
  maxAttempts?: number;
  /** 429s honoured per message before it is left for a later run. */
  maxThrottled?: number;
  /** Added to every window: our send time and Teams' arrival time differ by the request's travel. */
  marginMs?: number;
  baseBackoffMs?: number;
  now?: () => number;
  random?: () => number;
}

const RETRYABLE = new Set([412, 500, 502, 503, 504]);
const STOPPING = 'the bot is stopping; the notification stays in the outbox for the next sweep';

/**
 * Send times, oldest first; enough of them to judge the largest window. A send is logged when it
 * starts and moved to when its answer came: Teams counts it on arrival, somewhere in between, and
 * the later time is the safe one when judging the next send.
 */
class SendLog {
  private entries: { at: number }[] = [];
  /** The slot of the last send on the smooth schedule (it runs ahead by exact steps, so timer lateness does not add up). */
  private lastSlot = -Infinity;

  constructor(
    private readonly windows: readonly RateWindow[],
    private readonly marginMs: number,
  ) {}

  /** The earliest time at or after `now` when one more send fits every window. */
  nextAllowed(now: number): number {
    let at = now;
    for (const { limit, windowMs, smooth } of this.windows) {
      if (this.entries.length >= limit) at = Math.max(at, this.entries[this.entries.length - limit].at + windowMs + this.marginMs);
      if (smooth) at = Math.max(at, this.lastSlot + windowMs / limit);
    }
    return at;
  }

  record(at: number): { at: number } {
    const entry = { at };
    const gap = Math.min(...this.windows.filter((w) => w.smooth).map((w) => w.windowMs / w.limit));
    // A late timer may start a few sends back to back to catch up, never more than a short burst.
    if (Number.isFinite(gap)) this.lastSlot = Math.max(this.lastSlot + gap, at - 4 * gap);
    this.entries.push(entry);
    const keep = Math.max(...this.windows.map((w) => w.limit));
    if (this.entries.length > keep * 2) this.entries = this.entries.slice(-keep);
    return entry;
  }

  answered(entry: { at: number }, at: number): void {
    entry.at = Math.max(entry.at, at);
    this.entries.sort((a, b) => a.at - b.at);
  }

  /** The busiest window's share of its limit now. */
  use(now: number): number {
    return Math.max(...this.windows.map((w) => this.entries.filter((e) => now - e.at < w.windowMs).length / w.limit));
  }

  /** The entries that still count in some window, for the next instance to send to this tenant. */
  snapshot(now: number): LogSnapshot {
    const longest = Math.max(...this.windows.map((w) => w.windowMs)) + this.marginMs;
    const keep = Math.max(...this.windows.map((w) => w.limit));
    const ages = this.entries
      .filter((e) => now - e.at < longest)
      .slice(-keep)
      .map((e) => Math.max(0, Math.round(now - e.at)));
    return { ages, ...(Number.isFinite(this.lastSlot) ? { slotAge: Math.round(now - this.lastSlot) } : {}) };
  }

  static restored(windows: readonly RateWindow[], marginMs: number, snapshot: LogSnapshot, now: number): SendLog {
    const log = new SendLog(windows, marginMs);
    log.entries = snapshot.ages.map((age) => ({ at: now - age })).sort((a, b) => a.at - b.at);
    if (snapshot.slotAge !== undefined) log.lastSlot = now - snapshot.slotAge;
    return log;
  }

  idleSince(now: number): boolean {
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    return !this.entries.length || now - this.entries[this.entries.length - 1].at > longest;
  }
}

interface Pending<T> {
  job: DeliveryJob<T>;
  attempts: number;
  throttled: number;
  resolve: (outcome: DeliveryOutcome<T>) => void;
}

interface ConversationLane {
  tenantKey: string;
  queue: Pending<unknown>[];
  busy: boolean;
  blockedUntil: number;
}

export class DeliveryScheduler {
  private readonly limits: SendLimits;
  private readonly maxInFlight: number;
  private readonly maxAttempts: number;
  private readonly maxThrottled: number;
  private readonly marginMs: number;
  private readonly baseBackoffMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly lanes = new Map<string, ConversationLane>();
  private readonly conversationLogs = new Map<string, SendLog>();
  private readonly tenantLogs = new Map<string, SendLog>();
  /** Which tenant each logged conversation is in (to hand a tenant's windows on). */
  private readonly conversationTenants = new Map<string, string>();
  private readonly tenantWork = new Map<string, { pending: number; inFlight: number }>();
  private readonly gate?: SendGate;
  private inFlight = 0;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = Infinity;
  private pumping = false;
  private pumps = 0;
  private stopped = false;

  constructor(options: DeliverySchedulerOptions = {}) {
    this.limits = options.limits ?? TEAMS_SEND_LIMITS;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxThrottled = options.maxThrottled ?? 20;
    this.marginMs = options.marginMs ?? 20;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.gate = options.gate;
    this.gate?.attach({
      wake: () => this.pump(),
      workFor: (tenantKey) => ({ ...(this.tenantWork.get(tenantKey) ?? { pending: 0, inFlight: 0 }) }),
      windowsOf: (tenantKey) => this.windowsOf(tenantKey),
      tenantUse: (tenantKey) => this.tenantLogs.get(tenantKey)?.use(this.now()) ?? 0,
      restore: (tenantKey, windows) => this.restore(tenantKey, windows),
    });
  }

  deliver<T>(job: DeliveryJob<T>): Promise<DeliveryOutcome<T>> {
    if (this.stopped) return Promise.resolve({ ok: false, status: undefined, final: false, message: STOPPING, attempts: 0 });
    const work = this.tenantWork.get(job.tenantKey) ?? { pending: 0, inFlight: 0 };
    this.tenantWork.set(job.tenantKey, work);
    work.pending += 1;
    const settled = new Promise<DeliveryOutcome<T>>((resolve) => {
      let lane = this.lanes.get(job.conversationKey);
      if (!lane) {
        lane = { tenantKey: job.tenantKey, queue: [], busy: false, blockedUntil: 0 };
        this.lanes.set(job.conversationKey, lane);
      }
      lane.queue.push({ job, attempts: 0, throttled: 0, resolve } as Pending<unknown>);
      this.pump();
    });
    return settled.finally(() => {
      if (--work.pending === 0 && this.tenantWork.get(job.tenantKey) === work) this.tenantWork.delete(job.tenantKey);
    });
  }

  /**
   * Stops waiting: every queued message is answered "not delivered, try later" at once (its outbox
   * entry stays and the claim's dispatch timer brings it back). Messages in flight finish; the gate
   * hands the tenants it holds on to other instances.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = Infinity;
    for (const lane of this.lanes.values()) {
      for (const pending of lane.queue.splice(0))
        pending.resolve({ ok: false, status: undefined, final: false, message: STOPPING, attempts: pending.attempts });
    }
    await this.gate?.stop();
  }

  /** Messages waiting or in flight. */
  get pending(): number {
    let n = this.inFlight;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  private logFor(map: Map<string, SendLog>, key: string, windows: readonly RateWindow[]): SendLog {
    let log = map.get(key);
    if (!log) {
      log = new SendLog(windows, this.marginMs);
      map.set(key, log);
    }
    return log;
  }

  private windowsOf(tenantKey: string): TenantWindows {
    const now = this.now();
    const conversations: Record<string, LogSnapshot> = {};
    for (const [key, tenant] of this.conversationTenants) {
      const log = this.conversationLogs.get(key);
      if (tenant === tenantKey && log) conversations[key] = log.snapshot(now);
    }
    return { tenant: this.tenantLogs.get(tenantKey)?.snapshot(now) ?? { ages: [] }, conversations };
  }

  private restore(tenantKey: string, windows: TenantWindows): void {
    const now = this.now();
    this.tenantLogs.set(tenantKey, SendLog.restored(this.limits.perTenant, this.marginMs, windows.tenant, now));
    for (const [key, snapshot] of Object.entries(windows.conversations)) {
      this.conversationLogs.set(key, SendLog.restored(this.limits.perConversation, this.marginMs, snapshot, now));
      this.conversationTenants.set(key, tenantKey);
    }
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const now = this.now();
      let wake = Infinity;
      for (const [key, lane] of this.lanes) {
        if (this.inFlight >= this.maxInFlight) break;
        if (lane.busy) continue;
        const next = lane.queue[0];
        if (!next) {
          this.lanes.delete(key);
          continue;
        }
        if (this.gate && !this.gate.mayStart(lane.tenantKey)) continue; // the gate wakes the pump when it may
        const conversationLog = this.logFor(this.conversationLogs, key, this.limits.perConversation);
        this.conversationTenants.set(key, lane.tenantKey);
        const tenantLog = this.logFor(this.tenantLogs, next.job.tenantKey, this.limits.perTenant);
        const at = Math.max(lane.blockedUntil, conversationLog.nextAllowed(now), tenantLog.nextAllowed(now));
        if (at > now) {
          wake = Math.min(wake, at);
          continue;
        }
        lane.queue.shift();
        lane.busy = true;
        // Round robin: this conversation goes to the back, so every conversation of a tenant gets its
        // turn and none is left at the end with messages its own windows hold back.
        this.lanes.delete(key);
        this.lanes.set(key, lane);
        this.inFlight += 1;
        const work = this.tenantWork.get(lane.tenantKey);
        if (work) work.inFlight += 1;
        const logged = [conversationLog, tenantLog].map((log) => ({ log, entry: log.record(now) }));
        void this.attempt(key, lane, next).finally(() => {
          const answeredAt = this.now();
          for (const { log, entry } of logged) log.answered(entry, answeredAt);
          if (work) work.inFlight -= 1;
          this.pump();
        });
      }
      this.scheduleWake(wake, now);
      if (++this.pumps % 1000 === 0) this.prune(now);
    } finally {
      this.pumping = false;
    }
  }

  private async attempt(key: string, lane: ConversationLane, pending: Pending<unknown>): Promise<void> {
    pending.attempts += 1;
    try {
      const value = await pending.job.send();
      pending.resolve({ ok: true, value, attempts: pending.attempts });
    } catch (error) {
      const status = error instanceof DeliveryError ? error.status : undefined;
      const message = error instanceof Error ? error.message : String(error);
      const now = this.now();
      if (this.stopped) {
        pending.resolve({ ok: false, status, final: false, message: STOPPING, attempts: pending.attempts });
      } else if (status === 429 && pending.throttled < this.maxThrottled) {
        telemetry.teamsThrottled();
        pending.throttled += 1;
        pending.attempts -= 1; // a throttled send is not a failed try
        const retryAfter = error instanceof DeliveryError && error.retryAfterMs !== undefined ? error.retryAfterMs : 1_000;
        lane.blockedUntil = Math.max(lane.blockedUntil, now + retryAfter);
        lane.queue.unshift(pending);
      } else if ((status === undefined || RETRYABLE.has(status)) && pending.attempts < this.maxAttempts) {
        const backoff = Math.min(30_000, this.baseBackoffMs * 2 ** (pending.attempts - 1)) * (0.5 + this.random());
        lane.blockedUntil = Math.max(lane.blockedUntil, now + backoff);
        lane.queue.unshift(pending);
      } else {
        const final = status !== undefined && status !== 429 && !RETRYABLE.has(status);
        pending.resolve({ ok: false, status, final, message, attempts: pending.attempts });
      }
    } finally {
      lane.busy = false;
      this.inFlight -= 1;
      if (!this.lanes.has(key) && lane.queue.length) this.lanes.set(key, lane);
    }
  }

  private scheduleWake(at: number, now: number): void {
    if (at === Infinity || at >= this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Infinity;
        this.pump();
      },
      Math.max(0, Math.ceil(at - now)),
    );
  }

  /** Forgets send logs older than every window (a long-running bot talks to many conversations). */
  private prune(now: number): void {
    for (const [key, log] of this.conversationLogs) {
      if (this.lanes.has(key) || !log.idleSince(now)) continue;
      this.conversationLogs.delete(key);
      this.conversationTenants.delete(key);
    }
    for (const [key, log] of this.tenantLogs) if (log.idleSince(now)) this.tenantLogs.delete(key);
  }
}
