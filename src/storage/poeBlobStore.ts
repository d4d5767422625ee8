import { createHash, randomUUID } from 'node:crypto';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type ContainerClient,
  newPipeline,
  type Pipeline,
} from '@azure/storage-blob';
import type { TokenCredential } from './azureIdentity';
import { UserDelegationKeys } from './userDelegationKeys';

/**
 * Proof-of-execution files in Azure Blob Storage. Names never collide (claim id + random id), the
 * container is private, and files are read back only through short-lived, read-only SAS links: signed
 * with the account key (connection string), or with a user delegation key where the bot reaches the
 * account through Microsoft Entra ID (managed identity) and holds no key.
 */

/** The storage account reached through Microsoft Entra ID: its blob endpoint and the bot's credential. */
export interface StorageAccountByIdentity {
  accountUrl: string;
  credential: TokenCredential;
  /** Adds to the storage client's request pipeline (tests: trust a loopback emulator's certificate). */
  adaptPipeline?: (pipeline: Pipeline) => void;
}

/** Signs a read-only link to one blob of the container for the given window: the link's query string. */
type LinkSigner = (blobName: string, window: { startsOn: Date; expiresOn: Date }) => Promise<string>;

const READ_ONLY = () => BlobSASPermissions.parse('r');

export interface StoredBlob {
  blobName: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Keeps a file name readable in a download while removing path parts and characters URLs and headers dislike. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
  return cleaned.replace(/^\.+/, '') || 'file';
}

/** A blob's name as its URL's path, each part escaped (as the SDK's `getBlockBlobClient` does). */
const blobPath = (blobName: string): string => blobName.split('/').map(encodeURIComponent).join('/');

/** Links kept for reuse; past this many the memory starts over (each is a few hundred bytes). */
const MAX_REMEMBERED_LINKS = 2000;

export class PoeBlobStore {
  private readonly links = new Map<string, { url: string; madeAt: number; ttlMs: number }>();

  private constructor(
    private readonly container: ContainerClient,
    private readonly sign: LinkSigner,
  ) {}

  /** `account`: a connection string with the account key, or the account's URL and a Microsoft Entra credential. */
  static async open(account: string | StorageAccountByIdentity, containerName: string): Promise<PoeBlobStore> {
    let service: BlobServiceClient;
    let sign: LinkSigner;
    // Signed from the names, as the SDK's blob clients sign: a client per link would cost more than the signature.
    if (typeof account === 'string') {
      service = BlobServiceClient.fromConnectionString(account);
      const key = service.credential;
      if (!(key instanceof StorageSharedKeyCredential)) throw new Error('The storage connection string has no account key to sign PoE links with');
      sign = async (blobName, window) => generateBlobSASQueryParameters({ containerName, blobName, permissions: READ_ONLY(), ...window }, key).toString();
    } else {
      const pipeline = newPipeline(account.credential);
      account.adaptPipeline?.(pipeline);
      service = new BlobServiceClient(account.accountUrl, pipeline);
      const keys = new UserDelegationKeys(service);
      const protocol = account.accountUrl.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp;
      sign = async (blobName, { startsOn, expiresOn }) =>
        generateBlobSASQueryParameters(
          { containerName, blobName, permissions: READ_ONLY(), startsOn, expiresOn, protocol },
          await keys.keyFor(startsOn, expiresOn),
          service.accountName,
        ).toString();
    }
    const container = service.getContainerClient(containerName);
    await container.createIfNotExists(); // private: no public access level
    return new PoeBlobStore(container, sign);
  }

  async upload(input: { claimId: string; fileName: string; contentType: string; data: Buffer }): Promise<StoredBlob> {
    const blobName = `${input.claimId}/${randomUUID()}/${safeFileName(input.fileName)}`;
    const sha256 = createHash('sha256').update(input.data).digest('hex');
    await this.container.getBlockBlobClient(blobName).uploadData(input.data, {
      blobHTTPHeaders: {
        blobContentType: input.contentType,
        blobContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(safeFileName(input.fileName))}`,
      },
      metadata: { claimid: input.claimId, sha256 },
    });
    return { blobName, contentType: input.contentType, size: input.data.length, sha256 };
  }

  /** A read-only link that stops working after `ttlMinutes`; it can't be used to write or list. */
  async readLink(blobName: string, options: { now: Date; ttlMinutes: number }): Promise<string> {
    // A card is drawn on every action and refresh: a link made moments ago is reused while at least
    // three quarters of its life is left, since signing one costs more than the rest of the card.
    const now = options.now.getTime();
    const ttlMs = options.ttlMinutes * 60_000;
    const known = this.links.get(blobName);
    if (known && known.ttlMs === ttlMs && now >= known.madeAt && now - known.madeAt <= ttlMs / 4) return known.url;
    const startsOn = new Date(now - 5 * 60_000); // tolerate clock skew with the storage service
    const expiresOn = new Date(now + ttlMs);
    const url = `${this.container.url}/${blobPath(blobName)}?${await this.sign(blobName, { startsOn, expiresOn })}`;
    if (this.links.size >= MAX_REMEMBERED_LINKS) this.links.clear();
    this.links.set(blobName, { url, madeAt: now, ttlMs });
    return url;
  }

  /**
   * A blob's bytes in one GET. (`downloadToBuffer` asks for the blob's properties first: two requests for
   * every reading, and for a missing blob a HEAD whose unread 404 keeps its connection out of the pool, so
   * each miss opened a new connection: a new TLS handshake against Azure Storage.) A dropped connection
   * resumes where it stopped, up to three times.
   */
  async download(blobName: string): Promise<Buffer> {
    const response = await this.container.getBlockBlobClient(blobName).download(0, undefined, { maxRetryRequests: 3 });
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody ?? []) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return Buffer.concat(chunks);
  }

  /** Keeps a JSON document beside the files (what was read out of one, say). */
  async putJson(blobName: string, value: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    await this.container.getBlockBlobClient(blobName).uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' } });
  }

  /** A JSON document kept with putJson; undefined when there is none. */
  async getJson<T>(blobName: string): Promise<T | undefined> {
    try {
      return JSON.parse((await this.download(blobName)).toString('utf8')) as T;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Removes every file of a claim (a discarded draft); each file is deleted once, missing ones are fine. */
  async deleteClaimFiles(claimId: string): Promise<number> {
    let deleted = 0;
    for await (const blob of this.container.listBlobsFlat({ prefix: `${claimId}/` })) {
      await this.container.getBlockBlobClient(blob.name).deleteIfExists();
      deleted += 1;
    }
    return deleted;
  }

  async ping(): Promise<void> {
    await this.container.getProperties();
  }
}
