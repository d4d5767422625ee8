// Runs before `npm start`, `npm run sweep` and `npm run roster:load` (their "pre" scripts). Plain
// JavaScript: it must run on a production install, which has neither TypeScript nor tsx.
//
// - A developer's checkout (TypeScript installed): build dist/ from the sources, so what runs is what
//   was just edited.
// - A production install (`npm ci --omit=dev` beside a dist/ built earlier, e.g. the container image):
//   nothing to build; the commands run the dist/ it was shipped with.
// - Neither: say in one line what to do.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function typescriptCompiler() {
  try {
    return require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    return undefined;
  }
}

const tsc = typescriptCompiler();
if (tsc) {
  const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  process.exit(build.status ?? 1);
}
if (!existsSync(join(root, 'dist', 'app', 'main.js'))) {
  console.error(
    'dist/ is missing and TypeScript is not installed (a production install): build first with "npm ci && npm run build", then "npm ci --omit=dev" beside dist/.',
  );
  process.exit(1);
}
