import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BulkOperationType } from '@azure/cosmos';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/storage/embeddedCosmos';

/**
 * The embedded Cosmos DB server's data folder: what a write leaves on disk, what start-up makes of it
 * (replay, a torn last line, a damaged one), and that a snapshot holds the same documents as the
 * journal it replaces.
 */

// The journal modules are plain JavaScript (they run in the server's child process without a loader).
type Entry = Record<string, unknown>;
type Call = (method: string, url: string, headers?: Record<string, string>, body?: unknown) => Promise<{ status: number; text: string }>;
const { DurableJournal } = require('../../src/storage/durableJournal') as {
  DurableJournal: new (
    dir: string,
    options?: { compactBytes?: number },
  ) => {
    replay(apply: (entry: Entry) => Promise<unknown>): Promise<{ snapshotEntries: number; journalEntries: number; tornLines: number }>;
    open(): Promise<void>;
    append(lines: string[]): Promise<void>;
    compact(dump: (write: (entry: Entry) => Promise<void>) => Promise<void>): Promise<{ gen: number; entries: number }>;
    readonly needsCompaction: boolean;
    close(): Promise<void>;
  };
};
const { inProcessClient, entryApplier, dumpState } = require('../../src/storage/cosmosDurability') as {
  inProcessClient: (serve: (req: IncomingMessage, res: ServerResponse) => void) => Call;
  entryApplier: (call: Call) => (entry: Entry) => Promise<unknown>;
  dumpState: (call: Call, write: (entry: Entry) => Promise<void>) => Promise<void>;
};
const { createHttpServer } = require('@vercel/cosmosdb-server') as { createHttpServer: (options: object) => ReturnType<typeof createServer> };

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpor-journal-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Every document of the database, without the properties the server makes (they are new after a replay). */
async function documentsOf(db: CosmosDatabase): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, container] of Object.entries(db.containers)) {
    const { resources } = await container.items.query<Record<string, unknown>>('SELECT * FROM c').fetchAll();
    out[name] = resources.map(({ _rid, _self, _etag, _ts, _attachments, ...doc }) => doc).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

async function open(server: EmbeddedCosmos): Promise<CosmosDatabase> {
  return CosmosDatabase.open({ endpoint: server.endpoint, key: server.key, database: 'cpor', embedded: true });
}

/** The embedded server started on `dir` with the database open, both closed after `use` however it ends. */
async function withServer<T>(dir: string, use: (db: CosmosDatabase, server: EmbeddedCosmos) => Promise<T>): Promise<T> {
  const server = await startEmbeddedCosmos(0, dir);
  try {
    const db = await open(server);
    try {
      return await use(db, server);
    } finally {
      await db.close();
    }
  } finally {
    await server.close();
  }
}

describe('the embedded Cosmos DB server on a data folder', () => {
  test('every kind of write is replayed at start: creates, conditional replaces, upserts, patches, batches and deletes', async () => {
    const dir = tempDir();
    const before = await withServer(dir, async (db) => {
      const claims = db.containers.claims;
      await claims.items.create({ id: 'CL-1', orgId: 'org-a', status: 'Editing' });
      const { resource } = await claims.item('CL-1', 'org-a').read();
      await claims.item('CL-1', 'org-a').replace({ ...resource, status: 'Submitted' }, { accessCondition: { type: 'IfMatch', condition: resource!._etag } });
      await claims.items.upsert({ id: 'CL-2', orgId: 'org-b', status: 'Editing' });
      await claims.item('CL-2', 'org-b').patch([{ op: 'set', path: '/status', value: 'Approved' }]);
      await db.containers.associations.items.batch(
        [
          { operationType: BulkOperationType.Create, resourceBody: { id: 'k1', tenantId: 't1', claimId: 'CL-1' } },
          { operationType: BulkOperationType.Create, resourceBody: { id: 'k2', tenantId: 't1', claimId: 'CL-1' } },
        ],
        't1',
      );
      await claims.items.create({ id: 'CL-3', orgId: 'org-a', status: 'Editing' });
      await claims.item('CL-3', 'org-a').delete();
      await db.containers.associations.item('k2', 't1').delete();
      return documentsOf(db);
    });

    await withServer(dir, async (db, server) => {
      expect(server.restored).toMatchObject({ documents: 3, tornLines: 0 });
      const after = await documentsOf(db);
      expect(after).toEqual(before);
      expect(after.claims).toEqual([
        { id: 'CL-1', orgId: 'org-a', status: 'Submitted' },
        { id: 'CL-2', orgId: 'org-b', status: 'Approved' },
      ]);
      expect(after.associations).toEqual([{ id: 'k1', tenantId: 't1', claimId: 'CL-1' }]);
      // Replayed documents take part in the server's rules as before: the id is taken, a new ETag works.
      await expect(db.containers.claims.items.create({ id: 'CL-1', orgId: 'org-a' })).rejects.toMatchObject({ code: 409 });
      const again = await db.containers.claims.item('CL-1', 'org-a').read();
      await db.containers.claims
        .item('CL-1', 'org-a')
        .replace({ ...again.resource, status: 'Under review' }, { accessCondition: { type: 'IfMatch', condition: again.resource!._etag } });
    });
  }, 60_000);

  test('a write that was answered survives kill -9 of the server, however many were in flight', async () => {
    const dir = tempDir();
    const server = await startEmbeddedCosmos(0, dir);
    const db = await open(server);
    await Promise.all(Array.from({ length: 40 }, (_, i) => db.containers.timers.items.create({ id: `timer-${i}`, firesAt: '2026-12-01T00:00:00Z' })));
    process.kill(server.pid, 'SIGKILL');
    await db.close();

    await withServer(dir, async (db) => {
      const { resources } = await db.containers.timers.items.query('SELECT VALUE c.id FROM c').fetchAll();
      expect(resources.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `timer-${i}`).sort());
    });
  }, 60_000);

  test('a torn last line (a crash in the middle of an append) is dropped; a damaged line before it stops the start with its place', async () => {
    const dir = tempDir();
    await withServer(dir, (db) => db.containers.claims.items.create({ id: 'CL-1', orgId: 'org-a' }));
    const journal = readdirSync(dir)
      .filter((f) => f.startsWith('journal-'))
      .sort()
      .pop()!;
    appendFileSync(join(dir, journal), '{"op":"put","db":"cpor","coll":"claims","doc":{"id":"CL-2","orgId":"org-a"');

    await withServer(dir, async (db, server) => {
      const { resources } = await db.containers.claims.items.query('SELECT VALUE c.id FROM c').fetchAll();
      expect(resources).toEqual(['CL-1']);
      expect(server.restored?.tornLines).toBe(1);
      // Later writes go to a new file, never after the torn line.
      await db.containers.claims.items.create({ id: 'CL-3', orgId: 'org-a' });
    });

    const damaged = tempDir();
    writeFileSync(join(damaged, 'journal-1.ndjson'), '{"op":"db","id":"cpor"}\nnot json\n{"op":"db","id":"other"}\n');
    await expect(startEmbeddedCosmos(0, damaged)).rejects.toThrow(/journal-1\.ndjson: line 2 is damaged/);
  }, 60_000);
});

