import * as rules from '../../src/domain/poePrecheck';
import type { Claim } from '../../src/domain/claim';
import type { PoeDocument } from '../../src/domain/poeDocument';
import { silentLogger } from '../../src/logger';
import { PoePrecheckService } from '../../src/services/poe/poePrecheckService';
import { ORG, partner, poeRecordFor } from '../support/claimFixtures';

/**
 * The service keeps what the rules found in each file: a claim's checklist is drawn again with every
 * file added and every card shown, and only a file not read yet, or facts that changed, is read again.
 * What a partner or reviewer sees must still be the checklist of the claim as it is now.
 */

const page = (text: string) => ({ number: 1, text });
const pdf = (fileName: string, text: string): PoeDocument => ({ fileName, kind: 'pdf', readable: true, pages: [page(text)], signatures: [], formFields: [] });

const DOCUMENTS: Record<string, PoeDocument> = {
  'sow.pdf': pdf('sow.pdf', 'Statement of work between Contoso (contoso.com) and Fabrikam Consulting Ltd. Fabrikam deployed Microsoft Teams for 300 users.'),
  'mail.pdf': pdf(
    'mail.pdf',
    'Fabrikam Consulting migrated 450 mailboxes to Exchange Online and trained the service desk of the Contoso offices in two weeks.',
  ),
  'ack.pdf': pdf('ack.pdf', ['Customer acknowledgment', 'Customer name', 'Jane Doe', 'Signature', 'Jane Doe', 'Date', '10/01/2026'].join('\n')),
};

function claimWith(files: string[], fields: Partial<Claim['fields']> = {}): Claim {
  return {
    id: 'c-1',
    orgId: ORG,
    poe: files.map((fileName) => poeRecordFor('c-1', partner, '2026-11-02T09:00:00.000Z', fileName)),
    fields: { customerDomain: 'contoso.com', products: ['teams', 'exchange-online'], ...fields },
  } as unknown as Claim;
}

function service() {
  const read: string[] = [];
  const precheck = new PoePrecheckService({
    documentOf: async (file) => {
      read.push(file.fileName);
      return DOCUMENTS[file.fileName];
    },
    rosters: {
      organisation: async () => ({ id: ORG, name: 'Fabrikam Consulting Ltd', mpnIds: [{ id: '4412345' }] }) as never,
      partnerUsersOf: async () => [],
    },
    clock: { now: () => new Date('2026-11-30T10:00:00Z') },
    log: silentLogger,
  });
  return { precheck, read };
}

const verdicts = (checklist: rules.PoeChecklist) => Object.fromEntries(checklist.results.map((r) => [r.check, r.verdict]));

