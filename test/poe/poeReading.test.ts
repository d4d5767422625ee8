import { poeTemplateDocx } from '../../src/services/poe/poeTemplate';
import { closePoeReaders, readPoeDocument, PoeReaders } from '../../src/services/poe/reading/readPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from '../../src/services/poe/reading/readLimits';
import { pdfDate } from '../../src/services/poe/reading/pdfReader';
import { greyPng, makeDocx, makeEml, makeMsg, makePdf, type EmailSpec } from '../support/poeDocuments';
import { minimalDocx } from '../support/zipFixture';

/**
 * The PoE readers on real documents made by test/support/poeDocuments.ts: what a reviewer's pre-check
 * gets out of each kind of file, in English and Chinese, and what it gets from files it can't read.
 * Each read goes through the reader process with its time and memory limits, as in the bot.
 */

afterAll(() => closePoeReaders());
// Each limit test starts reader processes of its own (each loading pdf.js): slow on a shared machine.
jest.setTimeout(120_000);

const customerMail = (overrides: Partial<EmailSpec> = {}): EmailSpec => ({
  from: { name: 'Avery Chen', address: 'avery.chen@contoso.com' },
  to: [{ name: 'Fabrikam Partner Team', address: 'claims@fabrikam.com' }, { address: 'sales@fabrikam.com' }],
  date: '2026-03-01T09:30:00Z',
  subject: 'Approval: Fabrikam as partner of record for Dynamics 365 Sales',
  body: 'We confirm that Fabrikam delivered the Dynamics 365 Sales deployment.\nApproved by Avery Chen, 1 March 2026.',
  ...overrides,
});

const chineseMail = (overrides: Partial<EmailSpec> = {}): EmailSpec =>
  customerMail({
    from: { name: '李娜', address: 'li.na@contoso.cn' },
    to: [{ name: '法布里坎 合作伙伴', address: 'claims@fabrikam.cn' }],
    subject: '确认：法布里坎为 Dynamics 365 Sales 的记录合作伙伴',
    body: '我们确认法布里坎公司已完成 Dynamics 365 Sales 的部署。\n签字：李娜，2026年3月1日',
    ...overrides,
  });

