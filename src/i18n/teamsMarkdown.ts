import { isMessageRef, t as catalogueText, type Locale, type Message, type MessageKey, type MessageParams } from './locales';

/**
 * Text people typed (a claim name, a comment, a file name, a Teams display name), shown in Teams
 * exactly as typed. Teams reads Adaptive Card TextBlocks and FactSet titles/values, and the text of
 * plain messages, as markdown (messages also as a little HTML), so "[Open](https://evil.example)" would
 * be a live link and "**x**" bold.
 *
 * Why not backslash escapes (CommonMark's way): Teams on the desktop and the web honours them, but its
 * iOS and Android renderers (the Adaptive Cards shared model's own parser) show a TextBlock that
 * contains no formatting as its raw text, backslashes included (AdaptiveCards issues #5590 and
 * msteams-docs #5793; Teams-AdaptiveCards-Mobile #83 special-cases only "\*" on iOS). So instead:
 *
 * - An invisible U+2060 WORD JOINER (not whitespace, not punctuation, so it changes nothing a person
 *   sees) goes where it breaks a construct for both kinds of parser:
 *   after "]" (no "[text](url)", "![img](url)", "[text][ref]" or "[ref]: url" can form: both need the
 *   next character straight after "]"), after "<" (no HTML tag, "<a href>" in message text, or
 *   "<https://…>" autolink: a tag name must follow "<" at once), after "&" before a name or "#" (no
 *   entity such as "&lt;"), after "\" (a typed backslash never escapes what follows, ours or Teams'
 *   text), after ")" before "-", "+" or a digit (the mobile parser starts lists there), around an "_"
 *   that is not inside a word (an "_" between two word characters can neither open nor close
 *   emphasis, in CommonMark and in the mobile parser alike), and at the start of a line that begins
 *   with a block marker ("#" heading, ">" quote, "-"/"+" list, "1." list, "="/"-" underline, "|" table).
 * - "*", "`" and "~" open and close emphasis, code and strikethrough by rules that look only at
 *   whether their neighbours are whitespace or punctuation; an invisible character counts as neither,
 *   so nothing invisible can stop them. They become look-alikes that no renderer reads as markup
 *   (LOOK_ALIKES): the one place where what is shown differs, slightly, from what was typed.
 * - Text with bidirectional controls (U+202E...) is wrapped in an isolate (U+2068 ... U+2069), so a
 *   right-to-left override typed into a name can't reverse the card's own text after it.
 *
 * A bare URL is left as it is: Teams may make it clickable, but it shows where it goes. Values that
 * are not read as markdown are not escaped: an Input's prefilled value (the person edits the raw
 * value), choice titles and button titles (plain text in Teams; ours come from the catalogue), action
 * payloads. RichTextBlock TextRuns are literal text too (none of our cards uses them).
 */

const WORD_JOINER = '\u2060';

/** Characters that can't be neutralised invisibly, and what is shown instead. */
export const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '*': '\u2217', // ASTERISK OPERATOR
  '`': '\u02CB', // MODIFIER LETTER GRAVE ACCENT
  '~': '\u223C', // TILDE OPERATOR
};

const FIRST_STRONG_ISOLATE = '\u2068';
const POP_DIRECTIONAL_ISOLATE = '\u2069';
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** Anything here may be markup; text without any of it is returned unchanged. */
const MAY_BE_MARKUP = /[\]<&\\)_*`~#>+\-=|\d\u202A-\u202E\u2066-\u2069]/;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;
/** A line that starts (after up to any indentation) with what CommonMark or the mobile parser reads as a block marker. */
const LINE_START_MARKER = /(^|[\r\n])([ \t]*)(?=[>=|]|-{3}|(?:#+|[-+]|\d+[.)])(?:[ \t\r\n]|$))/g;

/** The text as Teams should show it: literally, whatever markdown or HTML it contains. */
export function literal(text: string): string {
  if (!MAY_BE_MARKUP.test(text)) return text;
  const chars = Array.from(text);
  let shown = '';
  chars.forEach((c, i) => {
    const next = chars[i + 1] ?? '';
    if (LOOK_ALIKES[c]) shown += LOOK_ALIKES[c];
    else if (c === '_') shown += WORD_CHARACTER.test(chars[i - 1] ?? '') && WORD_CHARACTER.test(next) ? c : WORD_JOINER + c + WORD_JOINER;
    else if (c === ']' || c === '<' || c === '\\') shown += c + WORD_JOINER;
    else if (c === '&' && /[#A-Za-z0-9]/.test(next)) shown += c + WORD_JOINER;
    else if (c === ')' && /[-+\d]/.test(next)) shown += c + WORD_JOINER;
    else shown += c;
  });
  shown = shown.replace(LINE_START_MARKER, `$1${WORD_JOINER}$2`);
  return BIDI_CONTROL.test(text) ? isolated(shown) : shown;
}

/**
 * The text in a first-strong isolate, with enough isolate ends that nothing typed can close it early
 * or leave one open: a closing PDI also ends every embedding and override opened inside it.
 */
function isolated(text: string): string {
  let open = 0;
  let stray = 0;
  for (const c of text) {
    if (c === '\u2066' || c === '\u2067' || c === FIRST_STRONG_ISOLATE) open++;
    else if (c === POP_DIRECTIONAL_ISOLATE && open > 0) open--;
    else if (c === POP_DIRECTIONAL_ISOLATE) stray++;
  }
  return FIRST_STRONG_ISOLATE.repeat(1 + stray) + text + POP_DIRECTIONAL_ISOLATE.repeat(1 + open);
}

/** Text that is markdown on purpose (a link the bot made): passed to t() as it is. */
export class Markdown {
  constructor(readonly text: string) {}
}

export function markdown(text: string): Markdown {
  return new Markdown(text);
}

export type TeamsMessageParams = Record<string, MessageParams[string] | Markdown>;

/**
 * The catalogue's t() for text shown in Teams: every string parameter is shown literally (see
 * literal()), except references to other messages ("@key") and Markdown the bot made. The bot's code
 * uses this one (test/process/architecture.test.ts checks it), so a typed value can't reach a card or a message
 * unescaped through a message's placeholder.
 */
export function t(locale: Locale, key: MessageKey, params: TeamsMessageParams = {}): string {
  return catalogueText(locale, key, Object.fromEntries(Object.entries(params).map(([name, value]) => [name, literalParam(value)])));
}

/** A domain message (a refusal, a field error) as Teams shows it; its parameters are often what was typed. */
export function render(locale: Locale, message: Message): string {
  return t(locale, message.key, message.params);
}

function literalParam(value: MessageParams[string] | Markdown): MessageParams[string] {
  if (value instanceof Markdown) return value.text;
  if (typeof value === 'string') return isMessageRef(value) ? value : literal(value);
  if (Array.isArray(value)) return value.map((v: string) => (isMessageRef(v) ? v : literal(v)));
  return value as MessageParams[string];
}
