import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import { PoeReaders } from '../../src/services/poe/reading/readPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from '../../src/services/poe/reading/readLimits';
import { makePdf } from '../support/poeDocuments';
import { isRunning, readerProcessesOf, SCHED_IDLE } from '../support/readerProcesses';
import { waitFor } from '../support/waitFor';

/**
 * The PoE reader's child process as the bot relies on it: started and warm before the first file, at a
 * lower priority than the bot, one stuck or crashed file costing only that file, and no process left
 * behind. The process is watched from outside (/proc) and stopped or killed with signals, as a stuck or
 * crashing reader would be.
 */

// Each test starts reader processes of its own (each loads pdf.js): slow on a shared machine.
jest.setTimeout(120_000);

const readers: PoeReaders[] = [];
const newReaders = () => {
  const made = new PoeReaders();
  readers.push(made);
  return made;
};
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.close(true)));
  // Closed readers leave no process behind.
  expect(readerProcessesOf(process.pid)).toEqual([]);
});

const approved = () => makePdf({ pages: ['Approved by Avery Chen'] });

test('start() has the reader process running with pdf.js loaded: the first file is read by it, nothing is started for it', async () => {
  const reader = newReaders();
  await reader.start();
  const pid = reader.pid!;
  expect(readerProcessesOf(process.pid).map((p) => p.pid)).toEqual([pid]);
  expect(await reader.read(await approved(), 'first.pdf', 'pdf')).toMatchObject({ readable: true, pages: [{ number: 1, text: 'Approved by Avery Chen' }] });
  expect(reader.started).toBe(1);
  expect(reader.pid).toBe(pid);
});

test('the reader process and every one of its threads run at a lower priority (higher nice value) than the bot', async () => {
  const reader = newReaders();
  await reader.start();
  const [child] = readerProcessesOf(process.pid);
  expect(child.pid).toBe(reader.pid);
  expect(child.nice.length).toBeGreaterThan(1); // Node's helper threads too
  for (const nice of child.nice) expect(nice).toBeGreaterThan(getPriority());
});

const chrt = ['/usr/bin/chrt', '/bin/chrt'].some((path) => existsSync(path));
if (!chrt) console.warn('SKIPPED: util-linux chrt is not installed; the reader SCHED_IDLE policy is not checked (.ci/run has it).');
(chrt ? test : test.skip)('every thread of the reader runs under SCHED_IDLE, only when a core has nothing else to run: those it starts later too', async () => {
  const reader = newReaders();
  await reader.start();
  await waitFor(() => readerProcessesOf(process.pid)[0]?.policy.every((p) => p === SCHED_IDLE), 30_000);
  // Reading starts no thread that runs at a higher priority.
  await reader.read(await approved(), 'first.pdf', 'pdf');
  const [child] = readerProcessesOf(process.pid);
  expect(child.policy.length).toBeGreaterThan(1);
  expect(child.policy.every((p) => p === SCHED_IDLE)).toBe(true);
});

test('a stuck reader is stopped at the time limit ("timeLimit"), its process ended, and the next file is read by a fresh one', async () => {
  const reader = newReaders();
  await reader.start();
  const stuck = reader.pid!;
  process.kill(stuck, 'SIGSTOP'); // it reads nothing more and answers nothing, as a reader in an endless loop
  const pdf = await approved();
  const stuckFile = reader.read(pdf, 'stuck.pdf', 'pdf', { ...DEFAULT_POE_READ_LIMITS, timeMs: 1500 });
  const next = reader.read(pdf, 'next.pdf', 'pdf');
  expect(await stuckFile).toMatchObject({ fileName: 'stuck.pdf', readable: false, unreadable: 'timeLimit' });
  expect(await next).toMatchObject({ fileName: 'next.pdf', readable: true });
  expect(reader.pid).not.toBe(stuck);
  await waitFor(() => !isRunning(stuck), 10_000);
});

test('a reader process that crashes while reading takes only that file ("corrupt"); the file after it is read', async () => {
  const reader = newReaders();
  await reader.start();
  const crashing = reader.pid!;
  process.kill(crashing, 'SIGSTOP'); // holds the first file in the process until it is killed
  const pdf = await approved();
  const first = reader.read(pdf, 'first.pdf', 'pdf');
  const second = reader.read(pdf, 'second.pdf', 'pdf');
  process.kill(crashing, 'SIGKILL');
  expect(await first).toMatchObject({ fileName: 'first.pdf', readable: false, unreadable: 'corrupt' });
  expect(await second).toMatchObject({ fileName: 'second.pdf', readable: true, pages: [{ text: 'Approved by Avery Chen' }] });
});

test('a reader process that ends between files is replaced at once, so the next file still finds a warm reader', async () => {
  const reader = newReaders();
  await reader.start();
  const ended = reader.pid!;
  process.kill(ended, 'SIGKILL');
  await waitFor(() => reader.pid !== undefined && reader.pid !== ended, 10_000);
  await reader.start(); // resolves when the replacement is warm; starts nothing itself
  expect(reader.started).toBe(2);
  expect(await reader.read(await approved(), 'after.pdf', 'pdf')).toMatchObject({ readable: true });
  expect(reader.started).toBe(2);
});
