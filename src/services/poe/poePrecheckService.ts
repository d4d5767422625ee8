import { setImmediate as nextTurnOfTheLoop } from 'node:timers/promises';
import type { Clock } from '../../clock';
import { withinTime } from '../../timeLimit';
import type { Claim, PoeFile } from '../../domain/claim';
import type { PoeDocument } from '../../domain/poeDocument';
import { DEFAULT_POE_READ_LIMITS } from './reading/readLimits';
import { READER_STARTUP_MS, WALL_CLOCK_FACTOR } from './reading/readPoeDocument';
import { unreadableDocument } from './reading/unreadable';
import { readKindOf } from './poeReadings';
import { checklistOf, documentFindings, findingsKey, type DocumentFindings, type PoeChecklist, type PrecheckFacts } from '../../domain/poePrecheck';
import { numericDateOrder } from '../../domain/poeDates';
import type { Logger } from '../../logger';
import type { Organisation, PartnerUser } from '../../domain/roster';

/**
 * Runs the PoE pre-check for a claim: gets what was read of its files from the one place that reads
 * them (PoeReadings: read once after upload, in the bounded reader process, kept beside the file) and
 * checks it against the claim's facts. Nothing here waits on a turn: a card asks `checklistIfReady`
 * (undefined while reading goes on, "checking…") and a follow-up is posted by `whenChecked`. A file that
 * can't be read, or takes too long, is a document marked unreadable: the checklist says so, the upload
 * is never failed.
 */

export interface PoePrecheckDeps {
  /** The claim's read documents, one per file (PoeReadings.documentOf: kept, under way, or read now; never throws). */
  documentOf: (file: PoeFile) => Promise<PoeDocument>;
  rosters: { organisation(orgId: string): Promise<Organisation | undefined>; partnerUsersOf(orgId: string): Promise<PartnerUser[]> };
  clock: Clock;
  log: Logger;
  /**
   * Longest the pre-check waits for one file before it counts as unreadable ('timeLimit'): the reader's
   * own limit plus its process's start and the download. The reading itself goes on in PoeReadings and is
   * kept there; this process remembers the file as out of time (a restart asks again).
   */
  timeLimitMs?: number;
  /** Files whose reading is remembered in this process (the oldest are forgotten first). */
  cacheSize?: number;
}

/**
 * The reader process's start-up bound (2 minutes) plus the longest one file's reading may take by the wall
 * clock (its CPU limit, waited for at most WALL_CLOCK_FACTOR times over on a busy machine): past this, something is stuck.
 */
export const DEFAULT_PRECHECK_TIME_LIMIT_MS = READER_STARTUP_MS + DEFAULT_POE_READ_LIMITS.timeMs * WALL_CLOCK_FACTOR + 10_000;

/** Sets of facts whose findings are kept per file (the partner's locale, a reviewer's, facts changed once). */
const FINDINGS_PER_FILE = 3;

