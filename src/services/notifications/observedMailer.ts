import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Mailer } from './mailer';
import { telemetry, tracer } from '../../observability/metrics';

/**
 * A mailer whose sends are traced (SMTP is not HTTP: no instrumentation sees it otherwise) and counted:
 * sent, or bounced (refused for good by the recipient's server). A failure to be tried again counts as neither.
 */
export function observedMailer(mailer: Mailer): Mailer {
  return {
    kind: mailer.kind,
    close: () => mailer.close(),
    send: (message) =>
      tracer().startActiveSpan(
        `${mailer.kind === 'smtp' ? 'SMTP' : 'mail outbox'} send`,
        { kind: SpanKind.CLIENT, attributes: { 'cpor.claim.id': message.claimId, 'cpor.mail.transport': mailer.kind } },
        async (span) => {
          try {
            const outcome = await mailer.send(message);
            if (outcome.ok) telemetry.mail('sent', mailer.kind);
            else {
              if (outcome.permanent) telemetry.mail('bounced', mailer.kind);
              span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.permanent ? "refused by the recipient's server" : 'to be tried again' });
              if (outcome.status !== undefined) span.setAttribute('cpor.mail.smtp_status', outcome.status);
            }
            return outcome;
          } finally {
            span.end();
          }
        },
      ),
  };
}
