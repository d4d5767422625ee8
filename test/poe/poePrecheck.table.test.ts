import type { PoeDocument } from '../../src/domain/poeDocument';
import {
  failedReasons,
  joinWrappedLines,
  precheckPoe,
  quoteAround,
  wordCount,
  type PrecheckFacts,
  type PrecheckId,
  type PrecheckVerdict,
} from '../../src/domain/poePrecheck';

/** A read document as the readers produce it. */
function doc(fileName: string, pages: string[], extra: Partial<PoeDocument> = {}): PoeDocument {
  const kind = extra.kind ?? (fileName.endsWith('.pdf') ? 'pdf' : fileName.endsWith('.docx') ? 'docx' : 'email');
  return { fileName, kind, readable: true, pages: pages.map((text, i) => ({ number: i + 1, text })), signatures: [], formFields: [], ...extra };
}

const FACTS: PrecheckFacts = {
  customerDomain: 'contoso.com',
  customerTenantId: '11111111-2222-4333-8444-555555555555',
  partnerNames: ['Fabrikam Consulting Ltd'],
  mpnIds: ['1234567'],
  partnerDomains: ['fabrikam.example'],
  products: ['teams', 'exchange-online'],
};
const SUBMITTED = '2026-11-30T10:00:00Z';

const DESCRIPTION = 'Fabrikam Consulting deployed Microsoft Teams for 300 users and migrated 450 mailboxes to Exchange Online between June and September 2026.';
const SIGNED_BLOCK = ['Customer acknowledgment', 'Customer name', 'Jane Doe', 'Title', 'CIO', 'Signature', 'Jane Doe', 'Date', '1 October 2026'].join('\n');
const PARTNER_BLOCK = ['Partner signature', 'Partner representative name', 'Avery Fabrikam', 'Signature', 'Avery Fabrikam', 'Date', '2 October 2026'].join(
  '\n',
);
const HEADER = 'Statement of work between Contoso (contoso.com) and Fabrikam Consulting Ltd, MPN ID 1234567.';

const verdicts = (docs: PoeDocument[], facts: PrecheckFacts = FACTS, at = SUBMITTED) =>
  Object.fromEntries(precheckPoe(docs, facts, at).results.map((r) => [r.check, r.verdict])) as Record<PrecheckId, PrecheckVerdict>;

