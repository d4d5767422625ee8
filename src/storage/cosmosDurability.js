// What the embedded Cosmos DB server's journal records, and how it is replayed (plain JavaScript: it
// runs in the server's child process).
'use strict';
const { Readable } = require('node:stream');
const routes = require('@vercel/cosmosdb-server/lib/routes').default;

/**
 * The journal records the effect of each successful write, not the request: a document's body as the
 * server stored it (create, upsert, replace, patch and batch alike), a delete by id and partition key,
 * a database or container definition. Replay applies them as unconditional upserts and deletes: a
 * recorded If-Match would fail against the new ETags that replay gives every document. ETags and `_ts`
 * are therefore new after a restart; the bot never keeps an ETag across turns (it reads again), so its
 * optimistic concurrency is unaffected. User-defined functions are not kept (the bot has none).
 */

const handler = (name) => require(`@vercel/cosmosdb-server/lib/handler/${name}`).default;
const WRITES = new Map([
  [handler('create-database'), 'db'],
  [handler('delete-database'), 'dropDb'],
  [handler('create-collection'), 'coll'],
  [handler('replace-collection'), 'coll'],
  [handler('delete-collection'), 'dropColl'],
  [handler('create-document'), 'put'],
  [handler('upsert-document'), 'put'],
  [handler('replace-document'), 'put'],
  [handler('patch-document'), 'put'],
  [handler('delete-document'), 'del'],
  [handler('batch-documents'), 'batch'],
]);
const PARTITION_KEY_HEADER = 'x-ms-documentdb-partitionkey';
const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments', '_docs', '_sprocs', '_triggers', '_udfs', '_conflicts', '_colls', '_users'];

/** The write a request makes, found with the server's own router; undefined for reads and queries. */
function classifyWrite(req) {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const route = routes(req);
  const kind = route && WRITES.get(route[1]);
  return kind ? { kind, params: route[0] } : undefined;
}

/**
 * The journal lines for a write the server answered with 2xx: `responseText` is its answer, `requestText`
 * the request's body (needed for a batch, whose deletes answer without a body).
 */
function journalLines(write, headers, responseText, requestText) {
  const { dbId: db, collId: coll, docId } = write.params;
  const pk = headerValue(headers[PARTITION_KEY_HEADER]);
  switch (write.kind) {
    case 'db':
      return [JSON.stringify({ op: 'db', id: JSON.parse(responseText).id })];
    case 'dropDb':
      return [JSON.stringify({ op: 'dropDb', db })];
    case 'coll':
      return [JSON.stringify({ op: 'coll', db, body: withoutSystemProperties(JSON.parse(responseText)) })];
    case 'dropColl':
      return [JSON.stringify({ op: 'dropColl', db, coll })];
    case 'put':
      // The stored body as the server sent it, unparsed: the hot path of every turn.
      return [`{"op":"put","db":${JSON.stringify(db)},"coll":${JSON.stringify(coll)},"doc":${responseText}}`];
    case 'del':
      return [JSON.stringify({ op: 'del', db, coll, id: docId, pk })];
    case 'batch': {
      const operations = JSON.parse(requestText || '[]');
      const results = JSON.parse(responseText);
      const lines = [];
      results.forEach((result, i) => {
        if (!(result.statusCode >= 200 && result.statusCode <= 299)) return;
        const operation = operations[i] ?? {};
        const type = String(operation.operationType ?? '').toLowerCase();
        if (type === 'delete') lines.push(JSON.stringify({ op: 'del', db, coll, id: operation.id, pk: operation.partitionKey ?? pk }));
        else if (type !== 'read' && result.resourceBody) lines.push(JSON.stringify({ op: 'put', db, coll, doc: result.resourceBody }));
      });
      return lines;
    }
    default:
      return [];
  }
}

/**
 * Calls the server's request handler in this process, without a socket: replay and snapshots go
 * through the same code as every request, so ids, partitions and unique keys behave as they did.
 */
function inProcessClient(serve) {
  return (method, url, headers = {}, body) =>
    new Promise((resolve) => {
      const req = Readable.from(body === undefined ? [] : [Buffer.from(JSON.stringify(body))], { objectMode: false });
      Object.assign(req, { method, url, headers: { host: '127.0.0.1', ...headers } });
      const res = {
        statusCode: 200,
        finished: false,
        setHeader() {},
        getHeader() {},
        end(data) {
          res.finished = true;
          resolve({ status: res.statusCode, text: data === undefined ? '' : String(data) });
        },
      };
      serve(req, res);
    });
}

