import { createHash } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Container, ItemDefinition } from '@azure/cosmos';
import { isNotFound, isPreconditionFailed } from '../src/storage/cosmosDatabase';

/**
 * Bot Framework `Storage` over a Cosmos DB container, so dialog state survives restarts and any bot
 * instance can continue any dialog. An item written with the eTag it was read with is written only if
 * nobody changed it meanwhile (412 otherwise); eTag "*" or none writes unconditionally, as the
 * Storage contract says.
 */

interface StateDoc {
  id: string;
  key: string;
  document: Record<string, unknown>;
}

/** Cosmos ids may not contain / \ ? # and are limited in length; state keys do contain "/". */
export function stateDocId(key: string): string {
  const readable = key.replace(/[/\\?#]/g, '|');
  return readable.length <= 200 ? readable : `${readable.slice(0, 150)}~${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

export class StateConflictError extends Error {}

export class CosmosBotStorage implements Storage {
  constructor(private readonly container: Container) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        const id = stateDocId(key);
        try {
          const { resource } = await this.container.item(id, id).read<StateDoc & ItemDefinition>();
          if (resource) items[key] = { ...resource.document, eTag: resource._etag };
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(async ([key, value]) => {
        const { eTag, ...document } = (value ?? {}) as Record<string, unknown> & { eTag?: string };
        const doc: StateDoc = { id: stateDocId(key), key, document };
        try {
          if (eTag && eTag !== '*') {
            await this.container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: eTag } });
          } else {
            await this.container.items.upsert(doc);
          }
        } catch (error) {
          if (isPreconditionFailed(error) || isNotFound(error)) throw new StateConflictError(`State ${key} was changed by another turn`);
          throw error;
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        const id = stateDocId(key);
        await this.container
          .item(id, id)
          .delete()
          .catch((error) => (isNotFound(error) ? undefined : Promise.reject(error)));
      }),
    );
  }
}
