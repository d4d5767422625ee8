import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFields, type DraftFields } from '../../src/domain/claimFields';
import { productCatalogue } from '../../src/domain/productCatalogue';
import { t, type Locale, type MessageKey } from '../../src/i18n/locales';
import { BLANK, poeTemplateData, poeTemplateDocx, poeTemplateFileName, poeTemplatePath } from '../../src/services/poe/poeTemplate';
import Docxtemplater from 'docxtemplater';
import PizZip from 'pizzip';
import { unzip, zip } from '../../src/services/poe/zipWriter';
import { poeTemplateSource } from '../../scripts/makePoeTemplate';
import { d365Fields, m365Fields } from '../support/claimFixtures';

// ---- helpers ------------------------------------------------------------------------------------

const REQUIRED_PARTS = ['[Content_Types].xml', '_rels/.rels', 'word/document.xml', 'word/_rels/document.xml.rels', 'word/styles.xml'];

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

/** The visible text of word/document.xml: one line per paragraph, tags stripped, entities resolved. */
function documentText(xml: string): string {
  const body = xml.replace(/<\?xml[^>]*\?>/, '');
  return unescapeXml(
    body
      .replace(/<w:tab\/>/g, '\t')
      .replace(/<w:br\/>/g, '\n')
      .replace(/<\/w:p>/g, '\n')
      .replace(/<[^>]+>/g, ''),
  );
}

/**
 * A small well-formedness check (no XML parser among the dependencies): tags nest and close, attribute
 * values are quoted, and "&" only starts a predefined or numeric entity. Not a full XML parser, but
 * enough to catch an unescaped value or an unbalanced element.
 */
function expectWellFormed(name: string, xml: string): void {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  expect([name, /<\?/.test(body)]).toEqual([name, false]);
  const stack: string[] = [];
  const tokens = body.split(/(<[^>]*>)/);
  let roots = 0;
  for (const token of tokens) {
    if (!token) continue;
    if (token.startsWith('<')) {
      const m = /^<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>$/.exec(token);
      if (!m) throw new Error(`${name}: malformed tag ${token.slice(0, 80)}`);
      const [, closing, tag, attrs, selfClosing] = m;
      for (const value of attrs.match(/"[^"]*"|'[^']*'/g) ?? []) {
        if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(value)) throw new Error(`${name}: bad entity in ${value}`);
      }
      if (closing) {
        const open = stack.pop();
        if (open !== tag) throw new Error(`${name}: </${tag}> closes <${open}>`);
      } else if (!selfClosing) {
        if (stack.length === 0) roots++;
        stack.push(tag);
      } else if (stack.length === 0) roots++;
    } else {
      if (stack.length === 0 && token.trim()) throw new Error(`${name}: text outside the root element`);
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(token)) throw new Error(`${name}: unescaped "&" in ${token.slice(0, 80)}`);
    }
  }
  expect([name, stack, roots]).toEqual([name, [], 1]);
}

function parts(docx: Buffer) {
  const files = unzip(docx);
  const text = (name: string) => {
    const data = files.get(name);
    if (!data) throw new Error(`${name} is missing`);
    return data.toString('utf8');
  };
  return { files, text };
}

/** Checks the package structure and returns the document's XML and visible text. */
function openDocx(docx: Buffer): { xml: string; text: string } {
  const { files, text } = parts(docx);
  for (const name of REQUIRED_PARTS) expect([name, files.has(name)]).toEqual([name, true]);
  for (const [name, data] of files) if (name.endsWith('.xml') || name.endsWith('.rels')) expectWellFormed(name, data.toString('utf8'));
  const types = text('[Content_Types].xml');
  expect(types).toContain('<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>');
  expect(types).toContain(
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>',
  );
  // Every part a content type override names, and every relationship target, is in the package.
  for (const [, part] of types.matchAll(/PartName="\/([^"]+)"/g)) expect([part, files.has(part)]).toEqual([part, true]);
  expect(text('_rels/.rels')).toMatch(
    /Type="http:\/\/schemas\.openxmlformats\.org\/officeDocument\/2006\/relationships\/officeDocument" Target="word\/document\.xml"/,
  );
  for (const [, target] of text('word/_rels/document.xml.rels').matchAll(/Target="([^"]+)"/g))
    expect([target, files.has(`word/${target}`)]).toEqual([target, true]);
  const xml = text('word/document.xml');
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')).toBe(true);
  expect(xml).toMatch(/<w:body>[\s\S]*<w:sectPr>[\s\S]*<\/w:sectPr><\/w:body><\/w:document>$/);
  return { xml, text: documentText(xml) };
}

