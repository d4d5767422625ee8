import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config';
import { CONTAINERS } from '../../src/storage/cosmosDatabase';
import { applies, BicepTemplate, type Setting } from '../support/bicepReader';

/**
 * The settings the infrastructure gives the bot, held against what the bot reads (src/config/config.ts):
 * infra/azure.bicep's app settings for the web replicas and the sweep job, its Cosmos DB containers, the
 * commands it runs; the Agents Toolkit files (m365agents*.yml, env/, infra/azure.parameters.json).
 */

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const bicep = new BicepTemplate(read('infra/azure.bicep'));
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/**
 * What Azure fills in where the template has an expression (a resource's endpoint, an identity's id):
 * values of the shape Azure gives, so that the bot's own validation runs on them.
 */
const FROM_AZURE: Record<string, string> = {
  MicrosoftAppId: '0d2c8b2e-1111-4222-8333-444455556666',
  MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  PUBLIC_BASE_URL: 'https://cporabc123-bot.kindwave-1234abcd.westeurope.azurecontainerapps.io',
  COSMOS_ENDPOINT: 'https://cporabc123-cosmos.documents.azure.com:443/',
  AZURE_STORAGE_ACCOUNT_URL: 'https://cporabc123poexyz.blob.core.windows.net',
  AZURE_CLIENT_ID: '5b1e0c7d-2222-4333-8444-555566667777',
  APPLICATIONINSIGHTS_CONNECTION_STRING:
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  PORT: '3978',
};
/** What a secret holds: the consent-link secret is 64 characters from the toolkit's script. */
const SECRETS: Record<string, string> = {
  'consent-link-secret': 'k3Jx9VqA7wLmZ2rT8yBnC4dF6gH1jK5pQ0sUk3Jx9VqA7wLmZ2rT8yBnC4dF6gH1',
  'microsoft-app-password': 'bot-client-secret',
  'smtp-password': 'smtp-secret',
};

/** Parameter values of one deployment: the template's defaults, then the scenario's. */
function parameterValues(scenario: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of bicep.params()) if (p.defaultValue && /^'[^']*'$/.test(p.defaultValue)) values[p.name] = p.defaultValue.slice(1, -1);
  return { ...values, ...scenario };
}

/** The settings a resource (the bot's container app, the sweep job) gets, with their values for a deployment. */
function settingsOf(resource: 'bot' | 'sweep', params: Record<string, string>): Map<string, Setting & { resolved: string }> {
  const settings = new Map<string, Setting & { resolved: string }>();
  for (const variable of bicep.envVariables(resource).map((v) => bicep.settingsVariable(v))) {
    if (!applies(variable, params)) continue;
    for (const setting of variable.settings) {
      if (settings.has(setting.name)) throw new Error(`${resource} sets ${setting.name} twice`);
      const { value } = setting;
      const resolved =
        value.kind === 'literal'
          ? value.text
          : value.kind === 'secret'
            ? SECRETS[value.secretName]
            : /^\w+$/.test(value.text) && value.text in params
              ? params[value.text]
              : (/^\w+$/.test(value.text) && bicep.stringVariable(value.text)) || FROM_AZURE[setting.name];
      if (resolved === undefined) throw new Error(`${resource}: no value for ${setting.name} (${JSON.stringify(value)}): add what Azure gives to FROM_AZURE`);
      settings.set(setting.name, { ...setting, resolved });
    }
  }
  return settings;
}

const envOf = (settings: Map<string, { resolved: string }>) => Object.fromEntries([...settings].map(([name, s]) => [name, s.resolved]));

/**
 * Until the managed-identity code is in, config.ts still asks for an account key with COSMOS_ENDPOINT;
 * the template rightly sets none. The only error tolerated here, and only while config.ts makes it.
 */
const KEY_RULE_REPLACED_BY_MANAGED_IDENTITY = 'COSMOS_KEY is required when COSMOS_ENDPOINT is set';

