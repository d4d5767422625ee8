import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isValidIsoDate, isValidTimeZone, DEFAULT_BUSINESS_HOURS, parseBusinessHours, type BusinessHours, type DayCount } from '../domain/businessCalendar';
import { parseDayCount } from '../domain/deadlinePolicy';
import { dataFile, PROJECT_ROOT } from './projectPaths';
import { GUID_PATTERN } from '../domain/claimFields';
import { DEFAULT_POE_DOWNLOAD_HOSTS, HOST_PATTERN } from '../domain/poeDownloadHosts';

/** The channel the bot is made for; ALLOWED_CHANNELS may add others for local tools. */
export const TEAMS_CHANNEL = 'msteams';

export const DEFAULT_CUSTOMER_DIRECTORY_FILE = dataFile('customer-directory.json');
/** Where the embedded stores keep their data unless DATA_DIR says otherwise: the project's .data folder. */
export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, '.data');
/** DATA_DIR's value for keeping everything in memory (the test suite's shared servers). */
export const IN_MEMORY = ':memory:';

/**
 * Configuration from environment variables (Bot Framework's names for the bot identity). Every bad or
 * missing variable is reported by name in one message; nothing starts on a bad configuration.
 * An empty variable counts as unset, as .env files and App Service settings often leave them.
 */

/** Partner Center's own link to the incentive program guides (the seed page on CPOR associations). */
export const DEFAULT_INCENTIVE_GUIDE_URL = 'https://aka.ms/partnerincentives';

export interface AppConfig {
  bot: {
    appId: string;
    appPassword: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    appTenantId: string;
    /** No app id: the bot accepts anonymous requests (local use, Agents Playground) and only listens on loopback by default. */
    anonymous: boolean;
    /** Bot Framework channel ids served at /api/messages: always msteams, plus any ALLOWED_CHANNELS names (local tools). */
    allowedChannels: string[];
  };
  server: { host: string; port: number };
  /** Azure Cosmos DB with its account key, or without one through Microsoft Entra ID (managed identity); or the embedded server. */
  cosmos: { mode: 'azure'; endpoint: string; key?: string; database: string; loopback: boolean } | { mode: 'embedded'; database: string; port: number };
  /** A storage account by connection string (its key signs PoE links), or by URL through Microsoft Entra ID (user-delegation SAS); or Azurite. */
  blob:
    | { mode: 'azure'; connectionString: string; container: string }
    | { mode: 'azure'; accountUrl: string; container: string }
    | { mode: 'embedded'; container: string; port: number };
  /**
   * The user-assigned managed identity (its client id, AZURE_CLIENT_ID) the bot signs in to Cosmos DB and
   * Storage with when they are given without keys; absent: the system-assigned identity, or whatever
   * DefaultAzureCredential finds (an Azure CLI sign-in on a developer's machine).
   */
  azureClientId?: string;
  /** Business days, holidays and business hours (when reminders go out), in one time zone. */
  calendar: { timeZone: string; holidays: string[]; businessHours: BusinessHours };
  consentPeriod: DayCount;
  poeLinkTtlMinutes: number;
  maxPoeBytes: number;
  /** Host patterns PoE files are downloaded from when the bot has an app id (without one, any host: local use). */
  poeDownloadHosts: string[];
  customerDirectoryFile: string;
  rosterFile?: string;
  /** The folder the embedded Cosmos DB server and Azurite keep their data in; absent: in memory (DATA_DIR=:memory:). */
  dataDir?: string;
  demoData: boolean;
  /** The reviewers' channel or group chat, when set by configuration rather than by a reviewer's command. */
  reviewConversationId?: string;
  /** Language of the shared cards in the reviewers' conversation. */
  reviewLocale: 'en-US' | 'zh-CN';
  /** Where partners read what an approved association earns: the incentive program guides (approval notices, status card, consent page). */
  incentiveGuideUrl: string;
  /** Log lines as JSON (LOG_FORMAT, JSON by default with Application Insights) and whether telemetry goes to Application Insights. */
  observability: { logFormat: 'json' | 'text'; applicationInsights: boolean };
  /** Seconds between sweeps of due timers inside the bot process; 0 leaves sweeping to `npm run sweep`. */
  sweepIntervalSeconds: number;
  consent: {
    /** HMAC secret signing consent links; without CONSENT_LINK_SECRET one is made at start (links die with the process). */
    secret?: string;
    /** How long a consent link in an approval e-mail works. */
    linkDays: number;
    /** Where customers reach the bot's server (consent links); required (https) with an app id, else defaults to the address it listens on. */
    publicBaseUrl?: string;
  };
  /** Approval e-mails to customers: through SMTP when SMTP_HOST is set, otherwise kept in the Cosmos DB mail outbox and logged. */
  mail: { mode: 'smtp'; host: string; port: number; secure: boolean; user?: string; password?: string; from: string } | { mode: 'outbox'; from: string };
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = (fallback: number, allowZero: boolean) =>
  optional
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number')
        .transform(Number)
        .refine((n) => n >= (allowZero ? 0 : 1) && n <= 65535, `must be from ${allowZero ? 0 : 1} to 65535`)
        .optional(),
    )
    .transform((v) => v ?? fallback);

