import type { AppConfig } from '../src/config/config';
import { systemClock, type Clock } from '../src/clock';
import { BusinessCalendar, businessHoursText } from '../src/domain/businessCalendar';
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from '../src/domain/deadlinePolicy';
import { counted, type Logger } from '../src/logger';
import { AssociationStore } from '../src/storage/associationStore';
import { ClaimStore } from '../src/storage/claimStore';
import { LanguagePreferences } from '../src/storage/languagePreferences';
import { ConversationStore, ReviewRegistry } from '../src/storage/conversationStore';
import { CosmosDatabase } from '../src/storage/cosmosDatabase';
import type { EmbeddedBlob } from '../src/storage/embeddedBlob';
import type { EmbeddedCosmos } from '../src/storage/embeddedCosmos';
import { claimDataDirectory, storedConsentSecret, type DataDirectory } from '../src/storage/dataDirectory';
import { PoeBlobStore } from '../src/storage/poeBlobStore';
import { azureCredential, type TokenCredential } from '../src/storage/azureIdentity';
import { RosterStore } from '../src/storage/rosterStore';
import { TenantClaimIndex } from '../src/storage/tenantClaimIndex';
import { ClaimService } from '../src/services/claims/claimService';
import { CustomerChecks, DataFileCustomerDirectory } from '../src/services/claims/customerDirectory';
import { migrateAssociationKeys } from '../src/services/claims/associationKeyMigration';
import { seedDemoClaims } from './demo/demoSeed';
import { TimerStore } from '../src/storage/timerStore';
import { DeliveryLog } from '../src/storage/deliveryLog';
import { DispatchIntents } from '../src/services/notifications/dispatchIntents';
import { BackgroundTasks } from '../src/services/notifications/backgroundTasks';
import { dataFile } from '../src/config/projectPaths';
import { ConsentLinks, ephemeralConsentSecret } from '../src/services/consent/consentTokens';
import { DeliveryScheduler, type DeliverySchedulerOptions } from '../src/services/notifications/deliveryScheduler';
import { LeaseStore } from '../src/storage/leaseStore';
import { TenantSendLeases, type TenantSendLeaseOptions } from '../src/services/notifications/tenantSendLeases';
import { newInstanceId } from '../src/observability/logContext';
import { createMailer } from '../src/services/notifications/mailer';
import { observedMailer } from '../src/services/notifications/observedMailer';
import { loopbackPort } from '../src/services/poe/poeDownloadPolicy';
import { PoeReadings } from '../src/services/poe/poeReadings';
import type { AppServices } from '../src/services/services';
import { PoePrecheckService } from '../src/services/poe/poePrecheckService';

/**
 * Everything the bot stands on, started from configuration: storage (Azure or embedded), stores and
 * services. The same code runs against Azure Cosmos DB and Azure Storage, or against the embedded
 * Cosmos DB server and Azurite on loopback when their settings are absent.
 */

export const DEMO_ROSTER_FILE = dataFile('demo-roster.json');

export interface ServiceOptions {
  clock?: Clock;
  log: Logger;
  /** Pacing of proactive messages: Teams' limits unless given (tests that are not about pacing use looser ones). */
  delivery?: DeliverySchedulerOptions;
  /** Timing of the per-tenant send leases (tests shorten them). */
  sendLeases?: TenantSendLeaseOptions;
  /**
   * The Microsoft Entra credential for a Cosmos DB endpoint without COSMOS_KEY and a storage account URL
   * without a connection string: DefaultAzureCredential (the managed identity) unless given (tests give a stub).
   */
  credential?: TokenCredential;
  /** This process among the bot's instances (leases, logs, telemetry); made here unless given. */
  instanceId?: string;
}

