import type { Clock } from '../clock';
import type { Claim, PoeFile } from '../domain/claim';
import type { PoeDocument } from '../domain/poeDocument';
import { DOCUMENT_KIND } from './poe/reading/extractPoeDocument';
import { DEFAULT_POE_READ_LIMITS, type PoeReadKind } from './poe/reading/readLimits';
import { precheckPoe, type PoeChecklist, type PrecheckFacts } from '../domain/poePrecheck';
import { numericDateOrder } from '../domain/poeDates';
import type { Logger } from '../logger';
import type { Organisation, PartnerUser } from '../domain/roster';
import { BackgroundTasks } from './backgroundTasks';

/**
 * Runs the PoE pre-check for a claim: reads its files (once each, off the turn, one at a time so
 * memory stays bounded, giving way to people's turns) and checks what was read against the claim's
 * facts. A file that can't be read, or takes too long, is a document marked unreadable: the checklist
 * says so, the upload is never failed.
 */

/** Reads one stored PoE file into what the rules look at (readPoeDocument: PDF, Word, e-mail; never throws). */
export type PoeReader = (bytes: Buffer, fileName: string, kind: PoeReadKind) => Promise<PoeDocument>;

export interface PoePrecheckDeps {
  download: (blobName: string) => Promise<Buffer>;
  read: PoeReader;
  rosters: { organisation(orgId: string): Promise<Organisation | undefined>; partnerUsersOf(orgId: string): Promise<PartnerUser[]> };
  clock: Clock;
  log: Logger;
  /** Longest a file may take to download and read before it counts as unreadable (timeLimit): the reader's own limit, plus the download. */
  timeLimitMs?: number;
  /** Files whose reading is remembered in this process (the oldest are forgotten first). */
  cacheSize?: number;
}

export const DEFAULT_PRECHECK_TIME_LIMIT_MS = DEFAULT_POE_READ_LIMITS.timeMs + 10_000;

/** How a stored file is read, from the content type intake gave it by its bytes (not from its name). */
export function readKind(file: Pick<PoeFile, 'contentType'>): PoeReadKind {
  const type = file.contentType.toLowerCase();
  if (type === 'application/pdf') return 'pdf';
  if (type.includes('wordprocessingml')) return 'docx';
  if (type === 'message/rfc822') return 'eml';
  if (type === 'application/vnd.ms-outlook') return 'msg';
  return type === 'image/png' ? 'png' : 'jpeg';
}

