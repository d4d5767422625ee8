import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import { BOT_COMMANDS, type BotCommand, type CommandScope } from '../bot/commands/chatCommands';
import { GUID_PATTERN } from '../src/domain/claimFields';
import { zip } from '../src/services/poe/zipWriter';
import { LOCALIZATIONS, textDrift, writeManifestTexts } from './manifestTexts';
import { PNG, type PNGWithMetadata } from 'pngjs';

/**
 * `npm run package`: the Teams app package, appPackage/build/appPackage.zip, for sideloading into Teams
 * (Apps > Manage your apps > Upload an app) or publishing through the Teams admin center.
 *
 * appPackage/manifest.json keeps `${{NAME}}` placeholders, as Microsoft's Teams tooling does; this fills
 * them from the environment (and .env): `${{BOT_ID}}` is MicrosoftAppId, `${{TEAMS_APP_ID}}` is
 * TEAMS_APP_ID or, by default, the bot id (stable, so a new package updates the same app); any other
 * `${{NAME}}` is the variable NAME. Then it checks what Teams would refuse, offline: the manifest against
 * its JSON schema (the schema files shipped in @microsoft/app-manifest, never fetched), Teams' own limits
 * (scopes, files, command lists), the icons, and that the command lists are the bot's
 * (bot/commands/chatCommands.ts), and writes a flat ZIP of exactly manifest.json, color.png, outline.png.
 *
 * Options: `--out <file>` writes the ZIP elsewhere; `--write-commands` rewrites the manifest's command
 * lists from the bot's commands (run it after changing a command, then commit the manifest).
 *
 * This is a build tool, not part of the running bot: it lives in scripts/ (outside the product's src/ and
 * bot/ layers and its build), may read bot/commands, and uses the devDependency @microsoft/app-manifest.
 */

export const APP_PACKAGE_DIR = join(__dirname, '..', 'appPackage');
export const DEFAULT_OUT = join(APP_PACKAGE_DIR, 'build', 'appPackage.zip');
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png', ...LOCALIZATIONS.map((l) => l.file)] as const;
export const SCOPES: CommandScope[] = ['personal', 'team', 'groupChat'];
/** The oldest manifest schema the app may use (files in a 1:1 chat, command lists per scope as written here). */
export const MIN_MANIFEST_VERSION = '1.17';
/** Teams' limits on a bot's command menu (learn.microsoft.com, "Create a commands menu"); the schema alone allows longer. */
export const COMMAND_LIMITS = { commandsPerList: 10, title: 32, description: 128 };
export const ICON_SIZES = { color: 192, outline: 32 };

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Problems that stop the package, one line each, naming the variable or the manifest path at fault. */
export class PackageError extends Error {
  constructor(
    readonly problems: string[],
    readonly kind: 'configuration' | 'package',
  ) {
    super(problems.join('\n'));
  }
}

type Env = Record<string, string | undefined>;

/** The values of the manifest's placeholders from the environment, or one message per bad variable. */
export function placeholderValues(env: Env): { ok: true; values: Record<string, string> } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const botId = env.MicrosoftAppId?.trim() ?? '';
  if (!botId) {
    errors.push(
      "MicrosoftAppId is not set: it is the bot's Microsoft App ID (a GUID, on the Azure Bot's Configuration page) and the manifest's bot id. Set it in .env or in the environment.",
    );
  } else if (!GUID_PATTERN.test(botId)) {
    errors.push(`MicrosoftAppId must be the bot's Microsoft App ID, a GUID such as 00000000-0000-0000-0000-000000000000 (got "${botId}")`);
  }
  const appId = env.TEAMS_APP_ID?.trim() || botId;
  if (env.TEAMS_APP_ID?.trim() && !GUID_PATTERN.test(appId))
    errors.push(`TEAMS_APP_ID must be a GUID, the Teams app's id (got "${appId}"); leave it unset to use the bot id`);
  // Claim links (https://<host>/claims/CL-…) unfurl in Teams for the manifest's messageHandlers domain: the bot's public host.
  const publicUrl = env.PUBLIC_BASE_URL?.trim() ?? '';
  let publicHost = '';
  if (!publicUrl)
    errors.push(
      "PUBLIC_BASE_URL is not set: it is the bot's public https address, and its host is where claim links point (the manifest's link-unfurling domain). Set it in .env or in the environment.",
    );
  else {
    try {
      const url = new URL(publicUrl);
      if (url.protocol !== 'https:') throw new Error('not https');
      publicHost = url.host.toLowerCase();
    } catch {
      errors.push(`PUBLIC_BASE_URL must be the bot's public https address, such as https://cpor-bot.azurewebsites.net (got "${publicUrl}")`);
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, values: { BOT_ID: botId.toLowerCase(), TEAMS_APP_ID: appId.toLowerCase(), PUBLIC_BASE_HOST: publicHost } };
}

