import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Bot Connector on loopback, standing in for Teams' service URL: it takes what the bot sends
 * proactively (new activities, replies, updates) and keeps it for the test to read. It can answer as
 * Teams does when things go wrong: scripted answers per conversation (429 with Retry-After, 500, 403,
 * 404), and, when `enforceTeamsLimits` is on, 429 for every send over Teams' rate limits.
 */
export interface ConnectorCall {
  method: 'POST' | 'PUT';
  conversationId: string;
  activityId?: string;
  /** The id the connector gave a new activity. */
  assignedId?: string;
  activity: Record<string, unknown> & { type?: string; text?: string; attachments?: { content: Record<string, unknown> }[] };
  at: number;
  /** The sender went away (a crash) before the connector answered: the message is there, the sender can't know it. */
  cut?: boolean;
}

export interface ScriptedAnswer {
  status: number;
  retryAfterSeconds?: number;
}

/** Teams' limits as documented (docs/teams-platform.md, "Rate limits"), written out here on their own: the stub models Teams, not the bot. */
const TEAMS_CONVERSATION_WINDOWS = [
  [7, 1_000],
  [8, 2_000],
  [60, 30_000],
  [1_800, 3_600_000],
] as const;
const TEAMS_TENANT_WINDOWS = [[50, 1_000]] as const;

export class StubConnector {
  readonly calls: ConnectorCall[] = [];
  /** Requests answered with an error (scripted or over the limits). */
  readonly refused: (ScriptedAnswer & { conversationId: string; at: number })[] = [];
  enforceTeamsLimits = false;
  /** Keeps each accepted message's answer back this long, as a slow Teams does (the message is already posted). */
  answerDelayMs = 0;
  private readonly scripts = new Map<string, ScriptedAnswer[]>();
  private readonly sendLog = new Map<string, number[]>();
  private server?: Server;
  private counter = 0;
  url = '';

  /** The next requests to this conversation get these answers, in order; then it answers normally. */
  script(conversationId: string, ...answers: ScriptedAnswer[]): void {
    this.scripts.set(conversationId, [...(this.scripts.get(conversationId) ?? []), ...answers]);
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
      if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
        res.writeHead(404);
        res.end();
        return;
      }
      const conversationId = match[1];
      const activity = body ? JSON.parse(body) : {};
      const now = performance.now();
      const scripted = this.scripts.get(conversationId)?.shift();
      const answer = scripted ?? (this.enforceTeamsLimits ? this.overLimits(conversationId, activity.conversation?.tenantId ?? '', now) : undefined);
      if (answer) {
        this.refused.push({ ...answer, conversationId, at: now });
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {}),
        });
        res.end(
          JSON.stringify({
            error: {
              code:
                answer.status === 429
                  ? 'Throttled'
                  : answer.status === 404
                    ? 'ConversationNotFound'
                    : answer.status === 403
                      ? 'BotNotInConversationRoster'
                      : 'ServiceError',
              message: 'stub',
            },
          }),
        );
        return;
      }
      const assignedId = req.method === 'POST' ? `activity-${++this.counter}` : match[2];
      const call: ConnectorCall = { method: req.method, conversationId, activityId: match[2], assignedId, activity, at: now };
      this.calls.push(call);
      res.on('close', () => {
        if (!res.writableFinished) call.cut = true;
      });
      if (this.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: assignedId }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }

  /** Teams counts every send, refused or not, against the windows. */
  private overLimits(conversationId: string, tenantId: string, now: number): ScriptedAnswer | undefined {
    const check = (key: string, windows: readonly (readonly [number, number])[]) => {
      const times = this.sendLog.get(key) ?? [];
      for (const [limit, span] of windows) {
        const inWindow = times.filter((t) => t > now - span).length;
        if (inWindow >= limit) {
          const oldest = times.filter((t) => t > now - span)[inWindow - limit];
          return Math.max(1, Math.ceil((oldest + span - now) / 1000));
        }
      }
      return undefined;
    };
    const wait = check(`c:${conversationId}`, TEAMS_CONVERSATION_WINDOWS) ?? check(`t:${tenantId}`, TEAMS_TENANT_WINDOWS);
    for (const key of [`c:${conversationId}`, `t:${tenantId}`]) {
      const times = this.sendLog.get(key) ?? [];
      times.push(now);
      if (times.length > 4000) times.splice(0, times.length - 2000);
      this.sendLog.set(key, times);
    }
    return wait === undefined ? undefined : { status: 429, retryAfterSeconds: wait };
  }

  /** Activities sent to one conversation (new ones and updates), in order. */
  to(conversationId: string): ConnectorCall[] {
    return this.calls.filter((c) => c.conversationId === conversationId);
  }

  clear(): void {
    this.calls.length = 0;
    this.refused.length = 0;
    this.scripts.clear();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
  });
}
