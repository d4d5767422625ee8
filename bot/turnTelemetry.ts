import type { Activity } from 'botbuilder';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { currentLogContext, withLogContext } from '../src/observability/logContext';
import { telemetry, tracer } from '../src/observability/metrics';

/**
 * What the start of a turn sets up for the rest of it: the log context (activity, conversation,
 * instance; the claim is added when known), a span named for the turn's kind with the outbound calls
 * under it, and at its end the turn counter and duration. `handle` answers the request and returns
 * the HTTP status it answered with.
 */
export function observeTurn(activity: Partial<Activity>, instance: string | undefined, handle: () => Promise<number>): Promise<void> {
  const kind = turnKind(activity);
  const ids = { activityId: activity.id, conversationId: activity.conversation?.id, instance };
  return withLogContext(ids, () =>
    tracer().startActiveSpan(`turn ${kind}`, { kind: SpanKind.INTERNAL, attributes: spanAttributes(kind, ids) }, async (span) => {
      const started = performance.now();
      let status = 500;
      try {
        status = await handle();
      } catch (error) {
        span.recordException(error as Error);
        throw error;
      } finally {
        const claimId = currentLogContext().claimId;
        if (claimId) span.setAttribute('cpor.claim.id', claimId);
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        telemetry.turn(kind, status, performance.now() - started);
      }
    }),
  );
}

/** Invoke names Teams sends; anything else counts as "invoke" (a metric's kinds must stay few, whatever a caller sends). */
const KNOWN_INVOKE = /^(adaptiveCard|composeExtension|task|signin|fileConsent|actionableMessage|config|tab|message|handoff)\/[A-Za-z]{1,40}$/;
const KNOWN_TYPES = new Set([
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'event',
  'typing',
  'endOfConversation',
]);

/** The turn's kind for spans and metrics: a typed message, a card's button, an invoke by name, or the activity type. */
export function turnKind(activity: Partial<Activity>): string {
  if (activity.type === 'message') return activity.value && typeof activity.value === 'object' ? 'message:card' : 'message';
  if (activity.type === 'invoke') return typeof activity.name === 'string' && KNOWN_INVOKE.test(activity.name) ? `invoke:${activity.name}` : 'invoke';
  return activity.type && KNOWN_TYPES.has(activity.type) ? activity.type : 'other';
}

function spanAttributes(kind: string, ids: { activityId?: string; conversationId?: string; instance?: string }): Record<string, string> {
  const attributes: Record<string, string> = { 'cpor.turn.kind': kind };
  if (ids.activityId) attributes['cpor.activity.id'] = ids.activityId;
  if (ids.conversationId) attributes['cpor.conversation.id'] = ids.conversationId;
  if (ids.instance) attributes['service.instance.id'] = ids.instance;
  return attributes;
}
