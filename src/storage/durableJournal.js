// An append-only journal with snapshots, for the embedded Cosmos DB server's data folder (plain
// JavaScript: it runs in the server's child process).
'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const { join } = require('node:path');
const { groupCommit } = require('./groupCommit');

/**
 * Files in the folder (one generation number per journal file):
 *   journal-<gen>.ndjson   one JSON entry a line, appended and fsync'd before the write is acknowledged
 *   snapshot-<gen>.ndjson  every entry needed to rebuild the state of all journals before <gen>:
 *                          a header line, the entries, and an end line with their count
 * Start-up replays the newest complete snapshot, then the journals from its generation on. Entries are
 * idempotent assignments (a document's whole body, a delete): replaying one whose effect the snapshot
 * already holds changes nothing, which lets a snapshot be taken while writes go on into the next journal.
 */

const JOURNAL = /^journal-(\d+)\.ndjson$/;
const SNAPSHOT = /^snapshot-(\d+)\.ndjson$/;
/** Past this size the journal is folded into a snapshot, so start-up stays fast. */
const DEFAULT_COMPACT_BYTES = 32 * 1024 * 1024;

class JournalCorruptError extends Error {}

class DurableJournal {
  constructor(dir, options = {}) {
    this.dir = dir;
    this.compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES;
    this.gen = 0;
    this.handle = undefined;
    this.size = 0;
    this.compacting = undefined;
    this.commit = groupCommit((lines) => this.flush(lines));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Applies every kept entry, in order, through `apply(entry)`; returns what was read. */
  async replay(apply) {
    const files = this.files();
    const snapshot = files.snapshots[files.snapshots.length - 1];
    const stats = { snapshotEntries: 0, journalEntries: 0, journalFiles: 0, tornLines: 0 };
    if (snapshot) {
      const path = join(this.dir, snapshot.name);
      let header;
      let end;
      const { torn } = await readLines(path, async (entry, lineNumber) => {
        if (end) throw new JournalCorruptError(`${path}: line ${lineNumber} follows the end line`);
        if (!header) return void (header = entry);
        if (entry.end !== undefined) return void (end = entry);
        stats.snapshotEntries += 1;
        await apply(entry);
      });
      if (torn || !header || header.gen !== snapshot.gen || !end || end.end !== stats.snapshotEntries) {
        throw new JournalCorruptError(`${path} is incomplete`);
      }
    }
    const from = snapshot ? snapshot.gen : 0;
    for (const journal of files.journals.filter((j) => j.gen >= from)) {
      const { torn } = await readLines(join(this.dir, journal.name), async (entry) => {
        stats.journalEntries += 1;
        await apply(entry);
      });
      // A crash in the middle of an append leaves a last line without its newline: that write was never
      // acknowledged (the fsync came after), so it is dropped.
      if (torn) stats.tornLines += 1;
      stats.journalFiles += 1;
    }
    this.gen = Math.max(0, ...files.journals.map((j) => j.gen), ...files.snapshots.map((s) => s.gen));
    return stats;
  }

  /** Starts a new journal file for this run's writes (after replay: a torn file is never appended to). */
  async open() {
    await this.rotate();
  }

  /** Appends entries (JSON lines without their newline); resolves when they are on disk. */
  append(lines) {
    return this.commit.submit(lines);
  }

  /** True when the journal has grown past the size at which it should be folded into a snapshot. */
  get needsCompaction() {
    return this.size >= this.compactBytes && !this.compacting;
  }

  /**
   * Folds everything into a snapshot: writes go on into a new journal file while `dump(write)` calls
   * write(entry) for every entry that rebuilds the current state; then older files are removed.
   */
  compact(dump) {
    if (!this.compacting) {
      this.compacting = this.writeSnapshot(dump).finally(() => {
        this.compacting = undefined;
      });
    }
    return this.compacting;
  }

  async close() {
    await this.compacting?.catch(() => undefined);
    await this.commit.exclusive(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
  }

  async writeSnapshot(dump) {
    const gen = await this.commit.exclusive(() => this.rotate());
    const path = join(this.dir, `snapshot-${gen}.ndjson`);
    const tmp = `${path}.tmp`;
    const handle = await fsp.open(tmp, 'w', 0o600);
    let count = 0;
    try {
      let buffered = [];
      let bufferedBytes = 0;
      const drain = async () => {
        if (!buffered.length) return;
        const chunk = buffered.join('');
        buffered = [];
        bufferedBytes = 0;
        await handle.write(chunk);
      };
      const push = async (line) => {
        buffered.push(line, '\n');
        bufferedBytes += line.length + 1;
        if (bufferedBytes > 1024 * 1024) await drain();
      };
      await push(JSON.stringify({ snapshot: 1, gen, at: new Date().toISOString() }));
      await dump(async (entry) => {
        count += 1;
        await push(JSON.stringify(entry));
      });
      await push(JSON.stringify({ end: count }));
      await drain();
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, path);
    await syncDirectory(this.dir);
    const files = this.files();
    for (const old of [...files.journals.filter((j) => j.gen < gen), ...files.snapshots.filter((s) => s.gen < gen)]) {
      await fsp.rm(join(this.dir, old.name), { force: true });
    }
    return { gen, entries: count };
  }

  async rotate() {
    const previous = this.handle;
    this.gen += 1;
    this.handle = await fsp.open(join(this.dir, `journal-${this.gen}.ndjson`), 'a', 0o600);
    this.size = 0;
    // The new file's name must survive a crash too, or the writes in it would be lost with it.
    await syncDirectory(this.dir);
    await previous?.close();
    return this.gen;
  }

  async flush(batches) {
    if (!this.handle) throw new Error('The journal is not open');
    const text = batches.map((lines) => lines.join('\n') + '\n').join('');
    await this.handle.write(text);
    await this.handle.datasync();
    this.size += Buffer.byteLength(text);
  }

  files() {
    const journals = [];
    const snapshots = [];
    for (const name of fs.readdirSync(this.dir)) {
      let match = JOURNAL.exec(name);
      if (match) journals.push({ name, gen: Number(match[1]) });
      match = SNAPSHOT.exec(name);
      if (match) snapshots.push({ name, gen: Number(match[1]) });
    }
    const byGen = (a, b) => a.gen - b.gen;
    return { journals: journals.sort(byGen), snapshots: snapshots.sort(byGen) };
  }
}

/**
 * Calls onEntry(entry, lineNumber) for each complete line of a file, in order; a last line without its
 * newline is reported as torn, not parsed. A complete line that is not JSON means the file is damaged.
 */
async function readLines(path, onEntry) {
  let rest = '';
  let lineNumber = 0;
  for await (const chunk of fs.createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      lineNumber += 1;
      if (!line) continue;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        throw new JournalCorruptError(`${path}: line ${lineNumber} is damaged`);
      }
      await onEntry(entry, lineNumber);
    }
  }
  return { torn: rest.length > 0 };
}

async function syncDirectory(dir) {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

module.exports = { DurableJournal, JournalCorruptError };
