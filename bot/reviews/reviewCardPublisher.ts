import { CardFactory, MessageFactory } from 'botbuilder';
import type { Claim } from '../../src/domain/claim';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/appServices';
import type { ProactiveMessenger } from '../proactive';
import { ReviewCardView } from './reviewCardView';

/** Changes that put a claim in front of reviewers: the card is posted (or brought back) for these. */
const NEEDS_A_REVIEWER = new Set(['submit', 'resubmit', 'dispute']);

/**
 * Keeps one card per claim in the reviewers' conversation: posted when the claim needs a reviewer,
 * updated in place for everyone on every later change. The shared card is read-only; reviewers get
 * their buttons through the card's refresh, which lists their Teams user ids.
 */
export class ReviewCardPublisher {
  readonly view: ReviewCardView;

  constructor(private readonly services: AppServices, private readonly messenger: ProactiveMessenger, private readonly log: Logger) {
    this.view = new ReviewCardView(services);
  }

  /** The conversation reviewers work in: set by configuration, or by a reviewer's command. */
  async reviewConversationId(): Promise<string | undefined> {
    return this.services.config.reviewConversationId ?? (await this.services.reviews.reviewConversation())?.conversationId;
  }

  /** Teams ids of the roster's reviewers that the bot has seen (Teams allows at most 60 in a refresh). */
  async reviewerTeamsIds(): Promise<string[]> {
    const reviewers = await this.services.rosters.reviewers();
    const ids = await Promise.all(reviewers.map((r) => this.services.reviews.teamsUserIdOf(r.aadObjectId)));
    return ids.filter((id): id is string => Boolean(id)).slice(0, 60);
  }

  async onChange(claim: Claim, event: ClaimHistoryEvent): Promise<void> {
    if (claim.status === 'Editing') return; // drafts are the partner's own business
    if (!NEEDS_A_REVIEWER.has(event.action)) {
      // Later changes only update a card that exists (and there is none without a reviewers' conversation).
      if (!(await this.reviewConversationId())) return;
      if (!(await this.services.reviews.reviewCard(claim.id))) return;
    }
    await this.publish(claim);
  }

  /** Posts the claim's card, or updates the one already posted. */
  async publish(claim: Claim): Promise<void> {
    const conversationId = await this.reviewConversationId();
    if (!conversationId) {
      this.log.warn(`Claim ${claim.id} needs a reviewer, but no reviewers' conversation is set: a reviewer types "use this channel for reviews" in it.`);
      return;
    }
    const stored = await this.services.conversations.forConversation(conversationId);
    if (!stored) {
      this.log.warn(`The reviewers' conversation ${conversationId} is not known to the bot yet: add the bot to it.`);
      return;
    }
    const card = await this.view.render(claim, { locale: this.services.config.reviewLocale, refreshUserIds: await this.reviewerTeamsIds() });
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    const existing = await this.services.reviews.reviewCard(claim.id);
    if (existing && existing.conversationId === conversationId) {
      await this.messenger.update(stored.reference, existing.activityId, activity);
      return;
    }
    const activityId = await this.messenger.send(stored.reference, activity);
    if (activityId) {
      await this.services.reviews.saveReviewCard({ claimId: claim.id, conversationId, activityId, postedAt: this.services.clock.now().toISOString() });
    }
  }
}
