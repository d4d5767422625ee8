import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { ConversationReferenceData } from '../src/storage/conversationStore';
import { DeliveryError } from '../src/services/notifications/deliveryScheduler';

/**
 * Messages the bot sends on its own: into a stored conversation, and updates of a message it posted.
 * A failed send is raised as a DeliveryError with Teams' status and Retry-After, for the delivery
 * scheduler to judge (the SDK's own client already retries 429 and 5xx a few times before that). The
 * error is caught inside the turn, so the adapter's turn-error handler never posts an apology into
 * a conversation the bot was only trying to notify.
 */
export class ProactiveMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  /** Sends an activity into the conversation and returns the id the channel gave it. */
  async send(reference: ConversationReferenceData, activity: Partial<Activity>): Promise<string | undefined> {
    let id: string | undefined;
    await this.inConversation(reference, async (context) => {
      id = (await context.sendActivity(activity))?.id;
    });
    return id;
  }

  /** Replaces a message the bot posted earlier, for everyone in the conversation. */
  async update(reference: ConversationReferenceData, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.inConversation(reference, async (context) => {
      await context.updateActivity({ ...activity, id: activityId, conversation: context.activity.conversation });
    });
  }

  private async inConversation(reference: ConversationReferenceData, work: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (context) => {
      try {
        await work(context);
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw toDeliveryError(failure);
  }
}

/** The Bot Connector client raises RestErrors with the HTTP status and the response headers. */
function toDeliveryError(error: unknown): DeliveryError {
  const e = error as { statusCode?: number; message?: string; response?: { headers?: { get?(name: string): string | undefined } } };
  const retryAfter = e.response?.headers?.get?.('retry-after');
  const seconds = retryAfter !== undefined && /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return new DeliveryError(
    e.message ?? String(error),
    typeof e.statusCode === 'number' ? e.statusCode : undefined,
    seconds !== undefined ? seconds * 1000 : undefined,
  );
}
