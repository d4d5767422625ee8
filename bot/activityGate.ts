import { z } from 'zod';

/**
 * The shape check at /api/messages, before anything else looks at a request: a malformed activity is
 * refused at once with one fixed line, rather than reaching the adapter (which answered 500, or held
 * the request while it tried a missing serviceUrl, or 501 for a card action it could not read).
 * Only the fields the bot relies on are checked; every other field passes through as sent.
 */

/** The one-line reasons a malformed activity is refused with (HTTP 400). */
export const MALFORMED = {
  body: 'body is not a JSON object',
  type: 'activity type missing',
  channelId: 'channelId missing',
  serviceUrl: 'serviceUrl missing or not an absolute http(s) URL',
  conversation: 'conversation.id missing',
  from: 'from missing',
  invokeValue: 'invoke value is not an object',
  messageValue: 'message value is not an object',
} as const;

/** The fixed answer to a channel the bot does not serve (HTTP 403). */
export const CHANNEL_NOT_SERVED = 'channel not served';

const text = (reason: string) => z.string(reason).regex(/\S/, reason);
const jsonObject = (reason: string) => z.record(z.string(), z.unknown(), reason);

// Checked in this order; the first problem is the one reported.
const activityShape = z.looseObject({
  type: text(MALFORMED.type),
  channelId: text(MALFORMED.channelId),
  serviceUrl: z.url({ protocol: /^https?$/, error: MALFORMED.serviceUrl }),
  conversation: z.looseObject({ id: text(MALFORMED.conversation) }, MALFORMED.conversation),
  from: z.looseObject({ id: text(MALFORMED.from) }, MALFORMED.from),
});
// Every schema is built once here: building one costs more than checking with it, on every request.
const bodyObject = jsonObject(MALFORMED.body);
// A card's Action.Submit (message) or Action.Execute (invoke) carries its data as an object.
const invokeValue = jsonObject(MALFORMED.invokeValue);
const messageValue = jsonObject(MALFORMED.messageValue).nullish();

export type GateVerdict = { ok: true; activity: z.infer<typeof activityShape> } | { ok: false; status: 400 | 403; reason: string };

export function checkActivity(body: unknown, allowedChannels: ReadonlySet<string>): GateVerdict {
  if (!bodyObject.safeParse(body).success) return refuse(400, MALFORMED.body);
  const parsed = activityShape.safeParse(body);
  if (!parsed.success) return refuse(400, parsed.error.issues[0].message);
  const activity = parsed.data;
  const value = activity.type === 'invoke' ? invokeValue : activity.type === 'message' ? messageValue : undefined;
  const checkedValue = value?.safeParse(activity.value);
  if (checkedValue && !checkedValue.success) return refuse(400, checkedValue.error.issues[0].message);
  if (!allowedChannels.has(activity.channelId)) return refuse(403, CHANNEL_NOT_SERVED);
  return { ok: true, activity };
}

function refuse(status: 400 | 403, reason: string): GateVerdict {
  return { ok: false, status, reason };
}
