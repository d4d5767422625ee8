// The embedded Cosmos DB server in a child process of the bot (see embeddedServerProcess.ts). Plain
// JavaScript: it runs without a TypeScript loader. With a data folder (argv[3]) every write it accepts
// is journalled to disk before it is answered, and the journal is replayed at start (see
// cosmosDurability.js and durableJournal.js); without one it keeps everything in memory.
'use strict';
const { randomUUID } = require('node:crypto');
const { createHttpServer } = require('@vercel/cosmosdb-server');
const { serveUntilClosed } = require('./embeddedProcessLifecycle');
const { DurableJournal } = require('./durableJournal');
const { classifyWrite, journalLines, inProcessClient, entryApplier, dumpState } = require('./cosmosDurability');

const dataDir = process.argv[3] || undefined;
// Plain HTTP: the server listens on loopback only, and TLS would cost both processes on every request.
// keepAlive: without it the server answers "Connection: close" and every request opens a connection.
const server = createHttpServer({ keepAlive: true });
// Node closes a keep-alive connection after 5 s idle, and a client sending on it at that moment gets
// "socket hang up" (seen under load, the turn failing). The bot is the only client, on loopback, and its
// connections are few: they are kept open until it closes them.
server.keepAliveTimeout = 0;
const sockets = new Set();
// Requests served, for benchmarks that count what an operation costs (asked for with a "stats" message,
// or GET /_stats from the bench, which has only the endpoint): in all, and by container and operation.
let requests = 0;
const requestsByKind = new Map();
const serve = server.listeners('request')[0];
server.removeAllListeners('request');
const journal = dataDir ? new DurableJournal(dataDir) : undefined;
const call = inProcessClient(serve);
// Requests that arrive before the journal is replayed wait, so nobody sees a half-restored store.
let waiting = [];
// Set when the journal could not be written: later writes are refused rather than kept in memory only.
let journalFailure;

server.on('request', (req, res) => {
  if (waiting) return void waiting.push([req, res]);
  if (req.method === 'GET' && req.url === '/_stats') return void res.end(JSON.stringify(stats()));
  requests++;
  const kind = kindOf(req);
  requestsByKind.set(kind, (requestsByKind.get(kind) ?? 0) + 1);
  if (String(req.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() === 'true') return declineQueryPlan(req, res);
  const write = journal && classifyWrite(req);
  if (write && journalFailure) return refuseWrite(req, res);
  if (write) journalBeforeAnswering(write, req, res);
  serve(req, res);
});
process.on('message', (message) => {
  if (message === 'stats') process.send({ type: 'stats', requests });
});

function stats() {
  return { requests, byKind: Object.fromEntries(requestsByKind) };
}

/** "claims read", "activities create", "claims query", ...: what a request does, and to which container. */
function kindOf(req) {
  const path = (req.url ?? '').split('?')[0];
  const container = /\/colls\/([^/]+)/.exec(path)?.[1];
  const header = (name) => String(req.headers[name]).toLowerCase() === 'true';
  let operation;
  if (header('x-ms-cosmos-is-query-plan-request')) operation = 'query plan';
  else if (header('x-ms-documentdb-isquery')) operation = 'query';
  else if (/\/docs\/[^/]+$/.test(path)) operation = { GET: 'read', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' }[req.method] ?? req.method;
  else if (/\/docs$/.test(path) && req.method === 'POST')
    operation = header('x-ms-documentdb-is-upsert') ? 'upsert' : header('x-ms-cosmos-is-batch-request') ? 'batch' : 'create';
  else operation = `${req.method} ${path.replace(/\/(dbs|colls|docs|pkranges)\/[^/]+/g, '/$1/_')}`;
  return container ? `${decodeURIComponent(container)} ${operation}` : operation;
}
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
server.on('error', (error) => process.send({ type: 'error', message: error.message }));
// The server's store exists once it listens; it is filled from the journal before anything is served.
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  restore().then(
    (restored) => {
      const queued = waiting;
      waiting = undefined;
      for (const [req, res] of queued) server.emit('request', req, res);
      process.send({ type: 'listening', port: server.address().port, ...(restored ? { restored } : {}) });
    },
    // A data folder that can't be read must not leave a server running with part of the data.
    (error) => process.send({ type: 'error', message: error.message }, () => process.exit(1)),
  );
});
serveUntilClosed(async () => {
  // Keep-alive sockets would hold the process open: close them with the server.
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(() => resolve()));
  await journal?.close();
});

