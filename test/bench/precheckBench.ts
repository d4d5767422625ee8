import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { precheckPoe, type PrecheckFacts } from '../../src/domain/poePrecheck';
import type { PoeReaders } from '../../src/services/poe/reading/readPoeDocument';
import type { PoeReadKind } from '../../src/services/poe/reading/readLimits';
import { unzip, zip } from '../../src/services/poe/zipWriter';
import { personalMessage, PARTNER_TENANT } from '../support/activities';
import { readerProcessesOf } from '../support/readerProcesses';
import { greyPng, makeDocx, makePdf } from '../support/poeDocuments';
import { percentile, printGrid, type BenchRow } from './benchTable';
import type { BotProcess } from './botProcess';
import { processCpuMs } from '../../src/services/poe/reading/readerProcess';
import { dialogStepScenario } from './scenarios';
import { MAX_POE_FILES } from '../../src/domain/claim';

/**
 * The PoE pre-check in `npm run bench`: reading and checking a 20-page PDF and a 2 MB Word document
 * (time and the process's extra peak memory, the reader's worker thread included), and the claim-form
 * step turn's p99 with and without pre-checks running in the bot's background at the same time.
 */

const FACTS: PrecheckFacts = {
  customerDomain: 'contoso.com',
  partnerNames: ['Fabrikam Consulting Ltd'],
  mpnIds: ['4412345'],
  products: ['teams', 'exchange-online'],
};
const PARAGRAPH =
  'Fabrikam Consulting deployed Microsoft Teams for the Contoso (contoso.com) offices, migrated mailboxes to Exchange Online and trained the service desk.';

/** `serial` (on every page) makes each one a different document with the same cost to read and check. */
export async function twentyPagePdf(serial = ''): Promise<Buffer> {
  const page = (n: number) => Array.from({ length: 40 }, (_, i) => `${n}.${i + 1} ${PARAGRAPH.slice(0, 80)}${i ? '' : serial}`).join('\n');
  const pages = Array.from({ length: 20 }, (_, i) => page(i + 1));
  pages[19] += '\nCustomer acknowledgment\nCustomer name: Jane Doe\nSignature: Jane Doe\nDate: 15 October 2026';
  return makePdf({ pages });
}

/** A 2 MB Word document as they come: a few pages of text and photos (stored, as JPEGs are). */
export function twoMegabyteDocx(): Buffer {
  const text = makeDocx({
    paragraphs: [...Array.from({ length: 400 }, (_, i) => `${i + 1}. ${PARAGRAPH}`), 'Customer name: Jane Doe', 'Signature: Jane Doe', 'Date: 2026-10-15'],
  });
  const entries = [...unzip(text)].map(([name, data]) => ({ name, data }));
  let size = text.length;
  for (let i = 1; size < 2 * 1024 * 1024; i += 1) {
    const photo = randomBytes(400 * 1024);
    entries.push({ name: `word/media/image${i}.jpeg`, data: photo });
    size += photo.length;
  }
  return zip(entries);
}

interface FileRow {
  name: string;
  bytes: number;
  /** Starting a reader process until it is ready (pdf.js loaded): what the bot's start, and each replacement after a killed or crashed reader, costs. */
  startMs: number;
  /** The first pre-check after start-up, by the warm reader process. */
  firstMs: number;
  warmMs: number;
  /** Extra peak RSS of the bot's own process (here: the bench's), for the first pre-check and per further file. */
  botFirstExtraMb: number;
  botWarmExtraMb: number;
  /** The reader process's peak RSS over what it held before, for the first pre-check and per further file. */
  readerFirstExtraMb: number;
  readerWarmExtraMb: number;
  /** What the reader process holds always: once ready (before any file), and after these files. */
  readerHoldsMb: number;
  readerHoldsAfterMb: number;
  verdicts: string;
}

const rss = () => process.memoryUsage().rss;
const toMb = (bytes: number) => bytes / (1024 * 1024);
const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
};

/** VmRSS or VmHWM of a process (Linux /proc), in MB. */
const procMb = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
/** Resets a process's peak RSS (VmHWM) to its current RSS; false where the kernel does not allow it. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `work` while sampling this process's RSS and the reader process's every 5 ms (the reader's peak is
 * also read from its VmHWM, reset before, where the kernel allows: no spike between samples is missed).
 */
