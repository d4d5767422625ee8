import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { importCycles, importEdges, sourceFiles, type ImportEdge } from '../support/importGraph';

/** The core (src/) holds the rules as plain functions; only bot/ speaks Bot Framework. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('layering', () => {
  const root = join(__dirname, '..', '..');
  test('no file in src/ imports botbuilder', () => {
    const offenders = tsFiles(join(root, 'src')).filter((f) => /from ['"]botbuilder[^'"]*['"]|require\(['"]botbuilder/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  test('bot/ words its texts with the Teams t() and render(), which show typed values literally', () => {
    // The catalogue's own t() and render() put a typed "[x](https://…)" into a card as a live link.
    const offenders = tsFiles(join(root, 'bot')).filter((f) => {
      const imported = /import \{([^}]*)\} from ['"][./]*src\/i18n\/locales['"]/.exec(readFileSync(f, 'utf8'))?.[1] ?? '';
      return imported.split(',').some((name) => ['t', 'render'].includes(name.trim()));
    });
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  test('nothing in src/ reaches into bot/ or app/ (the entry points live in app/)', () => {
    const offenders = tsFiles(join(root, 'src')).filter((f) => /from ['"]\.\.\/(\.\.\/)*(bot|app)\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f)).sort()).toEqual([]);
  });
});

/**
 * Layers from the ground up: a file may import its own layer or a lower one, never a higher one.
 * app/ (main, CLI entry points, the composition root, demo seeding) stands above the bot; the bot above
 * the cards and the core; inside the core, pages above services above storage above the rules.
 */
const LAYERS: [layer: string, prefixes: string[]][] = [
  ['base', ['data/', 'src/clock.ts', 'src/logger.ts', 'src/timeLimit.ts', 'src/observability/', 'src/i18n/']],
  ['domain', ['src/domain/']],
  ['config', ['src/config/']],
  ['storage', ['src/storage/']],
  ['services', ['src/services/']],
  ['pages', ['src/web/', 'src/server/']],
  ['cards', ['cards/']],
  ['bot', ['bot/']],
  ['app', ['app/']],
];

function layerOf(file: string): number {
  const index = LAYERS.findIndex(([, prefixes]) => prefixes.some((p) => file === p || file.startsWith(p)));
  if (index < 0) throw new Error(`${file} is in no layer: add its folder to LAYERS in test/process/architecture.test.ts`);
  return index;
}

function upwardArrows(edges: ImportEdge[]): string[] {
  return edges.filter((e) => layerOf(e.to) > layerOf(e.from)).map((e) => `${e.from} (${LAYERS[layerOf(e.from)][0]}) -> ${e.to} (${LAYERS[layerOf(e.to)][0]})`);
}

describe('import direction and circles', () => {
  const root = join(__dirname, '..', '..');
  const edges = importEdges(root, sourceFiles(root, ['app', 'bot', 'cards', 'src']));

  test('the graph is read: the entry point reaches the bot, the bot the services', () => {
    expect(edges).toContainEqual({ from: 'app/main.ts', to: 'app/botApp.ts', typeOnly: false });
    expect(edges.some((e) => e.from.startsWith('bot/') && e.to.startsWith('src/services/'))).toBe(true);
  });

  test('no import runs from a lower layer to a higher one', () => {
    expect(upwardArrows(edges)).toEqual([]);
  });

  test('no two files import each other, directly or round a circle', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  test('the checks themselves catch an upward arrow and a circle', () => {
    const upward = { from: 'src/services/claims/claimService.ts', to: 'bot/cporBot.ts', typeOnly: true };
    expect(upwardArrows([upward])).toEqual(['src/services/claims/claimService.ts (services) -> bot/cporBot.ts (bot)']);
    const circle = [
      { from: 'src/services/a.ts', to: 'src/services/b.ts', typeOnly: false },
      { from: 'src/services/b.ts', to: 'src/services/c.ts', typeOnly: true },
      { from: 'src/services/c.ts', to: 'src/services/a.ts', typeOnly: false },
    ];
    expect(importCycles(circle)).toEqual([['src/services/a.ts', 'src/services/b.ts', 'src/services/c.ts']]);
    expect(() => layerOf('lib/x.ts')).toThrow(/in no layer/);
  });
});
