import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config/projectPaths';
import { LOCALES, t, type Locale, type MessageKey } from '../src/i18n/locales';
import { zip } from '../src/services/poe/zipWriter';

/**
 * `node --import tsx scripts/makePoeTemplate.ts`: writes assets/poe-template.<locale>.docx, the Word
 * documents the bot fills (src/services/poe/poeTemplate.ts) with docxtemplater's {placeholders}.
 *
 * Run once to create them: from then on the .docx files are the source and are edited in Word
 * (docs/poe-files.md). Running this again overwrites those edits; pass --force to mean it.
 * The wording comes from the string tables (template.*, field.*) as the bot used to write it.
 */

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const DESCRIPTION_LINES = 8;

const esc = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface RunStyle {
  bold?: boolean;
  italic?: boolean;
  /** Half-points. */
  size?: number;
  color?: string;
}

function run(text: string, style: RunStyle = {}): string {
  if (!text) return '';
  const props =
    (style.bold ? '<w:b/><w:bCs/>' : '') +
    (style.italic ? '<w:i/><w:iCs/>' : '') +
    (style.color ? `<w:color w:val="${style.color}"/>` : '') +
    (style.size ? `<w:sz w:val="${style.size}"/><w:szCs w:val="${style.size}"/>` : '');
  return `<w:r>${props ? `<w:rPr>${props}</w:rPr>` : ''}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
}

function paragraph(text: string, options: { style?: 'Title' | 'Heading1'; keepNext?: boolean; spacingAfter?: number } = {}, runStyle: RunStyle = {}): string {
  const pPr =
    (options.style ? `<w:pStyle w:val="${options.style}"/>` : '') +
    (options.keepNext ? '<w:keepNext/>' : '') +
    (options.spacingAfter !== undefined ? `<w:spacing w:after="${options.spacingAfter}"/>` : '');
  return `<w:p>${pPr ? `<w:pPr>${pPr}</w:pPr>` : ''}${run(text, runStyle)}</w:p>`;
}

const NO_BORDER = 'w:val="nil"';
const LINE_BORDER = 'w:val="single" w:sz="6" w:space="0" w:color="000000"';
const tight = (text: string, style: RunStyle = {}) => paragraph(text, { spacingAfter: 0 }, style);

function cell(width: number, paragraphs: string[], options: { line?: boolean; vAlign?: 'top' | 'bottom' } = {}): string {
  // A line to write on: only the cell's bottom border.
  const borders = options.line ? `<w:tcBorders><w:top ${NO_BORDER}/><w:left ${NO_BORDER}/><w:bottom ${LINE_BORDER}/><w:right ${NO_BORDER}/></w:tcBorders>` : '';
  return `<w:tc><w:tcPr><w:tcW w:w="${width}" w:type="dxa"/>${borders}<w:vAlign w:val="${options.vAlign ?? 'top'}"/></w:tcPr>${paragraphs.join('')}</w:tc>`;
}

const row = (cells: string[], minHeight?: number) =>
  `<w:tr><w:trPr><w:cantSplit/>${minHeight ? `<w:trHeight w:val="${minHeight}" w:hRule="atLeast"/>` : ''}</w:trPr>${cells.join('')}</w:tr>`;

function table(widths: number[], rows: string[], grid = false): string {
  const b = grid ? LINE_BORDER : NO_BORDER;
  const borders = `<w:tblBorders><w:top ${b}/><w:left ${b}/><w:bottom ${b}/><w:right ${b}/><w:insideH ${b}/><w:insideV ${b}/></w:tblBorders>`;
  const tblPr =
    `<w:tblPr><w:tblW w:w="${widths.reduce((a, c) => a + c, 0)}" w:type="dxa"/>${borders}<w:tblLayout w:type="fixed"/>` +
    '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>';
  return `<w:tbl>${tblPr}<w:tblGrid>${widths.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>${rows.join('')}</w:tbl>`;
}

/** Letter for en-US, A4 for zh-CN; sizes in twentieths of a point. */
const PAGES: Record<Locale, { width: number; height: number; margin: number }> = {
  'en-US': { width: 12240, height: 15840, margin: 1440 },
  'zh-CN': { width: 11906, height: 16838, margin: 1418 },
};

/** The claim details: a label, then the value's placeholder; a loop prints one paragraph per item. */
function detailRows(locale: Locale): [string, string[]][] {
  return [
    [t(locale, 'template.label.claimId'), ['{claimId}']],
    [t(locale, 'field.claimName'), ['{claimName}']],
    [t(locale, 'template.label.partnerName'), ['{partnerName}']],
    [t(locale, 'field.mpnId'), ['{mpnId}']],
    [t(locale, 'field.customerDomain'), ['{customerDomain}']],
    [t(locale, 'field.customerTenantId'), ['{customerTenantId}']],
    [t(locale, 'field.solutionArea'), ['{solutionArea}']],
    [t(locale, 'field.activity'), ['{activity}']],
    [t(locale, 'field.products'), ['{#products}', '{.}', '{/products}']],
  ];
}

function documentXml(locale: Locale): string {
  const page = PAGES[locale];
  const textWidth = page.width - 2 * page.margin;
  const columns = [Math.round(textWidth * 0.36), textWidth - Math.round(textWidth * 0.36)];
  const detail = (label: string, values: string[]) =>
    row([
      cell(columns[0], [tight(label, { bold: true })]),
      cell(
        columns[1],
        values.map((v) => tight(v)),
      ),
    ]);
  // The subscriptions row is there only when the claim names subscriptions: the loop spans the whole row.
  const subscriptions = row([
    cell(columns[0], [tight(`{#subscriptionRow}${t(locale, 'field.subscriptions')}`, { bold: true })]),
    cell(columns[1], [tight('{#subscriptions}'), tight(t(locale, 'template.subscription')), tight('{/subscriptions}{/subscriptionRow}')]),
  ]);
  const contact = detail(t(locale, 'field.customerContact'), [`{#contact}${t(locale, 'template.contact')}{/contact}{^contact}{blank}{/contact}`]);
  const details = table(columns, [...detailRows(locale).map(([label, values]) => detail(label, values)), subscriptions, contact], true);

  const emptyLine = (width: number) => cell(width, [tight('')], { line: true, vAlign: 'bottom' });
  const writingLines = table(
    [textWidth],
    Array.from({ length: DESCRIPTION_LINES }, () => row([emptyLine(textWidth)], 454)),
  );
  const signatureBlock = (labels: MessageKey[]) =>
    table(
      columns,
      labels.map((key) =>
        row(
          [cell(columns[0], [tight(t(locale, key), { bold: true })], { vAlign: 'bottom' }), emptyLine(columns[1])],
          key === 'template.sign.signature' ? 851 : 567,
        ),
      ),
    );

  const body = [
    paragraph(t(locale, 'template.title'), { style: 'Title' }),
    paragraph(t(locale, 'template.instructions')),
    paragraph(t(locale, 'template.detailsHeading'), { style: 'Heading1' }),
    details,
    paragraph(t(locale, 'template.servicesHeading'), { style: 'Heading1' }),
    paragraph(t(locale, 'template.servicesHint'), { keepNext: true }, { italic: true, color: '595959' }),
    writingLines,
    paragraph(t(locale, 'template.customerHeading'), { style: 'Heading1' }),
    paragraph(t(locale, 'template.customerStatement'), { keepNext: true }),
    signatureBlock(['template.sign.customerName', 'template.sign.title', 'template.sign.signature', 'template.sign.date']),
    paragraph(t(locale, 'template.partnerHeading'), { style: 'Heading1' }),
    signatureBlock(['template.sign.partnerName', 'template.sign.signature', 'template.sign.date']),
    // Word wants a paragraph after a table at the end of the body; this one is the footer note.
    tight(''),
    paragraph(t(locale, 'template.footer'), {}, { italic: true, size: 18, color: '595959' }),
  ].join('\n');

  const sectPr =
    `<w:sectPr><w:pgSz w:w="${page.width}" w:h="${page.height}"/>` +
    `<w:pgMar w:top="${page.margin}" w:right="${page.margin}" w:bottom="${page.margin}" w:left="${page.margin}" w:header="708" w:footer="708" w:gutter="0"/>` +
    '<w:cols w:space="708"/></w:sectPr>';
  return `${XML_DECLARATION}<w:document xmlns:w="${W_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>\n${body}\n${sectPr}</w:body></w:document>`;
}

