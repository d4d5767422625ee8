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

/** How long a "no reference yet" answer is trusted before asking Cosmos DB again (another instance may have saved one). */
const MISSING_TTL_MS = 10_000;
/** An unchanged reference is written again after this long, which also clears an "unreachable" mark. */
const REWRITE_AFTER_MS = 10 * 60_000;

export class ConversationStore {
  /** Hash of the last reference written per key by this instance: an unchanged reference costs no write. */
  private readonly lastWritten = new Map<string, { hash: string; at: number }>();
  private readonly missing = new Map<string, number>();
  /** Reads in flight, so many notifications for one person at once cost one read. */
  private readonly reading = new Map<string, Promise<StoredReference | undefined>>();

  constructor(
    private readonly container: Container,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async save(entry: Omit<StoredReference, 'updatedAt'>): Promise<boolean> {
    const hash = createHash('sha1')
      .update(JSON.stringify({ ...entry, updatedAt: undefined }))
      .digest('base64');
    const last = this.lastWritten.get(entry.id);
    // Trusted for a while only: another instance may have marked the conversation unreachable since.
    if (last?.hash === hash && Date.now() - last.at < REWRITE_AFTER_MS) return false;
    await this.container.items.upsert({ ...entry, updatedAt: this.now().toISOString() });
    this.lastWritten.set(entry.id, { hash, at: Date.now() });
    this.missing.delete(entry.id);
    return true;
  }

  /**
   * Teams answered 403/404 for this conversation: stop sending there. Saving the reference again (the
   * person writes to the bot) makes it reachable again, so this instance forgets it wrote it.
   */
  async markUnreachable(id: string, status: number, code?: string): Promise<void> {
    const stored = await this.get(id);
    if (!stored) return;
    await this.container.items.upsert({ ...stored, unreachable: { at: this.now().toISOString(), status, ...(code ? { code } : {}) } });
    this.lastWritten.delete(id);
  }

  async get(id: string): Promise<StoredReference | undefined> {
    const missingSince = this.missing.get(id);
    if (missingSince !== undefined && Date.now() - missingSince < MISSING_TTL_MS) return undefined;
    const inFlight = this.reading.get(id);
    if (inFlight) return inFlight;
    const read = this.read(id).finally(() => this.reading.delete(id));
    this.reading.set(id, read);
    return read;
  }

  private async read(id: string): Promise<StoredReference | undefined> {
    try {
      const { resource } = await this.container.item(id, id).read<StoredReference>();
      if (!resource) {
        this.missing.set(id, Date.now());
        return undefined;
      }
      const { id: rid, kind, tenantId, aadObjectId, conversationType, reference, updatedAt, unreachable } = resource;
      return {
        id: rid,
        kind,
        tenantId,
        reference,
        updatedAt,
        ...(aadObjectId ? { aadObjectId } : {}),
        ...(conversationType ? { conversationType } : {}),
        ...(unreachable ? { unreachable } : {}),
      };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.missing.set(id, Date.now());
      return undefined;
    }
  }

  async forUser(tenantId: string, aadObjectId: string): Promise<StoredReference | undefined> {
    return this.get(userReferenceKey(tenantId, aadObjectId));
  }

  async forConversation(conversationId: string): Promise<StoredReference | undefined> {
    return this.get(conversationReferenceKey(conversationId));
  }
}

/** Where the reviewers work: the channel or group chat set by a reviewer or by configuration. */
export interface ReviewConversationSetting {
  conversationId: string;
  setBy: string;
  at: string;
}

/** The one card a claim has in the reviewers' conversation, so it can be updated in place. */
export interface ReviewCardRecord {
  claimId: string;
  conversationId: string;
  activityId: string;
  postedAt: string;
}

const REVIEW_SETTING_ID = 'setting:reviewConversation';
const reviewCardId = (claimId: string) => `reviewCard:${claimId}`;
const teamsUserId = (aadObjectId: string) => `teamsUser:${aadObjectId.toLowerCase()}`;

/** Settings and records that live beside the conversation references (same container, own id prefixes). */
export class ReviewRegistry {
  /** AAD object id -> Teams user id, or null when not seen yet (re-checked after a minute). */
  private readonly teamsIds = new Map<string, { value: string | null; at: number }>();
  /** The setting is read on every claim change: keep it for a short while (this instance's own change applies at once). */
  private setting?: { value: ReviewConversationSetting | undefined; at: number };

  constructor(
    private readonly container: Container,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async setReviewConversation(conversationId: string, setBy: string): Promise<void> {
    const value = { conversationId, setBy, at: this.now().toISOString() };
    await this.container.items.upsert({ id: REVIEW_SETTING_ID, ...value });
    this.setting = { value, at: Date.now() };
  }

  async reviewConversation(): Promise<ReviewConversationSetting | undefined> {
    if (this.setting && Date.now() - this.setting.at < MISSING_TTL_MS) return this.setting.value;
    const doc = await this.read<ReviewConversationSetting>(REVIEW_SETTING_ID);
    const value = doc ? { conversationId: doc.conversationId, setBy: doc.setBy, at: doc.at } : undefined;
    this.setting = { value, at: Date.now() };
    return value;
  }

  async saveReviewCard(record: ReviewCardRecord): Promise<void> {
    await this.container.items.upsert({ id: reviewCardId(record.claimId), ...record });
  }

  async reviewCard(claimId: string): Promise<ReviewCardRecord | undefined> {
    const doc = await this.read<ReviewCardRecord>(reviewCardId(claimId));
    return doc ? { claimId: doc.claimId, conversationId: doc.conversationId, activityId: doc.activityId, postedAt: doc.postedAt } : undefined;
  }

  /** Teams user ids ("29:...") are what card refresh needs; people are known by AAD id: keep the pair when seen. */
  async rememberTeamsUser(aadObjectId: string, teamsUserIdValue: string): Promise<void> {
    const key = aadObjectId.toLowerCase();
    if (this.teamsIds.get(key)?.value === teamsUserIdValue) return;
    await this.container.items.upsert({ id: teamsUserId(key), aadObjectId: key, teamsUserId: teamsUserIdValue });
    this.teamsIds.set(key, { value: teamsUserIdValue, at: Date.now() });
  }

  async teamsUserIdOf(aadObjectId: string): Promise<string | undefined> {
    const key = aadObjectId.toLowerCase();
    const cached = this.teamsIds.get(key);
    // A person not seen yet is looked up again after a minute (another instance may have seen them).
    if (cached && (cached.value !== null || Date.now() - cached.at < 60_000)) return cached.value ?? undefined;
    const doc = await this.read<{ teamsUserId: string }>(teamsUserId(key));
    this.teamsIds.set(key, { value: doc?.teamsUserId ?? null, at: Date.now() });
    return doc?.teamsUserId;
  }

  private async read<T>(id: string): Promise<T | undefined> {
    try {
      return (await this.container.item(id, id).read<T & { id: string }>()).resource ?? undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
