import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { reminderTiming } from '../../src/domain/claimTimers';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { resolveLocale, type MessageKey } from '../../src/i18n/locales';
import { markdown, t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/services';
import type { NotificationChannel, RenderRequest } from '../../src/services/notifications/notificationDispatcher';
import type { ConversationReferenceData } from '../../src/storage/conversationStore';
import type { ProactiveMessenger } from '../proactive';
import type { PartnerNotifier } from '../reviews/partnerNotifier';
import type { ReviewCardPublisher } from '../reviews/reviewCardPublisher';
import { reviewerMentions } from './reviewerMentions';

/**
 * How notifications look in Teams and how they get there: the partner's notice card in the language
 * of their own Teams client (as last seen), the reviewers' shared claim card, and SLA reminders in
 * the reviewers' conversation that @mention the reviewers concerned; sent with continueConversationAsync.
 */
export class TeamsNotificationChannel implements NotificationChannel {
  constructor(
    private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'config' | 'reviews' | 'rosters'>,
    private readonly messenger: ProactiveMessenger,
    private readonly notices: PartnerNotifier,
    private readonly reviewCards: ReviewCardPublisher,
  ) {}

  async render(request: RenderRequest): Promise<Partial<Activity>> {
    if (request.kind === 'partnerNotice') {
      const locale = resolveLocale(typeof request.reference.locale === 'string' ? request.reference.locale : undefined);
      return MessageFactory.attachment(CardFactory.adaptiveCard(this.notices.card(request.claim, request.event, locale, request.entry)));
    }
    if (request.kind === 'reviewCard') return MessageFactory.attachment(CardFactory.adaptiveCard(await this.reviewCards.sharedCard(request.claim)));
    // Written when it is sent: one that waited for business hours (or an outage) says the days really left.
    const locale = this.services.config.reviewLocale;
    const kind = request.event.reminder ?? '';
    const claimId = request.claim.id;
    const timing = reminderTiming(this.services.claimService.timeContext(), request.claim, kind);
    const date = timing ? formatDeadline(this.services, timing.due, locale) : '-';
    const text =
      timing && !timing.onTime
        ? t(locale, timing.daysLeft === 0 ? 'reminder.reviewersToday' : 'reminder.reviewersLeft', {
            claimId,
            deadline: `@review.deadline.${timing.deadline}`,
            date,
            count: timing.daysLeft,
          })
        : t(locale, `reminder.${kind}` as MessageKey, { claimId, date });
    // The reviewers concerned are @mentioned, so Teams notifies them rather than just the channel.
    // Who to mention is a nicety: if it can't be worked out, the reminder still goes, unmentioned.
    const mentions = await reviewerMentions(this.services, request.claim).catch(() => ({ text: '', entities: [] }));
    if (!mentions.entities.length) return MessageFactory.text(text);
    return {
      ...MessageFactory.text(t(locale, 'reminder.reviewersConcerned', { mentions: markdown(mentions.text), text: markdown(text) })),
      entities: mentions.entities,
    };
  }

  send(reference: ConversationReferenceData, activity: unknown): Promise<string | undefined> {
    return this.messenger.send(reference, activity as Partial<Activity>);
  }

  asRepeat(reference: ConversationReferenceData, activity: unknown): Partial<Activity> {
    const locale = resolveLocale(typeof reference.locale === 'string' ? reference.locale : undefined);
    const original = activity as Partial<Activity>;
    const note = t(locale, 'notice.sentAgain');
    return { ...original, text: original.text ? `${note}\n\n${original.text}` : note };
  }

  update(reference: ConversationReferenceData, activityId: string, activity: unknown): Promise<void> {
    return this.messenger.update(reference, activityId, activity as Partial<Activity>);
  }
}