const botAppTypes = bicep.params().find((p) => p.name === 'botAppType')!.allowed!;
const scenarios: [string, Record<string, string>][] = [
  ...botAppTypes.map((type): [string, Record<string, string>] => [`${type}, no SMTP`, { botAppType: type }]),
  [
    'SingleTenant, SMTP with a login',
    { botAppType: 'SingleTenant', smtpHost: 'smtp.contoso.com', smtpUser: 'cpor@contoso.com', smtpPassword: 'x', mailFrom: 'CPOR <cpor@contoso.com>' },
  ],
];

describe('infra/azure.bicep against the configuration the bot reads', () => {
  test('the template offers both bot identities and runs at least two replicas', () => {
    expect(botAppTypes.sort()).toEqual(['SingleTenant', 'UserAssignedMSI']);
    const minReplicas = bicep.params().find((p) => p.name === 'minReplicas')!;
    expect(Number(minReplicas.defaultValue)).toBeGreaterThanOrEqual(2);
    expect(read('infra/azure.bicep')).toMatch(/@minValue\(2\)\n(@[^\n]*\n)*param minReplicas int/);
  });

  test.each(scenarios)('%s: every setting of the bot and of the sweep job is one the bot reads', (_name, scenario) => {
    const params = parameterValues(scenario);
    for (const resource of ['bot', 'sweep'] as const) {
      const unknown = [...settingsOf(resource, params).keys()].filter((name) => !CONFIG_VARIABLES.includes(name));
      expect({ resource, unknown }).toEqual({ resource, unknown: [] });
    }
  });

  test.each(scenarios)('%s: the settings make a valid production configuration (nothing the bot requires is missing)', (_name, scenario) => {
    const params = parameterValues(scenario);
    for (const resource of ['bot', 'sweep'] as const) {
      const result = loadConfig(envOf(settingsOf(resource, params)));
      const errors = result.ok ? [] : result.errors.filter((e) => e !== KEY_RULE_REPLACED_BY_MANAGED_IDENTITY);
      expect({ resource, errors }).toEqual({ resource, errors: [] });
    }
  });

  test('Azure, not the stand-ins: stores by managed identity, no key or connection string, no local data; secrets only as secret references', () => {
    for (const [, scenario] of scenarios) {
      const params = parameterValues(scenario);
      for (const resource of ['bot', 'sweep'] as const) {
        const settings = settingsOf(resource, params);
        for (const required of [
          'MicrosoftAppId',
          'MicrosoftAppType',
          'MicrosoftAppTenantId',
          'COSMOS_ENDPOINT',
          'AZURE_STORAGE_ACCOUNT_URL',
          'AZURE_CLIENT_ID',
          'APPLICATIONINSIGHTS_CONNECTION_STRING',
          'CONSENT_LINK_SECRET',
          'PUBLIC_BASE_URL',
        ]) {
          expect({ resource, required, set: settings.has(required) }).toEqual({ resource, required, set: true });
        }
        for (const absent of ['COSMOS_KEY', 'AZURE_STORAGE_CONNECTION_STRING', 'DATA_DIR', 'DEMO_DATA', 'ALLOWED_CHANNELS']) {
          expect({ resource, absent, set: settings.has(absent) }).toEqual({ resource, absent, set: false });
        }
        expect(settings.get('LOG_FORMAT')!.resolved).toBe('json');
        expect(settings.get('PUBLIC_BASE_URL')!.value).toEqual({ kind: 'expression', text: "'https://${botFqdn}'" });
        for (const secret of ['CONSENT_LINK_SECRET', 'MicrosoftAppPassword', 'SMTP_PASSWORD']) {
          if (settings.has(secret)) expect(settings.get(secret)!.value.kind).toBe('secret');
        }
        // The password exists exactly when the bot signs in with a client secret.
        expect(settings.has('MicrosoftAppPassword')).toBe(params.botAppType === 'SingleTenant');
      }
    }
    const text = read('infra/azure.bicep');
    expect(text).toContain('disableLocalAuth: true');
    expect(text).toContain('allowSharedKeyAccess: false');
    expect(text).not.toMatch(/listKeys\(\)\.(keys|primaryMasterKey)|listConnectionStrings/);
  });

  test('the web replicas leave due timers to the sweep job, which runs the sweep command from dist/', () => {
    const params = parameterValues({});
    expect(settingsOf('bot', params).get('SWEEP_INTERVAL_SECONDS')!.resolved).toBe('0');
    expect(settingsOf('sweep', params).has('SWEEP_INTERVAL_SECONDS')).toBe(false);
    // The job's command is `npm run sweep` without npm in between.
    expect(bicep.stringArray('sweep', 'command')).toEqual(packageJson.scripts.sweep.split(' '));
    expect(packageJson.scripts.sweep).toMatch(/ dist\/app\/cli\/sweep\.js$/);
    expect(bicep.resource('sweep')).toMatch(/triggerType: 'Schedule'/);
    expect(bicep.resource('sweep')).toMatch(/parallelism: 1\n/);
  });

  test('probes: startup and liveness ask /healthz/live, readiness /healthz/ready, on the port the bot listens on', () => {
    const bot = bicep.resource('bot');
    const probe = (type: string) => new RegExp(`type: '${type}'\\n\\s+httpGet: \\{ path: '([^']+)', port: botPort \\}`).exec(bot)?.[1];
    expect({ startup: probe('Startup'), liveness: probe('Liveness'), readiness: probe('Readiness') }).toEqual({
      startup: '/healthz/live',
      liveness: '/healthz/live',
      readiness: '/healthz/ready',
    });
    expect(bot).toContain('targetPort: usesBotImage ? botPort : 80');
    expect(read('infra/azure.bicep')).toMatch(/\nvar botPort = 3978\n/);
    expect(FROM_AZURE.PORT).toBe('3978');
  });

  test('Cosmos DB: the template creates every container the bot opens, with its partition key and time to live', () => {
    const text = read('infra/azure.bicep');
    const block = /\nvar cosmosContainers = \[\n([\s\S]*?)\n\]/.exec(text)![1];
    const declared = block.split('\n').map((line) => {
      const m = /^\s*\{ name: '(\w+)', partitionKey: '([^']+)'(?:, defaultTtl: (-?\d+))? \}$/.exec(line);
      if (!m) throw new Error(`infra: "${line}" is not a container entry`);
      return { id: m[1], partitionKey: { paths: [m[2]] }, ...(m[3] !== undefined ? { defaultTtl: Number(m[3]) } : {}) };
    });
    expect(declared).toEqual(Object.values(CONTAINERS));
    expect(text).toMatch(/\nvar databaseName = 'cpor'\n/);
    expect(loadConfig({}).ok && (loadConfig({}) as { config: { cosmos: { database: string } } }).config.cosmos.database).toBe('cpor');
  });

  test('the image runs the production start command, on the port the template routes to', () => {
    const dockerfile = read('Dockerfile');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)![1];
    expect((JSON.parse(cmd) as string[]).join(' ')).toBe(packageJson.scripts['start:prod']);
    expect(dockerfile).toMatch(/^EXPOSE 3978$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toMatch(/^COPY assets \.\/assets$/m); // the PoE template documents the bot fills
  });
});

