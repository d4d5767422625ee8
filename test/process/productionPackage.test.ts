import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { personalMessage, postActivity } from '../support/activities';
import { waitFor } from '../support/waitFor';
import { CARD_TEMPLATES } from '../../cards/cardTemplates';
import { sharedServers, TEST_CONSENT_SECRET, uniqueName } from '../support/testStorage';

/**
 * The package as production installs it: the build (dist/) beside `npm ci --omit=dev` in a copy of the
 * project, as the Dockerfile's runtime stage does. None of the local stand-ins, test tools or TypeScript
 * may be in it, and the built bot must start from it against the stores its settings name (here the
 * suite's shared embedded servers, reached as an operator reaches Azure: by endpoint).
 */

const ROOT = join(__dirname, '..', '..');
const DEV_ONLY = ['azurite', '@vercel/cosmosdb-server', 'tsx', 'typescript', 'jest', 'ts-jest', '@microsoft/m365agentsplayground', 'botbuilder-testing'];
const packageJson = require('../../package.json') as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Every installed package's name under a node_modules folder, nested ones included. */
function installedPackages(nodeModules: string): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      for (const name of scoped ? readdirSync(join(dir, entry)).map((n) => `${entry}/${n}`) : [entry]) {
        names.add(name);
        walk(join(dir, name, 'node_modules'));
      }
    }
  };
  walk(nodeModules);
  return names;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