const envSchema = z.object({
  MicrosoftAppId: optional.pipe(z.string().regex(GUID_PATTERN, "must be the bot's Microsoft App ID, a GUID").optional()),
  MicrosoftAppPassword: optional,
  MicrosoftAppType: optional.pipe(
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], 'must be MultiTenant, SingleTenant or UserAssignedMSI').optional(),
  ),
  MicrosoftAppTenantId: optional.pipe(z.string().regex(GUID_PATTERN, 'must be a tenant ID (GUID)').optional()),
  ALLOWED_CHANNELS: optional
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be a comma-separated list of Bot Framework channel ids such as msteams,emulator'))),
  HOST: optional,
  PORT: port(3978, true),
  COSMOS_ENDPOINT: optional.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an https:// URL such as https://myaccount.documents.azure.com:443/' }).optional(),
  ),
  COSMOS_KEY: optional,
  COSMOS_DATABASE: optional
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be letters, digits, - or _')
        .optional(),
    )
    .transform((v) => v ?? 'cpor'),
  EMBEDDED_COSMOS_PORT: port(0, true),
  AZURE_STORAGE_ACCOUNT_URL: optional.pipe(
    z
      .string()
      .refine(isStorageAccountUrl, "must be the storage account's blob endpoint such as https://myaccount.blob.core.windows.net (no path, no SAS token)")
      .optional(),
  ),
  AZURE_CLIENT_ID: optional.pipe(z.string().regex(GUID_PATTERN, 'must be the client id (a GUID) of the user-assigned managed identity').optional()),
  AZURE_STORAGE_CONNECTION_STRING: optional.pipe(
    z
      .string()
      .refine(
        (s) => /AccountName=/i.test(s) && /AccountKey=/i.test(s),
        'must be a connection string with AccountName and AccountKey (needed to sign short-lived PoE links)',
      )
      .optional(),
  ),
  POE_CONTAINER: optional
    .pipe(
      z
        .string()
        .regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid blob container name (3-63 lowercase letters, digits and single hyphens)')
        .optional(),
    )
    .transform((v) => v ?? 'poe'),
  EMBEDDED_BLOB_PORT: port(0, true),
  DATA_DIR: optional.pipe(
    z
      .string()
      .refine((v) => v === IN_MEMORY || !isFile(resolve(v)), 'must be a folder (or :memory:), not a file')
      .optional(),
  ),
  BUSINESS_TIME_ZONE: optional
    .pipe(z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/Los_Angeles').optional())
    .transform((v) => v ?? 'UTC'),
  BUSINESS_HOLIDAYS: optional
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(z.string().refine(isValidIsoDate, 'must be a comma-separated list of YYYY-MM-DD dates'))),
  BUSINESS_HOURS: optional
    .pipe(
      z
        .string()
        .transform((s, ctx) => {
          const parsed = parseBusinessHours(s);
          if (!parsed) {
            ctx.addIssue({ code: 'custom', message: 'must be a start and end time on a 24-hour clock, start first, such as 09:00-17:00' });
            return z.NEVER;
          }
          return parsed;
        })
        .optional(),
    )
    .transform((v) => v ?? DEFAULT_BUSINESS_HOURS),
  CONSENT_PERIOD: optional.pipe(
    z
      .string()
      .transform((s, ctx) => {
        const parsed = parseDayCount(s);
        if (!parsed) {
          ctx.addIssue({ code: 'custom', message: 'must be a number of days such as 7d, or of business days such as 5bd' });
          return z.NEVER;
        }
        return parsed;
      })
      .optional(),
  ),
  POE_LINK_TTL_MINUTES: optional
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of minutes')
        .transform(Number)
        .refine((n) => n >= 1 && n <= 60, 'must be from 1 to 60 minutes')
        .optional(),
    )
    .transform((v) => v ?? 15),
  MAX_POE_SIZE_MB: optional
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of megabytes')
        .transform(Number)
        .refine((n) => n >= 1 && n <= 100, 'must be from 1 to 100 (MB)')
        .optional(),
    )
    .transform((v) => v ?? 20),
  POE_DOWNLOAD_HOSTS: optional
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean)
        : DEFAULT_POE_DOWNLOAD_HOSTS,
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(HOST_PATTERN, 'must be a comma-separated list of host names or *.domain patterns such as *.sharepoint.com (no scheme, port or path)'),
        )
        .min(1),
    ),
  CUSTOMER_DIRECTORY_FILE: optional,
  ROSTER_FILE: optional,
  REVIEW_CONVERSATION_ID: optional,
  REVIEW_LOCALE: optional.pipe(z.enum(['en-US', 'zh-CN'], 'must be en-US or zh-CN').optional()).transform((v) => v ?? 'en-US'),
  DEMO_DATA: optional.pipe(z.enum(['true', 'false'], 'must be true or false').optional()),
  CONSENT_LINK_SECRET: optional.pipe(
    z.string().min(32, 'must be at least 32 characters (a random secret, for example from "openssl rand -base64 48")').optional(),
  ),
  CONSENT_LINK_DAYS: optional
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of days')
        .transform(Number)
        .refine((n) => n >= 1 && n <= 365, 'must be from 1 to 365 days')
        .optional(),
    )
    .transform((v) => v ?? 90),
  INCENTIVE_GUIDE_URL: optional.pipe(z.url({ protocol: /^https$/, error: 'must be an https address such as https://aka.ms/partnerincentives' }).optional()),
  PUBLIC_BASE_URL: optional.pipe(z.url({ protocol: /^https?$/, error: "must be the bot's public URL such as https://cpor-bot.azurewebsites.net" }).optional()),
  SMTP_HOST: optional,
  SMTP_PORT: port(587, false),
  SMTP_SECURE: optional.pipe(z.enum(['true', 'false'], 'must be true (TLS from the start, usually port 465) or false (STARTTLS)').optional()),
  SMTP_USER: optional,
  SMTP_PASSWORD: optional,
  MAIL_FROM: optional.pipe(
    z
      .string()
      .regex(
        /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>$/,
        'must be an e-mail address such as cpor@contoso.com or "CPOR <cpor@contoso.com>"',
      )
      .optional(),
  ),
  LOG_FORMAT: optional.pipe(z.enum(['json', 'text'], 'must be json (one JSON object per line, for a log service) or text (lines for a person)').optional()),
  APPLICATIONINSIGHTS_CONNECTION_STRING: optional.pipe(
    z
      .string()
      .refine(
        (s) => /(^|;)\s*(InstrumentationKey|IngestionEndpoint)=/i.test(s),
        'must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)',
      )
      .optional(),
  ),
  SWEEP_INTERVAL_SECONDS: optional
    .pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a whole number of seconds')
        .transform(Number)
        .refine((n) => n === 0 || (n >= 5 && n <= 3600), 'must be 0 (no sweep loop) or from 5 to 3600 seconds')
        .optional(),
    )
    .transform((v) => v ?? 60),
});

