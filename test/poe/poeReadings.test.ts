import type { PoeFile } from '../../src/domain/claim';
import { silentLogger } from '../../src/logger';
import { PoeReadings, readingBlobName } from '../../src/services/poe/poeReadings';
import { PoeReaders } from '../../src/services/poe/reading/readPoeDocument';
import type { PoeBlobStore } from '../../src/storage/poeBlobStore';
import { makePdf } from '../support/poeDocuments';
import { openTestBlobStore } from '../support/testStorage';

/**
 * Where a PoE file's reading comes from. A file just accepted is read from the bytes the turn already
 * holds, also when the claim card's pre-check asks for it before the background lane reads it: no look
 * for a kept reading (a new blob name has none) and no download of the file it has just uploaded. A
 * later process finds the reading kept beside the file and reads nothing.
 */

const readers = new PoeReaders({ log: silentLogger });
let store: PoeBlobStore;
beforeAll(async () => {
  store = await openTestBlobStore();
});
afterAll(() => readers.close(true));
afterEach(() => jest.restoreAllMocks());
// The reader process loads pdf.js first: slow on a shared machine.
jest.setTimeout(120_000);

/** Blob Storage as the readings use it, with each call counted by blob name. */
function observed(poe: PoeBlobStore) {
  const calls: string[] = [];
  const watched = new Proxy(poe, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${String(property)} ${String(args[0])}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { poe: watched, calls };
}

async function acceptedPdf(claimId: string): Promise<{ file: PoeFile; data: Buffer }> {
  const data = await makePdf({ pages: ['Statement of work\nCustomer: Contoso Ltd (contoso.com)', 'Services: Dynamics 365 Sales deployment'] });
  const stored = await store.upload({ claimId, fileName: 'sow.pdf', contentType: 'application/pdf', data });
  return {
    data,
    file: {
      id: `${claimId}-f1`,
      fileName: 'sow.pdf',
      ...stored,
      uploadedAt: new Date().toISOString(),
      uploadedBy: { kind: 'partner', id: 'aad-avery', name: 'Avery' },
    },
  };
}

/** Readings as the bot has them: on the observed store, with a background lane that runs when the test says. */
function readingsWithALane() {
  const { poe, calls } = observed(store);
  const lane: (() => Promise<void>)[] = [];
  const readings = new PoeReadings({ poe, log: silentLogger, now: () => new Date(), readers, runLater: (_name, task) => lane.push(task) });
  return { readings, calls, read: jest.spyOn(readers, 'read'), runLane: () => Promise.all(lane.splice(0).map((task) => task())) };
}

test("a file just accepted is read from the turn's bytes when the pre-check asks first: nothing looked for, nothing downloaded, read once", async () => {
  const { file, data } = await acceptedPdf('CL-READ0001');
  const { readings, calls, read, runLane } = readingsWithALane();

  readings.readLater(file, data);
  // The card drawn by the turn that accepted the file asks before the background lane has run.
  const document = await readings.documentOf(file);
  expect(document).toMatchObject({ fileName: 'sow.pdf', kind: 'pdf', readable: true });
  expect(document.pages?.[1].text).toContain('Dynamics 365 Sales');
  await runLane();

  expect(calls).toEqual([`putJson ${readingBlobName(file)}`]);
  expect(read).toHaveBeenCalledTimes(1);
});

test('read by the background lane when nothing asked first: from the bytes in hand, kept, and not read again when asked', async () => {
  const { file, data } = await acceptedPdf('CL-READ0003');
  const { readings, calls, read, runLane } = readingsWithALane();

  readings.readLater(file, data);
  await runLane();
  expect(calls).toEqual([`putJson ${readingBlobName(file)}`]);
  expect(read).toHaveBeenCalledTimes(1);

  expect((await readings.documentOf(file)).pages?.[0].text).toContain('Statement of work');
  expect(read).toHaveBeenCalledTimes(1);
});

test('a file not in hand is looked for, downloaded and read once; another process then finds its reading kept and reads nothing', async () => {
  const { file } = await acceptedPdf('CL-READ0002');
  const first = observed(store);
  const read = jest.spyOn(readers, 'read');
  await new PoeReadings({ poe: first.poe, log: silentLogger, now: () => new Date(), readers }).documentOf(file);
  expect(first.calls).toEqual([`getJson ${readingBlobName(file)}`, `download ${file.blobName}`, `putJson ${readingBlobName(file)}`]);
  expect(read).toHaveBeenCalledTimes(1);

  const later = observed(store);
  const document = await new PoeReadings({ poe: later.poe, log: silentLogger, now: () => new Date(), readers }).documentOf(file);
  expect(document.pages?.[0].text).toContain('Contoso Ltd');
  expect(later.calls).toEqual([`getJson ${readingBlobName(file)}`]);
  expect(read).toHaveBeenCalledTimes(1);
});
