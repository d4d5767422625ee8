// Azurite's blob service in a child process of the bot (see embeddedServerProcess.ts), on loopback with
// in-memory persistence. Azurite has no public API for this, so its internal classes are used here.
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const BlobServer = require('azurite/dist/src/blob/BlobServer').default;
const BlobConfiguration = require('azurite/dist/src/blob/BlobConfiguration').default;
const { serveUntilClosed } = require('./embeddedProcessLifecycle');

// Azurite writes nothing with in-memory persistence, but its configuration wants paths: a private temp dir.
const workDir = mkdtempSync(join(tmpdir(), 'cpor-azurite-'));
const persistence = [{ locationId: 'Default', locationPath: join(workDir, 'blobs'), maxConcurrency: 1 }];
const config = new BlobConfiguration(
  '127.0.0.1',
  Number(process.argv[2] || 0),
  undefined, // keep-alive timeout: Azurite's default
  join(workDir, '__azurite_db_blob__.json'),
  join(workDir, '__azurite_db_blob_extent__.json'),
  persistence,
  false, // access log
  undefined,
  false, // debug log
  undefined,
  false, // loose
  true, // skip API version check: the SDK may be newer than the emulator
  '',
  '',
  '',
  undefined,
  false,
  true, // in-memory persistence
);
const server = new BlobServer(config);
const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
process.on('exit', removeWorkDir);
server.start().then(
  () => process.send({ type: 'listening', port: Number(new URL(server.getHttpServerAddress()).port) }),
  (error) => process.send({ type: 'error', message: error.message }),
);
serveUntilClosed(async () => {
  await server.close();
  await server.clean().catch(() => undefined);
});
