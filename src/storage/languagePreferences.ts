import type { Container } from '@azure/cosmos';
import type { StoredLanguage } from '../i18n/personLanguage';
import { LOCALES, type Locale } from '../i18n/locales';
import { isNotFound } from './cosmosDatabase';

/**
 * Each person's language (src/i18n/personLanguage.ts): one small record per person, beside their
 * conversation reference (same container, own id prefix), keyed like it by tenant + AAD object id, so
 * every instance answers a person, and notifies them, in the language they chose.
 */

export const languageKey = (tenantId: string, aadObjectId: string) => `language:${tenantId.toLowerCase()}:${aadObjectId.toLowerCase()}`;

interface LanguageDoc extends StoredLanguage {
  id: string;
  updatedAt: string;
}

const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

/**
 * How long a person's language, as read or written here, answers their next turns without a read: every
 * turn needs it, and it changes only when they choose or switch language. Another instance's change is
 * seen after this at most (as roster changes are); a write always starts from a fresh read (`fresh`).
 */
export const LANGUAGE_CACHE_MS = 30_000;
const CACHE_LIMIT = 10_000;

export class LanguagePreferences {
  private readonly cache = new Map<string, { at: number; value: StoredLanguage }>();

  constructor(
    private readonly container: Container,
    private readonly now: () => Date = () => new Date(),
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** The stored language; `fresh` asks Cosmos DB even when this instance read it a moment ago (before a write). */
  async get(tenantId: string, aadObjectId: string, options: { fresh?: boolean } = {}): Promise<StoredLanguage> {
    const id = languageKey(tenantId, aadObjectId);
    const hit = this.cache.get(id);
    if (!options.fresh && hit && this.monotonic() - hit.at < LANGUAGE_CACHE_MS) return hit.value;
    let value: StoredLanguage;
    try {
      const { resource } = await this.container.item(id, id).read<LanguageDoc>();
      // Only what the code knows is trusted back: a record edited by hand can't pick a language the bot lacks.
      value = { ...(isLocale(resource?.chosen) ? { chosen: resource.chosen } : {}), ...(isLocale(resource?.typed) ? { typed: resource.typed } : {}) };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      value = {};
    }
    this.remember(id, value);
    return value;
  }

  async set(tenantId: string, aadObjectId: string, language: StoredLanguage): Promise<void> {
    const id = languageKey(tenantId, aadObjectId);
    const doc: LanguageDoc = { id, ...language, updatedAt: this.now().toISOString() };
    await this.container.items.upsert(doc);
    this.remember(id, { ...(language.chosen ? { chosen: language.chosen } : {}), ...(language.typed ? { typed: language.typed } : {}) });
  }

  private remember(id: string, value: StoredLanguage): void {
    this.cache.delete(id);
    // The oldest entry goes first when full (a Map keeps insertion order).
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, { at: this.monotonic(), value });
  }
}
