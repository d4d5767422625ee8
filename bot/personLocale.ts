import type { TurnContext } from 'botbuilder';
import { decideLocale, type StoredLanguage } from '../src/i18n/personLanguage';
import { resolveLocale } from '../src/i18n/locales';
import type { Logger } from '../src/logger';
import type { LanguagePreferences } from '../src/storage/languagePreferences';
import { tenantIdOf, typedText } from './conversationReferences';

/**
 * Sets the turn's locale to the person's language before anything answers (src/i18n/personLanguage.ts
 * decides): every handler reads `activity.locale`, and the conversation reference saved from it carries
 * the language to later notices. A store that can't be read leaves the client's locale and the words
 * typed to decide; the turn goes on either way.
 */
export async function applyPersonLanguage(languages: LanguagePreferences, context: TurnContext, log: Logger): Promise<void> {
  const { activity } = context;
  // A card for everyone in a channel or group chat (the welcome on install) is not one person's reply.
  const personal = (activity.conversation?.conversationType ?? 'personal') === 'personal';
  if (activity.type !== 'message' && activity.type !== 'invoke' && !personal) return;
  const typed = activity.type === 'message' && (activity.value === undefined || activity.value === null) ? typedText(activity) : '';
  const tenantId = tenantIdOf(activity);
  const aadObjectId = activity.from?.aadObjectId;
  let stored: StoredLanguage = {};
  if (tenantId && aadObjectId) {
    try {
      stored = await languages.get(tenantId, aadObjectId);
    } catch (error) {
      log.error("Could not read the person's language", error);
    }
  }
  const clientLocale = resolveLocale(activity.locale);
  let decided = decideLocale({ text: typed, clientLocale, stored });
  if (decided.store && tenantId && aadObjectId) {
    // The language read may be this instance's copy: a write starts from the stored record, so a choice
    // made through another instance meanwhile is kept, not overwritten.
    try {
      decided = decideLocale({ text: typed, clientLocale, stored: await languages.get(tenantId, aadObjectId, { fresh: true }) });
      if (decided.store) await languages.set(tenantId, aadObjectId, decided.store);
    } catch (error) {
      log.error("Could not keep the person's language", error);
    }
  }
  activity.locale = decided.locale;
}