function fields(raw: Record<string, unknown>): DraftFields {
  const result = validateFields(raw);
  if (!result.ok) throw new Error(`fixture is invalid: ${JSON.stringify(result.errors)}`);
  return result.fields;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

const python = (() => {
  const probe = spawnSync('python3', ['-c', 'import zipfile, xml.dom.minidom'], { encoding: 'utf8' });
  return probe.status === 0;
})();

const LOCALES: Locale[] = ['en-US', 'zh-CN'];
const SIGNATURE_LABELS: MessageKey[] = [
  'template.sign.customerName',
  'template.sign.title',
  'template.sign.signature',
  'template.sign.date',
  'template.sign.partnerName',
];

// ---- fixtures -----------------------------------------------------------------------------------

const SPECIAL = 'A & B <x>';
const fullBusinessApps = fields({ ...d365Fields, claimName: SPECIAL });
const SUBSCRIPTION_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
/** A Microsoft 365 draft that has only some fields yet: no MPN ID, tenant, activity or contact. */
const partialM365 = fields({ customerDomain: m365Fields.customerDomain, solutionArea: 'Microsoft365', products: ['teams', 'exchange-online'] });

// ---- the template -------------------------------------------------------------------------------

describe('PoE template (.docx)', () => {
  describe.each(LOCALES)('%s', (locale) => {
    test('a complete Business Applications claim with a subscription: every value, in the locale', () => {
      const docx = poeTemplateDocx({ locale, partnerName: 'Fabrikam Consulting Ltd', claim: { id: 'CL-TEST0001', fields: fullBusinessApps } });
      const { xml, text } = openDocx(docx);

      expect(text).toContain(t(locale, 'template.title', { claimName: SPECIAL }));
      expect(text).toContain(t(locale, 'template.instructions'));
      for (const value of [
        'Fabrikam Consulting Ltd',
        '4412345',
        'contoso.onmicrosoft.com',
        '11111111-2222-4333-8444-555555555555',
        SUBSCRIPTION_ID,
        'CL-TEST0001',
        'Dana Customer',
        'IT Director',
        'dana@contoso.example',
        t(locale, 'area.BusinessApplications'),
        t(locale, 'activity.UsageAndOrPreSales'),
      ]) {
        expect([value, text.includes(value)]).toEqual([value, true]);
      }
      for (const id of fullBusinessApps.products ?? []) {
        const name = productCatalogue.find(id)?.name ?? '';
        expect([id, name.length > 0, text.includes(name)]).toEqual([id, true, true]);
      }
      expect(text).toContain(t(locale, 'template.subscription', { product: 'Dynamics 365 Sales', subscriptionId: SUBSCRIPTION_ID }));
      for (const key of [
        'field.mpnId',
        'field.customerDomain',
        'field.customerTenantId',
        'field.solutionArea',
        'field.activity',
        'field.products',
        'field.subscriptions',
        'field.customerContact',
        'template.label.partnerName',
      ] as const) {
        expect([key, text.includes(t(locale, key))]).toEqual([key, true]);
      }
      expect(text).toContain(t(locale, 'template.servicesHeading'));
      expect(text).toContain(t(locale, 'template.customerHeading'));
      expect(text).toContain(t(locale, 'template.partnerHeading'));
      expect(text).toContain(t(locale, 'template.customerStatement', { customerDomain: 'contoso.onmicrosoft.com', partnerName: 'Fabrikam Consulting Ltd' }));
      for (const key of SIGNATURE_LABELS) expect([key, text.includes(t(locale, key))]).toEqual([key, true]);
      // The signature block: each label on its own line (a table cell) with an empty cell to sign in.
      const lines = text.split('\n').map((l) => l.trim());
      for (const key of SIGNATURE_LABELS) expect([key, lines.includes(t(locale, key))]).toEqual([key, true]);

      // Escaped in the XML, intact as text.
      expect(xml).toContain('A &amp; B &lt;x&gt;');
      expect(xml).not.toContain(SPECIAL);
      expect(text).toContain(SPECIAL);
      expect(text).not.toMatch(/undefined|null|\[object/);
      expect(text).not.toContain(BLANK); // nothing missing
    });

    test('a partial Microsoft 365 draft: present values print, missing ones are blanks to fill in', () => {
      const docx = poeTemplateDocx({ locale, partnerName: 'Fabrikam Consulting Ltd', claim: { id: 'CL-DRAFT', fields: partialM365 } });
      const { text } = openDocx(docx);
      expect(text).toContain('Fabrikam Consulting Ltd');
      expect(text).toContain('contoso.onmicrosoft.com');
      expect(text).toContain('Microsoft Teams');
      expect(text).toContain('Exchange Online');
      expect(text).toContain(t(locale, 'area.Microsoft365'));
      expect(text).toContain(t(locale, 'template.title', { claimName: BLANK }));
      const lines = text.split('\n').map((l) => l.trim());
      const valueAfter = (label: string) => lines[lines.indexOf(label) + 1];
      expect(valueAfter(t(locale, 'field.mpnId'))).toBe(BLANK);
      expect(valueAfter(t(locale, 'field.customerTenantId'))).toBe(BLANK);
      expect(valueAfter(t(locale, 'field.activity'))).toBe(BLANK);
      expect(valueAfter(t(locale, 'field.customerContact'))).toBe(BLANK);
      expect(lines).not.toContain(t(locale, 'field.subscriptions')); // only when the claim names subscriptions
      expect(text).toContain(t(locale, 'template.servicesHeading'));
      for (const key of SIGNATURE_LABELS) expect([key, lines.includes(t(locale, key))]).toEqual([key, true]);
      expect(text).not.toMatch(/undefined|null|NaN|\[object/);
    });
  });

  test("the MPN ID given with the input fills a draft that has none; the claim's own MPN ID wins", () => {
    const fromInput = openDocx(
      poeTemplateDocx({ locale: 'en-US', partnerName: 'Fabrikam', mpnId: '4467890', claim: { id: 'CL-1', fields: partialM365 } }),
    ).text;
    expect(fromInput).toContain('4467890');
    const fromClaim = openDocx(
      poeTemplateDocx({ locale: 'en-US', partnerName: 'Fabrikam', mpnId: '4467890', claim: { id: 'CL-1', fields: fullBusinessApps } }),
    ).text;
    expect(fromClaim).toContain('4412345');
    expect(fromClaim).not.toContain('4467890');
  });

  test('an empty partner name and an empty draft print blanks, never "undefined"', () => {
    for (const locale of LOCALES) {
      const { text } = openDocx(poeTemplateDocx({ locale, partnerName: '  ', claim: { id: 'CL-EMPTY', fields: {} } }));
      expect(text).not.toMatch(/undefined|null|NaN|\[object/);
      const lines = text.split('\n').map((l) => l.trim());
      expect(lines[lines.indexOf(t(locale, 'template.label.partnerName')) + 1]).toBe(BLANK);
      expect(lines[lines.indexOf(t(locale, 'field.products')) + 1]).toBe(BLANK);
      expect(text).toContain(t(locale, 'template.customerStatement', { customerDomain: BLANK, partnerName: BLANK }));
    }
  });

  test('values are printed as they are: quotes, placeholders, "@key" look-alikes, control characters', () => {
    const name = `"O'Brien" & {claimName} @status.Approved`;
    const docx = poeTemplateDocx({
      locale: 'en-US',
      partnerName: 'Contoso <Partners> & "Sons"\u0001',
      claim: { id: 'CL-<1>', fields: { ...fullBusinessApps, claimName: name } },
    });
    const { xml, text } = openDocx(docx);
    expect(text).toContain(`Proof of execution — ${name}`);
    expect(text).toContain('Contoso <Partners> & "Sons"');
    expect(text).toContain('CL-<1>');
    expect(xml).toContain('Contoso &lt;Partners&gt; &amp; &quot;Sons&quot;');
    expect(xml).not.toContain('\u0001'); // not allowed in XML 1.0
    const core = unzip(docx).get('docProps/core.xml')?.toString('utf8') ?? '';
    expect(core).toContain('<dc:title>Proof of execution — &quot;O&apos;Brien&quot; &amp; {claimName} @status.Approved</dc:title>');
  });

  test('the same claim gives the same bytes, and a safe file name', () => {
    const input = { locale: 'zh-CN' as const, partnerName: 'Fabrikam', claim: { id: 'CL-TEST0001', fields: fullBusinessApps } };
    expect(poeTemplateDocx(input).equals(poeTemplateDocx(input))).toBe(true);
    expect(poeTemplateFileName('CL-TEST0001')).toBe('PoE-CL-TEST0001.docx');
    expect(poeTemplateFileName('a/b c')).toBe('PoE-a_b_c.docx');
  });

  const docxForTools = () => poeTemplateDocx({ locale: 'zh-CN', partnerName: '法布里坎咨询 & Co', claim: { id: 'CL-TEST0001', fields: fullBusinessApps } });

  (python ? test : test.skip)(
    `an independent reader accepts the package: Python's zipfile (CRC check) and XML parser${python ? '' : ' (skipped: python3 is not available)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'poe-'));
      try {
        const file = join(dir, 'poe.docx');
        writeFileSync(file, docxForTools());
        const script = [
          'import sys, zipfile, xml.dom.minidom',
          'z = zipfile.ZipFile(sys.argv[1])',
          'assert z.testzip() is None',
          'for n in z.namelist(): xml.dom.minidom.parseString(z.read(n))',
          'd = xml.dom.minidom.parseString(z.read("word/document.xml"))',
          'print("".join(t.firstChild.data for t in d.getElementsByTagName("w:t") if t.firstChild))',
        ].join('\n');
        const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('A & B <x>');
        expect(result.stdout).toContain('法布里坎咨询 & Co');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  const soffice = onPath('soffice');
  (soffice ? test : test.skip)(
    `LibreOffice converts the template to PDF${soffice ? '' : ' (skipped: LibreOffice "soffice" is not installed)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'poe-lo-'));
      try {
        writeFileSync(join(dir, 'poe.docx'), docxForTools());
        const result = spawnSync(
          'soffice',
          ['--headless', `-env:UserInstallation=file://${join(dir, 'profile')}`, '--convert-to', 'pdf', '--outdir', dir, join(dir, 'poe.docx')],
          {
            encoding: 'utf8',
            timeout: 120_000,
          },
        );
        expect([result.status, readdirSync(dir).includes('poe.pdf')]).toEqual([0, true]);
        expect(readFileSync(join(dir, 'poe.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    150_000,
  );
});

// ---- the template files ---------------------------------------------------------------------

describe('the Word templates (assets/poe-template.<locale>.docx)', () => {
  test.each(LOCALES)('%s: every {placeholder} in it is one the bot fills', (locale) => {
    const doc = new Docxtemplater(new PizZip(readFileSync(poeTemplatePath(locale))), { paragraphLoop: true });
    // The document's text with Word's runs joined, as docxtemplater reads it (a tag split over runs is one tag).
    const tags = [...doc.getFullText().matchAll(/\{([#/^]?)([^{}]*)\}/g)].map((m) => m[2]);
    const data = poeTemplateData({ locale, partnerName: 'x', claim: { id: 'CL-1', fields: fullBusinessApps } });
    const loopFields = ['product', 'subscriptionId', 'name', 'title', 'email', '.'];
    expect(tags.filter((tag) => !(tag in data) && !loopFields.includes(tag))).toEqual([]);
    for (const key of ['claimId', 'claimName', 'partnerName', 'mpnId', 'customerDomain', 'customerTenantId', 'products', 'contact'])
      expect([key, tags.includes(key)]).toEqual([key, true]);
  });

  test.each(LOCALES)('%s: the script that made the file still makes one the bot can fill (for starting over)', (locale) => {
    const doc = new Docxtemplater(new PizZip(poeTemplateSource(locale)), { paragraphLoop: true, linebreaks: true });
    doc.render(poeTemplateData({ locale, partnerName: 'Fabrikam', claim: { id: 'CL-SCRIPT1', fields: fullBusinessApps } }));
    const text = documentText(doc.getZip().file('word/document.xml')!.asText());
    expect(text).toContain('CL-SCRIPT1');
    expect(text).toContain(t(locale, 'template.subscription', { product: 'Dynamics 365 Sales', subscriptionId: SUBSCRIPTION_ID }));
    expect(text).not.toMatch(/\{[#/^]?\w*\}/); // every placeholder filled
  });

  test('a placeholder added in Word that the bot does not know prints as a blank, not "undefined"', () => {
    const template = unzip(readFileSync(poeTemplatePath('en-US')));
    const xml = template.get('word/document.xml')!.toString('utf8').replace('{claimId}', '{claimId} {customerCity}');
    const docx = zip([...template].map(([name, data]) => ({ name, data: name === 'word/document.xml' ? xml : data })));
    const doc = new Docxtemplater(new PizZip(docx), { paragraphLoop: true, nullGetter: () => BLANK });
    doc.render(poeTemplateData({ locale: 'en-US', partnerName: 'x', claim: { id: 'CL-1', fields: {} } }));
    expect(documentText(doc.getZip().file('word/document.xml')!.asText())).toContain(`CL-1 ${BLANK}`);
  });
});

// ---- the ZIP writer and reader ------------------------------------------------------------------

describe('zipWriter', () => {
  test('round trip: text deflated, random bytes, empty file, UTF-8 names; the same entries give the same bytes', () => {
    const text = 'Proof of execution — 执行证明\n'.repeat(200);
    const random = randomBytes(4096);
    const entries = [
      { name: 'docs/readme.txt', data: text },
      { name: 'données/数据 ü.bin', data: random },
      { name: 'empty', data: '' },
    ];
    const archive = zip(entries);
    expect(archive.length).toBeLessThan(Buffer.byteLength(text) / 4 + random.length + 500);
    const files = unzip(archive);
    expect([...files.keys()]).toEqual(['docs/readme.txt', 'données/数据 ü.bin', 'empty']);
    expect(files.get('docs/readme.txt')?.toString('utf8')).toBe(text);
    expect(files.get('données/数据 ü.bin')?.equals(random)).toBe(true);
    expect(files.get('empty')?.length).toBe(0);
    expect(zip(entries).equals(archive)).toBe(true);
  });

  test('a truncated archive, something else, and bad names are refused', () => {
    const archive = zip([{ name: 'a.txt', data: 'hello hello hello hello hello hello' }]);
    expect(() => unzip(archive.subarray(0, archive.length - 5))).toThrow(/Not a readable ZIP archive/);
    expect(() => unzip(Buffer.from('not a zip at all, just text'))).toThrow(/Not a readable ZIP archive/);
    expect(() =>
      zip([
        { name: 'a', data: '1' },
        { name: 'a', data: '2' },
      ]),
    ).toThrow(/twice/);
    expect(() => zip([{ name: '../evil', data: '1' }])).toThrow(/relative path/);
    expect(() => zip([{ name: '/abs', data: '1' }])).toThrow(/relative path/);
  });

  (python ? test : test.skip)(
    `unzip reads an archive written by another tool (Python's zipfile, deflated, UTF-8 name, comment)${python ? '' : ' (skipped: python3 is not available)'}`,
    () => {
      const script = [
        'import sys, zipfile, io',
        'b = io.BytesIO()',
        'with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:',
        '    z.writestr("dir/", "")',
        '    z.writestr("word/document.xml", "<a>" + "x" * 1000 + "</a>")',
        '    z.writestr("名前.txt", "stored".encode(), compress_type=zipfile.ZIP_STORED)',
        '    z.comment = b"made by python"',
        'sys.stdout.buffer.write(b.getvalue())',
      ].join('\n');
      const result = spawnSync('python3', ['-c', script]);
      expect(result.status).toBe(0);
      const files = unzip(result.stdout);
      expect([...files.keys()].sort()).toEqual(['word/document.xml', '名前.txt']);
      expect(files.get('word/document.xml')?.toString()).toBe(`<a>${'x'.repeat(1000)}</a>`);
      expect(files.get('名前.txt')?.toString()).toBe('stored');
    },
  );

  (onPath('unzip') ? test : test.skip)(`Info-ZIP "unzip -t" accepts what zip writes${onPath('unzip') ? '' : ' (skipped: unzip is not installed)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    try {
      const file = join(dir, 'a.zip');
      writeFileSync(
        file,
        zip([
          { name: 'ü/数据.txt', data: 'x'.repeat(5000) },
          { name: 'raw.bin', data: randomBytes(100) },
        ]),
      );
      const result = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('No errors detected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
