import { CardFactory, MessageFactory } from 'botbuilder';
import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import { CLAIMING_PARTNER_ROLES } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { formatDeadline, isActionOffered } from '../../src/domain/claimLifecycle';
import { resolveLocale, t, type Locale, type MessageKey } from '../../src/i18n/locales';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/appServices';
import type { ProactiveMessenger } from '../proactive';

/**
 * Tells a claim's partner users, in their 1:1 chat, what reviewers (or deadlines, or the customer) did:
 * a comment with a Reply button, a request for information with what to do and by when, and every
 * status change with its reason and the next deadline. What partners do themselves is not echoed back.
 */
export class PartnerNotifier {
  constructor(private readonly services: AppServices, private readonly messenger: ProactiveMessenger, private readonly log: Logger) {}

  async onChange(claim: Claim, event: ClaimHistoryEvent): Promise<void> {
    if (event.actor.kind === 'partner' && event.actor.orgId === claim.orgId) return;
    const statusChanged = event.fromStatus !== event.toStatus || event.action === 'consentPeriodOver';
    if (event.action !== 'comment' && !statusChanged) return;
    await this.sendToPartners(claim, (locale) => this.card(claim, event, locale));
  }

  /** The card a partner user gets for one change of their claim. */
  card(claim: Claim, event: ClaimHistoryEvent, locale: Locale): AdaptiveCardJson {
    const name = claim.fields.claimName ?? claim.id;
    const lines: string[] = [];
    let title: string;
    if (event.action === 'comment') {
      title = t(locale, 'partner.comment.title', { name });
      lines.push(t(locale, 'partner.comment.line', { actor: event.actor.name, role: `@role.${event.actor.kind}` }));
    } else if (event.action === 'requestInfo') {
      title = t(locale, 'partner.par.title', { name });
      lines.push(t(locale, 'partner.par.reasons', { actor: event.actor.name, reasons: (event.reasons ?? []).map((r) => `@infoReason.${r}`) }));
      if (claim.deadlines.partnerResponse) lines.push(t(locale, 'partner.par.deadline', { date: formatDeadline(this.services, claim.deadlines.partnerResponse) }));
    } else {
      title = t(locale, 'partner.status.title', { name, status: `@status.${claim.status}` });
      lines.push(t(locale, 'partner.status.line', { action: `@action.${event.action}`, actor: event.actor.name, status: `@status.${claim.status}` }));
      if (event.reason) lines.push(t(locale, 'partner.status.reason', { reason: `@reason.${event.reason}` }));
      const next = this.nextDeadline(claim, locale);
      if (next) lines.push(next);
    }
    const partner = { kind: 'partner' as const, id: '', name: '', orgId: claim.orgId, role: CLAIMING_PARTNER_ROLES[0] };
    return renderCard('partnerNotice', {
      claimId: claim.id,
      title,
      subtitle: t(locale, 'partner.subtitle', { claimId: claim.id, domain: claim.fields.customerDomain ?? '-', status: `@status.${claim.status}` }),
      lines,
      quote: event.comment ?? '',
      can: {
        reply: isActionOffered(claim, partner, 'comment'),
        edit: claim.status === 'Submitted' || claim.status === 'PartnerActionRequired',
        resubmit: isActionOffered(claim, partner, 'resubmit'),
      },
      labels: {
        reply: t(locale, 'partner.label.reply'),
        replyLabel: t(locale, 'partner.label.replyLabel'),
        replyRequired: t(locale, 'partner.label.replyRequired'),
        send: t(locale, 'partner.label.send'),
        edit: t(locale, 'partner.label.edit'),
        resubmit: t(locale, 'partner.label.resubmit'),
      },
    });
  }

  private nextDeadline(claim: Claim, locale: Locale): string | undefined {
    const labels: Record<string, MessageKey> = {
      reviewStart: 'partner.next.reviewStart',
      reviewDecision: 'partner.next.reviewDecision',
      partnerResponse: 'partner.next.partnerResponse',
      consentEnds: 'partner.next.consentEnds',
      disputeWindowEnds: 'partner.next.disputeWindowEnds',
    };
    const entry = Object.entries(claim.deadlines).find(([, due]) => due === claim.nextDueAt);
    if (!entry || !entry[1]) return claim.approval?.sentForEligibilityAt ? t(locale, 'partner.next.eligibility') : undefined;
    return t(locale, labels[entry[0]], { date: formatDeadline(this.services, entry[1]) });
  }

  /** Sends to every partner user of the organisation who may act on claims and has a 1:1 chat with the bot. */
  private async sendToPartners(claim: Claim, build: (locale: Locale) => AdaptiveCardJson): Promise<void> {
    const users = (await this.services.rosters.partnerUsersOf(claim.orgId)).filter((u) => CLAIMING_PARTNER_ROLES.includes(u.role));
    for (const user of users) {
      const stored = await this.services.conversations.forUser(user.tenantId, user.aadObjectId);
      if (!stored) continue; // not installed for this person yet: they see it when they ask for the claim
      try {
        // Each person in the language of their own Teams client, as last seen.
        const locale = resolveLocale(typeof stored.reference.locale === 'string' ? stored.reference.locale : undefined);
        await this.messenger.send(stored.reference, MessageFactory.attachment(CardFactory.adaptiveCard(build(locale))));
      } catch (error) {
        this.log.error(`Could not tell ${user.aadObjectId} about claim ${claim.id}`, error);
      }
    }
  }
}
