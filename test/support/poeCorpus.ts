import type { PrecheckFacts, PrecheckId, PrecheckVerdict } from '../../src/domain/poePrecheck';
import type { PoeReadKind } from '../../src/services/poe/reading/readLimits';
import { makeDocx, makeEml, makeMsg, makePdf, type EmailSpec } from './poeDocuments';

/**
 * A labelled corpus of PoE documents for the pre-check: PDF, Word, .eml and .msg, in English and
 * Chinese, signed and unsigned, current and 13-month-old, missing products, unrelated, scanned.
 *
 * The labels say what a PoE reviewer would decide from the document, by this guide (written before the
 * rules were run on the corpus, and not changed to fit them):
 * - related: passed when it names both the customer (name, domain or tenant) and the partner (name, MPN
 *   ID or e-mail domain); toCheck when only one; missing when neither.
 * - acknowledged: passed for a customer signature with name and date, a digital signature, or an e-mail
 *   from the customer's domain approving the work; toCheck for a partial signature block or a customer
 *   e-mail that does not approve; missing when there is no customer acknowledgment.
 * - dated: passed when the customer acknowledged it within the 12 months before submission; missing when
 *   that acknowledgment is older, or the document has no date at all; toCheck when the only dates are not
 *   the customer's acknowledgment, lie after submission, or read differently by locale.
 * - described: passed for a description of delivered services of a sentence or more; toCheck for a
 *   thin mention; missing when none.
 * - products: passed when every claimed product is named (any common name); missing when one is not.
 * - A file whose text can't be read (scan, encrypted, damaged, empty) is toCheck on every check, and so
 *   is what lives only in an e-mail's unread attachment.
 */

export const CORPUS_FACTS: PrecheckFacts = {
  customerDomain: 'contoso.com',
  customerTenantId: 'c0ffee00-1111-4222-8333-444455556666',
  partnerNames: ['Fabrikam Consulting Ltd'],
  mpnIds: ['4412345'],
  partnerDomains: ['fabrikam.example'],
  products: ['teams', 'exchange-online'],
  dateOrder: 'dmy',
};
export const CORPUS_SUBMITTED = '2026-11-30T10:00:00Z';

type Labels = Record<PrecheckId, PrecheckVerdict>;
export interface CorpusDocument {
  id: string;
  fileName: string;
  kind: PoeReadKind;
  bytes: () => Promise<Buffer> | Buffer;
  expected: Labels;
}

const ALL_PASSED: Labels = { related: 'passed', acknowledged: 'passed', dated: 'passed', described: 'passed', products: 'passed' };
const ALL_TO_CHECK: Labels = { related: 'toCheck', acknowledged: 'toCheck', dated: 'toCheck', described: 'toCheck', products: 'toCheck' };
const labels = (changes: Partial<Labels>): Labels => ({ ...ALL_PASSED, ...changes });

const EN_HEADER = 'Statement of work between Contoso Ltd (contoso.com) and Fabrikam Consulting Ltd (MPN ID 4412345).';
const ZH_HEADER = '工作说明书：客户 Contoso 有限公司（contoso.com）与合作伙伴 Fabrikam Consulting Ltd（MPN ID 4412345）。';
const EN_DESC =
  'Fabrikam Consulting deployed Microsoft Teams for 300 users, migrated 450 mailboxes to Exchange Online and trained 40 champions between June and September 2026.';
const EN_DESC_ALIASES =
  'We rolled out MS Teams to all 12 sites and moved every mailbox to EXO, configuring retention policies and training the helpdesk team along the way.';
const EN_DESC_TEAMS_ONLY =
  'Fabrikam Consulting deployed Microsoft Teams for 300 users and trained 40 champions across the three offices during the summer of 2026.';
const EN_DESC_NO_PRODUCTS =
  'Fabrikam Consulting ran a collaboration workshop and designed the intranet information architecture for 200 staff, then supported the launch for six weeks.';
const ZH_DESC = 'Fabrikam 为客户部署了 Microsoft Teams，将 450 个邮箱迁移到 Exchange Online，并为 300 名员工提供了培训和上线支持。';

const enSigned = (date: string) => `Customer acknowledgment\nCustomer name: Jane Doe\nTitle: CIO\nSignature: Jane Doe\nDate: ${date}`;
const zhSigned = (date: string) => `客户确认\n客户姓名：张伟\n职务：信息总监\n签名：张伟\n日期：${date}`;
const EN_BLANK = 'Customer acknowledgment\nCustomer name: ______________\nSignature: ______________\nDate: ______________';
const ZH_BLANK = '客户确认\n客户姓名：______________\n签名：______________\n日期：______________';
const EN_PARTNER_SIGNED = 'Partner signature\nPartner representative name: Avery Fabrikam\nSignature: Avery Fabrikam\nDate: 2026-10-02';

