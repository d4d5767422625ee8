import { downloadPoe } from '../../src/services/poe/poeDownload';
import { DEFAULT_POE_DOWNLOAD_HOSTS } from '../../src/domain/poeDownloadHosts';
import { poeDownloadPolicy, type PoeDownloadPolicy, type Resolver } from '../../src/services/poe/poeDownloadPolicy';
import { demoPdf } from '../../app/demo/demoSeed';
import { FileServer } from '../support/fileServer';

/**
 * Where PoE files may be downloaded from. Two loopback servers: `sharepoint` stands in for SharePoint,
 * `victim` for anything else on the machine (the bot's own port, the embedded Cosmos DB or Azurite).
 * Every refusal must be decided before a request reaches the target: the servers record each request.
 */

const MB = 1024 * 1024;
const PDF = demoPdf('Statement of work');
const sharepoint = new FileServer();
const victim = new FileServer();
let pdfPath = '';
let victimPath = '';

beforeAll(async () => {
  await sharepoint.start();
  await victim.start();
  pdfPath = sharepoint.serve('sow.pdf', PDF);
  victimPath = victim.serve('secret.pdf', PDF);
});
afterAll(async () => {
  await sharepoint.stop();
  await victim.stop();
});
beforeEach(() => {
  sharepoint.requests.length = 0;
  victim.requests.length = 0;
});

/** DNS answers for the test, and the names asked. */
function resolverOf(answers: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = answers[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

/** The production policies, as bot/poeUploads.ts builds them from configuration. */
const withAppId = (forbidden: number[] = []) => poeDownloadPolicy({ anonymous: false, hosts: DEFAULT_POE_DOWNLOAD_HOSTS }, new Set(forbidden));
const localUse = (forbidden: number[] = []) => poeDownloadPolicy({ anonymous: true, hosts: DEFAULT_POE_DOWNLOAD_HOSTS }, new Set(forbidden));

const download = (url: string, policy: PoeDownloadPolicy) => downloadPoe(url, { maxBytes: MB, policy });
const refused = { ok: false, reason: 'hostNotAllowed' };

describe('with an app id: https to the SharePoint hosts only, on public addresses', () => {
  test('an http link is refused without a request, even to an allowed host', async () => {
    const resolve = resolverOf({ 'contoso.sharepoint.com': ['127.0.0.1'] });
    expect(await download(`http://contoso.sharepoint.com:${sharepoint.port}${pdfPath}`, { ...withAppId(), resolve })).toEqual({
      ...refused,
      detail: expect.stringContaining('only https'),
    });
    expect(await download(`${sharepoint.url}${pdfPath}`, withAppId())).toMatchObject(refused);
    expect(resolve.asked).toEqual([]);
    expect(sharepoint.requests).toEqual([]);
  });

  test('a host outside the list is refused before its name is even resolved', async () => {
    const resolve = resolverOf({ 'files.attacker.example': ['203.0.113.10'], 'sharepoint.com.attacker.example': ['203.0.113.10'] });
    for (const url of [
      'https://files.attacker.example/sow.pdf',
      'https://sharepoint.com.attacker.example/x',
      'https://evilsharepoint.com/x',
      'https://sharepoint.com/x',
    ]) {
      expect([url, await download(url, { ...withAppId(), resolve })]).toEqual([
        url,
        { ...refused, detail: expect.stringContaining('is not one of the file hosts allowed') },
      ]);
    }
    expect(resolve.asked).toEqual([]);
  });

  test('an IP address is never an allowed host, loopback included', async () => {
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '2130706433', '169.254.169.254']) {
      expect(await download(`https://${host}:${sharepoint.port}${pdfPath}`, withAppId())).toMatchObject(refused);
    }
    expect(sharepoint.requests).toEqual([]);
  });

  test('an allowed name that resolves to a loopback, private, link-local, CGNAT, unspecified or metadata address is refused', async () => {
    const bad = [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '10.1.2.3',
      '172.16.5.4',
      '192.168.1.1',
      'fd12:3456::1',
      '169.254.169.254',
      'fd00:ec2::254',
      '168.63.129.16',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'fe80::1',
      '64:ff9b::a9fe:a9fe',
      '224.0.0.1',
    ];
    for (const address of bad) {
      const resolve = resolverOf({ 'contoso.sharepoint.com': [address] });
      expect([address, await download('https://contoso.sharepoint.com/sow.pdf', { ...withAppId(), resolve })]).toEqual([
        address,
        { ...refused, detail: expect.stringContaining('contoso.sharepoint.com resolves to') },
      ]);
    }
    // One bad answer among good ones is enough: the connection could go to any of them.
    const mixed = resolverOf({ 'contoso.sharepoint.com': ['13.107.136.10', '10.0.0.5'] });
    expect(await download('https://contoso.sharepoint.com/sow.pdf', { ...withAppId(), resolve: mixed })).toMatchObject(refused);
  });

  /*
   * The allowed path without network or TLS: the production policy with two things relaxed, each named:
   * http (the stand-in speaks http), and loopback on the stand-in's port only. The host list, the
   * address rules and every other port stay as in production, so the refusals below are production's.
   */
  const standIn = (answers: Record<string, string[]>) => {
    const resolve = resolverOf(answers);
    return { policy: { ...withAppId(), httpAllowed: true, loopback: { ports: [sharepoint.port] }, resolve } satisfies PoeDownloadPolicy, resolve };
  };

  test('an allowed host is downloaded from the address that was checked (the name exists only in the test resolver)', async () => {
    const { policy, resolve } = standIn({ 'contoso-my.sharepoint.com': ['127.0.0.1'] });
    const result = await download(`http://contoso-my.sharepoint.com:${sharepoint.port}${pdfPath}`, policy);
    expect(result.ok && result.data.equals(PDF)).toBe(true);
    expect(sharepoint.requests).toEqual([pdfPath]);
    expect(resolve.asked).toEqual(['contoso-my.sharepoint.com']); // resolved once, by the check; the connection asked no one
  });

  test('every redirect is checked again: to loopback, to a host outside the list, to the metadata service; none is requested', async () => {
    const { policy } = standIn({ 'contoso-my.sharepoint.com': ['127.0.0.1'], 'other.sharepoint.com': ['127.0.0.1'] });
    const via = (location: string) => `http://contoso-my.sharepoint.com:${sharepoint.port}${sharepoint.redirect(location)}`;
    const targets = [
      `${victim.url}${victimPath}`, // loopback by address
      `http://other.sharepoint.com:${victim.port}${victimPath}`, // an allowed name resolving to loopback on another port
      `http://localhost:${victim.port}${victimPath}`,
      'http://169.254.169.254/latest/meta-data/',
      'https://attacker.example/sow.pdf',
    ];
    for (const target of targets) {
      expect([target, await download(via(target), policy)]).toEqual([target, { ...refused, detail: expect.any(String) }]);
    }
    expect(sharepoint.requests).toHaveLength(targets.length); // each redirect was asked for
    expect(victim.requests).toEqual([]); // and not one of its targets
    // A redirect to an allowed place is followed.
    const followed = await download(via(`http://other.sharepoint.com:${sharepoint.port}${pdfPath}`), policy);
    expect(followed.ok && followed.data.equals(PDF)).toBe(true);
  });
});

