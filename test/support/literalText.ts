import { LOOK_ALIKES } from '../../src/i18n/teamsMarkdown';

/**
 * What people type that Teams would otherwise read as markup, each with the check that it was not:
 * `markup(text)` is true when a displayed text still holds the construct, unescaped.
 */
export const INJECTIONS: { name: string; typed: string; markup: (text: string) => boolean }[] = [
  { name: 'markdown link', typed: '[Open the contract](https://evil.example/x)', markup: (s) => s.includes('](https://evil.example/x)') },
  { name: 'bold', typed: '**bold**', markup: (s) => s.includes('**bold**') },
  { name: 'italic', typed: '_it_', markup: (s) => s.includes('_it_') },
  { name: 'heading', typed: '# heading', markup: (s) => /(^|[\r\n])[ \t]*# heading/.test(s) },
  { name: 'block quote', typed: '> quote', markup: (s) => /(^|[\r\n])[ \t]*> quote/.test(s) },
  { name: 'list item', typed: '- item', markup: (s) => /(^|[\r\n])[ \t]*(- )?- item/.test(s) },
  { name: 'code', typed: '`code`', markup: (s) => s.includes('`code`') },
  { name: 'HTML bold', typed: '<b>x</b>', markup: (s) => s.includes('<b>') },
  { name: 'HTML link', typed: '<a href="https://evil.example">x</a>', markup: (s) => s.includes('<a href') },
  { name: 'image', typed: '![img](https://evil.example/p.png)', markup: (s) => s.includes('](https://evil.example/p.png)') },
  // A typed backslash must not escape what follows it (the card's own markup, or the next typed character).
  { name: 'backslashes', typed: 'C:\\share\\*x*\\', markup: (s) => /\\[!-/:-@[-`{-~]/.test(s) || s.includes('*x*') },
  // A right-to-left override stays inside an isolate, so it can't reverse the card's text after it.
  {
    name: 'RLO control',
    typed: 'abc\u202Efdp.exe',
    markup: (s) => /abc\u202Efdp\.exe/.test(s) && !/\u2068[^\u2069]*abc\u202Efdp\.exe[^\u2068]*\u2069/.test(s),
  },
  { name: 'template expression', typed: '${claim.id}', markup: (s) => s.includes('${') },
];

const FROM_LOOK_ALIKE = new Map(Object.entries(LOOK_ALIKES).map(([typed, shown]) => [shown, typed]));

/** A displayed text as the person reads it: the invisible joiners and isolates don't show, look-alikes read as what they stand for. */
export function shownAs(text: string): string {
  return [...text.replace(/[\u2060\u2068\u2069]/g, '')].map((c) => FROM_LOOK_ALIKE.get(c) ?? c).join('');
}

/**
 * The texts of a card that Teams reads as markdown: TextBlock text and FactSet titles and values
 * (also in a ShowCard's card). RichTextBlock TextRuns are literal text and need no escaping; inputs,
 * choices and button titles are plain text.
 */
export function displayedTexts(card: unknown): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.type === 'TextBlock' && typeof element.text === 'string') texts.push(element.text);
    if (element.type === 'FactSet' && Array.isArray(element.facts))
      for (const fact of element.facts as { title: string; value: string }[]) texts.push(fact.title, fact.value);
    for (const [key, value] of Object.entries(element)) if (key !== 'data') walk(value);
  };
  walk(card);
  return texts;
}

/** The prefilled values of a card's inputs, which the person edits: these stay as typed. */
export function inputValues(card: unknown): string[] {
  const values: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (typeof element.type === 'string' && element.type.startsWith('Input.') && typeof element.value === 'string') values.push(element.value);
    for (const value of Object.values(element)) walk(value);
  };
  walk(card);
  return values;
}