const CURRENT = '15 October 2026';
const THIRTEEN_MONTHS = '30 October 2025';

const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;

/**
 * Lines as a word processor breaks them in a PDF: between words (Latin), after punctuation (Chinese).
 * Needed because makePdf cuts a long line every 90 characters, mid-word, and a Chinese line past the
 * page's edge loses its end (its font has no glyph widths): neither happens in a real PDF.
 */
export function pdfLines(text: string): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const max = CJK.test(line) ? 38 : 85;
      const pieces = CJK.test(line) ? line.split(/(?<=[，。：；、）])|(?<= )/) : line.split(/(?<= )/);
      const out: string[] = [];
      let current = '';
      for (const piece of pieces) {
        if ([...current].length + [...piece].length > max && current) {
          out.push(current.trimEnd());
          current = '';
        }
        current += piece;
      }
      if (current) out.push(current.trimEnd());
      return out;
    })
    .join('\n');
}

const pdf = (
  id: string,
  pages: string[],
  expected: Labels,
  extra: Parameters<typeof makePdf>[0] extends infer S ? Partial<S> : never = {},
): CorpusDocument => ({
  id,
  fileName: `${id}.pdf`,
  kind: 'pdf',
  bytes: () => makePdf({ pages: pages.map(pdfLines), ...extra }),
  expected,
});
const docx = (id: string, paragraphs: string[], expected: Labels): CorpusDocument => ({
  id,
  fileName: `${id}.docx`,
  kind: 'docx',
  bytes: () => makeDocx({ paragraphs: paragraphs.flatMap((p) => p.split('\n')) }),
  expected,
});
const email = (kind: 'eml' | 'msg', id: string, spec: EmailSpec, expected: Labels): CorpusDocument => ({
  id,
  fileName: `${id}.${kind}`,
  kind,
  bytes: () => (kind === 'eml' ? makeEml(spec) : makeMsg(spec)),
  expected,
});

const JANE = { name: 'Jane Doe', address: 'jane.doe@contoso.com' };
const ZHANG = { name: '张伟', address: 'zhang.wei@contoso.com' };
const AVERY = { name: 'Avery Fabrikam', address: 'avery@fabrikam.example' };
const EN_APPROVAL =
  'Hi Avery,\n\nI confirm that Fabrikam Consulting deployed Microsoft Teams and migrated our mailboxes to Exchange Online for our 300 staff this autumn. We approve the engagement.\n\nJane Doe\nCIO, Contoso Ltd';
const ZH_APPROVAL =
  'Avery 你好：\n\n我确认 Fabrikam Consulting 已为我们部署 Microsoft Teams，并将全部邮箱迁移到 Exchange Online，还为员工提供了培训。我们同意并认可此项合作。\n\n张伟\nContoso 有限公司 信息总监';

