import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * pdf.js's build for Node replaces the engine's Array.prototype.push and JSON functions with core-js's,
 * written in JavaScript; the reader process puts the engine's back once pdf.js is loaded, which takes a
 * fifth off a 20-page PDF's CPU (docs/poe-precheck.md, "Session 12"). Checked in a process of its own, as
 * the reader runs (jest's module registry can't load pdf.js's ES modules).
 */

const ROOT = join(__dirname, '..', '..');

test("after pdf.js has read files, the reader process still has the engine's push and JSON functions, and the files were read", () => {
  const probe = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/pdfjsBuiltInsProbe.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  expect(probe.stderr).toBe('');
  expect(probe.status).toBe(0);
  const result = JSON.parse(probe.stdout.trim().split('\n').pop()!) as { kept: Record<string, boolean>; texts: string[]; pdfjsLoaded: boolean };
  expect(result.kept).toEqual({ push: true, parse: true, stringify: true, pushEnumerable: false });
  expect(result.texts).toEqual(['Approved by Avery Chen', 'Signed 1 March 2026']);
  expect(result.pdfjsLoaded).toBe(true);
}, 90_000);
