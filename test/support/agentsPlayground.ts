import { WebSocketClient } from './webSocketClient';

/**
 * Drives a running Microsoft 365 Agents Playground over the HTTP and WebSocket API its own web page uses
 * (found by reading @microsoft/m365agentsplayground 0.2.28): the person's messages, card submits and
 * card actions go in over HTTP as the page sends them; everything the bot posts or updates comes back
 * on the conversation stream. The playground then talks Bot Framework to the bot, as Teams would.
 *
 * - GET  /_internal/v1/config: the tenant, users, chats, team and channels of its .m365agentsplayground.yml
 * - POST /_conversation/v1/conversations/{id}/messages: a person writes (a channel message starts a thread)
 * - POST /_conversation/v1/submit: an Action.Submit pressed on a card
 * - POST /_conversation/v1/invoke: an Action.Execute (adaptiveCard/action), answered with the bot's card
 * - GET  /_internal/v1/customActivities/template, POST /_internal/v1/customActivities: "Mock an Activity"
 * - WS   /_ws_conversation/v1/conversations/stream: createMessage / updateMessage of the bot's messages
 */

export interface PlaygroundMessage {
  messageId: string;
  from: { id: string };
  text?: string;
  attachments: { contentType: string; content: Record<string, unknown> }[];
}

export interface PlaygroundEvent {
  action: string;
  /** The chat or channel the message shows in. */
  conversationId: string;
  /** For a channel: the thread's conversation id ("channel;messageid=..."), where replies and actions go. */
  threadId: string;
  message: PlaygroundMessage;
}

export interface PlaygroundConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string };
  groupChats: { id: string; name: string }[];
  teams: { id: string; name: string; channels: { id: string; name: string }[] }[];
}

export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
}

type Card = Record<string, unknown>;
export type CardAction = { type: string; title?: string; verb?: string; data?: Record<string, unknown>; associatedInputs?: string };

export class AgentsPlayground {
  readonly events: PlaygroundEvent[] = [];
  private socket?: WebSocketClient;
  private waiters: (() => void)[] = [];

  constructor(
    readonly url: string,
    readonly label: string,
  ) {}

  async open(): Promise<void> {
    this.socket = await WebSocketClient.connect(`${this.url.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`, {
      message: (text) => {
        const data = JSON.parse(text) as {
          action: string;
          actionConversationId: string;
          message?: PlaygroundMessage & { postConversationId?: string; directLineConversationId?: string };
        };
        if (!data.message) return;
        this.events.push({
          action: data.action,
          conversationId: data.actionConversationId,
          threadId: data.message.postConversationId ?? data.message.directLineConversationId ?? data.actionConversationId,
          message: data.message,
        });
        for (const wake of this.waiters.splice(0)) wake();
      },
    });
  }

