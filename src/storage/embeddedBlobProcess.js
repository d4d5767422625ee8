// Azurite's blob service in a child process of the bot (see embeddedServerProcess.ts), on loopback:
// on disk in a data folder (argv[3]), or in memory without one. Azurite has no public API for this, so
// its internal classes are used here.
'use strict';
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const BlobServer = require('azurite/dist/src/blob/BlobServer').default;
const BlobConfiguration = require('azurite/dist/src/blob/BlobConfiguration').default;
const { serveUntilClosed } = require('./embeddedProcessLifecycle');
const { groupCommit } = require('./groupCommit');

const dataDir = process.argv[3] || undefined;
// In memory Azurite writes nothing, but its configuration wants paths: a private temp dir.
const workDir = dataDir ?? mkdtempSync(join(tmpdir(), 'cpor-azurite-'));
mkdirSync(workDir, { recursive: true, mode: 0o700 });
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
  !dataDir, // in-memory persistence
);
const server = new BlobServer(config);
if (dataDir) saveMetadataBeforeAnsweringWrites();
else process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));
server.start().then(
  () => process.send({ type: 'listening', port: Number(new URL(server.getHttpServerAddress()).port) }),
  (error) => process.send({ type: 'error', message: error.message }),
);
serveUntilClosed(async () => {
  // Closing saves Azurite's metadata to the data folder; in memory there is nothing to keep.
  await server.close();
  if (!dataDir) await server.clean().catch(() => undefined);
});

/**
 * On disk, Azurite writes a blob's bytes before answering, but saves its metadata (which blobs exist,
 * where their bytes are) only every 5 seconds: a blob uploaded just before the process is killed would
 * be lost. So a successful write's answer waits until the metadata has been saved; concurrent writes
 * share one save (group commit). Azurite saves to a temporary file and renames it, so a crash leaves
 * the previous save whole.
 */
function saveMetadataBeforeAnsweringWrites() {
  const save = (db) => new Promise((resolve, reject) => db.saveDatabase((error) => (error ? reject(error) : resolve())));
  const saved = groupCommit(() => Promise.all([save(server.metadataStore.db), save(server.extentMetadataStore.db)]));
  const [listener] = server.httpServer.listeners('request');
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      const end = res.end;
      res.end = function endAfterSave(...args) {
        res.end = end;
        if (res.statusCode < 200 || res.statusCode > 299) return end.apply(res, args);
        saved.submit().then(
          () => end.apply(res, args),
          (error) => {
            console.error(`Embedded Azurite: could not save its metadata in ${dataDir}: ${error.message}`);
            res.statusCode = 503;
            end.call(res);
          },
        );
        return res;
      };
    }
    listener(req, res);
  });
}
