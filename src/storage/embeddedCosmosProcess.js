// The embedded Cosmos DB server in a child process of the bot (see embeddedServerProcess.ts). Plain
// JavaScript: it runs without a TypeScript loader.
'use strict';
const { randomUUID } = require('node:crypto');
const { createHttpServer } = require('@vercel/cosmosdb-server');
const { serveUntilClosed } = require('./embeddedProcessLifecycle');

// Plain HTTP: the server listens on loopback only, and TLS would cost both processes on every request.
// keepAlive: without it the server answers "Connection: close" and every request opens a connection.
const server = createHttpServer({ keepAlive: true });
const sockets = new Set();
// Requests served, for benchmarks that count what an operation costs (asked for with a "stats" message).
let requests = 0;
const serve = server.listeners('request')[0];
server.removeAllListeners('request');
server.on('request', (req, res) => {
  requests++;
  if (String(req.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() === 'true') declineQueryPlan(req, res);
  else serve(req, res);
});
process.on('message', (message) => {
  if (message === 'stats') process.send({ type: 'stats', requests });
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
server.on('error', (error) => process.send({ type: 'error', message: error.message }));
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
serveUntilClosed(
  () =>
    new Promise((resolve) => {
      // Keep-alive sockets would hold the process open: close them with the server.
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
);

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
    res.end(JSON.stringify({ code: 'BadRequest', message: 'The embedded Cosmos DB server does not make query plans; use Azure Cosmos DB for queries that need one.' }));
  });
}