/** Web mail domains say nothing about which organisation someone works for. */
const PUBLIC_MAIL_DOMAINS = new Set(['gmail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'qq.com', '163.com', '126.com', 'icloud.com']);

export class PoePrecheckService {
  private readonly documents = new Map<string, Promise<PoeDocument>>();
  private readonly settled = new Set<string>();
  /** Readings not finished yet: at shutdown they are answered "time limit" so nobody waits for ever. */
  private readonly waiting = new Map<string, (document: PoeDocument) => void>();
  private readonly followers = new Set<Promise<void>>();
  readonly lane: BackgroundTasks;

  constructor(private readonly deps: PoePrecheckDeps) {
    // One file at a time: a 20 MB PDF being read is the most memory the pre-check ever holds.
    this.lane = new BackgroundTasks(deps.log, { concurrency: 1, busyConcurrency: 1, maxWaitMs: 2000 });
  }

  /** The claim's facts as the rules compare them; `locale` reads an ambiguous 01/03/2026 (the partner's). */
  async facts(claim: Claim, locale?: string): Promise<PrecheckFacts> {
    const f = claim.fields;
    const organisation = await this.deps.rosters.organisation(claim.orgId);
    const users = await this.deps.rosters.partnerUsersOf(claim.orgId);
    const domains = [...users.map((u) => u.email), f.partnerContact?.email]
      .map((e) => e?.split('@')[1]?.toLowerCase())
      .filter((d): d is string => Boolean(d) && !PUBLIC_MAIL_DOMAINS.has(d!) && d !== f.customerDomain?.toLowerCase());
    return {
      ...(f.customerDomain ? { customerDomain: f.customerDomain } : {}),
      ...(f.customerTenantId ? { customerTenantId: f.customerTenantId } : {}),
      customerNames: f.revenueAssociation?.customerName ? [f.revenueAssociation.customerName] : [],
      partnerNames: organisation ? [organisation.name] : [],
      mpnIds: [...new Set([...(f.mpnId ? [f.mpnId] : []), ...(organisation?.mpnIds.map((m) => m.id) ?? [])])],
      partnerDomains: [...new Set(domains)],
      products: f.products ?? [],
      dateOrder: numericDateOrder(locale),
    };
  }

  /** Starts reading the claim's files that are not read yet, in the background; returns at once. */
  start(claim: Pick<Claim, 'poe'>): void {
    for (const file of claim.poe) this.document(file);
  }

  /** True when every file of the claim has been read (or found unreadable). */
  ready(claim: Pick<Claim, 'poe'>): boolean {
    return claim.poe.every((f) => this.settled.has(f.blobName));
  }

  /** The checklist once every file is read; undefined while reading goes on (it is started if it wasn't). */
  async checklistIfReady(claim: Claim, locale?: string): Promise<PoeChecklist | undefined> {
    this.start(claim);
    if (!this.ready(claim)) return undefined;
    return this.checklist(claim, locale);
  }

  /** The checklist, waiting for the files to be read. Submission time: the claim's, or now for a draft. */
  async checklist(claim: Claim, locale?: string): Promise<PoeChecklist> {
    const documents = await Promise.all(claim.poe.map((f) => this.document(f)));
    return precheckPoe(documents, await this.facts(claim, locale), claim.submittedAt ?? this.deps.clock.now());
  }

  /**
   * Runs `then` with the claim's checklist once its files are read, without holding a slot of any
   * other lane while it waits (the reading lane works one file at a time).
   */
  whenChecked(claim: Claim, locale: string | undefined, then: (checklist: PoeChecklist | undefined) => Promise<void>): void {
    const done: Promise<void> = this.checklist(claim, locale)
      .then(then, async (error) => {
        this.deps.log.error(`PoE pre-check of ${claim.id} failed`, error);
        await then(undefined);
      })
      .catch((error) => this.deps.log.error(`After the PoE pre-check of ${claim.id}`, error))
      .finally(() => this.followers.delete(done));
    this.followers.add(done);
  }

  /** Waits for every reading started so far, and what was waiting for them (tests, shutdown). */
  async drain(): Promise<void> {
    await this.lane.drain();
    while (this.followers.size) await Promise.all([...this.followers]);
  }

  /** At shutdown: readings not started are dropped (and answered as out of time), the one under way is waited for. */
  async close(): Promise<void> {
    await this.lane.close();
    for (const [blobName, resolve] of this.waiting) resolve({ fileName: blobName.split('/').pop() ?? blobName, kind: 'pdf', readable: false, unreadable: 'timeLimit', pages: [], signatures: [], formFields: [] });
    this.waiting.clear();
    await Promise.all([...this.followers]);
  }

  private document(file: PoeFile): Promise<PoeDocument> {
    const known = this.documents.get(file.blobName);
    if (known) return known;
    const reading = new Promise<PoeDocument>((resolve) => {
      this.waiting.set(file.blobName, resolve);
      this.lane.run(`read PoE ${file.fileName}`, async () => resolve(await this.readBounded(file)));
    }).then((document) => {
      this.waiting.delete(file.blobName);
      this.settled.add(file.blobName);
      return document;
    });
    this.documents.set(file.blobName, reading);
    this.forgetOldest();
    return reading;
  }

  /** Reads one file within the time limit; any failure becomes an unreadable document with its reason. */
  private async readBounded(file: PoeFile): Promise<PoeDocument> {
    const kind = readKind(file);
    const unreadable = (reason: PoeDocument['unreadable']): PoeDocument => ({ fileName: file.fileName, kind: DOCUMENT_KIND[kind], readable: false, unreadable: reason, pages: [], signatures: [], formFields: [] });
    const limit = this.deps.timeLimitMs ?? DEFAULT_PRECHECK_TIME_LIMIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<PoeDocument>((resolve) => (timer = setTimeout(() => resolve(unreadable('timeLimit')), limit)));
    const work = (async () => {
      if (DOCUMENT_KIND[kind] === 'image') return unreadable('image');
      const bytes = await this.deps.download(file.blobName);
      return this.deps.read(bytes, file.fileName, kind);
    })().catch((error) => {
      // Not a warning: a file missing from storage is the PoE links' problem, reported there; the checklist says "could not be read".
      this.deps.log.info(`PoE ${file.fileName} (${file.blobName}) could not be read for the pre-check: ${(error as Error).message}`);
      return unreadable('corrupt');
    });
    try {
      return await Promise.race([work, outOfTime]);
    } finally {
      clearTimeout(timer);
    }
  }

  private forgetOldest(): void {
    const max = this.deps.cacheSize ?? 500;
    for (const key of this.documents.keys()) {
      if (this.documents.size <= max) return;
      if (!this.settled.has(key)) continue; // a reading under way is kept: someone waits for it
      this.documents.delete(key);
      this.settled.delete(key);
    }
  }
}