/** Replaces every `${{NAME}}` in the manifest's text: from `values`, else from the variable NAME. */
export function fillPlaceholders(text: string, values: Record<string, string>, env: Env): { text: string; errors: string[] } {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name] ?? env[name]?.trim();
    if (!value) {
      missing.add(name);
      return `\${{${name}}}`;
    }
    return JSON.stringify(value).slice(1, -1); // the placeholders sit inside JSON strings
  });
  const errors = [...missing].map((name) => `appPackage/manifest.json uses \${{${name}}}, but ${name} is not set`);
  if (!errors.length && filled.includes('${{')) errors.push('appPackage/manifest.json has a malformed placeholder: "${{" without a matching "}}"');
  return { text: filled, errors };
}

function versionAtLeast(version: string, minimum: string): boolean {
  const [a, b] = [version, minimum].map((v) => v.split('.').map(Number));
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

/** The JSON schema file for a manifest version, as shipped inside @microsoft/app-manifest (no network). */
export function schemaFileFor(manifestVersion: string): string {
  const packageBuild = dirname(require.resolve('@microsoft/app-manifest'));
  return join(packageBuild, 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
}

/**
 * The manifest against its JSON schema, offline. The schema comes from the file @microsoft/app-manifest
 * ships for the manifest's version and is handed to AppManifestUtils.validateAgainstSchema, so the
 * library never falls back to fetching `$schema` from the internet.
 */
export async function schemaProblems(manifest: Record<string, unknown>): Promise<string[]> {
  const version = manifest.manifestVersion;
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) return ['manifestVersion must be a version such as "1.23"'];
  if (!versionAtLeast(version, MIN_MANIFEST_VERSION)) return [`manifestVersion is ${version}; the app needs ${MIN_MANIFEST_VERSION} or later`];
  const schemaUrl = typeof manifest.$schema === 'string' ? manifest.$schema : '';
  const urlVersion = /\/json-schemas\/teams\/v(\d+\.\d+)\/MicrosoftTeams\.schema\.json$/.exec(schemaUrl)?.[1];
  if (urlVersion !== version)
    return [
      `$schema must be https://developer.microsoft.com/en-us/json-schemas/teams/v${version}/MicrosoftTeams.schema.json (the schema of manifestVersion ${version}); it is "${schemaUrl}"`,
    ];
  const file = schemaFileFor(version);
  if (!existsSync(file)) return [`@microsoft/app-manifest has no schema for manifest version ${version} (looked for ${file})`];
  return (await validateAgainst(manifest, file)).map((e) => `schema v${version}: ${e}`);
}

/** A JSON document against a schema file shipped in @microsoft/app-manifest, never fetched: one line per error. */
async function validateAgainst(document: Record<string, unknown>, schemaFile: string): Promise<string[]> {
  // The published schemas contain "\a" and "\v" escapes, which JSON does not know (the library cleans them the same way).
  // The localization schema's activityTypes patterns close a group with a bare "]" ("…\\b]\\.description"), which
  // the validator's unicode regular expressions refuse: escaped here, the patterns mean what they meant.
  const text = readFileSync(schemaFile, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replaceAll('\\\\b]', '\\\\b\\\\]');
  const schema = JSON.parse(text);
  const errors = await AppManifestUtils.validateAgainstSchema(document as unknown as AppManifest, schema);
  return errors.map((e) => e.trim());
}

interface ManifestBot {
  botId?: string;
  scopes?: string[];
  supportsFiles?: boolean;
  commandLists?: { scopes: string[]; commands: BotCommand[] }[];
}

function botOf(manifest: Record<string, unknown>): ManifestBot | undefined {
  return Array.isArray(manifest.bots) ? (manifest.bots[0] as ManifestBot | undefined) : undefined;
}

/** The manifest's command list of each scope (a list may serve several scopes). */
export function commandListsByScope(manifest: Record<string, unknown>): Partial<Record<CommandScope, BotCommand[]>> {
  const lists: Partial<Record<CommandScope, BotCommand[]>> = {};
  for (const list of botOf(manifest)?.commandLists ?? []) {
    for (const scope of list.scopes) if ((SCOPES as string[]).includes(scope)) lists[scope as CommandScope] = list.commands;
  }
  return lists;
}

/** What Teams asks beyond the schema, for this bot: one bot with the app's id, its scopes, files, the command menus. */
export function teamsProblems(manifest: Record<string, unknown>, expectedBotId?: string): string[] {
  const problems: string[] = [];
  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  if (bots.length !== 1) return [`bots must hold exactly one bot (it holds ${bots.length})`];
  const bot = botOf(manifest)!;
  if (expectedBotId !== undefined && bot.botId !== expectedBotId) problems.push(`bots[0].botId is "${bot.botId}", not MicrosoftAppId (${expectedBotId})`);
  for (const scope of SCOPES) if (!bot.scopes?.includes(scope)) problems.push(`bots[0].scopes must include "${scope}"`);
  if (bot.supportsFiles !== true) problems.push('bots[0].supportsFiles must be true: partners attach proof-of-execution files in the 1:1 chat');
  const seen = new Map<string, number>();
  (bot.commandLists ?? []).forEach((list, i) => {
    for (const scope of list.scopes) seen.set(scope, (seen.get(scope) ?? 0) + 1);
    if (list.commands.length > COMMAND_LIMITS.commandsPerList)
      problems.push(`bots[0].commandLists[${i}] has ${list.commands.length} commands; Teams shows at most ${COMMAND_LIMITS.commandsPerList}`);
    const titles = new Set<string>();
    list.commands.forEach((command, j) => {
      const where = `bots[0].commandLists[${i}].commands[${j}]`;
      if (!command.title?.trim()) problems.push(`${where}.title is empty`);
      else if (command.title.length > COMMAND_LIMITS.title)
        problems.push(`${where}.title "${command.title}" is ${command.title.length} characters; Teams allows ${COMMAND_LIMITS.title}`);
      if (!command.description?.trim()) problems.push(`${where}.description is empty`);
      else if (command.description.length > COMMAND_LIMITS.description)
        problems.push(`${where}.description is ${command.description.length} characters; Teams allows ${COMMAND_LIMITS.description}`);
      if (titles.has(command.title)) problems.push(`${where}.title "${command.title}" is listed twice`);
      titles.add(command.title);
    });
  });
  for (const scope of SCOPES) {
    const count = seen.get(scope) ?? 0;
    if (count !== 1) problems.push(`bots[0].commandLists must have one command list for the scope "${scope}" (it has ${count})`);
  }
  const extensions = Array.isArray(manifest.composeExtensions)
    ? (manifest.composeExtensions as { botId?: string; messageHandlers?: { type: string; value?: { domains?: string[] } }[] }[])
    : [];
  if (extensions.length !== 1) problems.push('composeExtensions must hold the one message extension (claim search and claim links)');
  else {
    if (extensions[0].botId !== bot.botId)
      problems.push(`composeExtensions[0].botId is "${extensions[0].botId}", not the bot's id (${bot.botId}): the bot answers the extension's invokes`);
    if (!extensions[0].messageHandlers?.some((h) => h.type === 'link' && (h.value?.domains ?? []).length > 0))
      problems.push("composeExtensions[0].messageHandlers must name the domain of claim links (PUBLIC_BASE_URL's host)");
  }
  const icons = manifest.icons as { color?: string; outline?: string } | undefined;
  if (icons?.color !== 'color.png' || icons?.outline !== 'outline.png')
    problems.push('icons must be { "color": "color.png", "outline": "outline.png" }, the files packaged next to the manifest');
  return problems;
}

/** The manifest's command lists against the bot's own (bot/commands/chatCommands.ts), so the two cannot drift apart. */
export function commandDrift(manifest: Record<string, unknown>, commands: Record<CommandScope, BotCommand[]> = BOT_COMMANDS): string[] {
  const lists = commandListsByScope(manifest);
  const problems: string[] = [];
  for (const scope of SCOPES) {
    const inManifest = lists[scope] ?? [];
    const inBot = commands[scope];
    const titles = (list: BotCommand[]) => list.map((c) => c.title);
    const missing = titles(inBot).filter((t) => !titles(inManifest).includes(t));
    const extra = titles(inManifest).filter((t) => !titles(inBot).includes(t));
    if (missing.length) problems.push(`${scope}: the manifest lacks ${missing.map((t) => `"${t}"`).join(', ')}`);
    if (extra.length) problems.push(`${scope}: the manifest lists ${extra.map((t) => `"${t}"`).join(', ')}, which the bot does not offer in this scope`);
    if (missing.length || extra.length) continue;
    if (titles(inManifest).join('\n') !== titles(inBot).join('\n')) problems.push(`${scope}: the order differs from the bot's (${titles(inBot).join(', ')})`);
    for (const command of inBot) {
      const listed = inManifest.find((c) => c.title === command.title)!;
      if (listed.description !== command.description)
        problems.push(`${scope}: "${command.title}" is described as "${listed.description}"; the bot says "${command.description}"`);
    }
  }
  return problems.map((p) => `command lists: ${p}`);
}

/** The manifest's command lists, one per scope, from the bot's commands. */
export function commandListsFrom(commands: Record<CommandScope, BotCommand[]> = BOT_COMMANDS): { scopes: CommandScope[]; commands: BotCommand[] }[] {
  return SCOPES.map((scope) => ({ scopes: [scope], commands: commands[scope].map((c) => ({ title: c.title, description: c.description })) }));
}

/** Counts of pixels by opacity, and of the visible (non-transparent) ones that are not white. */
export function alphaSummary(image: PNG, whiteThreshold = 240): { transparent: number; partial: number; opaque: number; visibleNotWhite: number } {
  const counts = { transparent: 0, partial: 0, opaque: 0, visibleNotWhite: 0 };
  // pngjs decodes every colour type and bit depth to 8-bit RGBA.
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b, a] = image.data.subarray(i, i + 4);
    if (a === 0) counts.transparent++;
    else {
      counts[a === 255 ? 'opaque' : 'partial']++;
      if (r < whiteThreshold || g < whiteThreshold || b < whiteThreshold) counts.visibleNotWhite++;
    }
  }
  return counts;
}

