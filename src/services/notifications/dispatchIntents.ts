import type { BusinessCalendar } from '../../domain/businessCalendar';
import type { Claim } from '../../domain/claim';
import { sameTimers, timersFor } from '../../domain/claimTimers';
import type { Clock } from '../../clock';
import { dispatchTimerId, type StoredTimer, type TimerStore } from '../../storage/timerStore';

/**
 * The claim's dispatch timer, written before a change that leaves work (notifications to deliver,
 * timers to move): Cosmos DB can't write the claim and the timer in one step across containers, so
 * the timer comes first. If the instance stops before the work is done, a sweep finds the timer and
 * finishes it; if the change never happens, the sweep finds nothing to do.
 */
export class DispatchIntents {
  constructor(
    private readonly timers: TimerStore,
    private readonly calendar: BusinessCalendar,
    private readonly clock: Clock,
    /** How long the instance that made the change has to finish before a sweep takes over. */
    readonly graceMs = 60_000,
  ) {}

  /** Whether a change from `before` to `after` leaves work: new outbox entries or different timers. */
  needsDispatch(before: Claim | undefined, after: Claim): boolean {
    const outboxAfter = after.outbox?.length ?? 0;
    if (outboxAfter > 0 && outboxAfter !== (before?.outbox?.length ?? 0)) return true;
    return !sameTimers(before ? timersFor(before, this.calendar) : [], timersFor(after, this.calendar));
  }

  async record(claim: Pick<Claim, 'id' | 'orgId'>, delayMs = this.graceMs): Promise<StoredTimer> {
    const due = new Date(this.clock.now().getTime() + delayMs).toISOString();
    return this.timers.put({ id: dispatchTimerId(claim.id), claimId: claim.id, orgId: claim.orgId, firesAt: due, dueAt: due, purpose: { type: 'dispatch' } });
  }
}
