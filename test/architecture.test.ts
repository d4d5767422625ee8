import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The core (src/) holds the rules as plain functions; only bot/ speaks Bot Framework. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('layering', () => {
  const root = join(__dirname, '..');
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
