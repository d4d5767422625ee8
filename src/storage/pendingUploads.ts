import type { Container } from '@azure/cosmos';
import type { PoeFile } from '../domain/claim';
import { isConflict, isNotFound, isPreconditionFailed } from './cosmosDatabase';

/**
 * PoE files that arrived for an open form after its turn had answered (a slow download finished in the
 * background): kept here, beside the conversation references, until the form's next turn takes them.
 * One document per conversation and claim; appends and takes are ETag-conditional, so two downloads
 * finishing at once both land and a file is taken once.
 */

const pendingId = (conversationId: string, claimId: string) => `uploads:${conversationId}:${claimId}`;

interface PendingDoc {
  id: string;
  files: PoeFile[];
}

const ATTEMPTS = 10;

export class PendingUploads {
  constructor(private readonly container: Container) {}

  async add(conversationId: string, claimId: string, files: PoeFile[]): Promise<void> {
    if (!files.length) return;
    const id = pendingId(conversationId, claimId);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { resource, etag } = await this.container.item(id, id).read<PendingDoc>();
      try {
        if (!resource) await this.container.items.create<PendingDoc>({ id, files });
        else
          await this.container
            .item(id, id)
            .replace<PendingDoc>({ id, files: [...resource.files, ...files] }, { accessCondition: { type: 'IfMatch', condition: etag! } });
        return;
      } catch (error) {
        if (!isConflict(error) && !isPreconditionFailed(error)) throw error;
      }
    }
    throw new Error(`Could not keep the uploads for ${claimId} after ${ATTEMPTS} attempts`);
  }

  /** The files waiting for this form, removed from the store (an empty list when none). */
  async take(conversationId: string, claimId: string): Promise<PoeFile[]> {
    const id = pendingId(conversationId, claimId);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { resource, etag } = await this.container.item(id, id).read<PendingDoc>();
      if (!resource) return [];
      try {
        await this.container.item(id, id).delete({ accessCondition: { type: 'IfMatch', condition: etag! } });
        return resource.files;
      } catch (error) {
        if (isNotFound(error)) return [];
        if (!isPreconditionFailed(error)) throw error;
      }
    }
    throw new Error(`Could not take the uploads for ${claimId} after ${ATTEMPTS} attempts`);
  }
}
