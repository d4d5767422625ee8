import restify from 'restify';
import type { Logger } from '../logger';

/**
 * The HTTP server: restify with the Bot Framework endpoint, the health probe and graceful shutdown.
 * It knows nothing of Bot Framework itself: the bot layer hands it a handler for /api/messages.
 */

export type RequestHandler = (req: restify.Request, res: restify.Response) => Promise<void>;

export interface HttpServerOptions {
  host: string;
  port: number;
  log: Logger;
  messages: RequestHandler;
  health: () => Promise<{ ok: boolean; components: Record<string, unknown> }>;
}

export interface HttpServerHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const server = restify.createServer({ name: 'cpor-claims-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));

  server.post('/api/messages', async (req, res) => {
    try {
      await options.messages(req, res);
    } catch (error) {
      // The adapter answers authentication failures itself; anything reaching here is logged, never shown.
      options.log.error('Unhandled error in /api/messages', error);
      if (!res.headersSent) res.send(500, { error: 'internal error' });
    }
  });

  server.get('/healthz', async (_req, res) => {
    const health = await options.health();
    res.send(health.ok ? 200 : 503, { status: health.ok ? 'ok' : 'degraded', ...health });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${address.port}`;
  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold shutdown open: end them now.
        server.server.closeAllConnections();
      }),
  };
}
