import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from '../src/logger';
import { withinTime } from '../src/timeLimit';

/**
 * Teams waits about 15 s for a bot's answer and may deliver the activity again after that; a file
 * download from SharePoint can take longer. Work that may be slow runs under a budget: if it finishes
 * in time, its result is the turn's answer as usual; if not, the person is told it is under way at once,
 * the turn ends, and the result is posted to the same conversation when the work is done (replacing
 * the "under way" message where Teams allows). The work itself runs once either way.
 */

/** Well inside the 15 s Teams gives a message, leaving room for the rest of the turn. */
export const DEFAULT_TURN_BUDGET_MS = 4_000;

export type BudgetOutcome<T> = { inTime: true; result: T } | { inTime: false };

export class TurnBudget {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly appId: string,
    private readonly log: Logger,
    readonly budgetMs = DEFAULT_TURN_BUDGET_MS,
  ) {}

  /**
   * Runs `work`; its text result is the answer if it comes within the budget. Otherwise `acknowledge` is
   * sent now and the result later. The caller answers an in-time result itself (it may add a card).
   */
  async within<T>(
    context: TurnContext,
    work: Promise<T>,
    late: { acknowledge: string; answer: (result: T) => string; failed: string },
  ): Promise<BudgetOutcome<T>> {
    const first = await withinTime(
      work.then((result) => ({ result })),
      this.budgetMs,
      () => 'late' as const,
    );
    if (first !== 'late') return { inTime: true, result: first.result };

    const ack = await context.sendActivity(late.acknowledge);
    const reference = TurnContext.getConversationReference(context.activity) as Partial<ConversationReference>;
    const adapter = context.adapter as CloudAdapter;
    const done = work
      .then(
        (result) => this.post(adapter, reference, late.answer(result), ack?.id),
        async (error) => {
          // The person was told to wait for a result: they are told it failed, never left waiting.
          this.log.error('Work that outlived its turn failed', error);
          await this.post(adapter, reference, late.failed, ack?.id);
        },
      )
      .catch((error) => this.log.error('Could not post the result of work that outlived its turn', error))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
    return { inTime: false };
  }

  /** Waits for work that outlived its turn (on shutdown, and in tests). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Replaces the acknowledgement with the result, or posts the result where Teams can't update. */
  private async post(adapter: CloudAdapter, reference: Partial<ConversationReference>, text: string, ackId: string | undefined): Promise<void> {
    await adapter.continueConversationAsync(this.appId, reference, async (context) => {
      if (ackId) {
        try {
          await context.updateActivity({ type: 'message', id: ackId, text });
          return;
        } catch (error) {
          this.log.warn(`Could not update the acknowledgement ${ackId}; posting the result instead (${(error as Error).message})`);
        }
      }
      await context.sendActivity(text);
    });
  }
}
