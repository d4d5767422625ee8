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

export class LanguagePreferences {
  constructor(private readonly container: Container, private readonly now: () => Date = () => new Date()) {}

  async get(tenantId: string, aadObjectId: string): Promise<StoredLanguage> {
    const id = languageKey(tenantId, aadObjectId);
    try {
      const { resource } = await this.container.item(id, id).read<LanguageDoc>();
      // Only what the code knows is trusted back: a record edited by hand can't pick a language the bot lacks.
      return { ...(isLocale(resource?.chosen) ? { chosen: resource.chosen } : {}), ...(isLocale(resource?.typed) ? { typed: resource.typed } : {}) };
    } catch (error) {
      if (isNotFound(error)) return {};
      throw error;
    }
  }

  async set(tenantId: string, aadObjectId: string, language: StoredLanguage): Promise<void> {
    const id = languageKey(tenantId, aadObjectId);
    const doc: LanguageDoc = { id, ...language, updatedAt: this.now().toISOString() };
    await this.container.items.upsert(doc);
  }
}
