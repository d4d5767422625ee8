import type { Claim } from '../../src/domain/claim';
import type { AppServices } from '../../src/services/services';
import type { AdaptiveCardJson } from '../../cards/cardTemplates';
import { ReviewCardView } from './reviewCardView';

/**
 * The claim's card in the reviewers' conversation, as posted and updated by the notification
 * dispatcher (one card per claim, updated in place for everyone). The shared card is read-only;
 * reviewers get their buttons through the card's refresh, which lists their Teams user ids.
 */
export class ReviewCardPublisher {
  readonly view: ReviewCardView;

  /**
   * `redraw` draws the posted card again (the dispatcher's refreshReviewCard): a card drawn while the
   * claim's PoE files are still being read says "checking…" and is drawn again once they are.
   */
  constructor(
    private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'clock' | 'config' | 'poe' | 'precheck' | 'reviews' | 'rosters'>,
    private readonly redraw?: (claim: Claim) => Promise<void>,
  ) {
    this.view = new ReviewCardView(services);
  }

  /** Teams ids of the roster's reviewers that the bot has seen (Teams allows at most 60 in a refresh). */
  async reviewerTeamsIds(): Promise<string[]> {
    const reviewers = await this.services.rosters.reviewers();
    const ids = await Promise.all(reviewers.map((r) => this.services.reviews.teamsUserIdOf(r.aadObjectId)));
    return ids.filter((id): id is string => Boolean(id)).slice(0, 60);
  }

  /** The shared card as everyone in the reviewers' conversation sees it. */
  async sharedCard(claim: Claim): Promise<AdaptiveCardJson> {
    const locale = this.services.config.reviewLocale;
    const card = await this.view.render(claim, { locale, refreshUserIds: await this.reviewerTeamsIds() });
    // Never waited for here: the card goes out with "checking…", and is drawn again when the checklist is known.
    const redraw = this.redraw;
    if (redraw && claim.poe.length && !this.services.precheck.ready(claim)) {
      this.services.precheck.whenChecked(claim, locale, () => redraw(claim), `reviewCard:${claim.id}`);
    }
    return card;
  }
}
