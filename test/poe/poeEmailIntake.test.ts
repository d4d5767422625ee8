import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBotApp, type BotApp } from '../../app/botApp';
import { ClaimCards } from '../../bot/commands/claimCards';
import { ReviewCardView } from '../../bot/reviews/reviewCardView';
import { silentLogger } from '../../src/logger';
import { ClaimQueries } from '../../src/services/claims/claimQueries';
import { readingBlobName } from '../../src/services/poe/poeReadings';
import { compoundFileKind, looksLikeEml } from '../../src/services/poe/poeEmailChecks';
import { sniffPoe } from '../../src/services/poe/poeFileIntake';
import { partnerChat, teamsFile } from '../support/partnerChat';
import { pdfWithCatalog } from '../support/poeFixtures';
import { compoundFile, greyPng, makeDocx, makeEml, makeMsg, makePdf, type EmailSpec } from '../support/poeDocuments';
import { AVERY, RILEY } from '../support/seededClaims';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';
import { buildZip } from '../support/zipFixture';

/**
 * Customer approval e-mails as PoE: .eml and Outlook .msg are recognised by their content, refused when
 * they carry what a PoE file may not (a program, macros, an archive that can't be checked), and shown
 * with sender, date and subject on the reviewers' card and on the partner's status card.
 */

const EXE = Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0', 'latin1'), Buffer.alloc(120)]);
const approval = (overrides: Partial<EmailSpec> = {}): EmailSpec => ({
  from: { name: 'Dana Whitfield', address: 'dana@contoso.example' },
  to: [{ name: 'Avery Fabrikam', address: 'avery@fabrikam.example' }],
  date: '2026-03-02T15:04:00Z',
  subject: 'RE: Partner of record – Dynamics 365 Sales',
  body: 'Yes, we approve Fabrikam as our partner of record for Dynamics 365 Sales.',
  ...overrides,
});
const withAttachment = (fileName: string, data: Buffer, contentType = 'application/octet-stream') =>
  approval({ attachments: [{ fileName, contentType, data }] });

describe('recognised by content', () => {
  it.each([
    ['.eml', (spec: EmailSpec) => makeEml(spec), 'eml', 'message/rfc822'],
    ['.msg', async (spec: EmailSpec) => makeMsg(spec), 'msg', 'application/vnd.ms-outlook'],
  ] as const)('an %s approval is accepted with its sender, date and subject', async (_label, make, kind, contentType) => {
    const pdf = await makePdf({ pages: ['Signed PoE'] });
    expect(await sniffPoe(await make(approval({ attachments: [{ fileName: 'PoE.pdf', contentType: 'application/pdf', data: pdf }] })))).toEqual({
      ok: true,
      kind,
      contentType,
      email: {
        fromName: 'Dana Whitfield',
        fromAddress: 'dana@contoso.example',
        sentAt: '2026-03-02T15:04:00.000Z',
        subject: 'RE: Partner of record – Dynamics 365 Sales',
      },
    });
    const chinese = await sniffPoe(await make(approval({ from: { name: '李娜', address: 'li.na@contoso.cn' }, subject: '批准：记录合作伙伴' })));
    expect(chinese).toMatchObject({ ok: true, email: { fromName: '李娜', subject: '批准：记录合作伙伴' } });
  });

  it('an .eml is told by its header block, whatever the file is called', () => {
    expect(looksLikeEml(Buffer.from('From: Dana <dana@contoso.example>\r\nDate: Mon, 2 Mar 2026 15:04:00 +0000\r\nSubject: OK\r\n\r\nApproved.'))).toBe(true);
    expect(
      looksLikeEml(
        Buffer.from('Received: from mx\r\n by mx.contoso.example;\r\n Mon, 2 Mar 2026\r\nFrom: dana@contoso.example\r\nMessage-ID: <1@x>\r\n\r\nok'),
      ),
    ).toBe(true);
    expect(looksLikeEml(Buffer.from('Subject: no sender\r\nDate: Mon, 2 Mar 2026\r\n\r\nbody'))).toBe(false);
    expect(looksLikeEml(Buffer.from('From: only a sender\r\n\r\nbody'))).toBe(false);
    expect(looksLikeEml(Buffer.from('Dear customer,\nFrom: us\nDate: today\nSubject: hi\n\nthanks'))).toBe(false);
    expect(looksLikeEml(Buffer.from('From: a@b.c\nDate: today\nSubject: hi'))).toBe(false); // no body separator: not a message
  });

  it('an old binary Word (.doc), Excel (.xls) or encrypted Office file is still refused; only an Outlook message is accepted', async () => {
    const doc = compoundFile([
      { path: 'WordDocument', data: Buffer.alloc(600, 1) },
      { path: '1Table', data: Buffer.alloc(100) },
    ]);
    const xls = compoundFile([{ path: 'Workbook', data: Buffer.alloc(600, 1) }]);
    const encrypted = compoundFile([
      { path: 'EncryptionInfo', data: Buffer.alloc(100) },
      { path: 'EncryptedPackage', data: Buffer.alloc(600) },
    ]);
    // A .doc that happens to hold a stream named like a message property is still a .doc.
    const docWithProperties = compoundFile([
      { path: 'WordDocument', data: Buffer.alloc(600) },
      { path: '__properties_version1.0', data: Buffer.alloc(32) },
      { path: '__substg1.0_0037001F', data: Buffer.from('x', 'utf16le') },
    ]);
    for (const file of [doc, xls, encrypted, docWithProperties]) {
      expect(compoundFileKind(file)).toBe('other');
      expect(await sniffPoe(file)).toEqual({ ok: false, reason: 'unsupportedType' });
    }
    expect(compoundFileKind(makeMsg(approval()))).toBe('msg');
  });
});