describe('precheckPoe: one check per Partner-action-required reason', () => {
  test('a complete signed PoE passes every check, with evidence from the file', () => {
    const checklist = precheckPoe([doc('sow.pdf', [HEADER, `${DESCRIPTION}\n${SIGNED_BLOCK}`])], FACTS, SUBMITTED);
    expect(checklist.results.map((r) => [r.check, r.verdict])).toEqual([
      ['related', 'passed'],
      ['acknowledged', 'passed'],
      ['dated', 'passed'],
      ['described', 'passed'],
      ['products', 'passed'],
    ]);
    const dated = checklist.results.find((r) => r.check === 'dated')!;
    expect(dated.evidence).toEqual([{ fileName: 'sow.pdf', page: 2, quote: '1 October 2026' }]);
    expect(dated.findings[0]).toEqual({ key: 'precheck.dated.passed', params: { date: '2026-10-01', from: '2025-11-30', to: '2026-11-30' } });
    const products = checklist.results.find((r) => r.check === 'products')!;
    expect(products.evidence.map((e) => e.fileName)).toEqual(['sow.pdf', 'sow.pdf']);
    expect(products.evidence[0].quote).toContain('deployed Microsoft Teams');
    expect(products.evidence[1].quote).toContain('Exchange Online');
    expect(failedReasons(checklist)).toEqual([]);
  });

  describe('related (MissingAllPoe)', () => {
    test.each<[string, string, Partial<PrecheckFacts>, PrecheckVerdict]>([
      ['domain and partner name', 'Contoso.com engaged Fabrikam Consulting.', {}, 'passed'],
      ['domain stem and MPN ID', 'CONTOSO engaged MPN 1234567', {}, 'passed'],
      ['tenant ID and partner name without legal form', 'Tenant 11111111-2222-4333-8444-555555555555, partner Fabrikam Consulting', {}, 'passed'],
      [
        'customer name given on the claim',
        'Contoso Pharmaceuticals and Fabrikam Consulting',
        { customerDomain: 'cp.example', customerNames: ['Contoso Pharmaceuticals'] },
        'passed',
      ],
      ['customer only', 'Contoso.com project plan', {}, 'toCheck'],
      ['partner only', 'Fabrikam Consulting capabilities deck', {}, 'toCheck'],
      ['neither: an unrelated file', 'Quarterly cafeteria menu', {}, 'missing'],
      ['a word containing the stem is no mention', 'Contosoville and Fabrikamworks', {}, 'missing'],
      ['nor is one that ends with it', 'MyContoso and NotFabrikam Consulting', {}, 'missing'],
      ['a name that runs on first is found where it stands alone later', 'Contosoville, then Contoso and Fabrikam Consulting', {}, 'passed'],
      ['a letter of another script runs on too', 'Contosoé and Fabrikam Consultingя', {}, 'missing'],
      ['so does a letter outside the Basic Multilingual Plane', 'Contoso\u{1D400} and \u{1D400}Fabrikam Consulting', {}, 'missing'],
      ['punctuation and symbols are edges', '(Contoso) and «Fabrikam Consulting»\u{1F600}', {}, 'passed'],
      ['a name broken over lines is still the name', 'Contoso and Fabrikam\n  Consulting', {}, 'passed'],
      ['Latin names in Chinese text, with no spaces around them', '本合同由Contoso与Fabrikam Consulting签署', {}, 'passed'],
      ['a Latin name runs on in Chinese text too', '本合同由Contosoville与Fabrikamworks签署', {}, 'missing'],
      [
        'a Chinese name inside Chinese text',
        '本项目由康托索制药与合作伙伴法布里卡姆咨询共同完成',
        { customerDomain: 'cp.example', customerNames: ['康托索制药'], partnerNames: ['法布里卡姆咨询'] },
        'passed',
      ],
    ])('%s', (_name, text, facts, verdict) => {
      expect(verdicts([doc('a.docx', [text])], { ...FACTS, ...facts }).related).toBe(verdict);
    });

    test('an e-mail names the parties by its addresses', () => {
      const email = doc('approval.eml', ['Looks good.'], { email: { fromAddress: 'jane@contoso.com', to: ['avery@fabrikam.example'], attachments: [] } });
      expect(verdicts([email]).related).toBe('passed');
    });

    test('no PoE at all is missing; only unreadable files are left to a reviewer', () => {
      expect(precheckPoe([], FACTS, SUBMITTED).results.map((r) => r.verdict)).toEqual(['missing', 'missing', 'missing', 'missing', 'missing']);
      const scan: PoeDocument = { fileName: 'scan.png', kind: 'image', readable: false, unreadable: 'image', pages: [], signatures: [], formFields: [] };
      const checklist = precheckPoe([scan], FACTS, SUBMITTED);
      expect(checklist.results.map((r) => r.verdict)).toEqual(['toCheck', 'toCheck', 'toCheck', 'toCheck', 'toCheck']);
      expect(checklist.unread).toEqual([{ fileName: 'scan.png', reason: 'image' }]);
    });
  });

  describe('acknowledged (MissingCustomerAcknowledgment)', () => {
    test.each<[string, string, PrecheckVerdict]>([
      ['filled block, value on the next line', SIGNED_BLOCK, 'passed'],
      ['filled block, values after colons', 'Customer name: Jane Doe\nSignature: /s/ Jane Doe\nDate: 2026-10-01', 'passed'],
      ['typed signature with a date, no name line', 'Customer acknowledgment\nSignature: Jane Doe\nDate: 2026-10-01', 'passed'],
      ['Chinese block', '客户确认\n客户姓名：张伟\n签名：张伟\n日期：2026年10月1日', 'passed'],
      ['blank block (template not filled in)', 'Customer acknowledgment\nCustomer name\n________\nSignature\n________\nDate\n________', 'missing'],
      ['signed, no date', 'Customer name: Jane Doe\nSignature: Jane Doe\nDate: ____', 'toCheck'],
      ['name and date, no signature', 'Customer name: Jane Doe\nSignature: ______\nDate: 2026-10-01', 'toCheck'],
      ['only the partner signed', `Customer acknowledgment\nCustomer name\n____\nSignature\n____\nDate\n____\n${PARTNER_BLOCK}`, 'missing'],
      [
        'a customer whose title mentions partners is still the customer',
        'Customer name: Jane Doe\nTitle: Partner Manager\nSignature: Jane Doe\nDate: 2026-10-01',
        'passed',
      ],
      ['no block at all', DESCRIPTION, 'missing'],
      ['a sentence about signatures is no block', 'The customer signature will be collected after the pilot, signed by the CIO in due course.', 'missing'],
    ])('%s', (_name, text, verdict) => {
      expect(verdicts([doc('a.docx', [`${HEADER}\n${text}`])]).acknowledged).toBe(verdict);
    });

    test('a digital signature passes, with signer and signing time as evidence', () => {
      const signed = doc('signed.pdf', [HEADER], { signatures: [{ field: 'Sig1', signer: 'Jane Doe', signedAt: '2026-10-05T09:00:00Z', page: 1 }] });
      const checklist = precheckPoe([signed], FACTS, SUBMITTED);
      expect(checklist.results[1]).toMatchObject({
        verdict: 'passed',
        evidence: [{ fileName: 'signed.pdf', page: 1, quote: 'Jane Doe, 2026-10-05T09:00:00Z' }],
      });
      expect(checklist.results[2].verdict).toBe('passed');
    });

    test('form fields of a fillable PDF count as a block', () => {
      const filled = doc('form.pdf', [HEADER], {
        formFields: [
          { name: 'Customer name', value: 'Jane Doe' },
          { name: 'Signature', value: 'Jane Doe' },
          { name: 'Date', value: '10/01/2026' },
        ],
      });
      expect(verdicts([filled], { ...FACTS, dateOrder: 'mdy' })).toMatchObject({ acknowledged: 'passed', dated: 'passed' });
    });

    test.each<[string, string, string, PrecheckVerdict]>([
      ['approval from the customer domain', 'jane@contoso.com', 'We confirm that Fabrikam completed the Teams rollout.', 'passed'],
      ['approval from a customer subdomain, in Chinese', 'zhang@cn.contoso.com', '我们确认并同意。', 'passed'],
      ['customer e-mail without approval', 'jane@contoso.com', 'Please call me next week.', 'toCheck'],
      ['approval, but from the partner', 'avery@fabrikam.example', 'We confirm the project is done.', 'missing'],
      ['look-alike domain', 'jane@contoso.com.evil.example', 'I approve.', 'missing'],
    ])('e-mail: %s', (_name, from, body, verdict) => {
      const email = doc('mail.eml', [body], { email: { fromAddress: from, to: ['avery@fabrikam.example'], sentAt: '2026-10-02T08:00:00Z', attachments: [] } });
      expect(verdicts([email]).acknowledged).toBe(verdict);
    });

    test('one acknowledged file among others is enough', () => {
      expect(verdicts([doc('deck.pdf', [DESCRIPTION]), doc('sow.docx', [`${HEADER}\n${SIGNED_BLOCK}`])]).acknowledged).toBe('passed');
    });
  });

  describe('dated (MissingOrOldDates): the latest acknowledgment within the 12 months before submission', () => {
    const block = (date: string) => `${HEADER}\nCustomer name: Jane Doe\nSignature: Jane Doe\nDate: ${date}`;
    test.each<[string, string, PrecheckVerdict]>([
      ['a month before', '2026-10-30', 'passed'],
      ['on the day of submission', '30 November 2026', 'passed'],
      ['exactly 12 months before', '2025-11-30', 'passed'],
      ['12 months and a day before', '2025-11-29', 'missing'],
      ['13 months before', 'October 30, 2025', 'missing'],
      ['after submission', '2027-01-15', 'toCheck'],
      ['Chinese date', '2026年10月1日', 'passed'],
    ])('%s (%s)', (_name, date, verdict) => {
      expect(verdicts([doc('a.docx', [block(date)])]).dated).toBe(verdict);
    });

    test('the latest acknowledgment counts: an old one re-signed recently passes', () => {
      expect(verdicts([doc('old.docx', [block('2024-05-01')]), doc('new.docx', [block('2026-09-01')])]).dated).toBe('passed');
    });

    test('dates only outside an acknowledgment are left to a reviewer; no date at all is missing', () => {
      expect(verdicts([doc('a.docx', [`${HEADER}\nKick-off 2026-09-01. ${DESCRIPTION}`])]).dated).toBe('toCheck');
      expect(verdicts([doc('a.docx', [`${HEADER}\nKick-off 2024-09-01.`])]).dated).toBe('missing');
      expect(verdicts([doc('a.docx', [HEADER])]).dated).toBe('missing');
    });

    test("01/03/2026 is read by the partner's locale; where the other reading would be judged otherwise, a reviewer decides", () => {
      expect(verdicts([doc('a.docx', [block('03/10/2026')])], { ...FACTS, dateOrder: 'mdy' }).dated).toBe('passed'); // both readings recent
      const ambiguous = precheckPoe([doc('a.docx', [block('12/01/2025')])], { ...FACTS, dateOrder: 'mdy' }, SUBMITTED).results[2]; // 1 Dec 2025 or 12 Jan 2025
      expect(ambiguous).toMatchObject({
        verdict: 'toCheck',
        findings: [{ key: 'precheck.dated.ambiguous', params: { date: '2025-12-01', other: '2025-01-12' } }],
      });
      expect(verdicts([doc('a.docx', [block('12/01/2025')])], { ...FACTS, dateOrder: 'dmy' }).dated).toBe('toCheck');
      expect(verdicts([doc('a.docx', [block('25/12/2025')])], { ...FACTS, dateOrder: 'mdy' }).dated).toBe('passed'); // unambiguous
    });
  });

  describe('described (MissingPartnerSolutionDescription)', () => {
    test.each<[string, string, PrecheckVerdict]>([
      ['a sentence of delivered work', DESCRIPTION, 'passed'],
      ['Chinese description', 'Fabrikam 为客户部署了 Microsoft Teams，并将 450 个邮箱迁移到 Exchange Online，还为 300 名员工提供了培训。', 'passed'],
      ['too short', 'Deployed Teams for them.', 'toCheck'],
      ['nothing about services', 'Contoso and Fabrikam Consulting. Teams. Exchange Online.', 'missing'],
      [
        'names with service words are no description',
        'Fabrikam Consulting Ltd for Contoso: Dynamics 365 Supply Chain Management and Dynamics 365 Customer Service',
        'missing',
      ],
      [
        "the template's own hint is no description",
        'Describe the solution or services the partner delivered to the customer, the products/workloads involved, and when they were delivered.',
        'missing',
      ],
      [
        "the template's customer statement is no description",
        'On behalf of the customer contoso.com, I confirm that Fabrikam Consulting delivered the solution or services described above, involving the products/workloads listed.',
        'missing',
      ],
    ])('%s', (_name, text, verdict) => {
      expect(verdicts([doc('a.docx', [text])]).described).toBe(verdict);
    });
  });

  describe('products (MissingProducts)', () => {
    test.each<[string, string, string[], PrecheckVerdict]>([
      ['every product by catalogue name', 'Microsoft Teams and Exchange Online', ['teams', 'exchange-online'], 'passed'],
      ['by aliases', 'MS Teams and EXO', ['teams', 'exchange-online'], 'passed'],
      ['one missing', 'Microsoft Teams only', ['teams', 'exchange-online'], 'missing'],
      ['none', 'A project', ['teams'], 'missing'],
      ['Teams Phone does not name Teams', 'Teams Phone rollout', ['teams'], 'missing'],
      ['no products claimed yet', 'Microsoft Teams', [], 'toCheck'],
    ])('%s', (_name, text, products, verdict) => {
      expect(verdicts([doc('a.docx', [text])], { ...FACTS, products }).products).toBe(verdict);
    });

    test('the finding names the products missing and how they may be written', () => {
      const result = precheckPoe([doc('a.docx', ['Microsoft Teams'])], FACTS, SUBMITTED).results.find((r) => r.check === 'products')!;
      expect(result.findings).toEqual([
        { key: 'precheck.products.notNamed', params: { products: ['Exchange Online'], aliases: ['Exchange Online / EXO / Exchange Online Plan 1'] } },
      ]);
    });
  });

  test('failed checks give the reasons to pre-fill', () => {
    const checklist = precheckPoe([doc('a.docx', [`${HEADER}\n${DESCRIPTION}`])], FACTS, SUBMITTED);
    expect(failedReasons(checklist)).toEqual(['MissingCustomerAcknowledgment', 'MissingOrOldDates']);
  });

  test('quotes are one line, cut around the match', () => {
    const long = `${'a'.repeat(200)} Microsoft Teams ${'b'.repeat(200)}`;
    const quote = quoteAround(long, 201, 15);
    expect(quote).toContain('Microsoft Teams');
    expect(quote.length).toBeLessThanOrEqual(122);
    expect(quoteAround('line one\nline two has it\nline three', 9, 4)).toBe('line two has it');
  });
});

