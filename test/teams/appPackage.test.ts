import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOT_COMMANDS, parseCommand } from '../../bot/commands/chatCommands';
import { SEARCH_COMMAND_ID } from '../../bot/messageExtension/claimExtension';
import { t } from '../../src/i18n/teamsMarkdown';
import { textDrift } from '../../scripts/manifestTexts';
import { unzip } from '../../src/services/poe/zipWriter';
import {
  APP_PACKAGE_DIR,
  buildAppPackage,
  COMMAND_LIMITS,
  commandDrift,
  commandListsByScope,
  fillPlaceholders,
  alphaSummary,
  iconProblems,
  localizationProblems,
  PackageError,
  placeholderValues,
  SCOPES,
  schemaFileFor,
  schemaProblems,
  teamsProblems,
} from '../../scripts/packageApp';
import { PNG } from 'pngjs';

/**
 * The Teams app package: appPackage/manifest.json (with its placeholders), the icons, and
 * `npm run package` as a newcomer runs it. Schema validation is offline: the schema file comes from
 * @microsoft/app-manifest, and any network access during validation fails the test.
 */

// @microsoft/app-manifest requires strip-bom 5, an ES module: Node 20.19+ loads it (require(esm)), jest's module
// system cannot. Only the library's file readers use it, not the schema validation tested here.
jest.mock(require.resolve('strip-bom', { paths: [require('node:path').dirname(require.resolve('@microsoft/app-manifest'))] }), () => ({
  __esModule: true,
  default: (text: string) => text.replace(/^\uFEFF/, ''),
}));

const ROOT = join(__dirname, '..', '..');
const BOT_ID = '0b6f2b4e-3c1d-4a8e-9f70-2d5e6c7b8a91';
const source = readFileSync(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
const sourceManifest = JSON.parse(source);
const PUBLIC_HOST = 'cpor-bot.example';
const filledManifest = () => JSON.parse(fillPlaceholders(source, { BOT_ID, TEAMS_APP_ID: BOT_ID, PUBLIC_BASE_HOST: PUBLIC_HOST }, {}).text);
const zhFile = JSON.parse(readFileSync(join(APP_PACKAGE_DIR, 'zh-cn.json'), 'utf8'));
const readBeside = (name: string) => (name === 'zh-cn.json' ? JSON.stringify(zhFile) : undefined);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cpor-apppackage-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Schema validation must not touch the network: the test fails if anything calls fetch. */
function offline() {
  return jest.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
    throw new Error(`network access during manifest validation: ${String(url)}`);
  });
}