export async function openServices(config: AppConfig, options: ServiceOptions): Promise<AppServices> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch((e) => log.error('Shutdown step failed', e));
  };
  try {
    const dataDir = openDataDirectory(config, closers, log);
    let embeddedCosmos: EmbeddedCosmos | undefined;
    if (config.cosmos.mode === 'embedded') {
      // Loaded only here: a production bot never loads the embedded stand-ins (dev dependencies).
      const { startEmbeddedCosmos } = await import('../src/storage/embeddedCosmos');
      embeddedCosmos = await startEmbeddedCosmos(config.cosmos.port, dataDir?.cosmos);
      closers.push(() => embeddedCosmos!.close());
      const restored = embeddedCosmos.restored;
      const kept = restored ? `data in ${dataDir!.cosmos}, ${counted(restored.documents, 'document')} restored in ${restored.ms} ms` : 'in memory';
      log.info(`Cosmos DB: embedded server at ${embeddedCosmos.endpoint}, database "${config.cosmos.database}" (${kept}, process ${embeddedCosmos.pid})`);
      if (restored?.tornLines) log.warn(`Cosmos DB: the last write of the previous run was cut off by a crash (it had not been acknowledged) and was dropped`);
    } else {
      log.info(
        `Cosmos DB: Azure Cosmos DB at ${config.cosmos.endpoint}, database "${config.cosmos.database}", ${config.cosmos.key ? 'with the account key (COSMOS_KEY)' : signedInAs(config)}`,
      );
    }
    let madeCredential: TokenCredential | undefined;
    const credential = () => options.credential ?? (madeCredential ??= azureCredential(config.azureClientId));
    const cosmos = await CosmosDatabase.open(
      config.cosmos.mode === 'embedded'
        ? { endpoint: embeddedCosmos!.endpoint, key: embeddedCosmos!.key, database: config.cosmos.database, embedded: true }
        : {
            endpoint: config.cosmos.endpoint,
            ...(config.cosmos.key ? { key: config.cosmos.key } : { credential: credential() }),
            database: config.cosmos.database,
            embedded: config.cosmos.loopback,
          },
    );
    closers.push(() => cosmos.close());

    let embeddedBlob: EmbeddedBlob | undefined;
    if (config.blob.mode === 'embedded') {
      const { startEmbeddedBlob } = await import('../src/storage/embeddedBlob');
      embeddedBlob = await startEmbeddedBlob(config.blob.port, dataDir?.blob);
      closers.push(() => embeddedBlob!.close());
      log.info(
        `Blob storage: embedded Azurite at ${embeddedBlob.endpoint}, container "${config.blob.container}" (${dataDir ? `data in ${dataDir.blob}` : 'in memory'}, process ${embeddedBlob.pid})`,
      );
    } else if ('connectionString' in config.blob) {
      log.info(
        `Blob storage: Azure Storage account ${accountName(config.blob.connectionString)}, container "${config.blob.container}", links signed with the account key`,
      );
    } else {
      log.info(
        `Blob storage: Azure Storage account ${config.blob.accountUrl}, container "${config.blob.container}", ${signedInAs(config)}, links signed with user delegation keys`,
      );
    }
    const blob = config.blob;
    const poe = await PoeBlobStore.open(
      embeddedBlob
        ? embeddedBlob.connectionString
        : 'connectionString' in blob
          ? blob.connectionString
          : { accountUrl: (blob as { accountUrl: string }).accountUrl, credential: credential() },
      blob.container,
    );

    const ownPorts = new Set<number>();
    const cosmosEndpoint = embeddedCosmos ? embeddedCosmos.endpoint : (config.cosmos as { endpoint: string }).endpoint;
    const blobEndpoint = embeddedBlob
      ? embeddedBlob.endpoint
      : 'connectionString' in blob
        ? /BlobEndpoint=([^;]+)/i.exec(blob.connectionString)?.[1]
        : (blob as { accountUrl: string }).accountUrl;
    for (const endpoint of [cosmosEndpoint, blobEndpoint]) {
      const port = endpoint ? loopbackPort(endpoint) : undefined;
      if (port !== undefined) ownPorts.add(port);
    }

    const calendar = new BusinessCalendar(config.calendar);
    const policy: DeadlinePolicy = { ...DEFAULT_DEADLINE_POLICY, consentPeriod: config.consentPeriod };
    const claims = new ClaimStore(cosmos.containers.claims);
    const associations = new AssociationStore(cosmos.containers.associations);
    const rosters = new RosterStore(cosmos.containers.rosters);
    const conversations = new ConversationStore(cosmos.containers.conversations, () => clock.now());
    const reviews = new ReviewRegistry(cosmos.containers.conversations, () => clock.now());
    const customerChecks = new CustomerChecks(DataFileCustomerDirectory.fromFile(config.customerDirectoryFile));
    log.info(`Customer directory: ${config.customerDirectoryFile}`);
    const timers = new TimerStore(cosmos.containers.timers);
    const intents = new DispatchIntents(timers, calendar, clock);
    // Under load people's turns come first (the bot tells it when turns are in flight); at shutdown all
    // are finished (they are short).
    const followUps = new BackgroundTasks(log, { concurrency: 8 });
    closers.push(() => followUps.drain());
    const poeReadings = new PoeReadings({ poe, log, now: () => clock.now(), runLater: (name, task) => followUps.run(name, task) });
    // Before the drain: readings under way end at once instead of holding up the shutdown (read again when asked for).
    closers.push(() => poeReadings.close());
    const tenantIndex = new TenantClaimIndex(cosmos.containers.tenantIndex);
    // Before anyone acts: associations stored under keys without a program are moved to program-scoped ones.
    const migrated = await migrateAssociationKeys({ associations, tenantIndex, claims, customerChecks, log: (m) => log.warn(m) });
    if (migrated.associationsMoved || migrated.associationsKept.length || migrated.tenantsReindexed) {
      log.info(
        `Association keys: ${counted(migrated.associationsMoved, 'association')} moved to program-scoped keys, ${migrated.associationsKept.length} left as they were, ${counted(migrated.tenantsReindexed, 'tenant index document')} updated`,
      );
    }
    const claimService = new ClaimService({
      claims,
      associations,
      rosters,
      tenantIndex,
      clock,
      calendar,
      policy,
      customerChecks,
      intents,
      log: (m) => log.warn(m),
      followUp: (name, task) => followUps.run(name, task),
    });
    // Without CONSENT_LINK_SECRET (embedded store only), links live as long as the claims they are for.
    const consentSecret = config.consent.secret ?? (dataDir && config.cosmos.mode === 'embedded' ? storedConsentSecret(dataDir) : undefined);
    if (!config.consent.secret && consentSecret) log.info(`Consent links: CONSENT_LINK_SECRET is not set: signed with the secret kept in ${dataDir!.path}`);
    if (!consentSecret)
      log.warn(
        'CONSENT_LINK_SECRET is not set: consent links are signed with a secret made at start and stop working when the bot restarts (fine for the in-memory store, which forgets its claims too).',
      );
    const mailer = observedMailer(createMailer(config.mail, cosmos.containers.mail, log, () => clock.now()));
    closers.push(() => mailer.close());
    log.info(
      config.mail.mode === 'smtp'
        ? `Mail: approval e-mails to customers through SMTP ${config.mail.host}:${config.mail.port} (${config.mail.secure ? 'TLS' : config.mail.user ? 'STARTTLS required' : 'STARTTLS when offered'}${config.mail.user ? `, as ${config.mail.user}` : ''}), from ${config.mail.from}`
        : `Mail: SMTP_HOST is not set: approval e-mails to customers are kept in the Cosmos DB container "mail" and logged, not sent`,
    );
    log.info(
      `Business calendar: time zone ${calendar.timeZone}, ${counted(config.calendar.holidays.length, 'holiday')}, business hours ${businessHoursText(calendar.businessHours)}; consent period ${config.consentPeriod.amount} ${config.consentPeriod.unit === 'days' ? 'days' : 'business days'}`,
    );

    const rosterFile = config.rosterFile ?? (config.cosmos.mode === 'embedded' ? DEMO_ROSTER_FILE : undefined);
    if (rosterFile) {
      const summary = await rosters.loadFile(rosterFile);
      log.info(
        `Roster: loaded ${rosterFile}: ${counted(summary.organisations, 'organisation')}, ${counted(summary.partnerUsers, 'partner user')}, ${counted(summary.reviewers, 'reviewer')}`,
      );
    } else if (await rosters.isEmpty()) {
      log.warn('Roster: empty. Set ROSTER_FILE or run "npm run roster:load -- <file>" so people can be recognised.');
    } else {
      log.info('Roster: using the roster already stored in Cosmos DB');
    }

    // The pre-check takes the documents from poeReadings (read once per file); it never reads files itself.
    const precheck = new PoePrecheckService({ documentOf: (file) => poeReadings.documentOf(file), rosters, clock, log });
    // At shutdown (before poeReadings closes: closers run last first) what waits for a reading is answered at once.
    closers.push(() => precheck.close());

    const instanceId = options.instanceId ?? newInstanceId();
    const leases = new LeaseStore(cosmos.containers.leases);
    const sendLeases = new TenantSendLeases(leases, instanceId, log, options.sendLeases);
    const services: AppServices = {
      config,
      clock,
      calendar,
      policy,
      cosmos,
      claims,
      associations,
      rosters,
      conversations,
      languages: new LanguagePreferences(cosmos.containers.conversations, () => clock.now()),
      reviews,
      poe,
      poeReadings,
      claimService,
      customerChecks,
      timers,
      deliveries: new DeliveryLog(cosmos.containers.deliveries, () => clock.now()),
      intents,
      scheduler: new DeliveryScheduler({ ...options.delivery, gate: sendLeases }),
      leases,
      sendLeases,
      instanceId,
      followUps,
      precheck,
      consentLinks: new ConsentLinks(consentSecret ?? ephemeralConsentSecret(), config.consent.linkDays, config.consent.publicBaseUrl),
      mailer,
      ...(rosterFile ? { rosterFile } : {}),
      ownPorts,
      health: async () => {
        const components: Record<string, { ok: boolean; detail?: string }> = {};
        const check = async (name: string, probe: () => Promise<void>) => {
          try {
            await withTimeout(probe(), 2000);
            components[name] = { ok: true };
          } catch (error) {
            components[name] = { ok: false, detail: (error as Error).message };
          }
        };
        await Promise.all([check('cosmos', () => cosmos.ping()), check('blob', () => poe.ping())]);
        return { ok: Object.values(components).every((c) => c.ok), components };
      },
      close: closeAll,
    };

    // The data folder's lock says no other bot uses this store: whatever the previous process still
    // held (a send, a timer, a lease) was cut off by its crash and is taken over now, not after a lease.
    if (dataDir && config.cosmos.mode === 'embedded') await takeOverFromStoppedProcess(services, log);

    // Before the database closes: the send leases this instance holds are handed on (npm run sweep too).
    closers.push(() => services.scheduler.stop());

    if (config.demoData && config.cosmos.mode === 'embedded') {
      const seeded = await seedDemoClaims(services);
      if (seeded) log.info(`Demo data: seeded ${seeded} claims in different statuses (embedded store only)`);
    }
    return services;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The embedded stores' data folder, claimed for this bot (or none: Azure for both, or DATA_DIR=:memory:),
 * and the start-up log's word on what survives a restart.
 */
function openDataDirectory(config: AppConfig, closers: (() => Promise<void> | void)[], log: Logger): DataDirectory | undefined {
  if (config.cosmos.mode !== 'embedded' && config.blob.mode !== 'embedded') return undefined;
  if (!config.dataDir) {
    log.warn(
      'DATA_DIR=:memory:: the embedded Cosmos DB server and Azurite keep everything IN MEMORY: claims, drafts, dialog state, timers and PoE files are LOST when the bot stops. Unset DATA_DIR to keep them in ./.data.',
    );
    return undefined;
  }
  const dataDir = claimDataDirectory(config.dataDir);
  // Released last, after the embedded servers have closed.
  closers.push(() => dataDir.release());
  const kept = [
    config.cosmos.mode === 'embedded' && 'claims, drafts, dialog state and timers (cosmos/)',
    config.blob.mode === 'embedded' && 'PoE files (blob/)',
  ]
    .filter(Boolean)
    .join(' and ');
  log.info(`Data: ${kept} are kept on disk in ${dataDir.path}: they survive a restart, SIGTERM and kill -9. Delete the folder to start afresh.`);
  return dataDir;
}

/** How the start-up log names the identity used for a store without a key. */
function signedInAs(config: AppConfig): string {
  return config.azureClientId
    ? `signed in as the managed identity ${config.azureClientId} (AZURE_CLIENT_ID)`
    : 'signed in with DefaultAzureCredential (the system-assigned managed identity, or a developer sign-in)';
}

function accountName(connectionString: string): string {
  return /AccountName=([^;]+)/i.exec(connectionString)?.[1] ?? '(unnamed)';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function takeOverFromStoppedProcess(services: AppServices, log: Logger): Promise<void> {
  const sends = await services.deliveries.releaseInterrupted();
  const timers = await services.timers.releaseLeases();
  const leases = await services.leases.expireAll(services.clock.now().getTime());
  if (sends || timers || leases) {
    log.warn(
      `Data folder: the previous bot process stopped without finishing; taken over now: ${counted(sends, 'message')} it was sending (sent again, marked as possibly repeated), ${counted(timers, 'timer')}, ${counted(leases, 'lease')}`,
    );
  }
}