export const CORPUS: CorpusDocument[] = [
  // ---- PDF
  pdf('pdf-en-signed-current', [`${EN_HEADER}\n${EN_DESC}\n${enSigned(CURRENT)}`], ALL_PASSED),
  pdf('pdf-en-signed-13-months', [`${EN_HEADER}\n${EN_DESC}\n${enSigned(THIRTEEN_MONTHS)}`], labels({ dated: 'missing' })),
  pdf('pdf-en-unsigned', [`${EN_HEADER}\nKick-off: 1 September 2026\n${EN_DESC}\n${EN_BLANK}`], labels({ acknowledged: 'missing', dated: 'toCheck' })),
  pdf('pdf-en-digital-current', [`${EN_HEADER}\n${EN_DESC}`], ALL_PASSED, { signature: { signer: 'Jane Doe', signedAt: '2026-10-20T09:30:00Z' } }),
  pdf('pdf-en-digital-13-months', [`${EN_HEADER}\n${EN_DESC}`], labels({ dated: 'missing' }), {
    signature: { signer: 'Jane Doe', signedAt: '2025-10-20T09:30:00Z' },
  }),
  pdf('pdf-zh-signed-current', [`${ZH_HEADER}\n${ZH_DESC}\n${zhSigned('2026年10月15日')}`], ALL_PASSED),
  pdf('pdf-zh-signed-13-months', [`${ZH_HEADER}\n${ZH_DESC}\n${zhSigned('2025年10月20日')}`], labels({ dated: 'missing' })),
  pdf('pdf-zh-unsigned', [`${ZH_HEADER}\n${ZH_DESC}\n${ZH_BLANK}`], labels({ acknowledged: 'missing', dated: 'missing' })),
  pdf('pdf-en-missing-exchange', [`${EN_HEADER}\n${EN_DESC_TEAMS_ONLY}\n${enSigned(CURRENT)}`], labels({ products: 'missing' })),
  pdf('pdf-en-no-products', [`${EN_HEADER}\n${EN_DESC_NO_PRODUCTS}\n${enSigned('October 15, 2026')}`], labels({ products: 'missing' })),
  pdf(
    'pdf-unrelated-menu',
    ['Northwind cafeteria menu, week of 12 October 2026\nMonday: tomato soup, grilled cheese\nTuesday: noodles with vegetables\nPrices include VAT.'],
    { related: 'missing', acknowledged: 'missing', dated: 'toCheck', described: 'missing', products: 'missing' },
  ),
  pdf('pdf-scanned-image-only', ['scanned'], ALL_TO_CHECK, { imageOnly: true }),
  pdf('pdf-encrypted', ['secret'], ALL_TO_CHECK, { encrypted: true }),
  pdf('pdf-corrupt', ['x'], ALL_TO_CHECK, { corrupt: true }),
  pdf('pdf-en-two-pages', [`${EN_HEADER}\n${EN_DESC}`, enSigned('2026/10/15')], ALL_PASSED),
  pdf('pdf-en-form-fields', [`${EN_HEADER}\n${EN_DESC}\nCustomer acknowledgment (see form fields)`], ALL_PASSED, {
    formFields: [
      { name: 'Customer name', value: 'Jane Doe' },
      { name: 'Signature', value: 'Jane Doe' },
      { name: 'Date', value: '2026-10-15' },
    ],
  }),
  pdf('pdf-en-partner-signed-only', [`${EN_HEADER}\n${EN_DESC}\n${EN_BLANK}\n${EN_PARTNER_SIGNED}`], labels({ acknowledged: 'missing', dated: 'toCheck' })),
  pdf(
    'pdf-en-partner-not-named',
    [
      'Statement of work for Contoso Ltd (contoso.com).\nThe vendor deployed Microsoft Teams for 300 users, migrated 450 mailboxes to Exchange Online and trained 40 champions in 2026.\n' +
        enSigned(CURRENT),
    ],
    labels({ related: 'toCheck' }),
  ),
  pdf('pdf-en-future-date', [`${EN_HEADER}\n${EN_DESC}\n${enSigned('10 January 2027')}`], labels({ dated: 'toCheck' })),
  pdf(
    'pdf-en-legacy-names',
    [
      `${EN_HEADER}\nFabrikam Consulting configured Microsoft Teams Phone System, Teams meeting rooms and Exchange Online Plan 2 mailboxes for 120 users, and trained the service desk.\n${enSigned('2026-09-01')}`,
    ],
    ALL_PASSED,
  ),

  // ---- Word
  docx('docx-en-signed-aliases', [EN_HEADER, EN_DESC_ALIASES, enSigned('October 15, 2026')], ALL_PASSED),
  docx('docx-en-signed-13-months', [EN_HEADER, EN_DESC, enSigned('October 1, 2025')], labels({ dated: 'missing' })),
  docx('docx-en-unsigned', [EN_HEADER, EN_DESC, EN_BLANK], labels({ acknowledged: 'missing', dated: 'missing' })),
  docx('docx-zh-signed-current', [ZH_HEADER, ZH_DESC, zhSigned('2026年10月15日')], ALL_PASSED),
  docx('docx-zh-signed-13-months', [ZH_HEADER, ZH_DESC, zhSigned('二〇二五年十月一日')], labels({ dated: 'missing' })),
  docx('docx-zh-unsigned', [ZH_HEADER, ZH_DESC, ZH_BLANK], labels({ acknowledged: 'missing', dated: 'missing' })),
  docx('docx-en-short-description', [EN_HEADER, 'Teams and Exchange Online work done.', enSigned(CURRENT)], labels({ described: 'toCheck' })),
  docx('docx-en-no-description', [EN_HEADER, 'Products: Microsoft Teams, Exchange Online', enSigned(CURRENT)], labels({ described: 'missing' })),
  docx(
    'docx-unrelated-minutes',
    ['Minutes of the Northwind Traders board meeting', 'Present: the board. The budget for 2027 was discussed and approved.', 'Next meeting in January.'],
    { related: 'missing', acknowledged: 'missing', dated: 'missing', described: 'missing', products: 'missing' },
  ),
  { id: 'docx-empty', fileName: 'docx-empty.docx', kind: 'docx', bytes: () => makeDocx({ paragraphs: [] }), expected: ALL_TO_CHECK },
  docx(
    'docx-en-signed-no-date',
    [EN_HEADER, EN_DESC, 'Customer acknowledgment\nCustomer name: Jane Doe\nSignature: Jane Doe\nDate: ______________'],
    labels({ acknowledged: 'toCheck', dated: 'missing' }),
  ),
  docx('docx-en-us-date', [EN_HEADER, EN_DESC, enSigned('10/15/2026')], ALL_PASSED),
  docx('docx-en-ambiguous-date', [EN_HEADER, EN_DESC, enSigned('12/01/2025')], labels({ dated: 'toCheck' })),
  docx('docx-en-signed-by-sentence', [EN_HEADER, EN_DESC, 'Signed by Jane Doe, CIO of Contoso Ltd, on 12 October 2026.'], ALL_PASSED),
  docx(
    'docx-zh-missing-exchange',
    [ZH_HEADER, 'Fabrikam 为客户部署了 Microsoft Teams，为 300 名员工提供了培训，并在三个办公室完成了上线支持。', zhSigned('2026年9月30日')],
    labels({ products: 'missing' }),
  ),

  // ---- E-mail (.eml)
  email(
    'eml',
    'eml-en-approval-current',
    { from: JANE, to: [AVERY], date: '2026-10-20T08:15:00Z', subject: 'Teams and Exchange Online rollout: approval', body: EN_APPROVAL },
    ALL_PASSED,
  ),
  email(
    'eml',
    'eml-en-approval-13-months',
    { from: JANE, to: [AVERY], date: '2025-10-20T08:15:00Z', subject: 'Teams and Exchange Online rollout: approval', body: EN_APPROVAL },
    labels({ dated: 'missing' }),
  ),
  email(
    'eml',
    'eml-zh-approval-current',
    { from: ZHANG, to: [AVERY], date: '2026-10-21T02:00:00Z', subject: '确认：Teams 和 Exchange Online 项目', body: ZH_APPROVAL },
    ALL_PASSED,
  ),
  email(
    'eml',
    'eml-from-partner',
    {
      from: AVERY,
      to: [JANE],
      date: '2026-10-18T10:00:00Z',
      subject: 'Please confirm the Teams project',
      body: 'Hi Jane,\n\nas discussed, Fabrikam deployed Microsoft Teams for your 300 users and migrated the mailboxes to Exchange Online in September. Could you reply to confirm?\n\nAvery',
    },
    labels({ acknowledged: 'missing', dated: 'toCheck' }),
  ),
  email(
    'eml',
    'eml-customer-no-approval',
    {
      from: JANE,
      to: [AVERY],
      date: '2026-10-18T10:00:00Z',
      subject: 'Licences',
      body: 'Hi Avery, can we schedule a call next week about the Teams licences? Jane',
    },
    { related: 'passed', acknowledged: 'toCheck', dated: 'toCheck', described: 'missing', products: 'missing' },
  ),
  email(
    'eml',
    'eml-attachment-only',
    {
      from: JANE,
      to: [AVERY],
      date: '2026-10-18T10:00:00Z',
      subject: 'SOW',
      body: '',
      attachments: [{ fileName: 'sow.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.7\n%%EOF\n') }],
    },
    { related: 'passed', acknowledged: 'toCheck', dated: 'toCheck', described: 'toCheck', products: 'toCheck' },
  ),

  // ---- E-mail (.msg)
  email(
    'msg',
    'msg-en-approval-current',
    { from: JANE, to: [AVERY], date: '2026-10-22T08:15:00Z', subject: 'Approved: Fabrikam engagement', body: EN_APPROVAL },
    ALL_PASSED,
  ),
  email('msg', 'msg-zh-approval-current', { from: ZHANG, to: [AVERY], date: '2026-10-23T02:00:00Z', subject: '同意', body: ZH_APPROVAL }, ALL_PASSED),
  email(
    'msg',
    'msg-en-approval-13-months',
    { from: JANE, to: [AVERY], date: '2025-10-22T08:15:00Z', subject: 'Approved: Fabrikam engagement', body: EN_APPROVAL },
    labels({ dated: 'missing' }),
  ),
  email(
    'msg',
    'msg-unrelated-newsletter',
    {
      from: { name: 'Northwind', address: 'news@northwind.example' },
      to: [{ address: 'someone@adatum.example' }],
      date: '2026-10-01T07:00:00Z',
      subject: 'Our autumn sale',
      body: 'Twenty per cent off all garden furniture until the end of the month.',
    },
    { related: 'missing', acknowledged: 'missing', dated: 'toCheck', described: 'missing', products: 'missing' },
  ),
  email(
    'msg',
    'msg-en-approval-teams-only',
    {
      from: JANE,
      to: [AVERY],
      date: '2026-10-22T08:15:00Z',
      subject: 'Approval',
      body: 'Hi Avery,\n\nI confirm that Fabrikam Consulting deployed Microsoft Teams for our 300 staff and trained our champions. We approve the engagement.\n\nJane',
    },
    labels({ products: 'missing' }),
  ),
];
