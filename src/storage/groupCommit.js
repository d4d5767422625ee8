// Group commit for the embedded servers' disk writes (plain JavaScript: it runs in their child processes).
'use strict';

/**
 * Makes writes durable in groups: the first write is flushed at once; writes that arrive while a flush
 * runs wait and are flushed together by the next one (one fsync for many). `submit(item)` resolves once
 * a flush that started after the call has finished, so its item is on disk. `exclusive(fn)` runs fn
 * between flushes (no flush starts until it has finished): a journal switches files there.
 */
function groupCommit(flush) {
  let pending = [];
  const exclusives = [];
  let busy = false;
  const settle = () => {
    busy = false;
    pump();
  };
  function pump() {
    if (busy) return;
    if (exclusives.length) {
      busy = true;
      const job = exclusives.shift();
      Promise.resolve().then(job.fn).then(job.resolve, job.reject).finally(settle);
      return;
    }
    if (!pending.length) return;
    busy = true;
    const batch = pending;
    pending = [];
    Promise.resolve()
      .then(() => flush(batch.map((p) => p.item)))
      .then(
        () => batch.forEach((p) => p.resolve()),
        (error) => batch.forEach((p) => p.reject(error)),
      )
      .finally(settle);
  }
  return {
    submit: (item) =>
      new Promise((resolve, reject) => {
        pending.push({ item, resolve, reject });
        pump();
      }),
    exclusive: (fn) =>
      new Promise((resolve, reject) => {
        exclusives.push({ fn, resolve, reject });
        pump();
      }),
  };
}

module.exports = { groupCommit };