describe('the production package', () => {
  test('dependencies hold what runs in production; the stand-ins and tools are dev dependencies', () => {
    for (const name of DEV_ONLY) {
      expect({ name, dependency: name in packageJson.dependencies }).toEqual({ name, dependency: false });
      expect({ name, devDependency: name in packageJson.devDependencies }).toEqual({ name, devDependency: true });
    }
    // What production runs never goes through tsx: the start, sweep and roster commands run dist/.
    for (const script of ['start', 'start:prod', 'sweep', 'roster:load']) expect(packageJson.scripts[script]).toMatch(/^node [^]* dist\/app\/[\w/]+\.js$/);
    expect(packageJson.scripts['start:prod']).toBe(packageJson.scripts.start);
    // npm's own view of the production tree, from the lockfile and what is installed here.
    const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
    const paths = ls.stdout.split('\n').filter(Boolean);
    expect(paths.length).toBeGreaterThan(50);
    for (const name of DEV_ONLY) expect({ name, found: paths.filter((p) => p.endsWith(`/node_modules/${name}`)) }).toEqual({ name, found: [] });
  });

  describe('npm ci --omit=dev beside the build, in a copy of the project', () => {
    const copy = mkdtempSync(join(tmpdir(), 'cpor-production-'));
    const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTENV_CONFIG_PATH: join(copy, 'no-such.env') };
    let installed: Set<string>;

    beforeAll(() => {
      for (const file of ['package.json', 'package-lock.json', 'data', 'assets']) cpSync(join(ROOT, file), join(copy, file), { recursive: true });
      mkdirSync(join(copy, 'scripts'));
      cpSync(join(ROOT, 'scripts', 'buildIfSourcesPresent.js'), join(copy, 'scripts', 'buildIfSourcesPresent.js'));
      const build = spawnSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(copy, 'dist')],
        { cwd: ROOT, encoding: 'utf8' },
      );
      if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
      const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: copy,
        encoding: 'utf8',
        env: { ...process.env, npm_config_loglevel: 'error' },
      });
      if (install.status !== 0) throw new Error(`npm ci --omit=dev failed: ${install.stdout}${install.stderr}`);
      installed = installedPackages(join(copy, 'node_modules'));
    }, 900_000);

    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    test('none of the local stand-ins, test tools or TypeScript is installed; what the bot imports is', () => {
      expect(DEV_ONLY.filter((name) => installed.has(name))).toEqual([]);
      for (const name of Object.keys(packageJson.dependencies)) expect(installed.has(name)).toBe(true);
    });

    test('the build holds the card templates but not their samples (test fixtures)', () => {
      const cards = readdirSync(join(copy, 'dist', 'cards'), { recursive: true }).map(String);
      expect(cards.filter((f) => f.endsWith('.sample.json'))).toEqual([]);
      expect(cards.filter((f) => f.endsWith('.json')).length).toBe(Object.keys(CARD_TEMPLATES).length);
    });

    test("the start, sweep and roster commands' pre-step builds nothing there: the shipped dist/ runs", () => {
      const pre = spawnSync(process.execPath, ['scripts/buildIfSourcesPresent.js'], { cwd: copy, encoding: 'utf8', env: baseEnv });
      expect({ status: pre.status, output: pre.stdout + pre.stderr }).toEqual({ status: 0, output: '' });
    });

    test('the built bot fills the PoE template from assets/ with the production dependencies', () => {
      const script =
        "const { poeTemplateDocx } = require('./dist/src/services/poe/poeTemplate'); " +
        "const docx = poeTemplateDocx({ locale: 'zh-CN', partnerName: 'Fabrikam', claim: { id: 'CL-PROD1', fields: {} } }); " +
        "process.stdout.write(docx.subarray(0, 2).toString('latin1') + ' ' + require('fflate').strFromU8(require('fflate').unzipSync(docx)['word/document.xml']).includes('CL-PROD1'))";
      const result = spawnSync(process.execPath, ['-e', script], { cwd: copy, encoding: 'utf8', env: baseEnv });
      expect({ status: result.status, out: result.stdout, err: result.stderr }).toEqual({ status: 0, out: 'PK true', err: '' });
    });

    test('the built bot starts against the stores its settings name, answers, and stops on SIGTERM', async () => {
      const { cosmosEndpoint, cosmosKey, blobConnectionString } = sharedServers();
      const [node, ...args] = packageJson.scripts['start:prod'].split(' ');
      expect(node).toBe('node');
      const bot = run(process.execPath, args, copy, {
        ...baseEnv,
        PORT: '0',
        COSMOS_ENDPOINT: cosmosEndpoint,
        COSMOS_KEY: cosmosKey,
        COSMOS_DATABASE: uniqueName('prod-'),
        AZURE_STORAGE_CONNECTION_STRING: blobConnectionString,
        POE_CONTAINER: uniqueName('poe-'),
        CONSENT_LINK_SECRET: TEST_CONSENT_SECRET,
        ROSTER_FILE: join(copy, 'data', 'demo-roster.json'),
      });
      try {
        await waitFor(() => /Ready in \d+ ms/.test(bot.output()) || bot.child.exitCode !== null, 120_000);
        const out = bot.output();
        expect(out).toContain(`Cosmos DB: Azure Cosmos DB at ${cosmosEndpoint}`);
        expect(out).not.toContain('embedded');
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(out)![1];
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        const { status, body } = await postActivity(url, personalMessage('help'));
        expect(status).toBe(200);
        expect(JSON.stringify(body)).toContain('You are signed in as Avery Fabrikam');
        bot.child.kill('SIGTERM');
        expect(await bot.exited).toBe(0);
      } finally {
        bot.child.kill('SIGKILL');
      }
    }, 180_000);

    test('without store settings it refuses in one line naming the setting, instead of failing to load the stand-ins', async () => {
      const bot = run(process.execPath, packageJson.scripts['start:prod'].split(' ').slice(1), copy, { ...baseEnv, PORT: '0', DATA_DIR: ':memory:' });
      expect(await bot.exited).toBe(1);
      const errors = bot
        .output()
        .split('\n')
        .filter((line) => line.startsWith('ERROR'));
      expect(errors).toEqual([
        expect.stringMatching(
          /^ERROR The bot could not start: COSMOS_ENDPOINT is not set and the embedded Cosmos DB server \(@vercel\/cosmosdb-server, a dev dependency\) is not installed: set COSMOS_ENDPOINT to use Azure, or run npm ci \(with dev dependencies\) for the local stand-in\s*$/,
        ),
      ]);
      expect(bot.output()).not.toMatch(/Cannot find module|\n\s+at /);
    }, 60_000);
  });
});
