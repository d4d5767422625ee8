import type { CloudAdapter } from 'botbuilder';
import { SYSTEM_ACTOR } from '../../src/domain/actors';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/services';
import type { BackgroundTasks } from '../../src/services/notifications/backgroundTasks';
import { ApprovalMail } from '../../src/services/consent/approvalMail';
import { NotificationDispatcher } from '../../src/services/notifications/notificationDispatcher';
import { PartnerMail } from '../../src/services/notifications/partnerMail';
import { Sweeper } from '../../src/services/notifications/sweeper';
import { LeaderLease } from '../../src/services/notifications/leaderLease';
import { ProactiveMessenger } from '../proactive';
import { PartnerNotifier } from '../reviews/partnerNotifier';
import { ReviewCardPublisher } from '../reviews/reviewCardPublisher';
import { TeamsNotificationChannel } from './teamsNotificationChannel';

export interface Notifications {
  dispatcher: NotificationDispatcher;
  sweeper: Sweeper;
  reviewCards: ReviewCardPublisher;
}

/**
 * Connects claim changes to Teams: every change's work (timers, outbox) is dispatched in the
 * background right after it, and the sweeper fires due timers. Used by the bot and by `npm run sweep`.
 */
export function wireNotifications(
  services: Pick<
    AppServices,
    | 'calendar'
    | 'claimService'
    | 'claims'
    | 'clock'
    | 'config'
    | 'consentLinks'
    | 'conversations'
    | 'deliveries'
    | 'instanceId'
    | 'intents'
    | 'leases'
    | 'mailer'
    | 'poe'
    | 'precheck'
    | 'reviews'
    | 'rosters'
    | 'scheduler'
    | 'timers'
  >,
  adapter: CloudAdapter,
  appId: string,
  background: BackgroundTasks,
  log: Logger,
): Notifications {
  const messenger = new ProactiveMessenger(adapter, appId);
  // A card drawn while its claim's PoE is still being read is drawn again when the checklist is known.
  const reviewCards: ReviewCardPublisher = new ReviewCardPublisher(services, (claim): Promise<void> => dispatcher.refreshReviewCard(claim.orgId, claim.id));
  const channel = new TeamsNotificationChannel(services, messenger, new PartnerNotifier(services), reviewCards);
  const approvalMail = new ApprovalMail(services);
  const partnerMail = new PartnerMail(services);
  const dispatcher: NotificationDispatcher = new NotificationDispatcher({
    claims: services.claims,
    timers: services.timers,
    intents: services.intents,
    deliveries: services.deliveries,
    conversations: services.conversations,
    reviews: services.reviews,
    rosters: services.rosters,
    calendar: services.calendar,
    clock: services.clock,
    scheduler: services.scheduler,
    channel,
    mail: {
      compose: (claim, entry, id) => approvalMail.compose(claim, entry, id),
      send: (message) => services.mailer.send(message),
      keepsOneCopyById: services.mailer.kind === 'outbox',
    },
    partnerMail,
    log,
    owner: services.instanceId,
    ...(services.config.reviewConversationId ? { reviewConversationId: services.config.reviewConversationId } : {}),
    recordFailure: async (claim, recipient, status, channel, to) => {
      await services.claimService.act(
        claim.id,
        { type: 'deliveryFailed', recipient, status, ...(channel ? { channel } : {}), ...(to ? { to } : {}) },
        SYSTEM_ACTOR,
        {},
        claim.orgId,
      );
    },
  });
  services.claimService.onChange(({ claim, previous, intent, etag }) => {
    const options = { ...(previous ? { previous } : {}), ...(intent ? { intent } : {}), ...(etag ? { etag } : {}) };
    if (dispatcher.hasWorkAfter(claim, options)) background.run(`notifications for ${claim.id}`, () => dispatcher.dispatch(claim, options));
  });
  // The loop sweeps on one instance at a time (the leader); the lease runs on the clock timers use.
  const leader = new LeaderLease(services.leases, 'sweep-leader', services.instanceId, () => services.clock.now().getTime());
  const sweeper = new Sweeper({
    timers: services.timers,
    claims: services.claimService,
    dispatcher,
    clock: services.clock,
    calendar: services.calendar,
    log,
    owner: services.instanceId,
    leader,
  });
  return { dispatcher, sweeper, reviewCards };
}