describe('PoePrecheckService keeps each file’s findings', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a file added is the only one the rules read again, and the checklist is the whole claim’s', async () => {
    const { precheck } = service();
    const perFile = jest.spyOn(rules, 'documentFindings');
    await precheck.checklist(claimWith(['sow.pdf', 'mail.pdf']), 'en-US');
    expect(perFile.mock.calls.map(([d]) => d.fileName)).toEqual(['sow.pdf', 'mail.pdf']);

    perFile.mockClear();
    const three = claimWith(['sow.pdf', 'mail.pdf', 'ack.pdf']);
    const checklist = await precheck.checklist(three, 'en-US');
    expect(perFile.mock.calls.map(([d]) => d.fileName)).toEqual(['ack.pdf']);
    // The same checklist as the rules give for all three files read at once.
    const documents = ['sow.pdf', 'mail.pdf', 'ack.pdf'].map((f) => DOCUMENTS[f]);
    expect(checklist).toEqual(rules.precheckPoe(documents, await precheck.facts(three, 'en-US'), '2026-11-30T10:00:00Z'));
    expect(verdicts(checklist)).toEqual({ related: 'passed', acknowledged: 'passed', dated: 'passed', described: 'passed', products: 'passed' });
  });

  test('claiming another product reads no file again, and the checklist follows the claim', async () => {
    const { precheck } = service();
    await precheck.checklist(claimWith(['sow.pdf', 'mail.pdf', 'ack.pdf']), 'en-US');
    const perFile = jest.spyOn(rules, 'documentFindings');
    const more = await precheck.checklist(
      claimWith(['sow.pdf', 'mail.pdf', 'ack.pdf'], { products: ['teams', 'exchange-online', 'sharepoint-online'] }),
      'en-US',
    );
    expect(perFile).not.toHaveBeenCalled();
    expect(verdicts(more).products).toBe('missing');
  });

  test('a changed customer domain reads the files again: no checklist is kept from the old facts', async () => {
    const { precheck } = service();
    const files = ['sow.pdf', 'mail.pdf', 'ack.pdf'];
    expect(verdicts(await precheck.checklist(claimWith(files), 'en-US')).related).toBe('passed');
    const changed = await precheck.checklist(claimWith(files, { customerDomain: 'northwind.example' }), 'en-US');
    expect(verdicts(changed).related).toBe('toCheck');
    expect(changed.results.find((r) => r.check === 'related')!.findings.map((f) => f.key)).toEqual(['precheck.related.customerNotNamed']);
  });

  test('a partner and a reviewer in other locales each get the dates read their way, drawn again and again', async () => {
    const { precheck } = service();
    const claim = claimWith(['ack.pdf']);
    const dated = async (locale: string) => (await precheck.checklist(claim, locale)).results.find((r) => r.check === 'dated')!;
    for (let round = 0; round < 2; round += 1) {
      // 10/01/2026: 1 October in the US, 10 January in Britain; both within the 12 months, so the date quoted tells them apart.
      expect((await dated('en-US')).findings[0].params).toMatchObject({ date: '2026-10-01' });
      expect((await dated('en-GB')).findings[0].params).toMatchObject({ date: '2026-01-10' });
    }
  });

  test('each file is read once, however often its checklist is asked for', async () => {
    const { precheck, read } = service();
    const claim = claimWith(['sow.pdf', 'mail.pdf']);
    await Promise.all([precheck.checklist(claim, 'en-US'), precheck.checklist(claim, 'en-US'), precheck.checklistIfReady(claim, 'en-US')]);
    await precheck.checklist(claim, 'en-US');
    expect(read).toEqual(['sow.pdf', 'mail.pdf']);
  });

  test('a decision waits a moment for files being read: a quick reading is in the checklist, a slow one is not ready yet and goes on', async () => {
    const slowly = (ms: number) => {
      const read: string[] = [];
      const precheck = new PoePrecheckService({
        documentOf: async (file) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          read.push(file.fileName);
          return DOCUMENTS[file.fileName];
        },
        rosters: { organisation: async () => undefined, partnerUsersOf: async () => [] },
        clock: { now: () => new Date('2026-11-30T10:00:00Z') },
        log: silentLogger,
      });
      return { precheck, read };
    };
    const claim = claimWith(['sow.pdf']);
    const quick = slowly(20);
    expect((await quick.precheck.checklistWithin(claim, 1_000))?.results.length).toBe(5);
    const slow = slowly(300);
    expect(await slow.precheck.checklistWithin(claim, 50)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(slow.read).toEqual(['sow.pdf']);
    expect(slow.precheck.ready(claim)).toBe(true);
  });

  test('a file whose reading outlasts the time limit is in the checklist as taking too long to read', async () => {
    const precheck = new PoePrecheckService({
      documentOf: () => new Promise<PoeDocument>(() => undefined), // never read
      rosters: { organisation: async () => undefined, partnerUsersOf: async () => [] },
      clock: { now: () => new Date('2026-11-30T10:00:00Z') },
      log: silentLogger,
      timeLimitMs: 50,
    });
    expect((await precheck.checklist(claimWith(['sow.pdf']))).unread).toEqual([expect.objectContaining({ fileName: 'sow.pdf', reason: 'timeLimit' })]);
  });

  test('a pre-check that fails while a decision waits for it is not ready, and the decision goes on', async () => {
    const warnings: string[] = [];
    const precheck = new PoePrecheckService({
      documentOf: async (file) => DOCUMENTS[file.fileName],
      rosters: { organisation: async () => Promise.reject(new Error('roster unavailable')), partnerUsersOf: async () => [] },
      clock: { now: () => new Date('2026-11-30T10:00:00Z') },
      log: { ...silentLogger, warn: (message: string) => warnings.push(message) },
    });
    expect(await precheck.checklistWithin(claimWith(['sow.pdf']), 1_000)).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('roster unavailable')]);
  });
});