const pixels = (n: number) => `${n} visible ${n === 1 ? 'pixel' : 'pixels'}`;

/** The icons as Teams wants them: color.png 192×192; outline.png 32×32, white on transparent. */
export function iconProblems(dir = APP_PACKAGE_DIR): string[] {
  const problems: string[] = [];
  const read = (name: string): PNGWithMetadata | undefined => {
    const file = join(dir, name);
    if (!existsSync(file)) {
      problems.push(`${name} is missing from ${dir}`);
      return undefined;
    }
    try {
      return PNG.sync.read(readFileSync(file));
    } catch (error) {
      problems.push(`${name} is not a readable PNG: ${(error as Error).message}`);
      return undefined;
    }
  };
  const color = read('color.png');
  if (color && (color.width !== ICON_SIZES.color || color.height !== ICON_SIZES.color)) {
    problems.push(`color.png is ${color.width}x${color.height}; Teams wants ${ICON_SIZES.color}x${ICON_SIZES.color}`);
  }
  const outline = read('outline.png');
  if (outline) {
    if (outline.width !== ICON_SIZES.outline || outline.height !== ICON_SIZES.outline) {
      problems.push(`outline.png is ${outline.width}x${outline.height}; Teams wants ${ICON_SIZES.outline}x${ICON_SIZES.outline}`);
    }
    const alpha = alphaSummary(outline);
    if (alpha.transparent === 0) problems.push('outline.png has no transparent pixel; Teams wants a white icon on a transparent background');
    if (alpha.opaque + alpha.partial === 0) problems.push('outline.png is fully transparent: nothing would show');
    if (alpha.visibleNotWhite > 0) problems.push(`outline.png has ${pixels(alpha.visibleNotWhite)} that are not white; Teams wants white on transparent`);
  }
  return problems;
}