function stylesXml(locale: Locale): string {
  const heading = (id: string, name: string, pPr: string, size: number) =>
    `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
    `<w:pPr>${pPr}</w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="${size}"/><w:szCs w:val="${size}"/></w:rPr></w:style>`;
  return (
    `${XML_DECLARATION}<w:styles xmlns:w="${W_NS}"><w:docDefaults>` +
    '<w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Microsoft YaHei" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/>' +
    `<w:lang w:val="${locale}" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
    '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>' +
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>' +
    heading('Title', 'Title', '<w:spacing w:after="240"/>', 36) +
    heading('Heading1', 'heading 1', '<w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>', 28) +
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>' +
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>' +
    '</w:styles>'
  );
}

const coreXml = (locale: Locale) =>
  `${XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  `<dc:title>${esc(t(locale, 'template.title'))}</dc:title><dc:language>${locale}</dc:language></cp:coreProperties>`;

const RELS_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const CONTENT_TYPES =
  `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
  '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>';
const PACKAGE_RELS =
  `${XML_DECLARATION}<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${OFFICE_REL}/officeDocument" Target="word/document.xml"/>` +
  `<Relationship Id="rId2" Type="${RELS_NS}/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`;
const DOCUMENT_RELS = `${XML_DECLARATION}<Relationships xmlns="${RELS_NS}"><Relationship Id="rId1" Type="${OFFICE_REL}/styles" Target="styles.xml"/></Relationships>`;

/** The template of one locale as a .docx. */
export function poeTemplateSource(locale: Locale): Buffer {
  return zip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: PACKAGE_RELS },
    { name: 'word/document.xml', data: documentXml(locale) },
    { name: 'word/_rels/document.xml.rels', data: DOCUMENT_RELS },
    { name: 'word/styles.xml', data: stylesXml(locale) },
    { name: 'docProps/core.xml', data: coreXml(locale) },
  ]);
}

if (require.main === module) {
  if (!process.argv.includes('--force')) {
    console.error('This overwrites assets/poe-template.*.docx, which are edited in Word. Run again with --force to mean it.');
    process.exit(1);
  }
  for (const locale of LOCALES) {
    const file = join(PROJECT_ROOT, 'assets', `poe-template.${locale}.docx`);
    writeFileSync(file, poeTemplateSource(locale));
    console.log(`Wrote ${file}`);
  }
}
