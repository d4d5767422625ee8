import { precheckPoe, PRECHECKS, type PrecheckId, type PrecheckVerdict } from '../../src/domain/poePrecheck';
import { closePoeReaders, readPoeDocument } from '../../src/services/poe/reading/readPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from '../../src/services/poe/reading/readLimits';

/** The rules are under test here, not the reader's time limit: a busy machine may take long to start pdf.js. */
const PATIENT = { ...DEFAULT_POE_READ_LIMITS, timeMs: 180_000 };
import { CORPUS, CORPUS_FACTS, CORPUS_SUBMITTED } from '../support/poeCorpus';

/**
 * The pre-check against a labelled corpus of generated documents (test/support/poeCorpus.ts), each read
 * by the real reader. Per check, a "positive" is a check that flags the document (to check or missing):
 * precision is how often a flag is right, recall how many of the documents a reviewer would flag are
 * flagged. Both must be at least 0.95. The table, and every disagreement, is printed.
 */

const MIN = 0.95;
// 46 files through the reader process (its start loads pdf.js): minutes on a busy machine.
jest.setTimeout(300_000);

afterAll(() => closePoeReaders());

interface Row {
  id: string;
  expected: Record<PrecheckId, PrecheckVerdict>;
  actual: Record<PrecheckId, PrecheckVerdict>;
}

test(`pre-check precision and recall per check are at least ${MIN} on ${CORPUS.length} labelled documents`, async () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(CORPUS.map((d) => d.kind))).toEqual(new Set(['pdf', 'docx', 'eml', 'msg']));
  const rows: Row[] = [];
  for (const entry of CORPUS) {
    const document = await readPoeDocument(await entry.bytes(), entry.fileName, entry.kind, PATIENT);
    const checklist = precheckPoe([document], CORPUS_FACTS, CORPUS_SUBMITTED);
    rows.push({ id: entry.id, expected: entry.expected, actual: Object.fromEntries(checklist.results.map((r) => [r.check, r.verdict])) as Row['actual'] });
  }

  const flagged = (v: PrecheckVerdict) => v !== 'passed';
  const lines = [`check         precision  recall  exact  (n=${rows.length}; positive = flagged "to check" or "missing")`];
  const scores: Record<string, { precision: number; recall: number }> = {};
  for (const check of PRECHECKS) {
    let tp = 0,
      fp = 0,
      fn = 0,
      exact = 0;
    for (const { expected, actual } of rows) {
      if (flagged(actual[check]) && flagged(expected[check])) tp += 1;
      if (flagged(actual[check]) && !flagged(expected[check])) fp += 1;
      if (!flagged(actual[check]) && flagged(expected[check])) fn += 1;
      if (actual[check] === expected[check]) exact += 1;
    }
    const precision = tp + fp ? tp / (tp + fp) : 1;
    const recall = tp + fn ? tp / (tp + fn) : 1;
    scores[check] = { precision, recall };
    lines.push(`${check.padEnd(13)} ${precision.toFixed(3).padStart(9)}  ${recall.toFixed(3).padStart(6)}  ${String(exact).padStart(2)}/${rows.length}`);
  }
  const disagreements = rows.flatMap((r) =>
    PRECHECKS.filter((c) => r.actual[c] !== r.expected[c]).map((c) => `  ${r.id} ${c}: expected ${r.expected[c]}, got ${r.actual[c]}`),
  );
  console.log([...lines, disagreements.length ? 'Disagreements:' : 'No disagreements.', ...disagreements].join('\n'));

  for (const check of PRECHECKS) {
    expect({ check, ...scores[check], ok: scores[check].precision >= MIN && scores[check].recall >= MIN }).toMatchObject({ check, ok: true });
  }
});