/** The same generated text on every run: a linear congruential generator giving whole numbers below `n`. */
function pseudoRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
}

describe('joinWrappedLines: lines the layout wrapped are one sentence', () => {
  const long = 'Fabrikam Consulting deployed Microsoft Teams for 300 users and migrated'; // 71 characters, no punctuation

  test.each([
    ['a long line without punctuation goes on', `${long}\n450 mailboxes.`, `${long} 450 mailboxes.`],
    ['a long line that ends a sentence does not', `${long}.\nNext sentence`, `${long}.\nNext sentence`],
    ['Chinese punctuation ends a line too', `${long}。\n下一句`, `${long}。\n下一句`],
    ['a short line (a heading, a label) does not', 'Statement of work\nFabrikam', 'Statement of work\nFabrikam'],
    ['49 characters is short, 50 is long', `${'a'.repeat(49)}\nb\n${'a'.repeat(50)}\nb`, `${'a'.repeat(49)}\nb\n${'a'.repeat(50)} b`],
    ['an empty line after it keeps the break', `${long}\n\nNew paragraph`, `${long}\n\nNew paragraph`],
    ['a line starting with a space keeps the break', `${long}\n  indented`, `${long}\n  indented`],
    ['several wrapped lines in a row join up', `${long}\n${long}\nend.`, `${long} ${long} end.`],
  ])('%s', (_name, text, joined) => {
    expect(joinWrappedLines(text)).toBe(joined);
    expect(joinWrappedLines(text)).toHaveLength(text.length);
  });

  test('it joins exactly where the pattern it replaced did, on pages of mixed lines', () => {
    // The pattern the pre-check used before (it tried every position of every line); the rule is unchanged.
    const before = (text: string) => text.replace(/([^\n]{50,}?)(?<![.!?。！？；;:：])\n(?=\S)/g, '$1 ');
    const pieces = ['deployed', 'Microsoft', 'Teams', '合同', '签署', 'Contoso', ';', '.', '：', '?', '\t', '\u3000', '\r', '😀', ' ', ' '];
    const next = pseudoRandom(7);
    for (let page = 0; page < 300; page++) {
      const lines = Array.from({ length: 30 }, () => {
        let line = '';
        for (const length = next(90); line.length < length;) line += pieces[next(pieces.length)];
        return line;
      });
      const text = lines.join('\n');
      expect(joinWrappedLines(text)).toBe(before(text));
    }
  });
});

