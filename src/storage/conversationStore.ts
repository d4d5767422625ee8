import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { isNotFound } from './cosmosDatabase';

/**
 * Conversation references for proactive messages. A person's 1:1 chat is keyed by tenant + AAD object
 * id, so later work can message "this partner user"; a channel or group chat is keyed by its
 * conversation id, so later work can post to "the reviewers' channel". The reference itself is kept as
 * Bot Framework sent it (the core does not depend on Bot Framework types).
 */

export type ConversationReferenceData = Record<string, unknown> & {
  conversation?: { id?: string; conversationType?: string; tenantId?: string; name?: string };
  serviceUrl?: string;
};

export interface StoredReference {
  id: string;
  kind: 'user' | 'conversation';
  tenantId: string;
  aadObjectId?: string;
  conversationType?: string;
  reference: ConversationReferenceData;
  updatedAt: string;
  /** Set when Teams answered 403/404 for this conversation: proactive messages stop until the person is seen again. */
  unreachable?: { at: string; status: number; code?: string };
}

export const userReferenceKey = (tenantId: string, aadObjectId: string) => `user:${tenantId.toLowerCase()}:${aadObjectId.toLowerCase()}`;
export const conversationReferenceKey = (conversationId: string) => `conversation:${conversationId}`;

export class ConversationStore {
  /** Hash of the last reference written per key by this instance: an unchanged reference costs no write. */
  private readonly lastWritten = new Map<string, string>();

  constructor(private readonly container: Container, private readonly now: () => Date = () => new Date()) {}

  async save(entry: Omit<StoredReference, 'updatedAt'>): Promise<boolean> {
    const hash = createHash('sha1').update(JSON.stringify({ ...entry, updatedAt: undefined })).digest('base64');
    if (this.lastWritten.get(entry.id) === hash) return false;
    await this.container.items.upsert({ ...entry, updatedAt: this.now().toISOString() });
    this.lastWritten.set(entry.id, hash);
    return true;
  }

  async get(id: string): Promise<StoredReference | undefined> {
    try {
      const { resource } = await this.container.item(id, id).read<StoredReference>();
      if (!resource) return undefined;
      const { id: rid, kind, tenantId, aadObjectId, conversationType, reference, updatedAt, unreachable } = resource;
      return { id: rid, kind, tenantId, reference, updatedAt, ...(aadObjectId ? { aadObjectId } : {}), ...(conversationType ? { conversationType } : {}), ...(unreachable ? { unreachable } : {}) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async forUser(tenantId: string, aadObjectId: string): Promise<StoredReference | undefined> {
    return this.get(userReferenceKey(tenantId, aadObjectId));
  }

  async forConversation(conversationId: string): Promise<StoredReference | undefined> {
    return this.get(conversationReferenceKey(conversationId));
  }
}
