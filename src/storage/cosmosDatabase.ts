import https from 'node:https';
import { CosmosClient, type Container, type Database, type ContainerDefinition } from '@azure/cosmos';
import type { TokenCredential } from './azureIdentity';

/**
 * One Cosmos DB database and its containers, created at start when missing. The same code serves
 * Azure Cosmos DB and the embedded server; only the embedded endpoint gets a TLS agent that accepts
 * its self-signed certificate.
 */

export const CONTAINERS = {
  /** Claims with their history, partitioned by partner organisation. */
  claims: { id: 'claims', partitionKey: { paths: ['/orgId'] } },
  /** One document per customer tenant + workload/subscription: the association rule's once-only record. */
  associations: { id: 'associations', partitionKey: { paths: ['/tenantId'] } },
  /** Partner organisations, partner users and reviewers, loaded from the roster file. */
  rosters: { id: 'rosters', partitionKey: { paths: ['/id'] } },
  /** Conversation references for proactive messages, per user and per conversation. */
  conversations: { id: 'conversations', partitionKey: { paths: ['/id'] } },
  /** Per customer tenant, the claims that compete for its workloads and subscriptions (small documents, point reads). */
  tenantIndex: { id: 'tenantIndex', partitionKey: { paths: ['/id'] } },
  /** Pending timers only (deadlines, reminders, dispatch work): a sweep reads the due ones by time. */
  timers: { id: 'timers', partitionKey: { paths: ['/id'] } },
  /** One record per notification per person, so nobody is shown the same message twice. */
  deliveries: { id: 'deliveries', partitionKey: { paths: ['/id'] } },
  /** Bot Framework dialog and conversation state, so any bot instance can continue any dialog. */
  botState: { id: 'botState', partitionKey: { paths: ['/id'] } },
  /**
   * One record per Teams activity handled (a day's worth), so a re-delivered activity acts once.
   * `defaultTtl: -1` lets each record carry its own time to live on Azure Cosmos DB.
   */
  activities: { id: 'activities', partitionKey: { paths: ['/id'] }, defaultTtl: -1 },
  /**
   * Leases shared by the bot's instances: the sweep leader, and one per tenant for sending within
   * Teams' limits. A few small documents, point reads and conditional writes only.
   */
  leases: { id: 'leases', partitionKey: { paths: ['/id'] } },
  /** Approval e-mails kept instead of sent when no SMTP server is configured (the mail outbox), one per e-mail. */
  mail: { id: 'mail', partitionKey: { paths: ['/id'] } },
} as const satisfies Record<string, ContainerDefinition>;

export type ContainerName = keyof typeof CONTAINERS;

export interface CosmosConnection {
  endpoint: string;
  /** The account key; without one, `credential` (Microsoft Entra ID: the bot's managed identity) is required. */
  key?: string;
  credential?: TokenCredential;
  database: string;
  /** True for a server on loopback (embedded, or the Cosmos DB emulator): accept its self-signed certificate. */
  embedded: boolean;
}

export class CosmosDatabase {
  private constructor(
    readonly client: CosmosClient,
    readonly database: Database,
    readonly containers: Record<ContainerName, Container>,
    private readonly agent?: https.Agent,
  ) {}

  static async open(connection: CosmosConnection): Promise<CosmosDatabase> {
    // The embedded server speaks plain HTTP on loopback (no TLS cost per request); the Cosmos DB emulator
    // speaks HTTPS with a self-signed certificate.
    const agent = connection.embedded && connection.endpoint.startsWith('https:') ? new https.Agent({ rejectUnauthorized: false, keepAlive: true }) : undefined;
    const client = new CosmosClient({
      endpoint: connection.endpoint,
      ...(connection.key ? { key: connection.key } : { aadCredentials: requiredCredential(connection) }),
      ...(agent ? { agent } : {}),
      connectionPolicy: { enableEndpointDiscovery: !connection.embedded },
    });
    // createIfNotExists reads first and creates only what is missing. With Microsoft Entra ID, data-plane
    // roles may read but not create databases or containers: the infrastructure creates them.
    const orCreatedBy = async <T>(what: string, create: () => Promise<T>): Promise<T> => {
      try {
        return await create();
      } catch (error) {
        if (connection.key || statusCodeOf(error) !== 403) throw error;
        throw new Error(
          `Cosmos DB: ${what} is missing or not readable, and the bot's identity may not create it (Entra ID data-plane roles cannot create databases or containers): create it with the infrastructure (infra/) and give the identity "Cosmos DB Built-in Data Contributor"`,
        );
      }
    };
    const { database } = await orCreatedBy(`database "${connection.database}"`, () => client.databases.createIfNotExists({ id: connection.database }));
    const containers = {} as Record<ContainerName, Container>;
    for (const [name, definition] of Object.entries(CONTAINERS) as [ContainerName, ContainerDefinition][]) {
      containers[name] = (await orCreatedBy(`container "${definition.id}"`, () => database.containers.createIfNotExists(definition))).container;
    }
    return new CosmosDatabase(client, database, containers, agent);
  }

  /** For /healthz: can the database be read now? */
  async ping(): Promise<void> {
    await this.database.read();
  }

  close(): void {
    this.client.dispose();
    this.agent?.destroy();
  }
}

function requiredCredential(connection: CosmosConnection): TokenCredential {
  if (!connection.credential) throw new Error(`Cosmos DB at ${connection.endpoint}: neither an account key nor a Microsoft Entra credential was given`);
  return connection.credential;
}

const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'];

/** A document as the application wrote it: Cosmos DB's own properties (_etag, _ts...) taken off. */
export function withoutSystemProperties<T>(resource: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...resource };
  for (const p of SYSTEM_PROPERTIES) delete copy[p];
  return copy as T;
}

/** Cosmos errors carry an HTTP status code; these helpers keep the checks readable. */
export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown; statusCode?: unknown })?.code ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
export const isConflict = (e: unknown) => statusCodeOf(e) === 409;
export const isPreconditionFailed = (e: unknown) => statusCodeOf(e) === 412;
export const isNotFound = (e: unknown) => statusCodeOf(e) === 404;