  close(): void {
    this.socket?.close();
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${this.label} playground: ${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async config(): Promise<PlaygroundConfig> {
    return ((await this.call('GET', '/_internal/v1/config')) as { config: PlaygroundConfig }).config;
  }

  /** A person writes in a chat or channel; `mentionBot` adds the @mention a channel needs for the bot to hear it. */
  async say(
    conversationId: string,
    from: string,
    text: string,
    options: { mentionBot?: { id: string; name: string } } = {},
  ): Promise<{ messageId: string; postConversationId?: string }> {
    const mention = options.mentionBot;
    const body = {
      from: { id: from },
      text: mention ? `<at>${mention.name}</at> ${text}` : text,
      textFormat: 'plain',
      ...(mention ? { mentions: [{ mentioned: { id: mention.id, name: mention.name }, text: `<at>${mention.name}</at>` }] } : {}),
    };
    return (await this.call('POST', `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, body)) as {
      messageId: string;
      postConversationId?: string;
    };
  }

  /** Presses a card's Action.Submit as the web page does: the action's data with the card's inputs (their values, overridden by `typed`). */
  async submit(event: PlaygroundEvent, from: string, title: string, typed: Record<string, string> = {}): Promise<void> {
    const card = cardOf(event);
    const action = findAction(card, title, 'Action.Submit');
    const value = { ...(action.data ?? {}), ...(action.associatedInputs === 'none' ? {} : { ...inputValues(card), ...typed }) };
    await this.call('POST', '/_conversation/v1/submit', {
      conversation: { id: event.threadId },
      from: { id: from },
      replyToId: event.message.messageId,
      value,
    });
  }

  /** An Action.Execute on a card (a button, or the card's automatic refresh): the bot's answer is the card this person now sees. */
  async execute(
    event: PlaygroundEvent,
    from: string,
    action: CardAction,
    options: { trigger?: 'manual' | 'automatic'; card?: Card; typed?: Record<string, string> } = {},
  ): Promise<Card> {
    const inputs = options.card && action.associatedInputs !== 'none' ? { ...inputValues(options.card), ...options.typed } : { ...options.typed };
    const value = { action: { type: 'Action.Execute', verb: action.verb, data: { ...(action.data ?? {}), ...inputs } }, trigger: options.trigger ?? 'manual' };
    const answer = (await this.call('POST', '/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value,
      from: { id: from },
      conversation: { id: event.threadId },
      replyToId: event.message.messageId,
    })) as {
      statusCode?: number;
      type?: string;
      value?: Card;
    };
    // The playground passes on the bot's invoke response ({ statusCode, type, value }) without its statusCode.
    if ((answer?.statusCode ?? 200) !== 200 || answer.type !== 'application/vnd.microsoft.card.adaptive' || !answer.value) {
      throw new Error(`${this.label} playground: ${action.verb} was answered ${JSON.stringify(answer).slice(0, 500)}`);
    }
    return answer.value;
  }

  /** "Mock an Activity": the playground's template for a conversation (ids, tenant, service URL) with `extra` on top. */
  async mockActivity(conversationId: string, extra: Record<string, unknown>): Promise<void> {
    const template = (await this.call('GET', `/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`)) as Record<
      string,
      unknown
    >;
    await this.call('POST', '/_internal/v1/customActivities', { ...template, id: `mock-${Date.now()}`, timestamp: new Date().toISOString(), ...extra });
  }

  /** Where the next wait starts: only events after this point count. */
  mark(): number {
    return this.events.length;
  }

  /** The first event after `since` that matches, waiting for it. */
  async waitFor(since: number, description: string, match: (event: PlaygroundEvent) => boolean, timeoutMs = 15_000): Promise<PlaygroundEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(since).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.slice(since).map((e) => `  ${e.action} in ${e.conversationId}: ${eventText(e).slice(0, 160)}`);
        throw new Error(`${this.label} playground: no ${description} within ${timeoutMs} ms. Seen since:\n${seen.join('\n') || '  (nothing)'}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the bot's adaptive card in a conversation whose first text block (its title) is `title`. */
  waitForCard(since: number, conversationId: string, title: string | RegExp, timeoutMs?: number): Promise<PlaygroundEvent> {
    return this.waitFor(
      since,
      `card "${title}" in ${conversationId}`,
      (e) => inConversation(e, conversationId) && e.action === 'createMessage' && hasCard(e) && matches(cardTitle(cardOf(e)), title),
      timeoutMs,
    );
  }

  /** Waits for the bot's text (or card text) in a conversation matching `pattern`. */
  waitForText(since: number, conversationId: string, pattern: RegExp, timeoutMs?: number): Promise<PlaygroundEvent> {
    return this.waitFor(
      since,
      `message matching ${pattern} in ${conversationId}`,
      (e) => inConversation(e, conversationId) && pattern.test(eventText(e)),
      timeoutMs,
    );
  }
}

/** In the chat or channel, a channel's threads included ("19:...;messageid=..."). */
export function inConversation(event: PlaygroundEvent, conversationId: string): boolean {
  return event.conversationId.split(';messageid=')[0] === conversationId;
}

function matches(text: string, wanted: string | RegExp): boolean {
  return typeof wanted === 'string' ? text === wanted : wanted.test(text);
}

export function hasCard(event: PlaygroundEvent): boolean {
  return event.message.attachments.some((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
}

export function cardOf(event: PlaygroundEvent): Card {
  const attachment = event.message.attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  if (!attachment) throw new Error(`No adaptive card in the message: ${eventText(event).slice(0, 200)}`);
  return attachment.content;
}

/** Every element of a card's body (containers, columns, action sets opened up). */
function elements(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object') return [];
  const el = node as Record<string, unknown>;
  const children = [el.body, el.items, el.columns, el.actions, el.card].filter(Boolean);
  return [el, ...children.flatMap(elements)];
}

export function cardTitle(card: Card): string {
  const first = (card.body as { type: string; text?: string }[] | undefined)?.find((e) => e.type === 'TextBlock');
  return first?.text ?? '';
}

/** The words on a card: text blocks, facts, input labels and button titles. */
export function cardText(card: Card): string {
  return elements(card)
    .flatMap((e) => {
      if (e.type === 'TextBlock') return [String(e.text ?? '')];
      if (e.type === 'FactSet') return (e.facts as { title: string; value: string }[]).map((f) => `${f.title}: ${f.value}`);
      if (e.type === 'RichTextBlock') return (e.inlines as { text?: string }[]).map((i) => i.text ?? '');
      if (typeof e.type === 'string' && e.type.startsWith('Action.')) return [String(e.title ?? '')];
      return [];
    })
    .filter(Boolean)
    .join('\n');
}

export function eventText(event: PlaygroundEvent): string {
  return [
    event.message.text ?? '',
    ...event.message.attachments.map((a) => (a.contentType === 'application/vnd.microsoft.card.adaptive' ? cardText(a.content) : '')),
  ]
    .filter(Boolean)
    .join('\n');
}

export function cardActions(card: Card): CardAction[] {
  return elements(card).filter((e) => typeof e.type === 'string' && e.type.startsWith('Action.')) as CardAction[];
}

export function findAction(card: Card, title: string, type?: string): CardAction {
  const action = cardActions(card).find((a) => a.title === title && (!type || a.type === type));
  if (!action)
    throw new Error(
      `No button "${title}" on card "${cardTitle(card)}"; it has: ${cardActions(card)
        .map((a) => `${a.title} (${a.type})`)
        .join(', ')}`,
    );
  return action;
}

/** The inputs of a card with the values they show (what the web page submits when nothing is typed). */
export function inputValues(card: Card): Record<string, string> {
  const values: Record<string, string> = {};
  for (const e of elements(card)) {
    if (typeof e.type === 'string' && e.type.startsWith('Input.') && typeof e.id === 'string') values[e.id] = e.value === undefined ? '' : String(e.value);
  }
  return values;
}
