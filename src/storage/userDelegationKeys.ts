import type { BlobServiceClient, UserDelegationKey } from '@azure/storage-blob';

/**
 * User delegation keys for signing PoE links without an account key: asked of the storage service with
 * the bot's Microsoft Entra identity (it needs "Storage Blob Data Contributor" or the generateUserDelegationKey
 * action), kept, and renewed before a link signed with one could outlive it. One request at a time:
 * a burst of cards drawn together shares it.
 */

/** How long a key is asked for (Azure allows up to 7 days; a short life limits what a leaked key can sign). */
export const KEY_LIFETIME_MS = 6 * 60 * 60_000;
/** A key is renewed when a link signed now would expire within this margin of the key. */
export const RENEW_MARGIN_MS = 5 * 60_000;

interface HeldKey {
  key: UserDelegationKey;
  startsOn: number;
  expiresOn: number;
}

export class UserDelegationKeys {
  private held?: HeldKey;
  private pending?: Promise<HeldKey>;
  /** Keys asked of the service so far (the log and tests read it). */
  fetched = 0;

  constructor(private readonly service: BlobServiceClient) {}

  /** A key under which a link valid from `startsOn` to `expiresOn` stays valid to its end. */
  async keyFor(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey> {
    const covers = (k: HeldKey | undefined): k is HeldKey => !!k && k.startsOn <= startsOn.getTime() && expiresOn.getTime() + RENEW_MARGIN_MS <= k.expiresOn;
    if (covers(this.held)) return this.held.key;
    if (this.pending) {
      const shared = await this.pending;
      if (covers(shared)) return shared.key;
    }
    const request = this.fetch(startsOn);
    this.pending = request;
    try {
      this.held = await request;
      return this.held.key;
    } finally {
      if (this.pending === request) this.pending = undefined;
    }
  }

  private async fetch(startsOn: Date): Promise<HeldKey> {
    const expiresOn = new Date(startsOn.getTime() + KEY_LIFETIME_MS);
    const key = await this.service.getUserDelegationKey(startsOn, expiresOn);
    this.fetched += 1;
    return { key, startsOn: startsOn.getTime(), expiresOn: expiresOn.getTime() };
  }
}