async function restore() {
  if (!journal) return undefined;
  const started = Date.now();
  const apply = entryApplier(call);
  const stats = await journal.replay(apply);
  await journal.open();
  const documents = await countDocuments();
  // Fold what was replayed into one snapshot, in the background: the next start reads one file.
  if (stats.journalEntries || stats.tornLines) compactInBackground();
  return { documents, ms: Date.now() - started, tornLines: stats.tornLines };
}

/** Documents held, for the start-up log (a count per container, without sending the documents). */
async function countDocuments() {
  const list = async (path, field) => JSON.parse((await call('GET', path)).text)[field] ?? [];
  let count = 0;
  for (const database of await list('/dbs', 'Databases')) {
    const dbPath = `/dbs/${encodeURIComponent(database.id)}`;
    for (const collection of await list(`${dbPath}/colls`, 'DocumentCollections')) {
      const answer = await call(
        'POST',
        `${dbPath}/colls/${encodeURIComponent(collection.id)}/docs`,
        { 'x-ms-documentdb-isquery': 'true', 'x-ms-documentdb-query-enablecrosspartition': 'true', 'content-type': 'application/query+json' },
        { query: 'SELECT VALUE COUNT(1) FROM c' },
      );
      count += JSON.parse(answer.text).Documents?.[0] ?? 0;
    }
  }
  return count;
}

function compactInBackground() {
  journal
    .compact((write) => dumpState(call, write))
    .catch((error) => {
      // The journal still holds everything: a failed snapshot costs start-up time, not data.
      console.error(`Embedded Cosmos DB server: snapshot of ${dataDir} failed: ${error.message}`);
    });
}

/** Holds the answer to a write until its effect is on disk; a write that could not be kept fails. */
function journalBeforeAnswering(write, req, res) {
  let requestText;
  if (write.kind === 'batch') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => (requestText = Buffer.concat(chunks).toString('utf8')));
  }
  const end = res.end;
  res.end = function endAfterJournal(data, ...rest) {
    res.end = end;
    if (res.statusCode < 200 || res.statusCode > 299) return end.call(res, data, ...rest);
    let lines;
    try {
      lines = journalLines(write, req.headers, data === undefined ? '' : String(data), requestText);
    } catch (error) {
      return failWrite(res, error);
    }
    if (!lines.length) return end.call(res, data, ...rest);
    journal.append(lines).then(
      () => {
        end.call(res, data, ...rest);
        if (journal.needsCompaction) compactInBackground();
      },
      (error) => failWrite(res, error),
    );
    return res;
  };
}

function failWrite(res, error) {
  if (!journalFailure) console.error(`Embedded Cosmos DB server: could not write to ${dataDir}: ${error.message}. Writes are refused from now on.`);
  journalFailure = error;
  res.statusCode = 503;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ code: 'ServiceUnavailable', message: 'The embedded Cosmos DB server could not write its data folder.' }));
}

function refuseWrite(req, res) {
  req.resume();
  req.on('end', () => {
    res.writeHead(503, { 'content-type': 'application/json', connection: 'keep-alive', 'x-ms-activity-id': randomUUID() });
    res.end(JSON.stringify({ code: 'ServiceUnavailable', message: 'The embedded Cosmos DB server could not write its data folder.' }));
  });
}

/**
 * @azure/cosmos asks for a query plan beside every query, and uses it only when the first page fails with
 * "cross partition query only supports..." (Azure Cosmos DB's answer when a query needs one), which this
 * single-range server never gives. The server has no query plans: unanswered, it would run the whole
 * query a second time, without a page size, and send every matching document back to be parsed and
 * dropped (a list of 10 claims among 640 would cost two full scans and 640 rows). Declined, the SDK
 * keeps the refusal aside and goes on; should it ever need a plan, the query fails with this message
 * instead of a wrong result.
 */
function declineQueryPlan(req, res) {
  req.resume();
  req.on('end', () => {
    res.writeHead(400, { 'content-type': 'application/json', connection: 'keep-alive', 'x-ms-activity-id': randomUUID(), 'x-ms-request-charge': '0' });
    res.end(
      JSON.stringify({
        code: 'BadRequest',
        message: 'The embedded Cosmos DB server does not make query plans; use Azure Cosmos DB for queries that need one.',
      }),
    );
  });
}
