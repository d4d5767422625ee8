import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, formatConfigErrors, loadConfig } from '../../src/config/config';

describe('configuration from the environment', () => {
  test('nothing set: the embedded default, anonymous on loopback, demo data, UTC, 7-day consent', () => {
    const result = loadConfig({});
    expect(result).toMatchObject({
      ok: true,
      config: {
        bot: { anonymous: true, appId: '' },
        server: { host: '127.0.0.1', port: 3978 },
        cosmos: { mode: 'embedded', database: 'cpor' },
        blob: { mode: 'embedded', container: 'poe' },
        calendar: { timeZone: 'UTC', holidays: [] },
        consentPeriod: { amount: 7, unit: 'days' },
        demoData: true,
        dataDir: DEFAULT_DATA_DIR,
      },
    });
    expect(DEFAULT_DATA_DIR).toBe(join(__dirname, '..', '..', '.data'));
  });

  test('DATA_DIR: a folder for the embedded stores (relative to where the bot starts), or :memory:; a file or a pointless setting is refused', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'not-a-folder');
    writeFileSync(file, 'x');
    expect(loadConfig({ DATA_DIR: 'var/cpor' })).toMatchObject({ ok: true, config: { dataDir: resolve('var/cpor') } });
    const memory = loadConfig({ DATA_DIR: ':memory:' });
    expect(memory.ok && 'dataDir' in memory.config).toBe(false);
    expect(loadConfig({ DATA_DIR: file })).toEqual({ ok: false, errors: [`DATA_DIR must be a folder (or :memory:), not a file (got "${file}")`] });
    const azure = {
      COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/',
      COSMOS_KEY: 'k',
      CONSENT_LINK_SECRET: 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sU',
      AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=b',
    };
    expect(loadConfig({ ...azure, DATA_DIR: '/srv/cpor' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('DATA_DIR is for the embedded stores')],
    });
    expect(loadConfig({ ...azure, AZURE_STORAGE_CONNECTION_STRING: '', DATA_DIR: '/srv/cpor' })).toMatchObject({
      ok: true,
      config: { dataDir: '/srv/cpor', blob: { mode: 'embedded' } },
    });
  });

  test('Azure settings: the same code talks to Azure, never seeds demo data, listens on all interfaces with an app id', () => {
    const result = loadConfig({
      MicrosoftAppId: '0d2c8b2e-1111-4222-8333-444455556666',
      MicrosoftAppPassword: 'secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/',
      COSMOS_KEY: 'key==',
      AZURE_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=cporpoe;AccountKey=abc==;EndpointSuffix=core.windows.net',
      BUSINESS_TIME_ZONE: 'Europe/Berlin',
      BUSINESS_HOLIDAYS: '2026-12-24, 2026-12-25',
      CONSENT_PERIOD: '5bd',
      CONSENT_LINK_SECRET: 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sU',
      PUBLIC_BASE_URL: 'https://cpor-bot.azurewebsites.net/',
      SMTP_HOST: 'smtp.contoso.com',
      SMTP_USER: 'cpor',
      SMTP_PASSWORD: 'mail-secret',
      MAIL_FROM: 'CPOR <cpor@contoso.com>',
    });
    expect(result).toMatchObject({
      ok: true,
      config: {
        bot: { anonymous: false, appType: 'SingleTenant' },
        server: { host: '0.0.0.0' },
        cosmos: { mode: 'azure', loopback: false },
        blob: { mode: 'azure' },
        calendar: { timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] },
        consentPeriod: { amount: 5, unit: 'businessDays' },
        demoData: false,
        consent: { secret: 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sU', linkDays: 90, publicBaseUrl: 'https://cpor-bot.azurewebsites.net' },
        mail: { mode: 'smtp', host: 'smtp.contoso.com', port: 587, secure: false, user: 'cpor', password: 'mail-secret', from: 'CPOR <cpor@contoso.com>' },
      },
    });
  });

  test('business hours: 09:00-17:00 by default, configurable, and a bad value is named', () => {
    const byDefault = loadConfig({});
    expect(byDefault.ok && byDefault.config.calendar.businessHours).toEqual({ start: 540, end: 1020 });
    const early = loadConfig({ BUSINESS_HOURS: '07:30-15:00' });
    expect(early.ok && early.config.calendar.businessHours).toEqual({ start: 450, end: 900 });
    const bad = loadConfig({ BUSINESS_HOURS: '17:00-09:00' });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors).toEqual(['BUSINESS_HOURS must be a start and end time on a 24-hour clock, start first, such as 09:00-17:00 (got "17:00-09:00")']);
  });

  test('consent links and mail: a persistent store needs a lasting secret; SMTP needs a sender; without SMTP mail waits in the outbox', () => {
    const result = loadConfig({
      COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/',
      COSMOS_KEY: 'k',
      SMTP_HOST: 'smtp.contoso.com',
      SMTP_USER: 'cpor',
      CONSENT_LINK_DAYS: '0',
      PUBLIC_BASE_URL: 'cpor-bot',
      CONSENT_LINK_SECRET: 'short',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'CONSENT_LINK_SECRET must be at least 32 characters (a random secret, for example from "openssl rand -base64 48")',
      'CONSENT_LINK_DAYS must be from 1 to 365 days (got "0")',
      'PUBLIC_BASE_URL must be the bot\'s public URL such as https://cpor-bot.azurewebsites.net (got "cpor-bot")',
      'MAIL_FROM is required when SMTP_HOST is set',
      'SMTP_USER and SMTP_PASSWORD are set together',
    ]);
    expect(loadConfig({ COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/', COSMOS_KEY: 'k' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('CONSENT_LINK_SECRET is required when COSMOS_ENDPOINT is set')],
    });
    expect(loadConfig({ SMTP_HOST: 'smtp.contoso.com', SMTP_PORT: '465', MAIL_FROM: 'cpor@contoso.com' })).toMatchObject({
      ok: true,
      config: { mail: { mode: 'smtp', port: 465, secure: true } },
    });
    expect(loadConfig({})).toMatchObject({ ok: true, config: { mail: { mode: 'outbox' }, consent: { linkDays: 90 } } });
  });

  test('each bad or missing variable is named once, with what is expected; secrets are not echoed', () => {
    const result = loadConfig({
      MicrosoftAppId: '0d2c8b2e-1111-4222-8333-444455556666',
      MicrosoftAppType: 'SingleTenant',
      PORT: '99999',
      COSMOS_KEY: 'super-secret-key',
      AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      BUSINESS_HOLIDAYS: '2026-12-24,24.12.2026',
      CONSENT_PERIOD: 'a week',
      DEMO_DATA: 'yes',
      SWEEP_INTERVAL_SECONDS: '1',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'PORT must be from 0 to 65535 (got "99999")',
      'AZURE_STORAGE_CONNECTION_STRING must be a connection string with AccountName and AccountKey (needed to sign short-lived PoE links)',
      'BUSINESS_HOLIDAYS must be a comma-separated list of YYYY-MM-DD dates (got "2026-12-24,24.12.2026")',
      'CONSENT_PERIOD must be a number of days such as 7d, or of business days such as 5bd (got "a week")',
      'DEMO_DATA must be true or false (got "yes")',
      'SWEEP_INTERVAL_SECONDS must be 0 (no sweep loop) or from 5 to 3600 seconds (got "1")',
      'MicrosoftAppPassword is required when MicrosoftAppId is set',
      'MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant',
      "PUBLIC_BASE_URL is required when MicrosoftAppId is set: it is the bot's public https address, used in the consent links e-mailed to customers",
      'COSMOS_ENDPOINT is required when COSMOS_KEY is set',
    ]);
    expect(formatConfigErrors(result.errors)).not.toContain('super-secret-key');
  });

  test('with an app id, consent links must point at a public https address, never the listening address', () => {
    const bot = { MicrosoftAppId: '0d2c8b2e-1111-4222-8333-444455556666', MicrosoftAppPassword: 'secret' };
    expect(loadConfig(bot)).toEqual({
      ok: false,
      errors: ["PUBLIC_BASE_URL is required when MicrosoftAppId is set: it is the bot's public https address, used in the consent links e-mailed to customers"],
    });
    expect(loadConfig({ ...bot, PUBLIC_BASE_URL: 'http://cpor-bot.contoso.com' })).toEqual({
      ok: false,
      errors: ['PUBLIC_BASE_URL must be an https:// address when MicrosoftAppId is set (customers open consent links from e-mail)'],
    });
    expect(loadConfig({ ...bot, PUBLIC_BASE_URL: 'https://cpor-bot.contoso.com/' })).toMatchObject({
      ok: true,
      config: { consent: { publicBaseUrl: 'https://cpor-bot.contoso.com' } },
    });
    // Local use keeps the listening-address fallback, and may use http.
    const local = loadConfig({});
    expect(local.ok && local.config.consent.publicBaseUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://localhost:3978' })).toMatchObject({
      ok: true,
      config: { consent: { publicBaseUrl: 'http://localhost:3978' } },
    });
  });

  test('channels: msteams only unless ALLOWED_CHANNELS adds others; msteams is always served', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { bot: { allowedChannels: ['msteams'] } } });
    expect(loadConfig({ ALLOWED_CHANNELS: 'emulator, webchat' })).toMatchObject({
      ok: true,
      config: { bot: { allowedChannels: ['msteams', 'emulator', 'webchat'] } },
    });
    expect(loadConfig({ ALLOWED_CHANNELS: 'webchat,msteams' })).toMatchObject({ ok: true, config: { bot: { allowedChannels: ['msteams', 'webchat'] } } });
    expect(loadConfig({ ALLOWED_CHANNELS: 'web chat' })).toEqual({
      ok: false,
      errors: ['ALLOWED_CHANNELS must be a comma-separated list of Bot Framework channel ids such as msteams,emulator (got "web chat")'],
    });
  });

  test('empty variables count as unset, as .env files leave them', () => {
    expect(loadConfig({ MicrosoftAppId: '', COSMOS_ENDPOINT: '  ', PORT: '' })).toMatchObject({
      ok: true,
      config: { bot: { anonymous: true }, cosmos: { mode: 'embedded' }, server: { port: 3978 } },
    });
  });

  test('a Cosmos DB emulator on this machine is trusted with its self-signed certificate; demo data stays off', () => {
    expect(
      loadConfig({ COSMOS_ENDPOINT: 'https://localhost:8081/', COSMOS_KEY: 'k', CONSENT_LINK_SECRET: 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sU' }),
    ).toMatchObject({ ok: true, config: { cosmos: { mode: 'azure', loopback: true }, demoData: false } });
  });

  test('managed identity: COSMOS_ENDPOINT without COSMOS_KEY and AZURE_STORAGE_ACCOUNT_URL sign in with Microsoft Entra ID; keys keep working', () => {
    const secret = { CONSENT_LINK_SECRET: 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sU' };
    const keyless = loadConfig({
      ...secret,
      COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/',
      AZURE_STORAGE_ACCOUNT_URL: 'https://cporpoe.blob.core.windows.net/',
      AZURE_CLIENT_ID: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    });
    expect(keyless).toMatchObject({
      ok: true,
      config: {
        cosmos: { mode: 'azure', endpoint: 'https://cpor.documents.azure.com:443/' },
        blob: { mode: 'azure', accountUrl: 'https://cporpoe.blob.core.windows.net', container: 'poe' },
        azureClientId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      },
    });
    expect(keyless.ok && 'key' in keyless.config.cosmos).toBe(false);
    const keyed = loadConfig({
      ...secret,
      COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/',
      COSMOS_KEY: 'k',
      AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=b',
    });
    expect(keyed).toMatchObject({ ok: true, config: { cosmos: { key: 'k' }, blob: { connectionString: 'AccountName=a;AccountKey=b' } } });
    expect(keyed.ok && 'azureClientId' in keyed.config).toBe(false);
  });

  test('managed identity settings that cannot work are named with what is expected', () => {
    expect(loadConfig({ COSMOS_KEY: 'k' })).toEqual({ ok: false, errors: ['COSMOS_ENDPOINT is required when COSMOS_KEY is set'] });
    expect(
      loadConfig({ AZURE_STORAGE_ACCOUNT_URL: 'https://cporpoe.blob.core.windows.net', AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=b' }),
    ).toEqual({
      ok: false,
      errors: [
        'AZURE_STORAGE_CONNECTION_STRING and AZURE_STORAGE_ACCOUNT_URL are alternatives: set the connection string (account key) or the account URL (managed identity), not both',
      ],
    });
    for (const bad of [
      'cporpoe.blob.core.windows.net',
      'http://cporpoe.blob.core.windows.net',
      'https://cporpoe.blob.core.windows.net/poe',
      'https://cporpoe.blob.core.windows.net/?sv=2024-01-01&sig=abc',
    ]) {
      const result = loadConfig({ AZURE_STORAGE_ACCOUNT_URL: bad });
      expect([bad, result.ok || result.errors]).toEqual([
        bad,
        [
          `AZURE_STORAGE_ACCOUNT_URL must be the storage account's blob endpoint such as https://myaccount.blob.core.windows.net (no path, no SAS token) (got "${bad}")`,
        ],
      ]);
    }
    // Azurite on this machine: http and the path-style account name.
    expect(loadConfig({ AZURE_STORAGE_ACCOUNT_URL: 'http://127.0.0.1:10000/devstoreaccount1' })).toMatchObject({
      ok: true,
      config: { blob: { accountUrl: 'http://127.0.0.1:10000/devstoreaccount1' } },
    });
    expect(loadConfig({ AZURE_CLIENT_ID: 'cpor-identity' })).toEqual({
      ok: false,
      errors: ['AZURE_CLIENT_ID must be the client id (a GUID) of the user-assigned managed identity (got "cpor-identity")'],
    });
    const azure = {
      COSMOS_ENDPOINT: 'https://cpor.documents.azure.com:443/',
      CONSENT_LINK_SECRET: 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sU',
      AZURE_STORAGE_ACCOUNT_URL: 'https://cporpoe.blob.core.windows.net',
    };
    expect(loadConfig({ ...azure, DATA_DIR: '/srv/cpor' })).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('DATA_DIR is for the embedded stores')],
    });
  });

  test('POE_DOWNLOAD_HOSTS: SharePoint and OneDrive by default; a list of names and *.domain patterns; anything else is named', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { poeDownloadHosts: ['*.sharepoint.com', '*.sharepoint-df.com', '*.svc.ms'] } });
    expect(loadConfig({ POE_DOWNLOAD_HOSTS: ' *.SharePoint.cn, files.contoso.com ' })).toMatchObject({
      ok: true,
      config: { poeDownloadHosts: ['*.sharepoint.cn', 'files.contoso.com'] },
    });
    for (const bad of ['https://contoso.sharepoint.com', '*.sharepoint.com:443', '*', '*.com.', 'contoso.sharepoint.com/path', '10.0.0.1']) {
      const result = loadConfig({ POE_DOWNLOAD_HOSTS: bad });
      expect([bad, result.ok || result.errors]).toEqual([
        bad,
        [expect.stringMatching(/^POE_DOWNLOAD_HOSTS must be a comma-separated list of host names or \*\.domain patterns/)],
      ]);
    }
  });
});