describe('the journal and its snapshots', () => {
  /** A cosmosdb-server in this process, reached without sockets, as the server process reaches its own. */
  async function inProcessServer(): Promise<{ call: Call; close: () => Promise<void> }> {
    const server = createHttpServer({});
    const serve = server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { call: inProcessClient(serve), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const put = (id: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ op: 'put', db: 'cpor', coll: 'claims', doc: { id, orgId: 'org-a', ...extra } });
  const setup = [
    JSON.stringify({ op: 'db', id: 'cpor' }),
    JSON.stringify({ op: 'coll', db: 'cpor', body: { id: 'claims', partitionKey: { paths: ['/orgId'], kind: 'Hash' } } }),
  ];

  async function stateAfterReplay(dir: string): Promise<{ entries: Entry[]; stats: { snapshotEntries: number; journalEntries: number } }> {
    const server = await inProcessServer();
    try {
      const stats = await new DurableJournal(dir).replay(entryApplier(server.call));
      const entries: Entry[] = [];
      await dumpState(server.call, async (entry) => void entries.push(entry));
      return { entries, stats };
    } finally {
      await server.close();
    }
  }

  test('compaction writes a snapshot with the same documents, removes the journals it replaces, and later writes still count', async () => {
    const dir = tempDir();
    const journal = new DurableJournal(dir, { compactBytes: 200 });
    const server = await inProcessServer();
    const apply = entryApplier(server.call);
    await journal.replay(apply);
    await journal.open();
    // Writes are applied to the server and journalled, as the server process does.
    const write = async (lines: string[]) => {
      for (const line of lines) await apply(JSON.parse(line));
      await journal.append(lines);
    };
    await write(setup);
    for (let i = 0; i < 20; i++) await write([put(`CL-${i}`, { n: i })]);
    await write([JSON.stringify({ op: 'del', db: 'cpor', coll: 'claims', id: 'CL-3', pk: '["org-a"]' })]);
    expect(journal.needsCompaction).toBe(true);
    const before: Entry[] = [];
    await dumpState(server.call, async (entry) => void before.push(entry));

    await journal.compact((w) => dumpState(server.call, w));
    await write([put('CL-20')]);
    await journal.close();
    await server.close();

    const files = readdirSync(dir).sort();
    expect(files).toEqual(['journal-2.ndjson', 'snapshot-2.ndjson']);
    expect(readFileSync(join(dir, 'snapshot-2.ndjson'), 'utf8')).not.toContain('"CL-3"');
    const { entries, stats } = await stateAfterReplay(dir);
    expect(stats).toMatchObject({ snapshotEntries: before.length, journalEntries: 1 });
    expect(entries).toEqual([...before, JSON.parse(put('CL-20'))]);
  }, 30_000);

  test('a delete in the journal removes the document a snapshot holds', async () => {
    const dir = tempDir();
    const snapshot = [JSON.stringify({ snapshot: 1, gen: 2 }), ...setup, put('CL-1'), put('CL-2'), JSON.stringify({ end: 4 })];
    writeFileSync(join(dir, 'snapshot-2.ndjson'), snapshot.join('\n') + '\n');
    writeFileSync(join(dir, 'journal-1.ndjson'), `${put('CL-old')}\n`); // folded into the snapshot: not replayed
    writeFileSync(join(dir, 'journal-2.ndjson'), `${JSON.stringify({ op: 'del', db: 'cpor', coll: 'claims', id: 'CL-1', pk: '["org-a"]' })}\n`);
    const { entries } = await stateAfterReplay(dir);
    expect(entries.filter((e) => e.op === 'put').map((e) => (e.doc as { id: string }).id)).toEqual(['CL-2']);
  });

  test('an incomplete snapshot is refused rather than read as the whole state', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'snapshot-2.ndjson'), [JSON.stringify({ snapshot: 1, gen: 2 }), ...setup, put('CL-1')].join('\n') + '\n');
    await expect(stateAfterReplay(dir)).rejects.toThrow(/snapshot-2\.ndjson is incomplete/);
  });
});