describe('PDF', () => {
  it('reads the text of each page, the form fields and the digital signature (signer and time)', async () => {
    const pdf = await makePdf({
      pages: ['Proof of execution\nCustomer: Contoso Ltd (contoso.com)', 'Services delivered: Dynamics 365 Sales deployment'],
      formFields: [
        { name: 'CustomerName', value: 'Avery Chen' },
        { name: 'Date', value: '2026-03-01', page: 2 },
      ],
      signature: { signer: 'Avery Chen', signedAt: '2026-03-01T10:15:00Z', field: 'CustomerSignature' },
    });
    const document = await readPoeDocument(pdf, 'PoE.pdf', 'pdf');
    expect(document).toMatchObject({ fileName: 'PoE.pdf', kind: 'pdf', readable: true });
    expect(document.pages).toEqual([
      { number: 1, text: 'Proof of execution\nCustomer: Contoso Ltd (contoso.com)' },
      { number: 2, text: 'Services delivered: Dynamics 365 Sales deployment' },
    ]);
    expect(document.formFields).toEqual([
      { name: 'CustomerName', value: 'Avery Chen', page: 1 },
      { name: 'Date', value: '2026-03-01', page: 2 },
    ]);
    expect(document.signatures).toEqual([{ field: 'CustomerSignature', signer: 'Avery Chen', signedAt: '2026-03-01T10:15:00.000Z', page: 2 }]);
  });

  it('reads Chinese text, a Chinese signer and Chinese form values', async () => {
    const pdf = await makePdf({
      pages: ['执行证明\n客户：康托索有限公司', '服务内容：部署 Dynamics 365 Sales\n日期：2026年3月1日'],
      formFields: [{ name: 'Signer', value: '李娜' }],
      signature: { signer: '李娜', signedAt: '2026-03-01T02:00:00Z' },
    });
    const document = await readPoeDocument(pdf, '执行证明.pdf', 'pdf');
    expect(document.readable).toBe(true);
    expect(document.pages.map((p) => p.text)).toEqual(['执行证明\n客户：康托索有限公司', '服务内容：部署 Dynamics 365 Sales\n日期：2026年3月1日']);
    expect(document.formFields).toEqual([{ name: 'Signer', value: '李娜', page: 1 }]);
    expect(document.signatures[0]).toMatchObject({ signer: '李娜', signedAt: '2026-03-01T02:00:00.000Z' });
  });

  it('an unsigned PDF has no signatures, and an empty signature field is not a signature', async () => {
    const document = await readPoeDocument(await makePdf({ pages: ['Signature: ________'] }), 'unsigned.pdf', 'pdf');
    expect(document.signatures).toEqual([]);
  });

  it.each([
    ['an encrypted PDF (a user password)', { encrypted: true }, 'encrypted'],
    ['a corrupt PDF', { corrupt: true }, 'corrupt'],
    ['a scanned PDF (images only, no text)', { imageOnly: true }, 'noText'],
  ] as const)('%s is not readable and says why', async (_label, spec, reason) => {
    const document = await readPoeDocument(await makePdf({ pages: ['Approved by Avery Chen'], ...spec }), 'bad.pdf', 'pdf');
    expect(document).toMatchObject({ readable: false, unreadable: reason, signatures: [], formFields: [] });
    expect(document.pages.every((p) => p.text === '')).toBe(true);
  });

  it('reads at most maxPages pages and maxChars characters', async () => {
    const pdf = await makePdf({ pages: ['page one text', 'page two text', 'page three text'] });
    const fewPages = await readPoeDocument(pdf, 'long.pdf', 'pdf', { ...DEFAULT_POE_READ_LIMITS, maxPages: 2 });
    expect(fewPages.pages.map((p) => p.number)).toEqual([1, 2]);
    const fewChars = await readPoeDocument(pdf, 'long.pdf', 'pdf', { ...DEFAULT_POE_READ_LIMITS, maxChars: 20 });
    expect(fewChars.pages).toEqual([
      { number: 1, text: 'page one text' },
      { number: 2, text: 'page tw' },
    ]);
  });

  it.each([
    ["D:20260301143000+01'00'", '2026-03-01T13:30:00.000Z'],
    ['D:20260301', '2026-03-01T00:00:00.000Z'],
    ['D:20260301143000Z', '2026-03-01T14:30:00.000Z'],
    ["20261231235959-05'30", '2027-01-01T05:29:59.000Z'],
    ['not a date', undefined],
    ['D:20261341', undefined],
  ])('the PDF date %s is %s', (text, iso) => {
    expect(pdfDate(text)).toBe(iso);
  });
});

describe('Word', () => {
  it('reads the paragraphs of a document, English and Chinese', async () => {
    const document = await readPoeDocument(
      makeDocx({ paragraphs: ['Proof of execution', 'Customer: Contoso Ltd', '客户确认：李娜 2026年3月1日'] }),
      'PoE.docx',
      'docx',
    );
    expect(document).toMatchObject({
      kind: 'docx',
      readable: true,
      pages: [{ number: 1, text: 'Proof of execution\nCustomer: Contoso Ltd\n客户确认：李娜 2026年3月1日' }],
    });
  });

  it.each(['en-US', 'zh-CN'] as const)('reads back the PoE template the bot generates (%s)', async (locale) => {
    const docx = poeTemplateDocx({
      locale,
      partnerName: 'Fabrikam Consulting Ltd',
      mpnId: '1234567',
      claim: { id: 'CL-TEMPLATE1', fields: { customerDomain: 'contoso.com', claimName: 'Contoso rollout' } },
    });
    const document = await readPoeDocument(docx, 'PoE-CL-TEMPLATE1.docx', 'docx');
    expect(document.readable).toBe(true);
    const text = document.pages[0].text;
    for (const value of ['Fabrikam Consulting Ltd', '1234567', 'CL-TEMPLATE1', 'contoso.com']) expect(text).toContain(value);
    expect(text).toContain(locale === 'zh-CN' ? '客户' : 'Customer');
  });

  it('a document with no text is not readable ("noText"); a broken one is "corrupt"', async () => {
    expect(await readPoeDocument(makeDocx({ paragraphs: ['', '  '] }), 'empty.docx', 'docx')).toMatchObject({
      readable: false,
      unreadable: 'noText',
      pages: [],
    });
    const whole = minimalDocx('Approved');
    const broken = whole.subarray(0, whole.length / 2); // a download cut short: no central directory
    expect(await readPoeDocument(broken, 'broken.docx', 'docx')).toMatchObject({ readable: false, unreadable: 'corrupt' });
  });
});

