import { randomUUID } from 'node:crypto';
import { telemetry } from '../../observability/metrics';
import { SYSTEM_ACTOR } from '../../domain/actors';
import type { ClaimAction } from '../../domain/claimLifecycle';
import type { Clock } from '../../clock';
import type { BusinessCalendar } from '../../domain/businessCalendar';
import { retryAt, timersFor } from '../../domain/claimTimers';
import { counted, type Logger } from '../../logger';
import type { StoredTimer, TimerStore } from '../../storage/timerStore';
import type { ClaimService } from '../claims/claimService';
import type { LeaderLease } from './leaderLease';
import type { NotificationDispatcher } from './notificationDispatcher';

/**
 * Fires due timers: automatic transitions, reminders, and dispatch work left by a change. Each timer
 * is taken with an ETag lease, so with several instances on one Cosmos DB exactly one fires it; the
 * action carries the timer as its idempotency key, so a timer fired again after a crash changes
 * nothing twice. A fired timer is deleted. One sweep reads at most `batchSize` due timers: its cost
 * follows the number of due timers, never the number of claims.
 *
 * The sweep loop inside the bot runs on the leader only (the `leader` lease): with N instances the
 * timers container is queried once per interval, not N times, and only one instance sweeps at a time.
 * `npm run sweep` needs no lease: the timer leases alone keep each timer to one sweeper.
 */

export interface SweepReport {
  due: number;
  fired: number;
  /** Taken by another instance first. */
  taken: number;
  /** Not applicable any more (the claim moved on): dropped or moved to the claim's current deadline. */
  dropped: number;
  failed: number;
}

export interface SweeperOptions {
  timers: TimerStore;
  claims: ClaimService;
  dispatcher: NotificationDispatcher;
  clock: Clock;
  calendar: BusinessCalendar;
  log: Logger;
  /** How long a taken timer belongs to this instance before another may take it (default 2 minutes). */
  leaseMs?: number;
  batchSize?: number;
  /** Timers fired at once (default 8). */
  concurrency?: number;
  owner?: string;
  /** Who leads the sweep loop among instances; without it this instance always sweeps. */
  leader?: LeaderLease;
}

/** What one round of the loop did (tests watch rounds). */
export type SweepRound = { led: false } | { led: true; report: SweepReport };

export class Sweeper {
  readonly owner: string;
  private loop?: { timer?: NodeJS.Timeout; stopped: boolean; current?: Promise<unknown> };
  private readonly roundListeners: ((round: SweepRound) => void)[] = [];

  constructor(private readonly options: SweeperOptions) {
    this.owner = options.owner ?? `sweeper-${randomUUID().slice(0, 8)}`;
  }