export interface BuiltPackage {
  out: string;
  manifest: Record<string, unknown>;
  botId: string;
  appId: string;
  bytes: number;
}

/** Fills, checks and writes the package; throws PackageError with every problem found. */
export async function buildAppPackage(env: Env, options: { out?: string; dir?: string } = {}): Promise<BuiltPackage> {
  const dir = options.dir ?? APP_PACKAGE_DIR;
  const values = placeholderValues(env);
  if (!values.ok) throw new PackageError(values.errors, 'configuration');
  const source = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const filled = fillPlaceholders(source, values.values, env);
  if (filled.errors.length) throw new PackageError(filled.errors, 'configuration');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(filled.text);
  } catch (error) {
    throw new PackageError([`appPackage/manifest.json is not valid JSON: ${(error as Error).message}`], 'package');
  }
  const readBeside = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined);
  const problems = [
    ...(await schemaProblems(manifest)),
    ...teamsProblems(manifest, values.values.BOT_ID),
    ...commandDrift(manifest),
    ...textDrift(manifest, readBeside),
    ...(await localizationProblems(manifest, readBeside)),
    ...iconProblems(dir),
  ];
  if (problems.length) throw new PackageError(problems, 'package');
  const out = resolve(options.out ?? DEFAULT_OUT);
  const archive = zip([
    { name: 'manifest.json', data: `${JSON.stringify(manifest, null, 2)}\n` },
    { name: 'color.png', data: readFileSync(join(dir, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(dir, 'outline.png')) },
    ...LOCALIZATIONS.map((l) => ({ name: l.file, data: readBeside(l.file)! })),
  ]);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, archive);
  return { out, manifest, botId: values.values.BOT_ID, appId: values.values.TEAMS_APP_ID, bytes: archive.length };
}