/** Web mail domains say nothing about which organisation someone works for. */
const PUBLIC_MAIL_DOMAINS = new Set(['gmail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'qq.com', '163.com', '126.com', 'icloud.com']);

export class PoePrecheckService {
  private readonly documents = new Map<string, Promise<PoeDocument>>();
  private readonly settled = new Set<string>();
  /**
   * What the rules found in each file, against the facts they were read with: a claim's checklist is
   * drawn again with every file added and every card shown, and only a file not seen yet (or facts that
   * changed) is read again, one file per turn of the event loop, so that no turn waits behind a claim's
   * twenty files.
   */
  private readonly findings = new Map<string, Map<string, { document: PoeDocument; findings: DocumentFindings }>>();
  /** Readings not finished yet: at shutdown they are answered "time limit" so nobody waits for ever. */
  private readonly waiting = new Map<string, (document: PoeDocument) => void>();
  private readonly followers = new Set<Promise<void>>();
  /** Claims with a follow-up already waiting for their checklist (one per claim and purpose). */
  private readonly following = new Set<string>();
  private closed = false;

  constructor(private readonly deps: PoePrecheckDeps) {}

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
    // A reading never rejects (an unreadable file settles as unread), so nothing waits on it here.
    for (const file of claim.poe) void this.document(file);
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

  /**
   * The checklist if every file is read within `waitMs`: a reading kept beside its file comes in
   * milliseconds, a file this process reads itself may take longer, and then this is undefined (reading goes on).
   */
  async checklistWithin(claim: Claim, waitMs: number, locale?: string): Promise<PoeChecklist | undefined> {
    this.start(claim);
    if (this.ready(claim)) return this.checklist(claim, locale);
    // A failure while waiting is a checklist not ready (the decision goes on), not a failed decision.
    const checked = this.checklist(claim, locale).catch((error) => {
      this.deps.log.warn(`PoE pre-check of ${claim.id} failed while a decision waited for it: ${(error as Error).message}`);
      return undefined;
    });
    return withinTime(checked, waitMs, () => undefined);
  }

  /** The checklist, waiting for the files to be read. Submission time: the claim's, or now for a draft. */
  async checklist(claim: Claim, locale?: string): Promise<PoeChecklist> {
    const documents = await Promise.all(claim.poe.map((f) => this.document(f)));
    const facts = await this.facts(claim, locale);
    const key = findingsKey(facts);
    const found: DocumentFindings[] = [];
    for (const [i, file] of claim.poe.entries()) {
      const known = this.findings.get(file.blobName)?.get(key);
      if (known?.document === documents[i]) {
        found.push(known.findings);
        continue;
      }
      // One file per turn of the event loop: no turn waits behind the rules reading a claim's twenty files.
      await nextTurnOfTheLoop();
      found.push(this.keep(file, documents[i], key, documentFindings(documents[i], facts)));
    }
    return checklistOf(found, facts, claim.submittedAt ?? this.deps.clock.now());
  }

  /**
   * Runs `then` with the claim's checklist once its files are read (undefined if checking failed).
   * `key`: one follow-up per key while one waits (a card drawn again while its files are read asks once).
   */
  whenChecked(claim: Claim, locale: string | undefined, then: (checklist: PoeChecklist | undefined) => Promise<void>, key?: string): void {
    if (key && this.following.has(key)) return;
    if (key) this.following.add(key);
    const done: Promise<void> = this.checklist(claim, locale)
      .then(then, async (error) => {
        this.deps.log.error(`PoE pre-check of ${claim.id} failed`, error);
        await then(undefined);
      })
      .catch((error) => this.deps.log.error(`After the PoE pre-check of ${claim.id}`, error))
      .finally(() => {
        this.followers.delete(done);
        if (key) this.following.delete(key);
      });
    this.followers.add(done);
  }

  /** Waits for every reading started so far, and what was waiting for them (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.followers.size || this.waiting.size) await Promise.all([...this.followers, ...this.documents.values()]);
  }

  /** At shutdown: readings still awaited are answered as out of time (not remembered), and what waited for them runs. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [blobName, resolve] of this.waiting) resolve(unreadableDocument(blobName.split('/').pop() ?? blobName, 'pdf', 'timeLimit'));
    this.waiting.clear();
    await Promise.all([...this.followers]);
  }

  private keep(file: PoeFile, document: PoeDocument, key: string, findings: DocumentFindings): DocumentFindings {
    const byFacts = this.findings.get(file.blobName) ?? new Map<string, { document: PoeDocument; findings: DocumentFindings }>();
    byFacts.delete(key);
    byFacts.set(key, { document, findings });
    // A partner's and a reviewer's locales read dates differently: a few sets of facts are kept per file.
    for (const oldest of byFacts.keys()) if (byFacts.size > FINDINGS_PER_FILE) byFacts.delete(oldest);
    this.findings.set(file.blobName, byFacts);
    return findings;
  }

  private document(file: PoeFile): Promise<PoeDocument> {
    const known = this.documents.get(file.blobName);
    if (known) return known;
    const reading = new Promise<PoeDocument>((resolve) => {
      if (this.closed) return resolve(this.outOfTime(file));
      this.waiting.set(file.blobName, resolve);
      void this.readBounded(file).then(resolve);
    }).then((document) => {
      this.waiting.delete(file.blobName);
      // Out of time too is remembered here (PoeReadings keeps no such reading, so a restart reads it again): a card
      // refreshed when its checklist is known must not start the same slow reading over and over.
      this.settled.add(file.blobName);
      return document;
    });
    this.documents.set(file.blobName, reading);
    this.forgetOldest();
    return reading;
  }

  private outOfTime(file: PoeFile): PoeDocument {
    return unreadableDocument(file.fileName, readKindOf(file) ?? 'pdf', 'timeLimit');
  }

  /** The file's document from PoeReadings, within the time limit (PoeReadings itself never throws). */
  private async readBounded(file: PoeFile): Promise<PoeDocument> {
    const limit = this.deps.timeLimitMs ?? DEFAULT_PRECHECK_TIME_LIMIT_MS;
    return withinTime(this.deps.documentOf(file), limit, () => this.outOfTime(file));
  }

  private forgetOldest(): void {
    const max = this.deps.cacheSize ?? 500;
    for (const key of this.documents.keys()) {
      if (this.documents.size <= max) return;
      if (!this.settled.has(key)) continue; // a reading under way is kept: someone waits for it
      this.documents.delete(key);
      this.settled.delete(key);
      this.findings.delete(key);
    }
  }
}