/** Applies one journal entry through the in-process client; throws when the server refuses it. */
function entryApplier(call) {
  const partitionKeyPaths = new Map();
  const collPath = (db, coll) => `/dbs/${encodeURIComponent(db)}/colls/${encodeURIComponent(coll)}`;
  const expect = (answer, statuses, entry) => {
    if (!statuses.includes(answer.status))
      throw new Error(`Replay of ${entry.op} ${entry.db ?? entry.id}/${entry.coll ?? ''} failed with ${answer.status}: ${answer.text.slice(0, 200)}`);
    return answer;
  };
  const partitionKeyHeader = async (db, coll, doc) => {
    const key = `${db}\u0000${coll}`;
    if (!partitionKeyPaths.has(key)) {
      const answer = await call('GET', collPath(db, coll));
      const paths = answer.status === 200 ? JSON.parse(answer.text).partitionKey?.paths : undefined;
      partitionKeyPaths.set(key, paths && paths[0] ? paths[0].slice(1).split('/') : ['id']);
    }
    let value = doc;
    for (const part of partitionKeyPaths.get(key)) value = value == null ? undefined : value[part];
    return JSON.stringify([value ?? null]);
  };
  return async (entry) => {
    switch (entry.op) {
      case 'db':
        return expect(await call('POST', '/dbs', {}, { id: entry.id }), [201, 409], entry);
      case 'dropDb':
        partitionKeyPaths.clear();
        return expect(await call('DELETE', `/dbs/${encodeURIComponent(entry.db)}`), [204, 404], entry);
      case 'coll': {
        partitionKeyPaths.delete(`${entry.db}\u0000${entry.body.id}`);
        const created = await call('POST', `/dbs/${encodeURIComponent(entry.db)}/colls`, {}, entry.body);
        if (created.status === 409) return expect(await call('PUT', collPath(entry.db, entry.body.id), {}, entry.body), [200], entry);
        return expect(created, [201], entry);
      }
      case 'dropColl':
        partitionKeyPaths.delete(`${entry.db}\u0000${entry.coll}`);
        return expect(await call('DELETE', collPath(entry.db, entry.coll)), [204, 404], entry);
      case 'put': {
        const headers = { 'x-ms-documentdb-is-upsert': 'true', [PARTITION_KEY_HEADER]: await partitionKeyHeader(entry.db, entry.coll, entry.doc) };
        return expect(await call('POST', `${collPath(entry.db, entry.coll)}/docs`, headers, entry.doc), [200, 201], entry);
      }
      case 'del': {
        const headers = entry.pk === undefined ? {} : { [PARTITION_KEY_HEADER]: entry.pk };
        return expect(await call('DELETE', `${collPath(entry.db, entry.coll)}/docs/${encodeURIComponent(entry.id)}`, headers), [204, 404], entry);
      }
      default:
        throw new Error(`Unknown journal entry ${JSON.stringify(entry).slice(0, 100)}`);
    }
  };
}

/**
 * Writes the entries that rebuild the server's state: databases, containers, documents. Each container
 * is read in one request, so it is read as it was at one moment (see durableJournal.js for why writes
 * between two containers' reads do no harm).
 */
async function dumpState(call, write) {
  const list = async (path, field) => {
    const answer = await call('GET', path);
    if (answer.status !== 200) throw new Error(`Snapshot: GET ${path} answered ${answer.status}`);
    return JSON.parse(answer.text)[field];
  };
  for (const database of await list('/dbs', 'Databases')) {
    await write({ op: 'db', id: database.id });
    const dbPath = `/dbs/${encodeURIComponent(database.id)}`;
    for (const collection of await list(`${dbPath}/colls`, 'DocumentCollections')) {
      await write({ op: 'coll', db: database.id, body: withoutSystemProperties(collection) });
      for (const doc of await list(`${dbPath}/colls/${encodeURIComponent(collection.id)}/docs`, 'Documents')) {
        await write({ op: 'put', db: database.id, coll: collection.id, doc: withoutSystemProperties(doc) });
      }
    }
  }
}

function withoutSystemProperties(resource) {
  const copy = { ...resource };
  for (const name of SYSTEM_PROPERTIES) delete copy[name];
  return copy;
}

function headerValue(value) {
  return Array.isArray(value) ? value[0] : value;
}

module.exports = { classifyWrite, journalLines, inProcessClient, entryApplier, dumpState };
