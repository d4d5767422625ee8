import type { AppConfig } from '../config/config';
import type { Clock } from '../clock';
import type { BusinessCalendar } from '../domain/businessCalendar';
import type { DeadlinePolicy } from '../domain/deadlinePolicy';
import type { AssociationStore } from '../storage/associationStore';
import type { ClaimStore } from '../storage/claimStore';
import type { ConversationStore, ReviewRegistry } from '../storage/conversationStore';
import type { CosmosDatabase } from '../storage/cosmosDatabase';
import type { DeliveryLog } from '../storage/deliveryLog';
import type { LanguagePreferences } from '../storage/languagePreferences';
import type { LeaseStore } from '../storage/leaseStore';
import type { PoeBlobStore } from '../storage/poeBlobStore';
import type { RosterStore } from '../storage/rosterStore';
import type { TimerStore } from '../storage/timerStore';
import type { ClaimService } from './claims/claimService';
import type { CustomerChecks } from './claims/customerDirectory';
import type { ConsentLinks } from './consent/consentTokens';
import type { BackgroundTasks } from './notifications/backgroundTasks';
import type { DeliveryScheduler } from './notifications/deliveryScheduler';
import type { DispatchIntents } from './notifications/dispatchIntents';
import type { Mailer } from './notifications/mailer';
import type { TenantSendLeases } from './notifications/tenantSendLeases';
import type { PoeReadings } from './poe/poeReadings';
import type { PoePrecheckService } from './poe/poePrecheckService';

/**
 * Everything the bot stands on, as the composition root (app/appServices.ts, openServices) starts it
 * from configuration. A type only: each handler in bot/ names the few members it needs
 * (Pick<AppServices, ...>), so what a handler can reach is written at its door.
 */
export interface AppServices {
  config: AppConfig;
  clock: Clock;
  calendar: BusinessCalendar;
  policy: DeadlinePolicy;
  cosmos: CosmosDatabase;
  claims: ClaimStore;
  associations: AssociationStore;
  rosters: RosterStore;
  conversations: ConversationStore;
  /** Each person's chosen language (overrides their Teams client's locale in replies and notices). */
  languages: LanguagePreferences;
  reviews: ReviewRegistry;
  poe: PoeBlobStore;
  /** What was read out of each PoE file (text, signatures, e-mail header), read once after acceptance. */
  poeReadings: PoeReadings;
  claimService: ClaimService;
  customerChecks: CustomerChecks;
  /** Pending timers (deadlines, reminders, dispatch work) and the per-person delivery records. */
  timers: TimerStore;
  deliveries: DeliveryLog;
  intents: DispatchIntents;
  /**
   * Paces proactive messages within Teams' limits; one per process, shared by every sender, and
   * sending to a tenant only while this instance holds the tenant's send lease (tenantSendLeases.ts).
   */
  scheduler: DeliveryScheduler;
  /** Leases shared by the bot's instances (the sweep leader, per-tenant sending). */
  leases: LeaseStore;
  /** The scheduler's gate: which tenants this instance may send to now. */
  sendLeases: TenantSendLeases;
  /** This process among the bot's instances (lease holder id). */
  instanceId: string;
  /** The PoE pre-check: reads a claim's files off the turn and checks them against the claim (docs/poe-precheck.md). */
  precheck: PoePrecheckService;
  /** Tidy-up after a change that need not hold up the person's turn (see ClaimServiceDeps.followUp). */
  followUps: BackgroundTasks;
  /** Signs and checks the customers' consent links (approval e-mails, consent page). */
  consentLinks: ConsentLinks;
  /** Sends the customers' approval e-mails: SMTP (SMTP_HOST), or kept in the Cosmos DB `mail` container and logged. */
  mailer: Mailer;
  /** The roster file loaded at start (ROSTER_FILE, or the demo roster on the embedded store). */
  rosterFile?: string;
  /**
   * Ports this process serves on loopback: the embedded (or loopback) Cosmos DB and blob endpoints,
   * and the bot's own HTTP port once it listens (added by the bot). Never a PoE download target.
   */
  ownPorts: Set<number>;
  /** Storage reachability for /healthz. */
  health(): Promise<{ ok: boolean; components: Record<string, { ok: boolean; detail?: string }> }>;
  close(): Promise<void>;
}
