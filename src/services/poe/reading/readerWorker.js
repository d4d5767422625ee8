// Start of the PoE reader's child process (see readerProcess.ts). Plain JavaScript so it runs both from
// the compiled dist/ folder and from the TypeScript sources (tests, tsx), where it loads tsx first.
// Arguments: the entry (readerWorkerMain) and "typescript" or "javascript".
'use strict';

if (process.argv[3] === 'typescript') require('tsx/cjs');
require(process.argv[2]);
