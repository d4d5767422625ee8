import { runProbe } from '../support/probeProcess';

/**
 * pdf.js's build for Node replaces the engine's Array.prototype.push and JSON functions with core-js's,
 * written in JavaScript; the reader process puts the engine's back once pdf.js is loaded, which takes a
 * fifth off a 20-page PDF's CPU (docs/poe-precheck.md, "Session 12"). Checked in a process of its own, as
 * the reader runs (jest's module registry can't load pdf.js's ES modules).
 */

test("after pdf.js has read files, the reader process still has the engine's push and JSON functions, and the files were read", () => {
  const result = runProbe<{ kept: Record<string, boolean>; texts: string[]; pdfjsLoaded: boolean }>('test/support/pdfjsBuiltInsProbe.ts');
  expect(result.kept).toEqual({ push: true, parse: true, stringify: true, pushEnumerable: false });
  expect(result.texts).toEqual(['Approved by Avery Chen', 'Signed 1 March 2026']);
  expect(result.pdfjsLoaded).toBe(true);
}, 90_000);
