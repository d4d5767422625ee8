import type { Container } from '@azure/cosmos';
import { isConflict, isNotFound, isPreconditionFailed } from './cosmosDatabase';

/**
 * "The welcome card was sent here": one record per conversation, beside the conversation references
 * (same container, own id prefix). Teams announces one install twice (installationUpdate, and
 * conversationUpdate with the bot among the members added), possibly to two bot instances at once:
 * the record is created once, so only the first announcement is welcomed. Removing the app deletes
 * it, so a later install is welcomed again; a record older than the window counts as a new install
 * too, in case a removal was never announced.
 */

const welcomeId = (conversationId: string) => `welcome:${conversationId}`;
/** Both announcements of one install arrive within seconds; an hour is a generous bound. */
export const WELCOME_WINDOW_MS = 60 * 60_000;

interface WelcomeDoc {
  id: string;
  conversationId: string;
  at: string;
}

export class WelcomeRecords {
  constructor(
    private readonly container: Container,
    private readonly now: () => Date,
  ) {}

  /** True exactly once per install of the app in a conversation: the caller then sends the welcome. */
  async claimWelcome(conversationId: string): Promise<boolean> {
    const doc: WelcomeDoc = { id: welcomeId(conversationId), conversationId, at: this.now().toISOString() };
    try {
      await this.container.items.create(doc);
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const { resource, etag } = await this.container.item(doc.id, doc.id).read<WelcomeDoc>();
    if (!resource || this.now().getTime() - Date.parse(resource.at) < WELCOME_WINDOW_MS) return false;
    try {
      await this.container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false; // another instance welcomed this install just now
      throw error;
    }
  }

  /** The app was removed from the conversation: its next install is welcomed again. */
  async forget(conversationId: string): Promise<void> {
    try {
      await this.container.item(welcomeId(conversationId), welcomeId(conversationId)).delete();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
