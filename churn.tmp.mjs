import * as prettier from 'prettier';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
const files = execSync('git ls-files', { encoding: 'utf8' }).split('\n').filter(Boolean);
const ig = /^(dist|node_modules|coverage|env|data|appPackage\/build)\/|package-lock\.json$|\.md$/;
const targets = [];
for (const f of files) { if (ig.test(f)) continue; const info = await prettier.getFileInfo(f, { ignorePath: '.prettierignore' }); if (!info.ignored && info.inferredParser) targets.push(f); }
const variants = JSON.parse(process.argv[2]);
function changedLines(a, b) { // lines of a not matched in LCS-ish multiset compare: count lines of a not present in b (multiset)
  const m = new Map(); for (const l of b.split('\n')) m.set(l, (m.get(l) ?? 0) + 1);
  let n = 0; for (const l of a.split('\n')) { const c = m.get(l); if (c) m.set(l, c - 1); else n++; } return n;
}
for (const v of variants) {
  let files = 0, lines = 0, total = 0;
  for (const f of targets) {
    const src = readFileSync(f, 'utf8'); total += src.split('\n').length;
    const out = await prettier.format(src, { filepath: f, ...v });
    if (out !== src) { files++; lines += changedLines(src, out); }
  }
  console.log(JSON.stringify(v), `files ${files}/${targets.length}`, `lines ${lines}/${total}`);
}
