import { z } from 'zod';
import aliasFile from '../../data/products/aliases.json';
import { productCatalogue, type ProductCatalogue } from './productCatalogue';
import { CJK, latinWords, wholeWordMatches, wholeWordPattern, type WholeWordPattern } from './wholeWords';

/**
 * The names a proof of execution uses for a catalogue product: its catalogue name plus the common
 * aliases kept as data (data/products/aliases.json). Adding an alias is a data change.
 */

const aliasFileSchema = z.object({ about: z.string().optional(), aliases: z.record(z.string(), z.array(z.string().min(2))) });

/** One product name found in a text: which product, the words as written, and where. */
export interface ProductMention {
  productId: string;
  quote: string;
  index: number;
}

interface Pattern {
  productId: string;
  pattern: WholeWordPattern;
  /**
   * What a text must hold for the pattern to match: the Latin letters and digits of the alias, each a whole
   * word of the text (the pattern's edges and the white-space between its words make them so), and its
   * CJK words (no spaces around them) anywhere. Lower-case, unless the pattern is case-sensitive.
   */
  tokens: string[];
  cjkWords: string[];
  caseSensitive: boolean;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A whole-word, case-insensitive pattern; spaces match any run of white-space (a PDF line break may
 * split a name). Short all-capital acronyms (MDE, AIP) must be written in capitals: "aip" in a word is no product.
 */
function aliasPattern(productId: string, alias: string): Pattern {
  const words = alias.trim().split(/\s+/);
  const body = words.map(escapeRegex).join('[\\s\\u00a0]+');
  const acronym = /^[A-Z0-9&]{2,5}$/.test(alias.trim());
  const cased = acronym ? words : words.map((w) => w.toLowerCase());
  return {
    productId,
    pattern: wholeWordPattern(new RegExp(body, acronym ? 'gu' : 'giu'), alias),
    tokens: cased.filter((w) => !CJK.test(w)).flatMap(latinWords),
    cjkWords: cased.filter((w) => CJK.test(w)),
    caseSensitive: acronym,
  };
}

/** Texts whose mentions are remembered, by their total length (the same pages are checked again with each file added to a claim). */
const MEMO_CHARS = 2_000_000;

export class ProductAliases {
  private readonly patterns: Pattern[] = [];
  private readonly names = new Map<string, string[]>();
  /** Mentions by text, oldest first; `memoChars` is the length of the texts kept. */
  private readonly memo = new Map<string, ProductMention[]>();
  private memoChars = 0;

  constructor(raw: unknown, catalogue: ProductCatalogue) {
    const file = aliasFileSchema.parse(raw);
    for (const [productId, aliases] of Object.entries(file.aliases)) {
      if (!catalogue.find(productId)) throw new Error(`Product alias file names ${productId}, which is not in the catalogue`);
      this.names.set(productId, aliases);
    }
    for (const area of ['Microsoft365', 'BusinessApplications'] as const) {
      for (const product of catalogue.products(area)) {
        const all = [...new Set([product.name, ...(this.names.get(product.id) ?? [])])];
        this.names.set(product.id, all);
        for (const alias of all) this.patterns.push(aliasPattern(product.id, alias));
      }
    }
  }

  /** Every name a product goes by, the catalogue name first. */
  namesOf(productId: string): readonly string[] {
    return this.names.get(productId) ?? [];
  }

  /**
   * Every product named in `text`. Where names overlap, the longest wins: "Teams Phone" names Teams
   * Phone, not Teams; "Microsoft Defender for Office 365" is not also "Office 365".
   */
  mentions(text: string): ProductMention[] {
    const known = this.memo.get(text);
    if (known) return known.slice();
    const kept = this.find(text);
    this.memo.set(text, kept);
    this.memoChars += text.length;
    for (const [old] of this.memo) {
      if (this.memoChars <= MEMO_CHARS) break;
      this.memo.delete(old);
      this.memoChars -= old.length;
    }
    return kept.slice();
  }

  private find(text: string): ProductMention[] {
    const found: ProductMention[] = [];
    // A pattern with a word that is nowhere in the text can't match: skipping it saves running a few
    // hundred Unicode regular expressions over every page (most of the pre-check's time on the bot's
    // event loop). The text's words are gathered once, so each pattern costs a few set lookups.
    // Lower-casing finds what case-insensitive matching finds, but for the long s (ſ).
    const lower = text.toLowerCase();
    const lowerTokens = new Set(latinWords(lower));
    let textTokens: Set<string> | undefined;
    for (const { productId, pattern, tokens, cjkWords, caseSensitive } of this.patterns) {
      const words = caseSensitive ? (textTokens ??= new Set(latinWords(text))) : lowerTokens;
      if (!tokens.every((token) => words.has(token)) || !cjkWords.every((word) => (caseSensitive ? text : lower).includes(word))) continue;
      for (const { quote, index } of wholeWordMatches(pattern, text)) found.push({ productId, quote, index });
    }
    found.sort((a, b) => a.index - b.index || b.quote.length - a.quote.length);
    const kept: ProductMention[] = [];
    let coveredTo = -1;
    for (const mention of found) {
      if (mention.index < coveredTo) continue;
      kept.push(mention);
      coveredTo = mention.index + mention.quote.length;
    }
    return kept;
  }
}

export const productAliases = new ProductAliases(aliasFile, productCatalogue);
