import { Socket } from 'node:net';
import { BlobSASPermissions, BlobServiceClient } from '@azure/storage-blob';
import { PoeBlobStore, safeFileName } from '../../src/storage/poeBlobStore';
import { demoPdf } from '../../app/demo/demoSeed';
import { openTestBlobStore, sharedServers, uniqueName } from '../support/testStorage';

let store: PoeBlobStore;
beforeAll(async () => {
  store = await openTestBlobStore();
});

describe('PoE files in Blob storage', () => {
  test('an upload is read back through a short-lived read-only link, with its content type', async () => {
    const pdf = demoPdf('Statement of work');
    const stored = await store.upload({ claimId: 'CL-BLOB0001', fileName: 'Signed SOW.pdf', contentType: 'application/pdf', data: pdf });
    expect(stored).toMatchObject({ contentType: 'application/pdf', size: pdf.length });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    const link = await store.readLink(stored.blobName, { now: new Date(), ttlMinutes: 5 });
    expect(link).toContain('sp=r');
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await response.arrayBuffer()).equals(pdf)).toBe(true);
  });

  test("a link is the one the storage SDK's own blob client signs, for names with spaces and Chinese, and it opens the file", async () => {
    const containerName = uniqueName('poe-');
    const own = await PoeBlobStore.open(sharedServers().blobConnectionString, containerName);
    const stored = await own.upload({
      claimId: 'CL-BLOB0006',
      fileName: '签署的 SOW v2.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF-1.4 named'),
    });
    expect(stored.blobName).toContain('签署的 SOW v2.pdf');
    const now = new Date();
    const link = await own.readLink(stored.blobName, { now, ttlMinutes: 5 });
    const sdkBlob = BlobServiceClient.fromConnectionString(sharedServers().blobConnectionString)
      .getContainerClient(containerName)
      .getBlockBlobClient(stored.blobName);
    const window = { startsOn: new Date(now.getTime() - 5 * 60_000), expiresOn: new Date(now.getTime() + 5 * 60_000) };
    expect(link).toBe(await sdkBlob.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), ...window }));
    expect(await (await fetch(link)).text()).toBe('%PDF-1.4 named');
  });

  test('two files with one name never collide', async () => {
    const a = await store.upload({ claimId: 'CL-BLOB0002', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 a') });
    const b = await store.upload({ claimId: 'CL-BLOB0002', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 b') });
    expect(a.blobName).not.toBe(b.blobName);
    expect((await store.download(a.blobName)).toString()).toBe('%PDF-1.4 a');
    expect((await store.download(b.blobName)).toString()).toBe('%PDF-1.4 b');
  });

  test('an expired link is refused', async () => {
    const stored = await store.upload({ claimId: 'CL-BLOB0003', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 x') });
    const anHourAgo = new Date(Date.now() - 3600_000);
    const expired = await store.readLink(stored.blobName, { now: anHourAgo, ttlMinutes: 5 });
    expect((await fetch(expired)).status).toBe(403);
  });

  test("a read link can't be used to write, and the container can't be read without one", async () => {
    const stored = await store.upload({ claimId: 'CL-BLOB0004', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 original') });
    const link = await store.readLink(stored.blobName, { now: new Date(), ttlMinutes: 5 });
    const write = await fetch(link, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/pdf' }, body: 'overwritten' });
    expect(write.status).toBe(403);
    expect((await store.download(stored.blobName)).toString()).toBe('%PDF-1.4 original');
    const anonymous = await fetch(link.split('?')[0]);
    expect([401, 403, 404]).toContain(anonymous.status);
  });

  test('looking for documents that are not there, and reading files, keeps using the connections already open', async () => {
    const stored = await store.upload({ claimId: 'CL-BLOB0005', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 kept') });
    await store.download(stored.blobName);
    // Every new connection to Azure Storage is a TLS handshake: a miss must not leave its connection unusable.
    const connect = jest.spyOn(Socket.prototype, 'connect');
    try {
      for (let i = 0; i < 10; i++) {
        expect(await store.getJson(`CL-BLOB0005/missing-${i}.document.json`)).toBeUndefined();
        await expect(store.download(`CL-BLOB0005/missing-${i}.pdf`)).rejects.toMatchObject({ statusCode: 404 });
        expect((await store.download(stored.blobName)).toString()).toBe('%PDF-1.4 kept');
      }
      expect(connect.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      connect.mockRestore();
    }
  });

  test('file names keep their letters but lose path parts and unsafe characters', () => {
    expect(safeFileName('..\\..\\etc/passwd')).toBe('passwd');
    expect(safeFileName('Vertrag <signiert>.pdf')).toBe('Vertrag _signiert_.pdf');
    expect(safeFileName('合同.pdf')).toBe('合同.pdf');
    expect(safeFileName('...')).toBe('file');
  });
});
