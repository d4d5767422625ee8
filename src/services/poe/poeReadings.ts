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

export interface KeptReading {
  readerVersion: number;
  readAt: string;
  document: PoeDocument;
}

/** What is kept beside a file once it is read (`<file>.document.json`). */
export const keptReading = (document: PoeDocument, readAt: Date): KeptReading => ({ readerVersion: READER_VERSION, readAt: readAt.toISOString(), document });

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
  /**
   * Files accepted by this process and not read yet, with their bytes: the turn that accepts a file draws
   * the claim's card, whose pre-check asks for the file before the background lane gets to it, and that
   * reading takes the bytes from here (neither a look for a kept reading nor a download from Blob Storage).
   */
  private readonly inHand = new Map<string, Buffer>();

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
    this.inHand.set(file.blobName, data);
    // Nothing to do when the card's pre-check has already taken the bytes (read, or being read).
    const task = async () => void (this.inHand.has(file.blobName) && (await this.documentOf(file)));
    if (this.deps.runLater) this.deps.runLater(`read PoE ${file.blobName}`, task);
    else void task();
  }

  /** The PoeDocument of every PoE file of a claim, in the claim's order; files not read yet are read now. */
  async documentsOf(claim: Pick<Claim, 'poe'>): Promise<PoeDocument[]> {
    return Promise.all(claim.poe.map((file) => this.documentOf(file)));
  }

  /** One file's PoeDocument: kept, under way, or read now. Never throws: a file that can't be had is 'corrupt', and is not kept. */
  async documentOf(file: PoeFile): Promise<PoeDocument> {
    const underway = this.underway.get(file.blobName);
    if (underway) return underway;
    const accepted = this.inHand.get(file.blobName);
    this.inHand.delete(file.blobName);
    const reading = this.readOnce(file, accepted).finally(() => this.underway.delete(file.blobName));
    this.underway.set(file.blobName, reading);
    return reading;
  }

  /** `accepted`: the bytes of a file this process has just stored under a new name, which has no kept reading yet. */
  private async readOnce(file: PoeFile, accepted?: Buffer): Promise<PoeDocument> {
    const kind = readKindOf(file);
    if (!kind) return unreadableDocument(file.fileName, 'pdf', 'unsupported');
    try {
      if (!accepted) {
        const kept = await this.deps.poe.getJson<KeptReading>(readingBlobName(file));
        if (kept?.readerVersion === READER_VERSION) return { ...kept.document, fileName: file.fileName };
      }
      const bytes = accepted ?? (await this.deps.poe.download(file.blobName));
      const document = await this.readers.read(bytes, file.fileName, kind, this.deps.limits);
      // Out of time may be the machine's load or a shutdown, not the file: such a reading is not kept.
      if (document.unreadable === 'timeLimit') return document;
      await this.deps.poe
        .putJson(readingBlobName(file), keptReading(document, this.deps.now()))
        .catch((error) => this.deps.log.warn(`Could not keep the reading of ${file.blobName}: ${(error as Error).message}`));
      return document;
    } catch (error) {
      this.deps.log.warn(`Could not read PoE ${file.blobName}: ${(error as Error).message}`);
      return unreadableDocument(file.fileName, kind, 'corrupt');
    }
  }
}