describe('refused for what the message carries', () => {
  it.each([
    ['a program', 'setup.exe', EXE],
    ['a program under a harmless name', 'invoice.pdf', EXE],
    ['a script', 'run.js', Buffer.from('WScript.Echo(1)')],
    ['a macro-enabled document', 'PoE.docm', buildZip([{ name: 'word/document.xml', data: '<w:document/>' }])],
    ['a ZIP holding a program', 'docs.zip', buildZip([{ name: 'tools/evil.exe', data: EXE }])],
    ['a PDF that runs JavaScript', 'PoE.pdf', pdfWithCatalog('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>')],
    ['an archive that cannot be looked into', 'docs.7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4])],
    ['an old binary Word file', 'old.doc', compoundFile([{ path: 'WordDocument', data: Buffer.alloc(600) }])],
  ])('%s attached (%s)', async (_label, fileName, data) => {
    for (const message of [await makeEml(withAttachment(fileName, data)), makeMsg(withAttachment(fileName, data))]) {
      expect(await sniffPoe(message)).toEqual({ ok: false, reason: 'emailAttachment', detail: expect.stringContaining(fileName) });
    }
  });

  it('a forwarded message carrying a program is refused too', async () => {
    const inner = await makeEml(withAttachment('tool.exe', EXE));
    expect(await sniffPoe(await makeEml(approval({ attachments: [{ fileName: 'forwarded.eml', contentType: 'message/rfc822', data: inner }] })))).toMatchObject(
      { ok: false, reason: 'emailAttachment' },
    );
  });

  it('ordinary attachments pass: a PDF, a Word document, an image', async () => {
    const attachments = [
      { fileName: 'PoE.pdf', contentType: 'application/pdf', data: await makePdf({ pages: ['Signed'] }) },
      {
        fileName: 'PoE.docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        data: makeDocx({ paragraphs: ['Signed'] }),
      },
      { fileName: 'logo.png', contentType: 'image/png', data: greyPng(8, 8) },
    ];
    expect(await sniffPoe(await makeEml(approval({ attachments })))).toMatchObject({ ok: true, kind: 'eml' });
    expect(await sniffPoe(makeMsg(approval({ attachments })))).toMatchObject({ ok: true, kind: 'msg' });
  });
});

describe('through a file message in Teams', () => {
  const connector = new StubConnector();
  let app: BotApp;
  let fileServer: Server;
  let base = '';
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    await connector.start();
    files.set('/approval.eml', await makeEml(approval()));
    files.set(
      '/approval.msg',
      makeMsg(
        approval({
          from: { name: '李娜 <script>', address: 'li.na@contoso.cn' },
          subject: '**批准** [link](https://evil.example)',
          date: '2026-03-03T01:00:00Z',
          body: '我们同意。',
        }),
      ),
    );
    files.set('/with-program.eml', await makeEml(withAttachment('setup.exe', EXE)));
    files.set('/report.doc', compoundFile([{ path: 'WordDocument', data: Buffer.alloc(600) }]));
    fileServer = createServer((req, res) => {
      const file = files.get(req.url ?? '');
      res.writeHead(file ? 200 : 404, { 'content-length': file?.length ?? 0 });
      res.end(file);
    });
    await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
    app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY });
  });
  afterAll(async () => {
    await app.close();
    fileServer.closeAllConnections();
    await new Promise<void>((resolve) => fileServer.close(() => resolve()));
    await connector.stop();
  });

  it('accepts .eml and .msg, refuses a program inside a message and a .doc, reads the messages off the turn, and shows sender, date and subject on the cards', async () => {
    const { send, newDraft } = partnerChat(app, connector, 'mail-');
    const claimId = await newDraft();
    const attach = (name: string) => teamsFile(name, `${base}/${name}`);

    const reply = await send({ text: '', attachments: ['approval.eml', 'approval.msg', 'with-program.eml', 'report.doc'].map(attach) });
    expect(reply).toContain('Added approval.eml');
    expect(reply).toContain('E-mail (.eml)');
    expect(reply).toContain('Added approval.msg');
    expect(reply).toContain('Outlook (.msg)');
    expect(reply).toContain('Not added: with-program.eml is an e-mail with an attachment that can');
    expect(reply).toContain('Not added: report.doc is not a PDF, Word (.docx), PNG or JPEG file or an e-mail (.eml, Outlook .msg)');

    const claim = (await app.services.claimService.get(claimId))!;
    expect(claim.poe.map((f) => [f.fileName, f.contentType, f.email])).toEqual([
      [
        'approval.eml',
        'message/rfc822',
        {
          fromName: 'Dana Whitfield',
          fromAddress: 'dana@contoso.example',
          sentAt: '2026-03-02T15:04:00.000Z',
          subject: 'RE: Partner of record – Dynamics 365 Sales',
        },
      ],
      [
        'approval.msg',
        'application/vnd.ms-outlook',
        { fromName: '李娜 <script>', fromAddress: 'li.na@contoso.cn', sentAt: '2026-03-03T01:00:00.000Z', subject: '**批准** [link](https://evil.example)' },
      ],
    ]);
    expect(claim.history.filter((e) => e.action === 'addPoe').map((e) => e.changes.find((c) => c.field === 'poe')?.after)).toEqual([
      ['approval.eml', 'approval.msg'],
    ]);

    // Read after the turn, and kept beside each file for the pre-check.
    await app.services.followUps.drain();
    const documents = await app.services.poeReadings.documentsOf(claim);
    expect(documents.map((d) => [d.fileName, d.pages[0]?.text, d.email?.fromAddress])).toEqual([
      ['approval.eml', 'Yes, we approve Fabrikam as our partner of record for Dynamics 365 Sales.', 'dana@contoso.example'],
      ['approval.msg', '我们同意。', 'li.na@contoso.cn'],
    ]);
    for (const file of claim.poe)
      expect(await app.services.poe.getJson(readingBlobName(file))).toMatchObject({ readerVersion: 1, document: { kind: 'email', readable: true } });

    const reviewCard = JSON.stringify(await new ReviewCardView(app.services).render(claim, { locale: 'en-US', viewer: RILEY, refreshUserIds: [] }));
    expect(reviewCard).toContain('E-mail from Dana Whitfield <\u2060dana@contoso.example>, sent Mar 2, 2026');
    expect(reviewCard).toContain('subject: “RE: Partner of record – Dynamics 365 Sales”');
    // What the sender typed is shown literally: no bold, no link, no tag.
    expect(reviewCard).toContain('E-mail from 李娜 <\u2060script> <\u2060li.na@contoso.cn>');
    expect(reviewCard).not.toContain('**批准**');
    expect(reviewCard).not.toContain('[link](https://evil.example)');

    const viewer = { kind: 'partner' as const, actor: AVERY, organisation: { id: AVERY.orgId, name: 'Fabrikam Consulting Ltd', mpnIds: [] } };
    const zhStatus = JSON.stringify(await new ClaimCards(app.services, ClaimQueries.fromServices(app.services)).status(claim, viewer as never, 'zh-CN'));
    expect(zhStatus).toContain('电子邮件，发件人：Dana Whitfield <\u2060dana@contoso.example>，发送时间：2026');
    expect(zhStatus).toContain('主题：“RE: Partner of record – Dynamics 365 Sales”');
  }, 120_000); // many turns and a reader process's start on a shared machine
});