describe.each([
  ['.eml', 'eml', makeEml],
  ['.msg', 'msg', async (spec: EmailSpec) => makeMsg(spec)],
] as const)('E-mail %s', (_label, kind, make) => {
  it('reads sender, recipients, date, subject, body and the attachment list', async () => {
    const attachment = { fileName: 'signed PoE.pdf', contentType: 'application/pdf', data: await makePdf({ pages: ['Signed'] }) };
    const document = await readPoeDocument(await make(customerMail({ attachments: [attachment] })), `approval.${kind}`, kind);
    expect(document).toMatchObject({ kind: 'email', readable: true, signatures: [], formFields: [] });
    expect(document.email).toEqual({
      fromName: 'Avery Chen',
      fromAddress: 'avery.chen@contoso.com',
      to: ['Fabrikam Partner Team <claims@fabrikam.com>', expect.stringContaining('sales@fabrikam.com')],
      sentAt: '2026-03-01T09:30:00.000Z',
      subject: 'Approval: Fabrikam as partner of record for Dynamics 365 Sales',
      attachments: [{ fileName: 'signed PoE.pdf', contentType: 'application/pdf', size: attachment.data.length }],
    });
    expect(document.pages).toEqual([
      { number: 1, text: 'We confirm that Fabrikam delivered the Dynamics 365 Sales deployment.\nApproved by Avery Chen, 1 March 2026.' },
    ]);
  });

  it('reads a Chinese message', async () => {
    const document = await readPoeDocument(await make(chineseMail()), `批准.${kind}`, kind);
    expect(document.email).toMatchObject({
      fromName: '李娜',
      fromAddress: 'li.na@contoso.cn',
      subject: '确认：法布里坎为 Dynamics 365 Sales 的记录合作伙伴',
      to: ['法布里坎 合作伙伴 <claims@fabrikam.cn>'],
    });
    expect(document.pages[0].text).toBe('我们确认法布里坎公司已完成 Dynamics 365 Sales 的部署。\n签字：李娜，2026年3月1日');
  });

  it('turns an HTML body into text', async () => {
    const html =
      '<html><body><p>We <b>approve</b> the engagement.</p><p>我们同意。<a href="https://contoso.com">Contoso</a></p><img src="cid:logo"></body></html>';
    const document = await readPoeDocument(await make(customerMail({ body: html, html: true })), `html.${kind}`, kind);
    expect(document.pages[0].text).toBe('We approve the engagement.\n\n我们同意。Contoso');
  });

  it('an e-mail with only an attachment is described by its header: not readable, "noText"', async () => {
    const attachment = {
      fileName: 'PoE.docx',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      data: makeDocx({ paragraphs: ['Approved'] }),
    };
    const document = await readPoeDocument(await make(customerMail({ body: '', attachments: [attachment] })), `only-attachment.${kind}`, kind);
    expect(document).toMatchObject({ kind: 'email', readable: false, unreadable: 'noText', pages: [] });
    expect(document.email).toMatchObject({
      fromAddress: 'avery.chen@contoso.com',
      subject: expect.stringContaining('Approval'),
      attachments: [{ fileName: 'PoE.docx', size: attachment.data.length }],
    });
  });
});

