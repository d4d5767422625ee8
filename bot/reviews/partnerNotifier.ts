import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import { CLAIMING_PARTNER_ROLES } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { partnerSteps } from '../../src/domain/partnerSteps';
import { type Locale } from '../../src/i18n/locales';
import { literal, render } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/services';
import { partnerNotice } from '../../src/services/notifications/partnerNotice';
import type { OutboxEntry } from '../../src/domain/claimNotifications';
import { approvalMeaning, partnerStepLabels, subtitleOf } from '../partnerActions/partnerActionCards';

/**
 * What a claim's partner users read in their 1:1 chat about a change of their claim: a comment with a
 * Reply button, a request for information with what to do and by when, a reminder before a deadline,
 * and every status change with its reason and the next deadline. (Who gets it, and when, is the
 * notification dispatcher's business.)
 */
export class PartnerNotifier {
  constructor(private readonly services: Pick<AppServices, 'claimService' | 'config'>) {}

  /**
   * The card a partner user gets for one change of their claim: what src/services/notifications/partnerNotice.ts says
   * of it (as the change left the claim), with buttons for the steps possible now.
   */
  card(claim: Claim, event: ClaimHistoryEvent, locale: Locale, entry?: OutboxEntry): AdaptiveCardJson {
    const { incentiveGuideUrl } = this.services.config;
    const notice = partnerNotice(this.services.claimService.timeContext(), claim, event, incentiveGuideUrl, entry);
    const status = notice.status;
    // The guide's address is the bot's own link (markdown on purpose); everything else is shown literally.
    const lines = notice.lines.map((line) => (line.key === 'partner.approvalMeaning' ? approvalMeaning(incentiveGuideUrl, locale) : render(locale, line)));
    const title = render(locale, notice.title);
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
}