export async function peakDuring<T>(readerPid: number, work: () => Promise<T>): Promise<{ result: T; botExtraMb: number; readerExtraMb: number }> {
  const before = rss();
  const readerBefore = procMb(readerPid, 'VmRSS');
  const hwm = resetPeak(readerPid);
  let peak = before;
  let readerPeak = readerBefore;
  const sample = () => {
    peak = Math.max(peak, rss());
    readerPeak = Math.max(readerPeak, procMb(readerPid, 'VmRSS'));
  };
  const sampler = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    if (hwm) readerPeak = Math.max(readerPeak, procMb(readerPid, 'VmHWM'));
    return { result, botExtraMb: toMb(peak - before), readerExtraMb: readerPeak - readerBefore };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * The reader as `npm start` runs it: compiled into dist/ by `prebench`. (Loaded from the TypeScript
 * sources, the reader process would compile them with tsx as it starts, and hold some 40 MB more.)
 */
export function compiledReaders(): PoeReaders {
  const compiled = require(
    join(__dirname, '..', '..', 'dist', 'src', 'services', 'poe', 'reading', 'readPoeDocument.js'),
  ) as typeof import('../../src/services/poe/reading/readPoeDocument');
  return new compiled.PoeReaders();
}

async function precheck(readers: PoeReaders, bytes: Buffer, name: string, kind: PoeReadKind): Promise<{ ms: number; verdicts: string }> {
  const started = performance.now();
  const document = await readers.read(bytes, name, kind);
  const checklist = precheckPoe([document], FACTS, '2026-11-30T00:00:00Z');
  return { ms: performance.now() - started, verdicts: checklist.results.map((r) => `${r.check} ${r.verdict}`).join(', ') };
}

/**
 * One file as the bot meets it: a reader process started as at the bot's start (timed: its cold start),
 * then the file's first pre-check by it, then `runs` more (warm), each with this process's extra peak
 * RSS and the reader process's peak over what it held before.
 */
async function measureFile(name: string, bytes: Buffer, kind: 'pdf' | 'docx', runs: number): Promise<FileRow> {
  await settle();
  const readers = compiledReaders();
  try {
    const started = performance.now();
    await readers.start();
    const startMs = performance.now() - started;
    await settle();
    const pid = readers.pid!;
    const readerHoldsMb = procMb(pid, 'VmRSS');
    const first = await peakDuring(pid, () => precheck(readers, bytes, name, kind));
    await settle();
    const times: number[] = [];
    const warm = await peakDuring(pid, async () => {
      for (let i = 0; i < runs; i += 1) times.push((await precheck(readers, bytes, name, kind)).ms);
    });
    await settle();
    if (readers.pid !== pid || readers.started !== 1) throw new Error(`The reader process was replaced while reading ${name}`);
    times.sort((a, b) => a - b);
    return {
      name,
      bytes: bytes.length,
      startMs,
      firstMs: first.result.ms,
      warmMs: times[Math.floor(times.length / 2)],
      botFirstExtraMb: first.botExtraMb,
      botWarmExtraMb: warm.botExtraMb,
      readerFirstExtraMb: first.readerExtraMb,
      readerWarmExtraMb: warm.readerExtraMb,
      readerHoldsMb,
      readerHoldsAfterMb: procMb(pid, 'VmRSS'),
      verdicts: first.result.verdicts,
    };
  } finally {
    await readers.close();
  }
}

export async function precheckFileScenario(quick: boolean): Promise<FileRow[]> {
  const runs = quick ? 3 : 7; // odd: the median is one of the runs
  return [await measureFile('20-page PDF', await twentyPagePdf(), 'pdf', runs), await measureFile('2 MB Word document', twoMegabyteDocx(), 'docx', runs)];
}

/** The goal per pre-check: under a second, under 50 MB extra (the bot's process and the reader's together). */
const meetsGoal = (ms: number, botMb: number, readerMb: number) => ms < 1000 && botMb + readerMb < 50;

export function printPrecheckFileTable(rows: FileRow[]): void {
  printGrid(
    [
      'pre-check (read in the reader process + check)',
      'size',
      'first after start-up ms',
      'warm median ms',
      'extra peak RSS MB, bot + reader: first',
      'extra peak RSS MB, bot + reader: per file, warm',
      'reader holds MB: ready; after',
      'reader start (cold) ms',
      'target',
      'met: first; warm',
    ],
    rows.map((r) => [
      r.name,
      `${(r.bytes / 1024).toFixed(0)} KB`,
      r.firstMs.toFixed(0),
      r.warmMs.toFixed(0),
      `${r.botFirstExtraMb.toFixed(0)} + ${r.readerFirstExtraMb.toFixed(0)}`,
      `${r.botWarmExtraMb.toFixed(0)} + ${r.readerWarmExtraMb.toFixed(0)}`,
      `${r.readerHoldsMb.toFixed(0)}; ${r.readerHoldsAfterMb.toFixed(0)}`,
      r.startMs.toFixed(0),
      '< 1000 ms, < 50 MB',
      `${yes(meetsGoal(r.firstMs, r.botFirstExtraMb, r.readerFirstExtraMb))}; ${yes(meetsGoal(r.warmMs, r.botWarmExtraMb, r.readerWarmExtraMb))}`,
    ]),
  );
  for (const r of rows) console.log(`  ${r.name}: ${r.verdicts}`);
}

const yes = (met: boolean) => (met ? 'yes' : 'NO');

/** The reader process a bot process started. */
const readerPidOf = (botPid: number): number | undefined => readerProcessesOf(botPid)[0]?.pid;

/** Each process's CPU over a measured window, in ms: what the background work adds, and where (the reader runs at the lowest priority). */
interface WindowCpu {
  bot: number;
  cosmos?: number;
  azurite?: number;
  reader?: number;
  /** The bench's own process: the load driver, the attachers, the file server and the stub Bot Connector. */
  bench: number;
}

async function cpuDuring<T>(bot: BotProcess, work: () => Promise<T>): Promise<{ result: T; cpu: WindowCpu }> {
  const readerPid = readerPidOf(bot.pid);
  const pids = { bot: bot.pid, cosmos: bot.storePid, azurite: bot.blobPid, reader: readerPid };
  // A process that ended meanwhile (a reader replaced after a file's time limit) has no figure.
  const sample = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? processCpuMs(pid) : undefined]));
  const before = sample();
  const benchBefore = process.cpuUsage();
  const result = await work();
  const bench = process.cpuUsage(benchBefore);
  const after = sample();
  const spent = (name: keyof typeof pids) => (before[name] === undefined || after[name] === undefined ? undefined : after[name] - before[name]);
  const cpu: WindowCpu = {
    bot: spent('bot') ?? NaN,
    cosmos: spent('cosmos'),
    azurite: spent('azurite'),
    // A reader replaced meanwhile (a file at its time limit) is not the one sampled: its CPU is not known.
    reader: readerPid && readerPidOf(bot.pid) === readerPid ? spent('reader') : undefined,
    bench: (bench.user + bench.system) / 1000,
  };
  return { result, cpu };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