  /** One sweep: every timer due now (up to the batch size). Stops taking new timers when `signal` aborts. */
  async runOnce(signal?: AbortSignal): Promise<SweepReport> {
    const { timers, clock } = this.options;
    const report: SweepReport = { due: 0, fired: 0, taken: 0, dropped: 0, failed: 0 };
    const due = await timers.due(clock.now(), this.options.batchSize ?? 100);
    report.due = due.length;
    let next = 0;
    const worker = async () => {
      while (next < due.length && !signal?.aborted) {
        const stored = due[next++];
        const leased = await timers.lease(stored, this.owner, new Date(clock.now().getTime() + (this.options.leaseMs ?? 120_000)));
        if (!leased) {
          report.taken += 1;
          continue;
        }
        telemetry.timerFired(leased.timer.purpose.type, (clock.now().getTime() - Date.parse(leased.timer.firesAt)) / 1000);
        try {
          report[(await this.fire(leased)) ? 'fired' : 'dropped'] += 1;
        } catch (error) {
          // The lease runs out and the timer is due again: another sweep tries it.
          report.failed += 1;
          this.options.log.error(`Timer ${leased.timer.id} failed; it is tried again when its lease ends`, error);
        }
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 8 }, worker));
    return report;
  }

  /** Fires one leased timer; false when it no longer applied. */
  private async fire(leased: StoredTimer): Promise<boolean> {
    const { timer } = leased;
    const { claims, dispatcher, timers, clock } = this.options;
    if (timer.purpose.type === 'dispatch') {
      const claim = await claims.get(timer.claimId, timer.orgId);
      if (claim) await dispatcher.dispatch(claim, { intent: leased });
      else await timers.remove(timer.id, leased.etag);
      return Boolean(claim);
    }
    // The action reads the claim itself (and decides on that copy): no read of its own first.
    const action: ClaimAction = timer.purpose.type === 'transition' ? { type: timer.purpose.action } : { type: 'remind', reminder: timer.purpose.reminder };
    const result = await claims.act(timer.claimId, action, SYSTEM_ACTOR, { actionId: `timer:${timer.id}@${timer.firesAt}` }, timer.orgId);
    if (result.ok) {
      // The change's own dispatch (notifications, the next timers) runs through the change listeners.
      await timers.remove(timer.id, leased.etag);
      return true;
    }
    const current = result.claim;
    if (!current) {
      // The claim is gone (a discarded draft): so is its timer.
      await timers.remove(timer.id, leased.etag);
      return false;
    }
    // The claim moved on (resubmitted, deadline changed, reminder sent): bring its timers in line.
    await dispatcher.syncTimers(current);
    const same = timersFor(current, this.options.calendar).find((t) => t.id === timer.id && t.dueAt === timer.firesAt);
    if (same) {
      // Not due by the claim's own reckoning yet: a reminder outside business hours waits for the next
      // opening; otherwise clocks differ between instances, so look again shortly.
      await timers.reschedule(leased, retryAt(this.options.calendar, timer.purpose, clock.now()));
      return false;
    }
    // Re-armed for a new deadline by the sync (its ETag changed), or not wanted any more.
    await timers.remove(timer.id, leased.etag);
    return false;
  }

  onRound(listener: (round: SweepRound) => void): void {
    this.roundListeners.push(listener);
  }

  /**
   * Sweeps every `intervalMs` until stopped (the sweep loop inside the bot process), when this instance
   * leads. The leader's lease lasts `leaderLeaseMs` (default two intervals) and is renewed every round
   * and, during a long sweep, every third of it; a sweep whose lease is lost stops taking timers. A
   * leader that dies is replaced within the lease plus one interval.
   */
  start(intervalMs: number, leaderLeaseMs = 2 * intervalMs): void {
    if (this.loop) return;
    const loop: NonNullable<Sweeper['loop']> = { stopped: false };
    this.loop = loop;
    const tick = async () => {
      if (loop.stopped) return;
      loop.current = this.round(leaderLeaseMs).then(
        (round) => {
          for (const listener of this.roundListeners) listener(round);
          if (round.led && (round.report.fired || round.report.failed)) {
            const { report } = round;
            this.options.log.info(
              `Sweep: ${counted(report.fired, 'timer')} fired, ${report.dropped} dropped, ${report.taken} taken by another instance, ${report.failed} failed`,
            );
          }
        },
        (error) => this.options.log.error('Sweep failed; trying again at the next interval', error),
      );
      await loop.current;
      if (!loop.stopped) loop.timer = setTimeout(tick, intervalMs);
    };
    loop.timer = setTimeout(tick, Math.min(intervalMs, 1_000));
  }

  private async round(leaseMs: number): Promise<SweepRound> {
    const { leader } = this.options;
    if (!leader) return { led: true, report: await this.runOnce() };
    if (!(await leader.hold(leaseMs))) return { led: false };
    const sweep = new AbortController();
    const renewal = setInterval(() => {
      leader.hold(leaseMs).then(
        (still) => still || sweep.abort(),
        () => sweep.abort(),
      );
    }, leaseMs / 3);
    try {
      return { led: true, report: await this.runOnce(sweep.signal) };
    } finally {
      clearInterval(renewal);
    }
  }

  /** Stops the loop (a sweep under way finishes its timers) and lets the leader lease go. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    loop.stopped = true;
    if (loop.timer) clearTimeout(loop.timer);
    await loop.current;
    this.loop = undefined;
    await this.options.leader?.release().catch((error) => this.options.log.error('Could not let the sweep lease go; it runs out by itself', error));
  }
}