describe("local use (no app id): loopback for the Playground, but never the bot's own port or its stores'", () => {
  test('a loopback file server is allowed, over http', async () => {
    const result = await download(`${sharepoint.url}${pdfPath}`, localUse([victim.port]));
    expect(result.ok && result.data.equals(PDF)).toBe(true);
  });

  test("the bot's own port (or an embedded store's) is refused by address, by name, and through a redirect, without a request", async () => {
    const policy = localUse([victim.port]);
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '127.0.0.2']) {
      expect([host, await download(`http://${host}:${victim.port}${victimPath}`, policy)]).toEqual([
        host,
        { ...refused, detail: expect.stringContaining(`port ${victim.port}`) },
      ]);
    }
    expect(await download(`${sharepoint.url}${sharepoint.redirect(`http://localhost:${victim.port}${victimPath}`)}`, policy)).toMatchObject(refused);
    expect(victim.requests).toEqual([]);
  });

  test('private, link-local and metadata addresses are refused for local use too', async () => {
    for (const host of ['10.0.0.1', '192.168.0.10', '169.254.169.254', '[fd00:ec2::254]', '0.0.0.0']) {
      expect([host, await download(`http://${host}:${victim.port}/`, localUse())]).toEqual([
        host,
        { ...refused, detail: expect.stringContaining('not a public address') },
      ]);
    }
    expect(victim.requests).toEqual([]); // 0.0.0.0 would have reached the victim on loopback
  });
});
