import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's root (where package.json is), found from this file's place, so the data files resolve
 * the same whether the bot runs from its TypeScript sources (tsx, jest) or from the build in dist/.
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(from, '..', '..');
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

/** A file under the project's data/ folder (demo roster, customer directory). */
export const dataFile = (name: string) => join(PROJECT_ROOT, 'data', name);
