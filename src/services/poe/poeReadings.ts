import type { Claim, PoeFile } from '../../domain/claim';
import type { PoeDocument } from '../../domain/poeDocument';
import type { Logger } from '../../logger';
import type { PoeBlobStore } from '../../storage/poeBlobStore';
import { POE_CONTENT_TYPES, type PoeKind } from './poeFileIntake';
import { unreadableDocument } from './reading/unreadable';
import type { PoeReadLimits } from './reading/readLimits';
import { PoeReaders } from './reading/readPoeDocument';

/**
 * What was read out of each PoE file, read once. A file is read right after it is accepted, off the
 * person's turn (a background task), and the PoeDocument is kept in Blob Storage beside the file
 * (`<file>.document.json`): the claim document stays small, and the pre-check, the review card and any
 * later step get the text without reading the file again. A reading kept by an older reader is read again.
 * Deleting a claim's files (a discarded draft) deletes these with them (same prefix). Each AppServices
 * has its own reader process (PoeReaders), started with the bot (start()) and ended when the services close.
 */

/** Raised when what the readers produce changes, so that readings kept by an older version are read again. */
export const READER_VERSION = 1;

interface KeptReading {
  readerVersion: number;
  readAt: string;
  document: PoeDocument;
}

export const readingBlobName = (file: Pick<PoeFile, 'blobName'>): string => `${file.blobName}.document.json`;

const KIND_OF_CONTENT_TYPE = new Map(Object.entries(POE_CONTENT_TYPES).map(([kind, type]) => [type, kind as PoeKind]));

/** How a stored file is read: by the content type intake gave it from its bytes (never by its name). */
export const readKindOf = (file: Pick<PoeFile, 'contentType'>): PoeKind | undefined => KIND_OF_CONTENT_TYPE.get(file.contentType);

export interface PoeReadingsDeps {
  poe: PoeBlobStore;
  log: Logger;
  now: () => Date;
  /** Runs a task after the turn (the app's background lane); without it, readLater reads at once. */
  runLater?: (name: string, task: () => Promise<void>) => void;
  /** The reader process, with its limits (DEFAULT_POE_READ_LIMITS unless given). */
  readers?: PoeReaders;
  limits?: PoeReadLimits;
}

export class PoeReadings {
  /** Readings under way in this process, by blob name: a file asked for while it is being read is read once. */
  private readonly underway = new Map<string, Promise<PoeDocument>>();

  private readonly readers: PoeReaders;

  constructor(private readonly deps: PoeReadingsDeps) {
    this.readers = deps.readers ?? new PoeReaders({ memoryMb: deps.limits?.memoryMb, log: deps.log });
  }

  /** Starts the reader process and loads pdf.js (the bot at start-up), so the first file is read as fast as the rest. */
  start(): Promise<void> {
    return this.readers.start();
  }

  /** At shutdown: readings under way end at once ('timeLimit', not kept: read again when next asked for). */
  close(): Promise<void> {
    return this.readers.close(true);
  }

  /** Reads an accepted file after the turn, from the bytes already in hand, and keeps the result. */
  readLater(file: PoeFile, data: Buffer): void {
    const task = async () => void (await this.documentOf(file, data));
    if (this.deps.runLater) this.deps.runLater(`read PoE ${file.blobName}`, task);
    else void task();
  }

  /** The PoeDocument of every PoE file of a claim, in the claim's order; files not read yet are read now. */
  async documentsOf(claim: Pick<Claim, 'poe'>): Promise<PoeDocument[]> {
    return Promise.all(claim.poe.map((file) => this.documentOf(file)));
  }

  /** One file's PoeDocument: kept, under way, or read now. Never throws: a file that can't be had is 'corrupt', and is not kept. */
  async documentOf(file: PoeFile, data?: Buffer): Promise<PoeDocument> {
    const underway = this.underway.get(file.blobName);
    if (underway) return underway;
    const reading = this.readOnce(file, data).finally(() => this.underway.delete(file.blobName));
    this.underway.set(file.blobName, reading);
    return reading;
  }

  private async readOnce(file: PoeFile, data?: Buffer): Promise<PoeDocument> {
    const kind = readKindOf(file);
    if (!kind) return unreadableDocument(file.fileName, 'pdf', 'unsupported');
    try {
      const kept = await this.deps.poe.getJson<KeptReading>(readingBlobName(file));
      if (kept?.readerVersion === READER_VERSION) return { ...kept.document, fileName: file.fileName };
      const bytes = data ?? (await this.deps.poe.download(file.blobName));
      const document = await this.readers.read(bytes, file.fileName, kind, this.deps.limits);
      // Out of time may be the machine's load or a shutdown, not the file: such a reading is not kept.
      if (document.unreadable === 'timeLimit') return document;
      const keep: KeptReading = { readerVersion: READER_VERSION, readAt: this.deps.now().toISOString(), document };
      await this.deps.poe
        .putJson(readingBlobName(file), keep)
        .catch((error) => this.deps.log.warn(`Could not keep the reading of ${file.blobName}: ${(error as Error).message}`));
      return document;
    } catch (error) {
      this.deps.log.warn(`Could not read PoE ${file.blobName}: ${(error as Error).message}`);
      return unreadableDocument(file.fileName, kind, 'corrupt');
    }
  }
}