describe('appPackage/manifest.json', () => {
  test("uses manifest schema 1.17 or later, with the bot id, the app id and the claim links' host as placeholders", () => {
    const [major, minor] = String(sourceManifest.manifestVersion).split('.').map(Number);
    expect(major > 1 || (major === 1 && minor >= 17)).toBe(true);
    expect(sourceManifest.$schema).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${sourceManifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(existsSync(schemaFileFor(sourceManifest.manifestVersion))).toBe(true);
    expect(sourceManifest.id).toBe('${{TEAMS_APP_ID}}');
    expect(sourceManifest.bots[0].botId).toBe('${{BOT_ID}}');
    expect([...new Set([...source.matchAll(/\$\{\{(\w+)\}\}/g)].map((m) => m[1]))].sort()).toEqual(['BOT_ID', 'PUBLIC_BASE_HOST', 'TEAMS_APP_ID']);
  });

  test('is valid against its JSON schema offline, once the placeholders are filled', async () => {
    const fetchSpy = offline();
    try {
      expect(await schemaProblems(filledManifest())).toEqual([]);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  test('the schema check does find errors: a bad bot id, a missing field, an unknown property', async () => {
    const fetchSpy = offline();
    try {
      const broken = filledManifest();
      broken.bots[0].botId = 'not-a-guid';
      delete broken.developer;
      broken.bots[0].colour = 'blue';
      const problems = (await schemaProblems(broken)).join('\n');
      expect(problems).toContain('/bots/0/botId');
      expect(problems).toContain("must have required property 'developer'");
      expect(problems).toContain('must NOT have additional properties');
      expect(
        await schemaProblems({
          ...filledManifest(),
          manifestVersion: '1.16',
          $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.schema.json',
        }),
      ).toEqual(['manifestVersion is 1.16; the app needs 1.17 or later']);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  test('one bot in the personal, team and groupChat scopes, supporting files', () => {
    const bot = filledManifest().bots[0];
    expect(bot.scopes).toEqual(expect.arrayContaining(['personal', 'team', 'groupChat']));
    expect(bot.supportsFiles).toBe(true);
    expect(teamsProblems(filledManifest(), BOT_ID)).toEqual([]);
  });

  test("a command list per scope, within Teams' limits, and the same as the bot's own commands", () => {
    const lists = commandListsByScope(sourceManifest);
    const titles = (scope: 'personal' | 'team' | 'groupChat') => (lists[scope] ?? []).map((c) => c.title).sort();
    expect(titles('personal')).toEqual([
      'claim',
      'dispute',
      'export my claims',
      'help',
      'history',
      'my claims',
      'new claim',
      'what needs my action',
      'withdraw',
    ]);
    for (const scope of ['team', 'groupChat'] as const)
      expect(titles(scope)).toEqual(['claim', 'help', 'history', 'use this channel for reviews', 'what needs my action']);
    for (const list of sourceManifest.bots[0].commandLists) {
      expect(list.scopes).toHaveLength(1);
      expect(list.commands.length).toBeLessThanOrEqual(COMMAND_LIMITS.commandsPerList);
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeGreaterThan(0);
        expect(command.description.length).toBeLessThanOrEqual(128);
      }
    }
    // The manifest and bot/commands/chatCommands.ts cannot drift apart: `npm run package` refuses, and so does this test.
    expect(commandDrift(sourceManifest)).toEqual([]);
    const drifted = { ...BOT_COMMANDS, team: BOT_COMMANDS.team.filter((c) => c.title !== 'history') };
    expect(commandDrift(sourceManifest, drifted)).toEqual(['command lists: team: the manifest lists "history", which the bot does not offer in this scope']);
  });

  test("Teams' own rules beyond the schema are checked: a title over 32 characters, a missing scope, no files", () => {
    const manifest = filledManifest();
    manifest.bots[0].commandLists[0].commands[0].title = 'show me every claim of my organisation';
    manifest.bots[0].scopes = ['personal', 'team'];
    manifest.bots[0].supportsFiles = false;
    const problems = teamsProblems(manifest, BOT_ID);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('is 38 characters; Teams allows 32'),
        'bots[0].scopes must include "groupChat"',
        expect.stringContaining('bots[0].supportsFiles must be true'),
      ]),
    );
  });
});

describe('the message extension in the manifest', () => {
  test("one search command (claim text and a status), and claim links of the bot's public host unfurled by the bot", () => {
    const manifest = filledManifest();
    const [extension] = manifest.composeExtensions;
    expect(extension.botId).toBe(BOT_ID);
    expect(extension.commands).toEqual([
      expect.objectContaining({
        id: SEARCH_COMMAND_ID,
        type: 'query',
        initialRun: true,
        parameters: [expect.objectContaining({ name: 'query', inputType: 'text' }), expect.objectContaining({ name: 'status', inputType: 'text' })],
      }),
    ]);
    expect(extension.messageHandlers).toEqual([{ type: 'link', value: { domains: [PUBLIC_HOST] } }]);
    expect(teamsProblems(manifest, BOT_ID)).toEqual([]);
    const broken = filledManifest();
    broken.composeExtensions[0].botId = '5d1a7c3e-2b4f-4e6a-8c9d-0e1f2a3b4c5d';
    broken.composeExtensions[0].messageHandlers = [];
    expect(teamsProblems(broken, BOT_ID)).toEqual([
      `composeExtensions[0].botId is "5d1a7c3e-2b4f-4e6a-8c9d-0e1f2a3b4c5d", not the bot's id (${BOT_ID}): the bot answers the extension's invokes`,
      "composeExtensions[0].messageHandlers must name the domain of claim links (PUBLIC_BASE_URL's host)",
    ]);
  });

  test("the link domain is PUBLIC_BASE_URL's host: a missing or non-https PUBLIC_BASE_URL is refused by name", () => {
    expect(placeholderValues({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'https://CPOR-bot.contoso.com:8443/' })).toEqual({
      ok: true,
      values: { BOT_ID, TEAMS_APP_ID: BOT_ID, PUBLIC_BASE_HOST: 'cpor-bot.contoso.com:8443' },
    });
    expect(placeholderValues({ MicrosoftAppId: BOT_ID })).toEqual({ ok: false, errors: [expect.stringContaining('PUBLIC_BASE_URL is not set')] });
    expect(placeholderValues({ MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'http://cpor-bot.contoso.com' })).toEqual({
      ok: false,
      errors: [expect.stringContaining("PUBLIC_BASE_URL must be the bot's public https address")],
    });
  });
});

describe('localization (en-us in the manifest, zh-cn.json beside it)', () => {
  test("localizationInfo names en-us as the default and zh-cn.json, which is valid against Teams' localization schema offline", async () => {
    expect(sourceManifest.localizationInfo).toEqual({ defaultLanguageTag: 'en-us', additionalLanguages: [{ languageTag: 'zh-cn', file: 'zh-cn.json' }] });
    const fetchSpy = offline();
    try {
      expect(await localizationProblems(filledManifest(), readBeside)).toEqual([]);
      // The check finds what Teams would refuse: a key Teams does not translate, a name over 30 characters.
      const broken = { ...zhFile, 'bots[0].scopes[0]': '个人', 'name.short': '长'.repeat(31) };
      const problems = (await localizationProblems(filledManifest(), (name) => (name === 'zh-cn.json' ? JSON.stringify(broken) : undefined))).join('\n');
      expect(problems).toContain('zh-cn.json: localization schema v1.23');
      expect(problems).toContain('must NOT have additional properties');
      expect(problems).toContain('/name.short');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  test("names, descriptions, command menus and the search command are translated, from the bot's string tables", () => {
    expect(zhFile['name.short']).toBe(t('zh-CN', 'app.name.short'));
    expect(zhFile['composeExtensions[0].commands[0].title']).toBe(t('zh-CN', 'extension.search.title'));
    expect(zhFile['composeExtensions[0].commands[0].parameters[1].title']).toBe(t('zh-CN', 'extension.param.status.title'));
    expect(textDrift(filledManifest(), readBeside)).toEqual([]);
    // A translation edited by hand, a missing file, an English text changed in the manifest alone: each is named.
    const edited = { ...zhFile, 'bots[0].commandLists[0].commands[0].title': '我的申报' };
    expect(textDrift(filledManifest(), (name) => (name === 'zh-cn.json' ? JSON.stringify(edited) : undefined))).toEqual([
      'texts: zh-cn.json bots[0].commandLists[0].commands[0].title is "我的申报"; expected "我的声明"',
    ]);
    expect(textDrift(filledManifest(), () => undefined)).toEqual(['texts: zh-cn.json is missing beside manifest.json']);
    const manifest = filledManifest();
    manifest.composeExtensions[0].commands[0].title = 'Search';
    expect(textDrift(manifest, readBeside)).toEqual([
      'texts: manifest.json composeExtensions[0].commands[0].title is "Search"; the bot\'s en-US text is "Find a claim"',
    ]);
  });

  test('the command menus in both languages: each title, as Teams inserts it, is the same command in each scope', () => {
    const en = commandListsByScope(sourceManifest);
    SCOPES.forEach((scope, i) => {
      const zhTitles = (en[scope] ?? []).map((_c, j) => zhFile[`bots[0].commandLists[${i}].commands[${j}].title`] as string);
      expect(sourceManifest.bots[0].commandLists[i].scopes).toEqual([scope]);
      expect(zhTitles.every((title) => /[\u4e00-\u9fff]/.test(title))).toBe(true);
      expect(zhTitles.map((title) => parseCommand(title).kind)).toEqual((en[scope] ?? []).map((c) => parseCommand(c.title).kind));
    });
  });
});

describe('icons', () => {
  const readIcon = (name: string) => PNG.sync.read(readFileSync(join(APP_PACKAGE_DIR, name)));
  /** An 8-bit RGBA PNG of the given pixels, written by pngjs. */
  const encodePng = (width: number, height: number, rgba: Buffer): Buffer => {
    const image = new PNG({ width, height });
    rgba.copy(image.data);
    return PNG.sync.write(image);
  };

  test('color.png is 192x192', () => {
    const color = readIcon('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
  });

  test('outline.png is 32x32, white on a transparent background', () => {
    const outline = readIcon('outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.colorType).toBe(6); // RGBA: an alpha channel
    const alpha = alphaSummary(outline);
    expect(alpha.transparent).toBeGreaterThan(32 * 32 * 0.3); // mostly background
    expect(alpha.opaque + alpha.partial).toBeGreaterThan(32); // and a visible mark
    expect(alpha.visibleNotWhite).toBe(0);
    expect(iconProblems()).toEqual([]);
  });

  test('wrong icons are refused with the reason', () => {
    const dir = join(tmp, 'bad-icons');
    require('node:fs').mkdirSync(dir);
    writeFileSync(join(dir, 'color.png'), encodePng(96, 96, Buffer.alloc(96 * 96 * 4, 0xff)));
    const black = Buffer.alloc(32 * 32 * 4);
    for (let i = 0; i < 32 * 32; i++) black[i * 4 + 3] = 255; // opaque black everywhere
    writeFileSync(join(dir, 'outline.png'), encodePng(32, 32, black));
    expect(iconProblems(dir)).toEqual([
      'color.png is 96x96; Teams wants 192x192',
      'outline.png has no transparent pixel; Teams wants a white icon on a transparent background',
      'outline.png has 1024 visible pixels that are not white; Teams wants white on transparent',
    ]);
  });

  test('an icon that is not a PNG, or a missing one, is named with the reason', () => {
    const dir = join(tmp, 'broken-icons');
    require('node:fs').mkdirSync(dir);
    writeFileSync(join(dir, 'color.png'), 'GIF89a not a png');
    expect(iconProblems(dir)).toEqual([expect.stringMatching(/^color\.png is not a readable PNG: /), `outline.png is missing from ${dir}`]);
  });
});

/** `npm run package` as a newcomer runs it, with the given environment on top of this one. */
function npmRunPackage(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'package', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run package', () => {
  test('writes a ZIP of exactly manifest.json, color.png and outline.png, with the bot id filled in', async () => {
    const out = join(tmp, 'build', 'appPackage.zip');
    // An empty TEAMS_APP_ID counts as unset (and a developer's .env cannot set it: set variables win).
    const run = await npmRunPackage({ MicrosoftAppId: BOT_ID.toUpperCase(), TEAMS_APP_ID: '', PUBLIC_BASE_URL: `https://${PUBLIC_HOST}/` }, ['--out', out]);
    expect(run.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`bot id ${BOT_ID} (MicrosoftAppId)`);
    const entries = unzip(readFileSync(out));
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png', 'zh-cn.json']);
    expect(JSON.parse(entries.get('zh-cn.json')!.toString('utf8'))).toEqual(zhFile);
    const manifestText = entries.get('manifest.json')!.toString('utf8');
    expect(manifestText).not.toContain('${{');
    const manifest = JSON.parse(manifestText);
    expect(manifest.bots[0].botId).toBe(BOT_ID);
    expect(manifest.id).toBe(BOT_ID); // TEAMS_APP_ID unset: the bot id
    expect(manifest.composeExtensions[0]).toMatchObject({ botId: BOT_ID, messageHandlers: [{ type: 'link', value: { domains: [PUBLIC_HOST] } }] });
    expect(entries.get('color.png')!.equals(readFileSync(join(APP_PACKAGE_DIR, 'color.png')))).toBe(true);
    expect(entries.get('outline.png')!.equals(readFileSync(join(APP_PACKAGE_DIR, 'outline.png')))).toBe(true);
    const fetchSpy = offline();
    try {
      expect(await schemaProblems(manifest)).toEqual([]);
    } finally {
      fetchSpy.mockRestore();
    }
  }, 60_000);

  test.each([
    ['missing', '', 'MicrosoftAppId is not set'],
    ['malformed', 'my-bot', 'MicrosoftAppId must be the bot\'s Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000 (got "my-bot")'],
  ])(
    'a %s MicrosoftAppId is refused with a message naming it, and nothing is written',
    async (_case, appId, message) => {
      const out = join(tmp, `refused-${_case}.zip`);
      const run = await npmRunPackage({ MicrosoftAppId: appId }, ['--out', out]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Cannot build the app package: fix the configuration (.env or the environment):');
      expect(run.stderr).toContain(message);
      expect(existsSync(out)).toBe(false);
    },
    60_000,
  );

  test('TEAMS_APP_ID, when set, is the app id; a malformed one is refused by name', async () => {
    const appId = '5d1a7c3e-2b4f-4e6a-8c9d-0e1f2a3b4c5d';
    const built = await buildAppPackage(
      { MicrosoftAppId: BOT_ID, TEAMS_APP_ID: appId, PUBLIC_BASE_URL: 'https://cpor-bot.example' },
      { out: join(tmp, 'with-app-id.zip') },
    );
    expect(built.manifest).toMatchObject({ id: appId, bots: [{ botId: BOT_ID }] });
    await expect(
      buildAppPackage({ MicrosoftAppId: BOT_ID, TEAMS_APP_ID: 'cpor', PUBLIC_BASE_URL: 'https://cpor-bot.example' }, { out: join(tmp, 'x.zip') }),
    ).rejects.toThrow('TEAMS_APP_ID must be a GUID, the Teams app\'s id (got "cpor"); leave it unset to use the bot id');
  });

  test('a placeholder with no value is named; a manifest that breaks the schema is not packaged', async () => {
    const dir = join(tmp, 'other-manifest');
    require('node:fs').mkdirSync(dir);
    for (const file of ['color.png', 'outline.png', 'zh-cn.json']) copyFileSync(join(APP_PACKAGE_DIR, file), join(dir, file));
    const env = { MicrosoftAppId: BOT_ID, PUBLIC_BASE_URL: 'https://cpor-bot.example' };
    writeFileSync(join(dir, 'manifest.json'), source.replace('"https://example.com/cpor-claims"', '"${{APP_WEBSITE}}"'));
    await expect(buildAppPackage(env, { dir, out: join(dir, 'a.zip') })).rejects.toThrow(
      'appPackage/manifest.json uses ${{APP_WEBSITE}}, but APP_WEBSITE is not set',
    );
    const filled = await buildAppPackage({ ...env, APP_WEBSITE: 'https://cpor.example/test' }, { dir, out: join(dir, 'b.zip') });
    expect(filled.manifest).toMatchObject({ developer: { websiteUrl: 'https://cpor.example/test' } });

    writeFileSync(join(dir, 'manifest.json'), source.replace('"accentColor": "#0F6CBD",', ''));
    const error = await buildAppPackage(env, { dir, out: join(dir, 'c.zip') }).catch((e) => e);
    expect(error).toBeInstanceOf(PackageError);
    expect((error as PackageError).problems).toEqual([expect.stringContaining("must have required property 'accentColor'")]);
    expect(existsSync(join(dir, 'c.zip'))).toBe(false);
  });
});
