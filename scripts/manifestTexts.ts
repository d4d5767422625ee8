import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { botCommands, type CommandScope } from '../bot/commands/chatCommands';
import type { Locale, MessageKey } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';

/**
 * The manifest's words in each language, from the bot's string tables (src/i18n): the app's names and
 * descriptions, the command menus (bot/commands/chatCommands.ts) and the message extension's search
 * command. appPackage/manifest.json holds them in en-us (its defaultLanguageTag); each additional
 * language is a localization file beside it (zh-cn.json), keyed by the manifest path it translates, as
 * Teams' localization schema wants. `npm run package` refuses a manifest or a file that drifted from the
 * tables; `npm run package -- --write-commands` rewrites both.
 */

/** The languages beyond the manifest's own (en-us): Teams' tag, the bot's locale, the file in the package. */
export const LOCALIZATIONS = [{ languageTag: 'zh-cn', locale: 'zh-CN' as Locale, file: 'zh-cn.json' }] as const;
export const DEFAULT_LANGUAGE_TAG = 'en-us';

const SCOPE_ORDER: CommandScope[] = ['personal', 'team', 'groupChat'];

/** Each translatable manifest path with its text in a language. */
export function manifestTexts(locale: Locale): Record<string, string> {
  const texts: Record<string, string> = {
    'name.short': t(locale, 'app.name.short'),
    'name.full': t(locale, 'app.name.full'),
    'description.short': t(locale, 'app.description.short'),
    'description.full': t(locale, 'app.description.full'),
  };
  const commands = botCommands(locale);
  SCOPE_ORDER.forEach((scope, i) =>
    commands[scope].forEach((command, j) => {
      texts[`bots[0].commandLists[${i}].commands[${j}].title`] = command.title;
      texts[`bots[0].commandLists[${i}].commands[${j}].description`] = command.description;
    }),
  );
  const search = 'composeExtensions[0].commands[0]';
  const extension: [string, MessageKey][] = [
    [`${search}.title`, 'extension.search.title'],
    [`${search}.description`, 'extension.search.description'],
    [`${search}.parameters[0].title`, 'extension.param.query.title'],
    [`${search}.parameters[0].description`, 'extension.param.query.description'],
    [`${search}.parameters[1].title`, 'extension.param.status.title'],
    [`${search}.parameters[1].description`, 'extension.param.status.description'],
  ];
  for (const [path, key] of extension) texts[path] = t(locale, key);
  return texts;
}

function segments(path: string): (string | number)[] {
  return path.split('.').flatMap((part) => {
    const m = /^(\w+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    return [m[1], ...[...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))];
  });
}

/** The value at a localization path ("bots[0].commandLists[1].commands[2].title") of a manifest. */
export function valueAt(manifest: unknown, path: string): unknown {
  let node: unknown = manifest;
  for (const key of segments(path)) node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

function setAt(manifest: Record<string, unknown>, path: string, value: string): void {
  const keys = segments(path);
  let node = manifest as Record<string | number, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[keys[keys.length - 1]] = value;
}

/** A localization file as Teams reads it: the schema, then each translated path. */
export function localizationFile(locale: Locale, manifestVersion: string): Record<string, string> {
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.Localization.schema.json`,
    ...manifestTexts(locale),
  };
}

/** Where the manifest or a localization file says something else than the string tables (one line each). */
export function textDrift(manifest: Record<string, unknown>, readFile: (name: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const [path, text] of Object.entries(manifestTexts('en-US'))) {
    const value = valueAt(manifest, path);
    if (value !== text) problems.push(`manifest.json ${path} is ${JSON.stringify(value)}; the bot's en-US text is ${JSON.stringify(text)}`);
  }
  const info = manifest.localizationInfo as { defaultLanguageTag?: string; additionalLanguages?: { languageTag: string; file: string }[] } | undefined;
  if (info?.defaultLanguageTag !== DEFAULT_LANGUAGE_TAG) problems.push(`localizationInfo.defaultLanguageTag must be "${DEFAULT_LANGUAGE_TAG}"`);
  for (const language of LOCALIZATIONS) {
    const listed = info?.additionalLanguages?.find((l) => l.languageTag === language.languageTag);
    if (listed?.file !== language.file) {
      problems.push(`localizationInfo.additionalLanguages must list { "languageTag": "${language.languageTag}", "file": "${language.file}" }`);
      continue;
    }
    const text = readFile(language.file);
    if (text === undefined) {
      problems.push(`${language.file} is missing beside manifest.json`);
      continue;
    }
    let file: Record<string, unknown>;
    try {
      file = JSON.parse(text);
    } catch (error) {
      problems.push(`${language.file} is not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const expected = localizationFile(language.locale, String(manifest.manifestVersion));
    for (const [path, value] of Object.entries(expected))
      if (file[path] !== value) problems.push(`${language.file} ${path} is ${JSON.stringify(file[path])}; expected ${JSON.stringify(value)}`);
    for (const path of Object.keys(file)) if (!(path in expected)) problems.push(`${language.file} translates ${path}, which the bot does not`);
  }
  return problems.map((p) => `texts: ${p}`);
}

/** Rewrites the manifest's en-us texts and each localization file from the string tables; the files that changed. */
export function writeManifestTexts(dir: string): string[] {
  const changed: string[] = [];
  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    const text = `${JSON.stringify(content, null, 2)}\n`;
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      writeFileSync(file, text);
      changed.push(name);
    }
  };
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  for (const [path, text] of Object.entries(manifestTexts('en-US'))) setAt(manifest, path, text);
  manifest.localizationInfo = {
    defaultLanguageTag: DEFAULT_LANGUAGE_TAG,
    additionalLanguages: LOCALIZATIONS.map((l) => ({ languageTag: l.languageTag, file: l.file })),
  };
  write('manifest.json', manifest);
  for (const language of LOCALIZATIONS) write(language.file, localizationFile(language.locale, String(manifest.manifestVersion)));
  return changed;
}
