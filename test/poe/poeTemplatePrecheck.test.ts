import type { DraftFields } from '../../src/domain/claimFields';
import { precheckPoe, type PrecheckFacts } from '../../src/domain/poePrecheck';
import type { Locale } from '../../src/i18n/locales';
import { closePoeReaders, readPoeDocument } from '../../src/services/poe/reading/readPoeDocument';
import { DEFAULT_POE_READ_LIMITS } from '../../src/services/poe/reading/readLimits';

/** The rules are under test here, not the reader's time limit: a busy machine may take long to start pdf.js. */
const PATIENT = { ...DEFAULT_POE_READ_LIMITS, timeMs: 180_000 };
import { poeTemplateDocx } from '../../src/services/poe/poeTemplate';
import { unzip, zip } from '../../src/services/poe/zipWriter';
import { d365Fields, m365Fields } from '../support/claimFixtures';

/**
 * The PoE template the bot generates for a claim passes every pre-check once the partner has described
 * the services and the customer has signed and dated it, read by the same reader as any attached file.
 * Unfilled, it fails the checks a reviewer would fail it on.
 */

// The reader process loads pdf.js on its first file: slow on a busy machine.
jest.setTimeout(120_000);

afterAll(() => closePoeReaders());

const PARTNER = 'Fabrikam Consulting';
const SUBMITTED = '2026-11-30T10:00:00Z';

/** An empty line of the template (a writing line or a signature cell): an empty paragraph in a bottom-bordered cell. */
const EMPTY_CELL = /(<w:bottom w:val="single"[^>]*\/>(?:(?!<\/w:tc>).)*?)<w:p><w:pPr><w:spacing w:after="0"\/><\/w:pPr><\/w:p><\/w:tc>/gs;

/** The template as the partner and customer complete it: each empty line, in order, gets the next value ('' leaves it empty). */
function fillIn(docx: Buffer, values: string[]): Buffer {
  const files = unzip(docx);
  let i = 0;
  const xml = files
    .get('word/document.xml')!
    .toString('utf8')
    .replace(EMPTY_CELL, (whole, before: string) => {
      const value = values[i++] ?? '';
      return value ? `${before}<w:p><w:r><w:t xml:space="preserve">${value}</w:t></w:r></w:p></w:tc>` : whole;
    });
  expect(i).toBe(8 + 4 + 3); // description lines, customer block, partner block
  return zip([...files].map(([name, data]) => ({ name, data: name === 'word/document.xml' ? xml : data })));
}

const facts = (fields: DraftFields): PrecheckFacts => ({
  customerDomain: fields.customerDomain,
  customerTenantId: fields.customerTenantId,
  partnerNames: [PARTNER],
  mpnIds: ['4412345', '4467890'],
  products: fields.products ?? [],
});

const DESCRIPTION: Record<Locale, string[]> = {
  'en-US': [
    'Fabrikam planned and deployed the workloads for 300 users, migrated 450 mailboxes,',
    'configured security and compliance policies and trained 40 champions between June and September 2026.',
  ],
  'zh-CN': ['Fabrikam 为 300 名用户规划并部署了工作负荷，迁移了 450 个邮箱，', '配置了安全与合规策略，并在 2026 年 6 月至 9 月期间培训了 40 名骨干用户。'],
};
const CUSTOMER: Record<Locale, string[]> = {
  'en-US': ['Dana Customer', 'IT Director', 'Dana Customer', '15 October 2026'],
  'zh-CN': ['王丹', 'IT 总监', '王丹', '2026年10月15日'],
};

describe.each<[Locale, DraftFields]>([
  ['en-US', m365Fields as DraftFields],
  ['zh-CN', m365Fields as DraftFields],
  ['en-US', d365Fields as DraftFields],
])('the PoE template (%s, %#)', (locale, fields) => {
  const template = () => poeTemplateDocx({ locale, partnerName: PARTNER, claim: { id: 'CL-7K3F9Q2A', fields } });

  test('signed, dated and described, it passes every check', async () => {
    const signed = fillIn(template(), [...DESCRIPTION[locale], '', '', '', '', '', '', ...CUSTOMER[locale]]);
    const document = await readPoeDocument(signed, 'PoE-CL-7K3F9Q2A.docx', 'docx', PATIENT);
    const checklist = precheckPoe([document], facts(fields), SUBMITTED);
    expect(checklist.results.map((r) => [r.check, r.verdict, r.findings[0]?.key])).toEqual([
      ['related', 'passed', 'precheck.related.passed'],
      ['acknowledged', 'passed', 'precheck.acknowledged.signed'],
      ['dated', 'passed', 'precheck.dated.passed'],
      ['described', 'passed', 'precheck.described.passed'],
      ['products', 'passed', 'precheck.products.passed'],
    ]);
  });

  test('as generated, it is not a proof: no signature, no date, no description', async () => {
    const document = await readPoeDocument(template(), 'PoE-CL-7K3F9Q2A.docx', 'docx', PATIENT);
    const verdicts = precheckPoe([document], facts(fields), SUBMITTED).results.map((r) => [r.check, r.verdict]);
    expect(verdicts).toEqual([
      ['related', 'passed'],
      ['acknowledged', 'missing'],
      ['dated', 'missing'],
      ['described', 'missing'],
      ['products', 'passed'],
    ]);
  });

  test('signed by the partner only, the customer acknowledgment is missing', async () => {
    const partnerOnly = fillIn(template(), [...DESCRIPTION[locale], '', '', '', '', '', '', '', '', '', '', 'Avery Fabrikam', 'Avery Fabrikam', '2026-10-15']);
    const document = await readPoeDocument(partnerOnly, 'PoE.docx', 'docx', PATIENT);
    const results = precheckPoe([document], facts(fields), SUBMITTED).results;
    expect(results.find((r) => r.check === 'acknowledged')!.verdict).toBe('missing');
    expect(results.find((r) => r.check === 'dated')!.verdict).not.toBe('passed');
  });
});