describe('wordCount: how long a description is, in either language', () => {
  test.each([
    ['Latin words, whatever separates them', 'Deployed Teams, for 300 users (Contoso-wide).', 7],
    ['letters of other scripts and accents are words', 'Müller déploya Ελληνικά Кириллица', 4],
    ['half a word per Chinese character', '部署了团队', 2.5],
    ['a Chinese character ends a Latin word', 'Contoso部署Teams', 3],
    ['letters outside the Basic Multilingual Plane are letters, an emoji is no word', '𝐀𝐁 and 😀 emoji', 3],
    ['nothing to count', ' .,;- ', 0],
  ])('%s', (_name, text, count) => {
    expect(wordCount(text)).toBe(count);
  });

  test('it counts as the split it replaced did, on mixed text', () => {
    const before = (text: string) =>
      text
        .replace(/[\u3400-\u9fff]/g, ' ')
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean).length +
      (text.match(/[\u3400-\u9fff]/g) ?? []).length / 2;
    const pieces = ['deploy', 'Ü', 'é', '42', '合同', '签', ' ', '-', '_', '@', '`', '[', '{', '😀', '𝐀', '\ud800', 'Ж', '٣', '\u3000', '。'];
    const next = pseudoRandom(11);
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (const length = next(40); text.length < length;) text += pieces[next(pieces.length)];
      expect(wordCount(text)).toBe(before(text));
    }
  });
});
