import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConversationReferenceData } from '../src/storage/conversationStore';

/**
 * Messages the bot sends on its own: into a stored conversation, and updates of a message it posted.
 * (Limits, retries and the outbox that make this exactly-once belong to the deadlines and notifications work.)
 */
export class ProactiveMessenger {
  constructor(private readonly adapter: CloudAdapter, private readonly appId: string) {}

  /** Sends an activity into the conversation and returns the id the channel gave it. */
  async send(reference: ConversationReferenceData, activity: Partial<Activity>): Promise<string | undefined> {
    let id: string | undefined;
    await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (context) => {
      id = (await context.sendActivity(activity))?.id;
    });
    return id;
  }

  /** Replaces a message the bot posted earlier, for everyone in the conversation. */
  async update(reference: ConversationReferenceData, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (context) => {
      await context.updateActivity({ ...activity, id: activityId, conversation: context.activity.conversation });
    });
  }
}