/** Every environment variable the bot reads (test/storage/deploymentSettings.test.ts holds infra/ and env/ to it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Rules between variables. They run on the raw values even when a variable is malformed, so one
 * start-up names every problem at once.
 */
function crossVariableErrors(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  const errors: string[] = [];
  if (set('MicrosoftAppId')) {
    const type = env.MicrosoftAppType?.trim() || 'MultiTenant';
    if (type !== 'UserAssignedMSI' && !set('MicrosoftAppPassword')) errors.push('MicrosoftAppPassword is required when MicrosoftAppId is set');
    if (type !== 'MultiTenant' && !set('MicrosoftAppTenantId')) errors.push(`MicrosoftAppTenantId is required when MicrosoftAppType is ${type}`);
    // Consent links go to customers by e-mail: never the address the bot happens to listen on.
    if (!set('PUBLIC_BASE_URL'))
      errors.push(
        "PUBLIC_BASE_URL is required when MicrosoftAppId is set: it is the bot's public https address, used in the consent links e-mailed to customers",
      );
    else if (!/^https:\/\//i.test(env.PUBLIC_BASE_URL!.trim()))
      errors.push('PUBLIC_BASE_URL must be an https:// address when MicrosoftAppId is set (customers open consent links from e-mail)');
  }
  if (set('COSMOS_KEY') && !set('COSMOS_ENDPOINT')) errors.push('COSMOS_ENDPOINT is required when COSMOS_KEY is set');
  if (set('COSMOS_ENDPOINT') && !set('CONSENT_LINK_SECRET'))
    errors.push('CONSENT_LINK_SECRET is required when COSMOS_ENDPOINT is set: consent links in e-mails must keep working after a restart');
  if (set('SMTP_HOST') && !set('MAIL_FROM')) errors.push('MAIL_FROM is required when SMTP_HOST is set');
  if (set('SMTP_USER') !== set('SMTP_PASSWORD')) errors.push('SMTP_USER and SMTP_PASSWORD are set together');
  if (set('AZURE_STORAGE_CONNECTION_STRING') && set('AZURE_STORAGE_ACCOUNT_URL'))
    errors.push(
      'AZURE_STORAGE_CONNECTION_STRING and AZURE_STORAGE_ACCOUNT_URL are alternatives: set the connection string (account key) or the account URL (managed identity), not both',
    );
  const azureBlob = set('AZURE_STORAGE_CONNECTION_STRING') || set('AZURE_STORAGE_ACCOUNT_URL');
  if (set('DATA_DIR') && set('COSMOS_ENDPOINT') && azureBlob)
    errors.push('DATA_DIR is for the embedded stores: with COSMOS_ENDPOINT and an Azure storage account set nothing is kept there; remove it');
  if (set('COSMOS_ENDPOINT') && env.DEMO_DATA?.trim() === 'true')
    errors.push("DEMO_DATA can't be true with a real Cosmos DB endpoint: demo claims are never seeded there");
  return errors;
}

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; errors: string[] };

