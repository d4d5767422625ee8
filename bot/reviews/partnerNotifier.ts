import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import { CLAIMING_PARTNER_ROLES } from '../../src/domain/actors';
import type { Claim, ClaimDeadlines } from '../../src/domain/claim';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { partnerSteps } from '../../src/domain/partnerSteps';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
import { literal, t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/appServices';
import { reminderDeadline } from '../../src/domain/claimTimers';
import { nextStepLine, partnerStepLabels, subtitleOf } from '../partnerActions/partnerActionCards';

/**
 * What a claim's partner users read in their 1:1 chat about a change of their claim: a comment with a
 * Reply button, a request for information with what to do and by when, a reminder before a deadline,
 * and every status change with its reason and the next deadline. (Who gets it, and when, is the
 * notification dispatcher's business.)
 */
export class PartnerNotifier {
  constructor(private readonly services: AppServices) {}

  /** The card a partner user gets for one change of their claim. */
  card(claim: Claim, event: ClaimHistoryEvent, locale: Locale): AdaptiveCardJson {
    const name = claim.fields.claimName ?? claim.id;
    const lines: string[] = [];
    let title: string;
    if (event.action === 'remind') {
      title = t(locale, 'reminder.title', { name });
      const due = reminderDeadline(claim, event.reminder ?? '');
      lines.push(t(locale, `reminder.${event.reminder}` as MessageKey, { date: due ? formatDeadline(this.services, due, locale) : '-', claimId: claim.id }));
    } else if (event.action === 'comment') {
      title = t(locale, 'partner.comment.title', { name });
      lines.push(t(locale, 'partner.comment.line', { actor: event.actor.name, role: `@role.${event.actor.kind}` }));
    } else if (event.action === 'deliveryFailed' && event.delivery?.channel === 'email') {
      // The customer's approval e-mail bounced (the only delivery failure partners are told of).
      title = t(locale, 'mail.bounced.partnerTitle', { name });
      lines.push(t(locale, 'mail.bounced.partnerLine', { recipient: event.delivery.recipient, status: event.delivery.status }));
    } else if (event.action === 'requestInfo') {
      title = t(locale, 'partner.par.title', { name });
      lines.push(t(locale, 'partner.par.reasons', { actor: event.actor.name, reasons: (event.reasons ?? []).map((r) => `@infoReason.${r}`) }));
      if (claim.deadlines.partnerResponse) lines.push(t(locale, 'partner.par.deadline', { date: formatDeadline(this.services, claim.deadlines.partnerResponse, locale) }));
    } else {
      title = t(locale, 'partner.status.title', { name, status: `@status.${claim.status}` });
      lines.push(t(locale, 'partner.status.line', { action: `@action.${event.action}`, actor: event.actor.name, status: `@status.${claim.status}` }));
      if (event.reason) lines.push(t(locale, 'partner.status.reason', { reason: `@reason.${event.reason}` }));
      // The deadline that runs next, as the claim records it.
      const nextName = (Object.keys(claim.deadlines) as (keyof ClaimDeadlines)[]).find((k) => claim.deadlines[k] && claim.deadlines[k] === claim.nextDueAt);
      const next = nextStepLine(this.services, claim, nextName ? { name: nextName, due: claim.deadlines[nextName]! } : undefined, locale);
      if (next) lines.push(next);
    }
    const partner = { kind: 'partner' as const, id: '', name: '', orgId: claim.orgId, role: CLAIMING_PARTNER_ROLES[0] };
    return renderCard('partnerNotice', {
      claimId: claim.id,
      title,
      subtitle: subtitleOf(claim, locale),
      lines,
      quote: literal(event.comment ?? ''),
      // What any claiming partner user may do now (the lifecycle's rules, shared with the claim status card).
      can: partnerSteps(claim, partner, this.services.claimService.timeContext()),
      labels: partnerStepLabels(locale),
    });
  }

}