/** "CPU over the window: bot 6.1 s, Cosmos DB 2.0 s, ..." for a row's note. */
function windowCpuText(cpu: WindowCpu): string {
  return `CPU over the window: bot ${seconds(cpu.bot)} s, Cosmos DB server ${seconds(cpu.cosmos)} s, Azurite ${seconds(cpu.azurite)} s, reader ${seconds(cpu.reader)} s (lowest priority), bench process ${seconds(cpu.bench)} s`;
}

interface Attachment {
  name: string;
  contentType: string;
  fileType: string;
  /** The files served, one after another (each download gets the next). */
  bytes: Buffer[];
}

/**
 * The form step turn measured while partners keep attaching `file` to their drafts every 0.5 s (each is
 * downloaded, checked, stored, read by the reader process unless it is an image, and pre-checked, with
 * the checklist posted), through the measurement. Returns the row and how many files were attached.
 */
async function stepWhileAttaching(
  bot: BotProcess,
  partners: string[],
  /** Attaching slots, each the partners who attach one after another (the next when a draft is full). */
  attachers: string[][],
  turnsPerUser: number,
  file: Attachment,
  round: string,
): Promise<{ row: BenchRow; attached: number; followUps: number; checklistMs: number[]; cpu: WindowCpu }> {
  let served = 0;
  let followUps = 0;
  // When each upload was sent, per conversation, oldest first: a checklist posted to the conversation answers the oldest.
  const uploadsAwaiting = new Map<string, number[]>();
  const checklistMs: number[] = [];
  // The files to download, and the Bot Connector the checklists are posted to once checked (answered as Teams
  // answers a message sent: a closed port would cost the bot failed sends, retries and warnings instead).
  const files = createServer((req, res) => {
    if (req.method === 'POST') {
      req.resume();
      followUps += 1;
      const conversationId = decodeURIComponent(/\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '')?.[1] ?? '');
      const sentAt = uploadsAwaiting.get(conversationId)?.shift();
      if (sentAt !== undefined) checklistMs.push(performance.now() - sentAt);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `follow-up-${followUps}` }));
      return;
    }
    const bytes = file.bytes[served++ % file.bytes.length];
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const fileUrl = `${origin}/${file.name}`;
  let running = true;
  let attached = 0;
  // Each slot attaches through the whole window: a draft holds 20 files, so a full one hands over to the slot's next partner.
  const attach = async (slot: string[], i: number) => {
    let partner = 0;
    let held = 0;
    const conversation = { id: `a:bench-precheck-${round}-${i}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
    // Each partner of the slot attaches in a chat of their own.
    const conversationId = () => `${conversation.id}-${partner}`;
    const send = (extra: Record<string, unknown>) =>
      fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...personalMessage('', { aadObjectId: slot[partner] }),
          conversation: { ...conversation, id: conversationId() },
          serviceUrl: `${origin}/`,
          ...extra,
        }),
      }).then((r) => r.text());
    await send({ text: 'new claim' });
    while (running) {
      if (held === MAX_POE_FILES) {
        if (partner + 1 === slot.length) break; // every partner of the slot has a full draft: the note says how many were attached
        partner += 1;
        held = 0;
        await send({ text: 'new claim' });
      }
      const n = attached;
      const awaiting = uploadsAwaiting.get(conversationId()) ?? [];
      uploadsAwaiting.set(conversationId(), awaiting);
      const sentAt = performance.now();
      awaiting.push(sentAt);
      const answer = await send({
        text: '',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.teams.file.download.info',
            name: `${round}-${n}-${file.name}`,
            content: { downloadUrl: fileUrl, uniqueId: `${round}-${i}-${n}`, fileType: file.fileType },
          },
        ],
      });
      if (answer.includes('Added')) {
        attached += 1;
        held += 1;
      } else {
        // Refused: no checklist comes for it.
        const at = awaiting.indexOf(sentAt);
        if (at >= 0) awaiting.splice(at, 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const background = attachers.map((slot, i) => attach(slot, i));
  try {
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the lane is busy before measuring
    const { result: row, cpu } = await cpuDuring(bot, () => dialogStepScenario(bot, partners, turnsPerUser));
    return { row, attached, followUps, checklistMs: [...checklistMs], cpu };
  } finally {
    running = false;
    await Promise.all(background);
    files.close();
  }
}

/** How long after its upload a file's checklist was posted, over the uploads whose checklist came within the window. */
function checklistDelayText(ms: number[]): string {
  if (!ms.length) return 'none within the window';
  const seconds = (p: number) => (percentile(ms, p) / 1000).toFixed(1);
  return `after the upload: median ${seconds(50)} s, p95 ${seconds(95)} s, longest ${(Math.max(...ms) / 1000).toFixed(1)} s`;
}

/** A row for a measurement that failed under load: a turn that failed is a result too. */
const failedRow = (name: string, target: string, error: unknown): BenchRow => ({
  name,
  turnsPerSecond: NaN,
  p50: NaN,
  p95: NaN,
  p99: NaN,
  target,
  met: false,
  note: `Under load: ${(error as Error).message.slice(0, 300)}`,
});

/**
 * Partners who attach files in one round: two slots for images, two for PDFs, each slot two partners one after
 * the other (a draft takes 20 files, so each round has its own, and a slot attaches through the whole window).
 */
export interface AttacherRound {
  images: string[][];
  pdfs: string[][];
}

/**
 * The form step turn's p99 alone; while other partners keep attaching images (everything an attachment
 * costs but the reading: intake, Blob Storage, the pre-check and its follow-up, with the reader process
 * idle), for the reader's share to show; and while they attach 20-page PDFs (judged against the first row).
 * With several rounds the three rows are measured in turn, round after round, so that the machine's own ups
 * and downs fall on all three alike, and each round starts with another row (the first row of the first
 * round, the second of the second, ...): whatever grows as a round goes on (the store's drafts, the bot's
 * heap) falls on each row in turn, not always on the last. The summary judges the medians.
 */
export async function stepWhilePrecheckingScenario(
  bot: BotProcess,
  partners: string[],
  attachers: AttacherRound[],
  turnsPerUser: number,
): Promise<BenchRow[][]> {
  // Unmeasured: the form step's code compiled and its caches filled, so that the first row is not the only one paying for it.
  await dialogStepScenario(bot, partners, Math.min(5, turnsPerUser));
  const results: BenchRow[][] = [];
  for (const [r, round] of attachers.entries()) {
    const kinds = [
      {
        name: 'dialog step turn, images attached in the background (not read)',
        partners: round.images,
        file: { name: 'scan.png', contentType: 'image/png', fileType: 'png', bytes: [greyPng(120, 60)] },
        what: 'image(s)',
        target: "- (the reader's share: the row below minus this one)",
        judged: false,
      },
      {
        name: 'dialog step turn, pre-checks in the background',
        partners: round.pdfs,
        // As many different PDFs as the slots' drafts hold, as a claim's files are: none is matched from what the rules remember of another (nor of another round's).
        file: {
          name: 'sow.pdf',
          contentType: 'application/pdf',
          fileType: 'pdf',
          bytes: await Promise.all(
            Array.from({ length: round.pdfs.flat().length * MAX_POE_FILES }, (_, i) => twentyPagePdf(` (round ${r + 1} file ${i + 1})`)),
          ),
        },
        what: 'PDF(s) of 20 pages',
        target: 'p99 within 10% of the first row',
        judged: true,
      },
    ];
    const measureBaseline = async (): Promise<BenchRow> => {
      const { result: row, cpu } = await cpuDuring(bot, () => dialogStepScenario(bot, partners, turnsPerUser));
      row.name = 'dialog step turn, no pre-checks';
      row.note = `${windowCpuText(cpu)}.`;
      return row;
    };
    const measureKind = (kind: (typeof kinds)[number]) => async (): Promise<BenchRow> => {
      try {
        const { row, attached, followUps, checklistMs, cpu } = await stepWhileAttaching(
          bot,
          partners,
          kind.partners,
          turnsPerUser,
          kind.file,
          `${kind.file.fileType}-${r + 1}`,
        );
        row.name = kind.name;
        row.target = kind.target;
        row.note = `While measuring: ${attached} ${kind.what} attached (every 0.5 s in each of ${kind.partners.length} slot(s), up to ${MAX_POE_FILES} per draft) and pre-checked in the background, ${followUps} checklist(s) posted (${checklistDelayText(checklistMs)}). ${windowCpuText(cpu)}.`;
        return row;
      } catch (error) {
        return failedRow(kind.name, kind.target, error);
      }
    };
    const measures = [measureBaseline, ...kinds.map(measureKind)];
    const rows: BenchRow[] = [];
    for (let i = 0; i < measures.length; i += 1) {
      const at = (r + i) % measures.length;
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 3000)); // the previous row's follow-ups done
      rows[at] = await measures[at]();
    }
    const [baseline, ...others] = rows;
    for (const [k, row] of others.entries()) {
      if (!Number.isFinite(row.p99)) continue;
      const ratio = row.p99 / baseline.p99;
      if (kinds[k].judged) row.met = ratio <= 1.1;
      row.note = `${row.note} p99 ${(ratio * 100 - 100).toFixed(0)}% ${ratio >= 1 ? 'above' : 'below'} the run without.`;
    }
    results.push(rows);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  return results;
}

/**
 * Rounds of the rows above in one table: each round's p99 and its ratio to the same round's row without
 * background work (measured a minute apart, so the machine's drift falls on both), the median of those
 * ratios, and the ratio of the median p99s. The judged row is met when both are within 10%.
 */
export function printPrecheckTurnSummary(rounds: BenchRow[][]): void {
  const median = (values: number[]) => percentile(values, 50);
  const baseline = median(rounds.map((rows) => rows[0].p99));
  const signed = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
  printGrid(
    [
      `form step turn, ${rounds.length} rounds in turn`,
      'p99 ms, each round',
      'against the round without, each',
      'median of those',
      'median p99 ms (against without)',
      'CPU ms/turn, median',
      'target',
      'met',
    ],
    rounds[0].map((first, i) => {
      const rows = rounds.map((round) => round[i]);
      const ratios = rounds.map((round) => round[i].p99 / round[0].p99);
      const p99 = median(rows.map((r) => r.p99));
      const judged = rows[0].met !== undefined;
      return [
        first.name,
        rows.map((r) => r.p99.toFixed(0)).join(' / '),
        i === 0 ? '-' : ratios.map(signed).join(' / '),
        i === 0 ? '-' : signed(median(ratios)),
        i === 0 ? p99.toFixed(0) : `${p99.toFixed(0)} (${signed(p99 / baseline)})`,
        median(rows.map((r) => r.cpuMsPerTurn ?? NaN)).toFixed(2),
        i === 0 ? '-' : first.target,
        judged ? (median(ratios) <= 1.1 && p99 <= baseline * 1.1 ? 'yes' : 'NO') : '-',
      ];
    }),
  );
}
