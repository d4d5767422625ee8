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

  constructor(private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'clock' | 'config' | 'poe' | 'reviews' | 'rosters'>) {
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
    return this.view.render(claim, { locale: this.services.config.reviewLocale, refreshUserIds: await this.reviewerTeamsIds() });
  }
}