describe('Bad input and limits', () => {
  it('a .msg that is no Outlook message is "corrupt"', async () => {
    expect(await readPoeDocument(Buffer.from('not a compound file at all'), 'x.msg', 'msg')).toMatchObject({
      kind: 'email',
      readable: false,
      unreadable: 'corrupt',
    });
  });

  it('images are not read: "image"', async () => {
    expect(await readPoeDocument(greyPng(10, 10), 'scan.png', 'png')).toEqual({
      fileName: 'scan.png',
      kind: 'image',
      readable: false,
      unreadable: 'image',
      pages: [],
      signatures: [],
      formFields: [],
    });
  });

  it('a file past its time limit is stopped ("timeLimit"), and the next file is read by a fresh process', async () => {
    const readers = new PoeReaders();
    try {
      const pdf = await makePdf({ pages: ['Approved'] });
      // 100 pages of text can't be read in a millisecond (a one-line PDF can, by a warm reader).
      const long = await makePdf({
        pages: Array.from({ length: 100 }, (_, p) => Array.from({ length: 40 }, (_, l) => `Page ${p + 1}, line ${l + 1}: delivered.`).join('\n')),
      });
      // The limit counts reading, not the process's loading of pdf.js: warm it first.
      expect(await readers.read(pdf, 'warm.pdf', 'pdf')).toMatchObject({ readable: true });
      expect(await readers.read(long, 'slow.pdf', 'pdf', { ...DEFAULT_POE_READ_LIMITS, timeMs: 1 })).toMatchObject({
        readable: false,
        unreadable: 'timeLimit',
      });
      expect(await readers.read(pdf, 'next.pdf', 'pdf')).toMatchObject({ readable: true, pages: [{ number: 1, text: 'Approved' }] });
    } finally {
      await readers.close();
    }
  });

  it('a reader kept from the CPU longer than the limit still reads its file (the limit counts CPU time); past ten times the limit it is stopped', async () => {
    const readers = new PoeReaders();
    try {
      const pdf = await makePdf({ pages: ['Approved'] });
      await readers.start(); // as the bot starts it: pdf.js loaded, so a file's own clock runs from the start
      expect(await readers.read(pdf, 'warm.pdf', 'pdf')).toMatchObject({ readable: true });
      const pid = readers.pid!;
      // As on a machine whose cores are busy with turns: the reader, which runs only on an idle core, gets no CPU for twice its limit.
      process.kill(pid, 'SIGSTOP');
      const waited = readers.read(pdf, 'waited.pdf', 'pdf', { ...DEFAULT_POE_READ_LIMITS, timeMs: 1000 });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      process.kill(pid, 'SIGCONT');
      expect(await waited).toMatchObject({ readable: true, pages: [{ number: 1, text: 'Approved' }] });
      expect(readers.pid).toBe(pid);

      // Nothing waits for ever: kept from the CPU for ten times its limit (3 s), the file is out of time and the process replaced.
      process.kill(pid, 'SIGSTOP');
      expect(await readers.read(pdf, 'stuck.pdf', 'pdf', { ...DEFAULT_POE_READ_LIMITS, timeMs: 300 })).toMatchObject({
        readable: false,
        unreadable: 'timeLimit',
      });
      expect(readers.pid).not.toBe(pid);
      expect(await readers.read(pdf, 'next.pdf', 'pdf')).toMatchObject({ readable: true });
    } finally {
      await readers.close();
    }
  });

  it('a reader that runs out of its memory ends only its process and that file ("tooLarge")', async () => {
    const readers = new PoeReaders();
    try {
      // Enough heap to load the readers, not enough for this document's text.
      const docx = await makeDocx({
        paragraphs: Array.from({ length: 60_000 }, (_, i) => `Paragraph ${i}: the partner delivered the Teams rollout for the customer as agreed.`),
      });
      expect(await readers.read(docx, 'big.docx', 'docx', { ...DEFAULT_POE_READ_LIMITS, memoryMb: 48 })).toMatchObject({
        readable: false,
        unreadable: 'tooLarge',
      });
      const pdf = await makePdf({ pages: ['Approved'] });
      expect(await readers.read(pdf, 'next.pdf', 'pdf')).toMatchObject({ readable: true });
    } finally {
      await readers.close();
    }
  });
});