/** `${{NAME}}` placeholders, as the Agents Toolkit writes them. */
const placeholders = (text: string) => [...text.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);

/** KEY=value lines of a toolkit env/ file (comments and blank lines skipped). */
function envFile(name: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of read(`env/${name}`).split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) entries.set(m[1], m[2]);
  }
  return entries;
}

interface Action {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface ToolkitProject {
  provision?: Action[];
  deploy?: Action[];
}

/**
 * Walks a project's actions in order, as the toolkit runs them, and reports each placeholder used
 * before anything defines it: the environment file, an earlier action's outputs (writeToEnvironmentFile,
 * `::set-teamsfx-env NAME=` in a script, the template's outputs after arm/deploy), or a secret the
 * toolkit keeps in env/.env.<name>.user.
 */
function undefinedPlaceholders(projectFile: string, environment: string): string[] {
  const project = parseYaml(read(projectFile)) as ToolkitProject;
  const defined = new Set(envFile(`.env.${environment}`).keys());
  const missing: string[] = [];
  const use = (text: string, where: string) => {
    for (const name of placeholders(text)) if (!defined.has(name)) missing.push(`${name} (${where})`);
  };
  for (const [stage, actions] of [
    ['provision', project.provision ?? []],
    ['deploy', project.deploy ?? []],
  ] as const) {
    for (const action of actions) {
      const where = `${stage}: ${action.uses}`;
      use(JSON.stringify(action.with ?? {}), where);
      if (action.uses === 'arm/deploy') {
        for (const template of (action.with as { templates: { path: string; parameters?: string }[] }).templates) {
          if (template.parameters) use(read(template.parameters), `${where} ${template.parameters}`);
          for (const output of new BicepTemplate(read(template.path)).outputs()) defined.add(output);
        }
      }
      if (action.uses === 'script') {
        for (const m of String(action.with?.run ?? '').matchAll(/::set-teamsfx-env (\w+)=/g)) defined.add(m[1]);
      }
      for (const output of Object.values(action.writeToEnvironmentFile ?? {})) defined.add(output);
    }
  }
  return missing;
}

describe('the Agents Toolkit project against the template and the configuration', () => {
  test.each([
    ['m365agents.yml', 'dev'],
    ['m365agents.local.yml', 'local'],
    ['m365agents.playground.yml', 'playground'],
  ])('%s: every ${{NAME}} it and its parameters use is defined first (env/.env.%s or an earlier action)', (file, environment) => {
    expect(undefinedPlaceholders(file, environment)).toEqual([]);
  });

  test('infra/azure.parameters.json sets only parameters the template declares, and every one without a default', () => {
    const given = Object.keys((JSON.parse(read('infra/azure.parameters.json')) as { parameters: Record<string, unknown> }).parameters);
    const params = bicep.params();
    expect(given.filter((name) => !params.some((p) => p.name === name))).toEqual([]);
    expect(
      params
        .filter((p) => p.defaultValue === undefined)
        .map((p) => p.name)
        .filter((name) => !given.includes(name)),
    ).toEqual([]);
    // A parameter with allowed values gets one from env/.env.dev (an empty value would fail the deployment).
    const env = envFile('.env.dev');
    const parameters = JSON.parse(read('infra/azure.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    for (const p of params.filter((p) => p.allowed && given.includes(p.name))) {
      const value = String(parameters.parameters[p.name].value).replace(/\$\{\{(\w+)\}\}/g, (_m, name: string) => env.get(name) ?? '');
      expect({ param: p.name, value, allowed: p.allowed!.includes(value) }).toEqual({ param: p.name, value, allowed: true });
    }
  });

  test('every output of the template has its line in env/.env.dev, where the toolkit writes it', () => {
    const env = envFile('.env.dev');
    expect(bicep.outputs().filter((o) => !env.has(o))).toEqual([]);
    for (const needed of ['BOT_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT']) expect(bicep.outputs()).toContain(needed);
  });

  test.each([
    ['m365agents.local.yml', 'local'],
    ['m365agents.playground.yml', 'playground'],
  ])('%s: the settings it writes for the bot are ones the bot reads, and make a valid configuration', (file, environment) => {
    const project = parseYaml(read(file)) as ToolkitProject;
    const writes = (project.deploy ?? []).filter((a) => a.uses === 'file/createOrUpdateEnvironmentFile');
    expect(writes).toHaveLength(1);
    const envs = writes[0].with!.envs as Record<string, string | number>;
    expect(Object.keys(envs).filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
    // Filled as the toolkit fills them: from env/.env.<environment>, or what the toolkit writes there.
    const env = envFile(`.env.${environment}`);
    const filled: Record<string, string> = {
      BOT_ID: FROM_AZURE.MicrosoftAppId,
      SECRET_BOT_PASSWORD: 'bot-client-secret',
      TEAMS_APP_TENANT_ID: FROM_AZURE.MicrosoftAppTenantId,
      BOT_ENDPOINT: 'https://x1y2z3-3978.euw.devtunnels.ms',
    };
    const resolved = Object.fromEntries(
      Object.entries(envs).map(([name, value]) => [name, String(value).replace(/\$\{\{(\w+)\}\}/g, (_m, v: string) => env.get(v) || filled[v] || '')]),
    );
    expect(loadConfig(resolved)).toMatchObject({ ok: true });
  });
});
