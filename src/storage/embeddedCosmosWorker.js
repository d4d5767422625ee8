// Runs the embedded Cosmos DB server on a thread of its own, so serving the database does not take
// turns from the bot's own thread. Plain JavaScript: worker threads load it without a TypeScript loader.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHttpServer } = require('@vercel/cosmosdb-server');

// Plain HTTP: the server listens on loopback only, and TLS would cost both threads on every request.
// keepAlive: without it the server answers "Connection: close" and every request opens a connection.
const server = createHttpServer({ keepAlive: true });
const sockets = new Set();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
server.on('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  // Keep-alive sockets would hold the thread open: close them with the server.
  for (const socket of sockets) socket.destroy();
  server.close(() => parentPort.postMessage({ type: 'closed' }));
});
