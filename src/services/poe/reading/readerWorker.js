// Start of the PoE reader's worker thread (see readPoeDocument.ts). Plain JavaScript so it runs both from
// the compiled dist/ folder and from the TypeScript sources (tests, tsx), where it loads tsx first.
'use strict';
const { workerData } = require('node:worker_threads');

if (workerData.typescript) require('tsx/cjs');
require(workerData.entry);
