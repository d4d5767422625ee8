import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import { CLAIMING_PARTNER_ROLES } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { partnerSteps } from '../../src/domain/partnerSteps';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
import { literal, render, t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/appServices';
import { reminderTiming } from '../../src/domain/claimTimers';
import { nearestDeadline } from '../../src/domain/deadlinePolicy';
import { eventSentence, type OutboxEntry } from '../../src/domain/claimNotifications';
import { approvalMeaning, nextStepLine, partnerStepLabels, subtitleOf } from '../partnerActions/partnerActionCards';

/**
 * What a claim's partner users read in their 1:1 chat about a change of their claim: a comment with a
 * Reply button, a request for information with what to do and by when, a reminder before a deadline,
 * and every status change with its reason and the next deadline. (Who gets it, and when, is the
 * notification dispatcher's business.)
 */
export class PartnerNotifier {
  constructor(private readonly services: AppServices) {}

  /**
   * The card a partner user gets for one change of their claim. It tells the change as `entry` recorded
   * it (status and next deadline then), so a notice delivered after later changes does not tell the
   * present as if it were the change; its buttons are the steps possible now.
   */
  card(claim: Claim, event: ClaimHistoryEvent, locale: Locale, entry?: OutboxEntry): AdaptiveCardJson {
    const name = claim.fields.claimName ?? claim.id;
    const status = entry?.status ?? claim.status;
    const next = entry?.status ? entry.next : nearestDeadline(claim.deadlines);
    const lines: string[] = [];
    let title: string;
    if (event.action === 'remind') {
      title = t(locale, 'reminder.title', { name });
      lines.push(this.reminderLine(claim, event.reminder ?? '', locale));
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
      const respondBy = next?.name === 'partnerResponse' ? next.due : entry?.status ? undefined : claim.deadlines.partnerResponse;
      if (respondBy) lines.push(t(locale, 'partner.par.deadline', { date: formatDeadline(this.services, respondBy, locale) }));
    } else {
      title = t(locale, 'partner.status.title', { name, status: `@status.${status}` });
      lines.push(render(locale, eventSentence(this.services.claimService.timeContext(), event)));
      if (event.fromStatus !== event.toStatus) lines.push(t(locale, 'event.statusAfter', { status: `@status.${status}` }));
      if (event.reason) lines.push(t(locale, 'partner.status.reason', { reason: `@reason.${event.reason}` }));
      // The deadline that ran next after the change.
      const nextLine = nextStepLine(this.services, claim, next, locale);
      if (nextLine) lines.push(nextLine);
      if (event.action === 'approve') lines.push(approvalMeaning(this.services.config.incentiveGuideUrl, locale));
    }
    const partner = { kind: 'partner' as const, id: '', name: '', orgId: claim.orgId, role: CLAIMING_PARTNER_ROLES[0] };
    return renderCard('partnerNotice', {
      claimId: claim.id,
      title,
      subtitle: subtitleOf(claim, locale, status),
      lines,
      quote: literal(event.comment ?? ''),
      // What any claiming partner user may do now (the lifecycle's rules, shared with the claim status card).
      can: partnerSteps(claim, partner, this.services.claimService.timeContext()),
      labels: partnerStepLabels(locale),
    });
  }

  /**
   * A reminder says the time really left when it is sent: on time, the reminder's own sentence; sent
   * late (the bot was down when it was due), how many days are left now.
   */
  private reminderLine(claim: Claim, reminder: string, locale: Locale): string {
    const timing = reminderTiming(this.services.claimService.timeContext(), claim, reminder);
    const date = timing ? formatDeadline(this.services, timing.due, locale) : '-';
    if (timing && !timing.onTime) {
      const key = timing.daysLeft === 0 ? 'reminder.endsToday' : timing.unit === 'businessDays' ? 'reminder.lateBusinessDaysLeft' : 'reminder.lateDaysLeft';
      return t(locale, key, { count: timing.daysLeft, date });
    }
    return t(locale, `reminder.${reminder}` as MessageKey, { date, claimId: claim.id });
  }
}
