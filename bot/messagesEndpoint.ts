import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../src/logger';
import type { RequestHandler } from '../src/server/httpServer';
import type { CporAdapter } from './adapter';
import { checkActivity } from './activityGate';
import { observeTurn } from './turnTelemetry';

/**
 * /api/messages: the activity's shape and channel (activityGate), then the caller's token, then the turn.
 * Every refusal is a fixed body: what exactly was wrong with a token, or which host the signing keys
 * live on, goes to the log and never to the caller.
 */

export const UNAUTHORIZED = { error: 'unauthorized' } as const;
export const AUTHENTICATION_UNAVAILABLE = { error: 'authentication unavailable' } as const;

export interface MessagesEndpointOptions {
  adapter: CporAdapter;
  logic: (context: TurnContext) => Promise<void>;
  /** Bot Framework channel ids served (msteams, and any ALLOWED_CHANNELS adds). */
  allowedChannels: ReadonlySet<string>;
  log: Logger;
  /** This instance, named in the turn's log lines and spans. */
  instanceId?: string;
}

export function messagesEndpoint({ adapter, logic, allowedChannels, log, instanceId }: MessagesEndpointOptions): RequestHandler {
  return async (req, res) => {
    const verdict = checkActivity(req.body, allowedChannels);
    if (!verdict.ok) {
      log.warn(`/api/messages: refused with ${verdict.status}: ${verdict.reason}`);
      res.send(verdict.status, { error: verdict.reason });
      return;
    }
    const activity = verdict.activity as unknown as Activity;
    // From here every log line, span and metric belongs to this turn (bot/turnTelemetry.ts).
    await observeTurn(activity, instanceId, async () => {
      let authenticated;
      try {
        authenticated = await adapter.authenticate(activity, authorizationHeader(req.headers));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        if (isSigningKeySourceFailure(error)) {
          log.error(`/api/messages: answered 503, the Bot Framework signing keys could not be fetched: ${detail}`);
          res.send(503, AUTHENTICATION_UNAVAILABLE);
          return 503;
        }
        log.warn(`/api/messages: refused with 401, the token was not accepted: ${detail}`);
        res.send(401, UNAUTHORIZED);
        return 401;
      }
      const answer = await adapter.runTurn(authenticated, activity, logic);
      if (answer?.body === undefined) {
        res.status(answer?.status ?? 200);
        res.end();
      } else {
        res.send(answer.status, answer.body);
      }
      return answer?.status ?? 200;
    });
  };
}

function authorizationHeader(headers: Record<string, string | string[] | undefined>): string {
  const value = headers.authorization;
  return typeof value === 'string' ? value : '';
}

/**
 * The signing keys' endpoint could not be reached or answered with an error: the library throws
 * node-fetch's FetchError, or its AuthenticationError with a 5xx statusCode (that class sets no name of
 * its own). Everything else it throws while checking a token (AuthenticationError with 401,
 * jsonwebtoken's errors, anything unforeseen) is the token's fault as far as the caller is told: 401.
 */
function isSigningKeySourceFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'FetchError') return true;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 500;
}
