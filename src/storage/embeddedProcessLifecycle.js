// How an embedded server's child process ends: on the bot's "close" message (after closing the server),
// or at once when the bot's process is gone (the IPC channel disconnects), so no server outlives its bot.
'use strict';

function serveUntilClosed(close) {
  process.on('message', (message) => {
    if (message !== 'close') return;
    Promise.resolve()
      .then(close)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
}

module.exports = { serveUntilClosed };
