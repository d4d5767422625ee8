import restify from 'restify';
import type { Logger } from '../logger';
import type { PageHandler, PageRequest, PageResponse } from '../web/http';

/**
 * The HTTP server: restify with the Bot Framework endpoint, the health probes and graceful shutdown.
 * It knows nothing of Bot Framework itself: the bot layer hands it a handler for /api/messages (and the
 * core's page handler for the customer's consent page, /consent/:claimId).
 */

export type RequestHandler = (req: restify.Request, res: restify.Response) => Promise<void>;

export interface HttpServerOptions {
  host: string;
  port: number;
  log: Logger;
  messages: RequestHandler;
  /** The stores' reachability (/healthz/ready and /healthz); never called by /healthz/live. */
  health: () => Promise<{ ok: boolean; components: Record<string, unknown> }>;
  /** This process among the bot's instances, named by /healthz/live. */
  instanceId?: string;
  /** The customer's consent page (GET and POST /consent/:claimId), when the bot serves it. */
  consent?: PageHandler;
  /** Claim links (GET /claims/:claimId): they lead to the bot's chat in Teams. */
  claimLinks?: PageHandler;
}

export interface HttpServerHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const server = restify.createServer({ name: 'cpor-claims-bot', handleUncaughtExceptions: false });
  // Bodies are parsed as before for every route but the consent form, which has its own small urlencoded parser.
  const parseBody = restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 });
  server.use(
    ...parseBody.map(
      (handler): restify.RequestHandler =>
        (req, res, next) =>
          isConsentPath(req) ? next() : handler(req, res, next),
    ),
  );

  // restify's own refusals (JSON it cannot parse, a body too large, an unknown route) carry its messages,
  // some quoting the request or the parser: a fixed line by status instead.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: RestifyError, callback: () => void) => {
    const body = { error: FIXED_REFUSALS[err.statusCode ?? 500] ?? 'request refused' };
    err.toJSON = () => body;
    err.toString = () => body.error;
    callback();
  });

  server.post('/api/messages', async (req, res) => {
    try {
      await options.messages(req, res);
    } catch (error) {
      // The messages handler answers refusals itself with fixed bodies; anything reaching here is logged, never shown.
      options.log.error('Unhandled error in /api/messages', error);
      if (!res.headersSent) res.send(500, { error: 'internal error' });
    }
  });

  if (options.consent) {
    const consent = options.consent;
    const consentPage = async (req: restify.Request, res: restify.Response) => {
      let answer: PageResponse;
      try {
        answer = await consent(pageRequest(req));
      } catch (error) {
        // The handler answers its own errors in the customer's language; this is the last resort, never a stack trace.
        options.log.error('Unhandled error in /consent', error);
        answer = {
          status: 500,
          headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
          body: 'Internal error',
        };
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    };
    server.get('/consent/:claimId', consentPage);
    server.post('/consent/:claimId', restify.plugins.urlEncodedBodyParser(CONSENT_FORM_PARSING), consentPage);
  }

  if (options.claimLinks) {
    const claimLinks = options.claimLinks;
    server.get('/claims/:claimId', async (req, res) => {
      const answer = await claimLinks(pageRequest(req)).catch((error) => {
        options.log.error('Unhandled error in /claims', error);
        return { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body: 'Internal error' };
      });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  }

  // Three probes. /healthz/live answers from the process alone: a Cosmos DB blip must not get every
  // instance restarted by its liveness probe. /healthz/ready (and /healthz, as before) ask the stores,
  // each with a short timeout, and say 503 when one does not answer, so the host stops routing here.
  const started = Date.now();
  server.get('/healthz/live', (_req, res, next) => {
    res.send(200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000), ...(options.instanceId ? { instance: options.instanceId } : {}) });
    next();
  });
  const readiness: restify.RequestHandler = async (_req, res) => {
    const health = await options.health();
    res.send(health.ok ? 200 : 503, { status: health.ok ? 'ok' : 'degraded', ...health });
  };
  server.get('/healthz/ready', readiness);
  server.get('/healthz', readiness);

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

type RestifyError = Error & { statusCode?: number; toJSON?: () => unknown };

const FIXED_REFUSALS: Record<number, string> = {
  400: 'malformed request',
  404: 'not found',
  405: 'method not allowed',
  406: 'not acceptable',
  413: 'body too large',
  415: 'unsupported media type',
  500: 'internal error',
};

/** The consent form is small: its body reader stops at 64 KB (restify passes maxBodySize on; its types omit it). */
const CONSENT_FORM_PARSING = { mapParams: false, maxBodySize: 64 * 1024 } as restify.plugins.UrlEncodedBodyParserOptions;

function isConsentPath(req: restify.Request): boolean {
  return (req.path?.() ?? req.url ?? '').startsWith('/consent/');
}

/** A restify request as the core's page handlers take it. */
function pageRequest(req: restify.Request): PageRequest {
  const query: Record<string, string> = {};
  for (const [name, value] of new URL(req.url ?? '/', 'http://localhost').searchParams) if (!(name in query)) query[name] = value;
  const forwardedProto = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    .trim()
    .toLowerCase();
  return {
    method: req.method ?? 'GET',
    params: { ...(req.params as Record<string, string>) },
    query,
    headers: req.headers,
    ...(req.method === 'POST' ? { form: req.body } : {}),
    secure: req.isSecure() || forwardedProto === 'https',
  };
}
