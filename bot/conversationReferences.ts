import { TurnContext, type Activity } from 'botbuilder';
import { conversationReferenceKey, userReferenceKey, type ConversationStore } from '../src/storage/conversationStore';

/** Teams' tenant id for an activity: on the conversation, or in channelData for older clients. */
export function tenantIdOf(activity: Partial<Activity>): string | undefined {
  return activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
}

/**
 * The conversation an activity belongs to, without a channel thread's ";messageid=" suffix: the
 * channel itself, where later posts start new threads (undefined when the activity names none).
 */
export function conversationIdOf(activity: Partial<Activity>): string | undefined {
  return activity.conversation?.id?.split(';messageid=')[0];
}

/**
 * Saves where the bot can reach people later: a 1:1 chat under the user's tenant + AAD object id, a
 * channel or group chat under its conversation id (without a thread's ";messageid=" suffix, so later
 * posts start new threads in the channel).
 */
export async function saveConversationReference(store: ConversationStore, activity: Partial<Activity>): Promise<void> {
  const reference = TurnContext.getConversationReference(activity) as unknown as Record<string, unknown> & {
    conversation: { id: string; conversationType?: string; tenantId?: string; name?: string };
  };
  // The id of the message that came in changes every turn and is not needed to reach the chat later;
  // without it an unchanged chat costs no write.
  delete reference.activityId;
  const tenantId = tenantIdOf(activity) ?? '';
  const conversationType = activity.conversation?.conversationType ?? 'personal';
  if (!activity.conversation?.id) return;
  if (conversationType === 'personal') {
    const aadObjectId = activity.from?.aadObjectId;
    if (!aadObjectId) return;
    await store.save({ id: userReferenceKey(tenantId, aadObjectId), kind: 'user', tenantId, aadObjectId, conversationType, reference });
    return;
  }
  const conversationId = conversationIdOf(activity)!;
  // Who wrote and in which language says nothing about the channel or group chat: without them, many
  // people working in one conversation cost no write each.
  const { user: _user, locale: _locale, ...shared } = reference;
  const channelReference = { ...shared, conversation: { ...reference.conversation, id: conversationId } };
  await store.save({ id: conversationReferenceKey(conversationId), kind: 'conversation', tenantId, conversationType, reference: channelReference });
}

/**
 * What the person typed, without the bot's @mention (channels and group chats prefix it) and with
 * spacing normalised: the text commands are matched against.
 */
export function typedText(activity: Partial<Activity>): string {
  const withoutMention = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
  // Some clients send the <at> tag without a mention entity: drop any that is left.
  return withoutMention
    .replace(/<at>[^<]*<\/at>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