/** Each localization file against Teams' localization schema for the manifest's version (offline). */
export async function localizationProblems(manifest: Record<string, unknown>, readBeside: (name: string) => string | undefined): Promise<string[]> {
  const version = String(manifest.manifestVersion);
  const schemaFile = join(dirname(schemaFileFor(version)), 'MicrosoftTeams.Localization.schema.json');
  const problems: string[] = [];
  for (const language of LOCALIZATIONS) {
    const text = readBeside(language.file);
    if (text === undefined) continue; // textDrift names the missing file
    if (!existsSync(schemaFile)) return [`@microsoft/app-manifest has no localization schema for manifest version ${version} (looked for ${schemaFile})`];
    let file: Record<string, unknown>;
    try {
      file = JSON.parse(text);
    } catch {
      continue; // textDrift names a file that is not JSON
    }
    problems.push(...(await validateAgainst(file, schemaFile)).map((e) => `${language.file}: localization schema v${version}: ${e}`));
  }
  return problems;
}

/**
 * Rewrites the source manifest's command lists from the bot's commands, its en-us texts and the
 * localization files from the string tables; true when a file changed.
 */
export function writeCommandLists(dir = APP_PACKAGE_DIR): boolean {
  const file = join(dir, 'manifest.json');
  const before = readFileSync(file, 'utf8');
  const manifest = JSON.parse(before);
  manifest.bots[0].commandLists = commandListsFrom();
  const after = `${JSON.stringify(manifest, null, 2)}\n`;
  if (after !== before) writeFileSync(file, after);
  return writeManifestTexts(dir).length > 0 || after !== before;
}

async function main(argv: string[]): Promise<number> {
  // The bot reads .env at start; so does its package (variables already set win, as for the bot).
  (await import('dotenv')).config({ quiet: true });
  const outIndex = argv.indexOf('--out');
  if (outIndex >= 0 && !argv[outIndex + 1]) {
    console.error('Usage: npm run package [-- --out <file.zip>] [-- --write-commands]');
    return 2;
  }
  if (argv.includes('--write-commands')) {
    const changed = writeCommandLists();
    console.log(
      changed
        ? "appPackage: command lists and texts (manifest.json, zh-cn.json) rewritten from the bot's commands and string tables"
        : 'appPackage: command lists and texts already match the bot',
    );
  }
  try {
    const built = await buildAppPackage(process.env, outIndex >= 0 ? { out: argv[outIndex + 1] } : {});
    const shown = relative(process.cwd(), built.out) || built.out;
    console.log(
      `App package: ${shown} (manifest ${String(built.manifest.manifestVersion)}, ${PACKAGE_FILES.join(', ')}; ${(built.bytes / 1024).toFixed(1)} KB)`,
    );
    console.log(`  bot id ${built.botId} (MicrosoftAppId)`);
    console.log(`  app id ${built.appId} (${process.env.TEAMS_APP_ID?.trim() ? 'TEAMS_APP_ID' : 'TEAMS_APP_ID not set: the bot id'})`);
    console.log(
      "Checked offline: the manifest and its localization files against their JSON schemas, Teams' limits, the command lists and texts against the bot's, the icons.",
    );
    console.log('Sideload it in Teams: Apps > Manage your apps > Upload an app > Upload a custom app.');
    return 0;
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    const intro =
      error.kind === 'configuration'
        ? 'Cannot build the app package: fix the configuration (.env or the environment):'
        : 'Cannot build the app package: the manifest or the icons would be refused:';
    console.error(`${intro}\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
    if (error.problems.some((p) => p.startsWith('command lists:') || p.startsWith('texts:')))
      console.error("To take the bot's commands into the manifest: npm run package -- --write-commands");
    return error.kind === 'configuration' ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error('The app package could not be built:', error);
      process.exit(1);
    },
  );
}