export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const parsed = envSchema.safeParse(env);
  const errors = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'configuration');
        const raw = env[name];
        const shown = raw && !/PASSWORD|KEY|CONNECTION_STRING|SECRET/i.test(name) ? ` (got "${raw}")` : '';
        return `${name} ${issue.message}${shown}`;
      });
  errors.push(...crossVariableErrors(env));
  if (!parsed.success || errors.length) return { ok: false, errors: [...new Set(errors)] };
  const e = parsed.data;
  const anonymous = !e.MicrosoftAppId;
  const config: AppConfig = {
    bot: {
      appId: e.MicrosoftAppId ?? '',
      appPassword: e.MicrosoftAppPassword ?? '',
      appType: e.MicrosoftAppType ?? 'MultiTenant',
      appTenantId: e.MicrosoftAppTenantId ?? '',
      anonymous,
      allowedChannels: [...new Set([TEAMS_CHANNEL, ...e.ALLOWED_CHANNELS])],
    },
    // An anonymous bot is for local use: it listens on loopback unless HOST says otherwise.
    server: { host: e.HOST ?? (anonymous ? '127.0.0.1' : '0.0.0.0'), port: e.PORT },
    cosmos: e.COSMOS_ENDPOINT
      ? {
          mode: 'azure',
          endpoint: e.COSMOS_ENDPOINT,
          ...(e.COSMOS_KEY ? { key: e.COSMOS_KEY } : {}),
          database: e.COSMOS_DATABASE,
          loopback: isLoopbackUrl(e.COSMOS_ENDPOINT),
        }
      : { mode: 'embedded', database: e.COSMOS_DATABASE, port: e.EMBEDDED_COSMOS_PORT },
    blob: e.AZURE_STORAGE_CONNECTION_STRING
      ? { mode: 'azure', connectionString: e.AZURE_STORAGE_CONNECTION_STRING, container: e.POE_CONTAINER }
      : e.AZURE_STORAGE_ACCOUNT_URL
        ? { mode: 'azure', accountUrl: e.AZURE_STORAGE_ACCOUNT_URL.replace(/\/+$/, ''), container: e.POE_CONTAINER }
        : { mode: 'embedded', container: e.POE_CONTAINER, port: e.EMBEDDED_BLOB_PORT },
    ...(e.AZURE_CLIENT_ID ? { azureClientId: e.AZURE_CLIENT_ID } : {}),
    calendar: { timeZone: e.BUSINESS_TIME_ZONE, holidays: e.BUSINESS_HOLIDAYS, businessHours: e.BUSINESS_HOURS },
    consentPeriod: e.CONSENT_PERIOD ?? { amount: 7, unit: 'days' },
    poeLinkTtlMinutes: e.POE_LINK_TTL_MINUTES,
    maxPoeBytes: e.MAX_POE_SIZE_MB * 1024 * 1024,
    poeDownloadHosts: e.POE_DOWNLOAD_HOSTS,
    customerDirectoryFile: e.CUSTOMER_DIRECTORY_FILE ?? DEFAULT_CUSTOMER_DIRECTORY_FILE,
    ...(e.ROSTER_FILE ? { rosterFile: e.ROSTER_FILE } : {}),
    ...(e.DATA_DIR === IN_MEMORY ? {} : { dataDir: e.DATA_DIR ? resolve(e.DATA_DIR) : DEFAULT_DATA_DIR }),
    demoData: e.COSMOS_ENDPOINT ? false : e.DEMO_DATA !== 'false',
    ...(e.REVIEW_CONVERSATION_ID ? { reviewConversationId: e.REVIEW_CONVERSATION_ID } : {}),
    reviewLocale: e.REVIEW_LOCALE,
    incentiveGuideUrl: e.INCENTIVE_GUIDE_URL ?? DEFAULT_INCENTIVE_GUIDE_URL,
    sweepIntervalSeconds: e.SWEEP_INTERVAL_SECONDS,
    observability: {
      logFormat: e.LOG_FORMAT ?? (e.APPLICATIONINSIGHTS_CONNECTION_STRING ? 'json' : 'text'),
      applicationInsights: Boolean(e.APPLICATIONINSIGHTS_CONNECTION_STRING),
    },
    consent: {
      ...(e.CONSENT_LINK_SECRET ? { secret: e.CONSENT_LINK_SECRET } : {}),
      linkDays: e.CONSENT_LINK_DAYS,
      ...(e.PUBLIC_BASE_URL ? { publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, '') } : {}),
    },
    mail: e.SMTP_HOST
      ? {
          mode: 'smtp',
          host: e.SMTP_HOST,
          port: e.SMTP_PORT,
          secure: e.SMTP_SECURE ? e.SMTP_SECURE === 'true' : e.SMTP_PORT === 465,
          ...(e.SMTP_USER ? { user: e.SMTP_USER, password: e.SMTP_PASSWORD ?? '' } : {}),
          from: e.MAIL_FROM ?? '',
        }
      : { mode: 'outbox', from: e.MAIL_FROM ?? 'CPOR claims bot <cpor-bot@localhost>' },
  };
  return { ok: true, config };
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A storage account's blob endpoint: https and the account's host, nothing after it. On loopback (Azurite,
 * a local stub) http and the path-style account name (http://127.0.0.1:10000/devstoreaccount1) are allowed.
 */
function isStorageAccountUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.search || url.hash || url.username) return false;
  if (isLoopbackUrl(value)) return /^https?:$/.test(url.protocol) && /^\/?([a-z0-9]{3,24}\/?)?$/.test(url.pathname);
  return url.protocol === 'https:' && (url.pathname === '/' || url.pathname === '');
}

/** A Cosmos endpoint on this machine (the Cosmos DB emulator, or an embedded server shared by tests) uses a self-signed certificate. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function formatConfigErrors(errors: string[]): string {
  return `Invalid configuration (see .env.example):\n${errors.map((e) => `  - ${e}`).join('\n')}`;
}
