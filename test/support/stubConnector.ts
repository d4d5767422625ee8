import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Bot Connector on loopback, standing in for Teams' service URL: it takes what the bot sends
 * proactively (new activities, replies, updates) and keeps it for the test to read.
 */
export interface ConnectorCall {
  method: 'POST' | 'PUT';
  conversationId: string;
  activityId?: string;
  /** The id the connector gave a new activity. */
  assignedId?: string;
  activity: Record<string, unknown> & { type?: string; text?: string; attachments?: { content: Record<string, unknown> }[] };
}

export class StubConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: Server;
  private counter = 0;
  url = '';

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
      const assignedId = req.method === 'POST' ? `activity-${++this.counter}` : match[2];
      this.calls.push({ method: req.method, conversationId: match[1], activityId: match[2], assignedId, activity: body ? JSON.parse(body) : {} });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: assignedId }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
  }

  /** Activities sent to one conversation (new ones and updates), in order. */
  to(conversationId: string): ConnectorCall[] {
    return this.calls.filter((c) => c.conversationId === conversationId);
  }

  clear(): void {
    this.calls.length = 0;
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
