import { request as httpsRequest } from 'node:https';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { startBotApp } from '../../app/botApp';
import { MemoryLogger } from '../../src/logger';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { PoeBlobStore } from '../../src/storage/poeBlobStore';
import { KEY_LIFETIME_MS } from '../../src/storage/userDelegationKeys';
import { demoPdf } from '../../app/demo/demoSeed';
import { personalMessage, postActivity } from '../support/activities';
import { testConfig, uniqueName } from '../support/testStorage';
import { trustLoopbackCertificate, startOAuthAzurite, StubTokenCredential, STUB_IDENTITY, STUB_TENANT, type OAuthAzurite } from '../support/entraStubs';

/**
 * Cosmos DB and Blob storage without keys: the bot signs in with a Microsoft Entra token (the managed
 * identity in Azure; a stub credential here) and signs PoE links with user delegation keys.
 */

describe('Cosmos DB through Microsoft Entra ID (no COSMOS_KEY)', () => {
  let server: Server;
  let endpoint: string;
  const authorizations: string[] = [];
  beforeAll(async () => {
    server = createHttpsServer({ keepAlive: true } as never);
    server.prependListener('request', (req) => authorizations.push(decodeURIComponent(String(req.headers.authorization ?? ''))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("every request carries the credential's token for the account's scope, never a key signature", async () => {
    const credential = new StubTokenCredential();
    const db = await CosmosDatabase.open({ endpoint, credential, database: uniqueName('aad-'), embedded: true });
    try {
      await db.containers.claims.items.upsert({ id: 'CL-AAD00001', orgId: 'org-1' });
      const { resource } = await db.containers.claims.item('CL-AAD00001', 'org-1').read();
      expect(resource).toMatchObject({ id: 'CL-AAD00001' });
    } finally {
      db.close();
    }
    expect(credential.scopes[0]).toBe(`${endpoint.replace(/\/$/, '')}/.default`);
    expect(authorizations.length).toBeGreaterThan(3);
    for (const header of authorizations) expect(header).toMatch(/^type=aad&ver=1\.0&sig=[\w-]+\.[\w-]+\.$/);
    expect(authorizations).toContain(`type=aad&ver=1.0&sig=${credential.tokens[0]}`);
  });

  test('the bot runs a turn against it, given the credential where DefaultAzureCredential would be', async () => {
    const credential = new StubTokenCredential();
    const config = testConfig({ COSMOS_ENDPOINT: endpoint, COSMOS_KEY: '' });
    expect(config.cosmos).toMatchObject({ mode: 'azure', endpoint });
    expect(config.cosmos).not.toHaveProperty('key');
    const log = new MemoryLogger();
    const app = await startBotApp(config, { log, credential });
    try {
      const { body } = await postActivity(app.url, personalMessage('help'));
      expect(JSON.stringify(body!.activities![0])).toContain('You are signed in as Avery Fabrikam');
      expect((await fetch(`${app.url}/healthz/ready`)).status).toBe(200);
    } finally {
      await app.close();
    }
    expect(credential.scopes.length).toBeGreaterThan(0);
    expect(log.lines.some((l) => l.startsWith(`Cosmos DB: Azure Cosmos DB at ${endpoint}`) && l.includes('signed in with DefaultAzureCredential'))).toBe(true);
  });
});

describe('PoE links signed with user delegation keys (storage account URL, no connection string)', () => {
  let azurite: OAuthAzurite;
  let credential: StubTokenCredential;
  let store: PoeBlobStore;
  beforeAll(async () => {
    azurite = await startOAuthAzurite();
    credential = new StubTokenCredential();
    store = await PoeBlobStore.open({ accountUrl: azurite.accountUrl, credential, adaptPipeline: trustLoopbackCertificate }, uniqueName('poe-'));
  });
  afterAll(() => azurite.close());

  test('an upload is read back through a read-only user delegation SAS link that names the identity', async () => {
    const pdf = demoPdf('Statement of work');
    const stored = await store.upload({ claimId: 'CL-UDK00001', fileName: 'Signed SOW.pdf', contentType: 'application/pdf', data: pdf });
    const now = new Date();
    const link = new URL(await store.readLink(stored.blobName, { now, ttlMinutes: 15 }));
    expect(link.href.startsWith(`${azurite.accountUrl}/`)).toBe(true);
    const q = link.searchParams;
    expect(q.get('sp')).toBe('r');
    expect(q.get('sr')).toBe('b');
    expect(q.get('spr')).toBe('https');
    expect(q.get('skoid')).toBe(STUB_IDENTITY);
    expect(q.get('sktid')).toBe(STUB_TENANT);
    expect(q.get('sks')).toBe('b');
    expect(q.get('sig')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(new Date(q.get('se')!).getTime()).toBeLessThanOrEqual(now.getTime() + 15 * 60_000);
    // The key covers the link's whole life.
    expect(new Date(q.get('ske')!).getTime()).toBeGreaterThan(new Date(q.get('se')!).getTime());
    expect(new Date(q.get('ske')!).getTime() - new Date(q.get('skt')!).getTime()).toBe(KEY_LIFETIME_MS);
    expect(link.searchParams.has('sv')).toBe(true);
    expect(credential.scopes).toContain('https://storage.azure.com/.default');

    const response = await insecureGet(link.href);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.body.equals(pdf)).toBe(true);
  });

  test('a link with its signature altered, or used to write, is refused', async () => {
    const stored = await store.upload({ claimId: 'CL-UDK00002', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 original') });
    const link = new URL(await store.readLink(stored.blobName, { now: new Date(), ttlMinutes: 5 }));
    const forged = new URL(link.href);
    forged.searchParams.set('sp', 'rw');
    expect((await insecureGet(forged.href)).status).toBe(403);
    expect((await insecureGet(link.href, 'PUT')).status).toBe(403);
    expect((await store.download(stored.blobName)).toString()).toBe('%PDF-1.4 original');
  });

  test('one key serves many links and is renewed before a link could outlive it', async () => {
    const counting = new StubTokenCredential();
    const own = await PoeBlobStore.open({ accountUrl: azurite.accountUrl, credential: counting, adaptPipeline: trustLoopbackCertificate }, uniqueName('poe-'));
    const stored = await own.upload({ claimId: 'CL-UDK00003', fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 k') });
    const start = Date.now();
    const links = await Promise.all(
      [0, 1, 2, 3].map((i) => own.readLink(`${stored.blobName}`, { now: new Date(start + (i * 60 * 60_000) / 4), ttlMinutes: 15 })),
    );
    const keyOf = (l: string) => new URL(l).searchParams.get('skt');
    // Four links over the first 45 minutes share the first key...
    expect(new Set(links.map(keyOf)).size).toBe(1);
    // ...and a link signed when the key has less than the link's life (plus a margin) left gets a new one.
    const late = await own.readLink(stored.blobName, { now: new Date(start + KEY_LIFETIME_MS - 10 * 60_000), ttlMinutes: 15 });
    expect(keyOf(late)).not.toBe(keyOf(links[0]));
    expect(new Date(new URL(late).searchParams.get('ske')!).getTime()).toBeGreaterThan(new Date(new URL(late).searchParams.get('se')!).getTime());
  });
});

function insecureGet(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method, rejectUnauthorized: false, headers: method === 'PUT' ? { 'x-ms-blob-type': 'BlockBlob', 'content-length': '4' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(method === 'PUT' ? 'evil' : undefined);
  });
}
