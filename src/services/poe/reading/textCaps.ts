import type { PoeDocumentPage } from '../../../domain/poeDocument';

/** Text as the checks want it: one kind of line break, no NULs or trailing blanks, at most three blank lines in a row. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u0000/g, '')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
}

/** Pages cut to `maxChars` characters in all (the last page kept cut, the rest dropped). */
export function capPages(pages: PoeDocumentPage[], maxChars: number): PoeDocumentPage[] {
  const kept: PoeDocumentPage[] = [];
  let left = maxChars;
  for (const page of pages) {
    if (left <= 0) break;
    const text = page.text.length > left ? page.text.slice(0, left) : page.text;
    kept.push({ number: page.number, text });
    left -= text.length;
  }
  return kept;
}

export const hasText = (pages: PoeDocumentPage[]): boolean => pages.some((p) => p.text.trim().length > 0);
