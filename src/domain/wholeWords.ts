/**
 * Where a name found in a document's text stands as a whole word: the one rule for the pre-check's
 * customer and partner names and for product names. A name that starts (or ends) with a Latin letter or
 * digit must not run on into another there ("Contoso" is not named in "Contosoville", "Teams" not in
 * "Teamsters"). Chinese puts no spaces around Latin words ("由Contoso部署Exchange Online"), so a CJK
 * character is an edge, as are spaces, punctuation and symbols; a name starting or ending with a CJK
 * character has no edge to keep there.
 *
 * The edges are checked on each match rather than written into the pattern as lookarounds: a
 * `[\p{L}\p{N}]` lookaround in a case-insensitive Unicode pattern took most of a millisecond to compile,
 * and the pre-check builds patterns for every claim's names.
 */

/** CJK ideographs (unified, extension A, compatibility): written without spaces around other words. */
const CJK_CHARS = '\\u3400-\\u9fff\\uf900-\\ufaff';
export const CJK = new RegExp(`[${CJK_CHARS}]`);

/** A letter or digit that is not CJK: what a Latin name must not run on into. */
const LATIN_LETTER_OR_DIGIT = `(?![${CJK_CHARS}])[\\p{L}\\p{N}]`;
const RUNS_ON_AT_START = new RegExp(`^${LATIN_LETTER_OR_DIGIT}`, 'u');
const RUNS_ON_AT_END = new RegExp(`${LATIN_LETTER_OR_DIGIT}$`, 'u');
const LATIN_WORD = new RegExp(`(?:${LATIN_LETTER_OR_DIGIT})+`, 'gu');

/** The runs of Latin letters and digits in a text ("部署Exchange Online" gives Exchange, Online): the words a Latin name's whole-word match stands on. */
export const latinWords = (text: string): string[] => text.match(LATIN_WORD) ?? [];

/** A name's pattern (global), and whether each of its ends must stand apart from the text around it. */
export interface WholeWordPattern {
  regex: RegExp;
  wholeStart: boolean;
  wholeEnd: boolean;
}

/** Whether a name's end character needs a word edge beside it: a Latin letter or digit does. */
const needsEdge = (c: string | undefined): boolean => c !== undefined && RUNS_ON_AT_START.test(c);

/** `regex` must have the g flag; the edges are taken from the name's first and last characters. */
export function wholeWordPattern(regex: RegExp, name: string): WholeWordPattern {
  if (!regex.global) throw new Error('A whole-word pattern is searched with the g flag');
  const trimmed = name.trim();
  return { regex, wholeStart: needsEdge(trimmed[0]), wholeEnd: needsEdge(trimmed.slice(-1)) };
}

/** Every whole-word match in the text, left to right, none overlapping (as `matchAll` gives them). */
export function* wholeWordMatches(pattern: WholeWordPattern, text: string): Generator<{ index: number; quote: string }> {
  const { regex } = pattern;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m; m = regex.exec(text)) {
    const quote = m[0];
    const end = m.index + quote.length;
    // Two code units each side: a letter outside the Basic Multilingual Plane is a surrogate pair.
    const runsOnBefore = pattern.wholeStart && RUNS_ON_AT_END.test(text.slice(Math.max(0, m.index - 2), m.index));
    const runsOnAfter = pattern.wholeEnd && RUNS_ON_AT_START.test(text.slice(end, end + 2));
    if (!runsOnBefore && !runsOnAfter && quote.length > 0) {
      const at = regex.lastIndex;
      yield { index: m.index, quote };
      regex.lastIndex = at; // the caller may have searched with the same pattern meanwhile
      continue;
    }
    // Try again one character on (a whole one: a pair's second half is no place to start).
    regex.lastIndex = m.index + ((text.codePointAt(m.index) ?? 0) > 0xffff ? 2 : 1);
  }
}

/** The first whole-word match in the text, if any. */
export function firstWholeWordMatch(pattern: WholeWordPattern, text: string): { index: number; quote: string } | undefined {
  for (const match of wholeWordMatches(pattern, text)) return match;
  return undefined;
}
