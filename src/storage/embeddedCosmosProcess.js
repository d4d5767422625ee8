// The embedded Cosmos DB server in a child process of the bot (see embeddedServerProcess.ts). Plain
// JavaScript: it runs without a TypeScript loader.
'use strict';
const { createHttpServer } = require('@vercel/cosmosdb-server');
const { serveUntilClosed } = require('./embeddedProcessLifecycle');

// Plain HTTP: the server listens on loopback only, and TLS would cost both processes on every request.
// keepAlive: without it the server answers "Connection: close" and every request opens a connection.
const server = createHttpServer({ keepAlive: true });
const sockets = new Set();
// Requests served, for benchmarks that count what an operation costs (asked for with a "stats" message).
let requests = 0;
server.on('request', () => requests++);
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
