import { POE_CONTENT_TYPES } from './poeFileIntake';
import type { DraftFields } from '../../domain/claimFields';
import { productCatalogue, type ProductCatalogue } from '../../domain/productCatalogue';
import { hasMessage, t, type Locale, type MessageKey } from '../../i18n/locales';
import { zip } from './zipWriter';

/**
 * A proof-of-execution (PoE) template for one claim, as a .docx (Office Open XML WordprocessingML)
 * built by hand: the partner fills in the services delivered, the customer signs and dates it, and
 * the signed copy is attached to the claim. Values come from the claim; a missing field prints as a
 * blank to fill in, never as "undefined". Every value is XML-escaped.
 */

export interface PoeTemplateInput {
  locale: Locale;
  partnerName: string;
  /** Used when the claim has no MPN ID yet; the claim's own MPN ID wins (the PoE must match the claim). */
  mpnId?: string;
  claim: { id: string; fields: DraftFields };
}

export const DOCX_CONTENT_TYPE = POE_CONTENT_TYPES.docx;
/** What a missing value prints as. */
export const BLANK = '________';

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const DESCRIPTION_LINES = 8;

// ---- XML ---------------------------------------------------------------------------------------

// Characters XML 1.0 does not allow at all (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlEscape(value: string): string {
  return value
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

// ---- Text ---------------------------------------------------------------------------------------

function present(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function orBlank(value: string | undefined | null): string {
  return present(value) ? value.trim() : BLANK;
}

/**
 * A sentence of the catalogue with values from the claim. The values are put in after `t`, so one that
 * happens to look like "@status.Approved" or "{name}" is printed as it is, never interpreted.
 */
function sentence(locale: Locale, key: MessageKey, values: Record<string, string> = {}): string {
  const names = Object.keys(values);
  const params = Object.fromEntries(names.map((name, i) => [name, `\ue000${i}\ue001`]));
  return t(locale, key, params).replace(/\ue000(\d+)\ue001/g, (_whole, i: string) => values[names[Number(i)]]);
}

function label(locale: Locale, key: string): string {
  return hasMessage(key) ? t(locale, key) : BLANK;
}

// ---- WordprocessingML ---------------------------------------------------------------------------

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
  const rPr = props ? `<w:rPr>${props}</w:rPr>` : '';
  // Line breaks and tabs in a value become Word's own breaks and tabs.
  const parts = text.split(/\r\n|\r|\n/).map((line) =>
    line
      .split('\t')
      .map((piece) => (piece ? `<w:t xml:space="preserve">${xmlEscape(piece)}</w:t>` : ''))
      .join('<w:tab/>'),
  );
  return `<w:r>${rPr}${parts.join('<w:br/>')}</w:r>`;
}

interface ParagraphStyle {
  style?: 'Title' | 'Heading1';
  keepNext?: boolean;
  spacingAfter?: number;
}

function paragraph(content: string | string[], options: ParagraphStyle = {}, runStyle: RunStyle = {}): string {
  const texts = Array.isArray(content) ? content : [content];
  const pPr =
    (options.style ? `<w:pStyle w:val="${options.style}"/>` : '') +
    (options.keepNext ? '<w:keepNext/>' : '') +
    (options.spacingAfter !== undefined ? `<w:spacing w:after="${options.spacingAfter}"/>` : '');
  return `<w:p>${pPr ? `<w:pPr>${pPr}</w:pPr>` : ''}${texts.map((text) => run(text, runStyle)).join('')}</w:p>`;
}

const NO_BORDER = 'w:val="nil"';
const LINE_BORDER = 'w:val="single" w:sz="6" w:space="0" w:color="000000"';

function cell(width: number, paragraphs: string[], options: { bottomBorderOnly?: boolean; vAlign?: 'top' | 'bottom' } = {}): string {
  const borders = options.bottomBorderOnly
    ? `<w:tcBorders><w:top ${NO_BORDER}/><w:left ${NO_BORDER}/><w:bottom ${LINE_BORDER}/><w:right ${NO_BORDER}/></w:tcBorders>`
    : '';
  return `<w:tc><w:tcPr><w:tcW w:w="${width}" w:type="dxa"/>${borders}<w:vAlign w:val="${options.vAlign ?? 'top'}"/></w:tcPr>${paragraphs.join('') || '<w:p/>'}</w:tc>`;
}

function row(cells: string[], minHeight?: number): string {
  const trPr = `<w:trPr><w:cantSplit/>${minHeight ? `<w:trHeight w:val="${minHeight}" w:hRule="atLeast"/>` : ''}</w:trPr>`;
  return `<w:tr>${trPr}${cells.join('')}</w:tr>`;
}

function table(widths: number[], rows: string[], options: { grid?: boolean } = {}): string {
  const total = widths.reduce((a, b) => a + b, 0);
  const borders = options.grid
    ? `<w:tblBorders><w:top ${LINE_BORDER}/><w:left ${LINE_BORDER}/><w:bottom ${LINE_BORDER}/><w:right ${LINE_BORDER}/><w:insideH ${LINE_BORDER}/><w:insideV ${LINE_BORDER}/></w:tblBorders>`
    : `<w:tblBorders><w:top ${NO_BORDER}/><w:left ${NO_BORDER}/><w:bottom ${NO_BORDER}/><w:right ${NO_BORDER}/><w:insideH ${NO_BORDER}/><w:insideV ${NO_BORDER}/></w:tblBorders>`;
  const tblPr =
    `<w:tblPr><w:tblW w:w="${total}" w:type="dxa"/>${borders}<w:tblLayout w:type="fixed"/>` +
    '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>' +
    '</w:tblPr>';
  const grid = `<w:tblGrid>${widths.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>`;
  return `<w:tbl>${tblPr}${grid}${rows.join('')}</w:tbl>`;
}

// ---- Page ---------------------------------------------------------------------------------------

interface Page {
  width: number;
  height: number;
  margin: number;
}

/** Letter for en-US, A4 for zh-CN; sizes in twentieths of a point. */
function pageFor(locale: Locale): Page {
  return locale === 'zh-CN' ? { width: 11906, height: 16838, margin: 1418 } : { width: 12240, height: 15840, margin: 1440 };
}

// ---- Content ------------------------------------------------------------------------------------

interface DetailRow {
  label: string;
  values: string[];
}

function detailRows(input: PoeTemplateInput, catalogue: ProductCatalogue): DetailRow[] {
  const { locale } = input;
  const f = input.claim.fields;
  const productName = (id: string) => catalogue.find(id)?.name ?? id;
  const rows: DetailRow[] = [
    { label: t(locale, 'template.label.claimId'), values: [orBlank(input.claim.id)] },
    { label: t(locale, 'field.claimName'), values: [orBlank(f.claimName)] },
    { label: t(locale, 'template.label.partnerName'), values: [orBlank(input.partnerName)] },
    { label: t(locale, 'field.mpnId'), values: [orBlank(present(f.mpnId) ? f.mpnId : input.mpnId)] },
    { label: t(locale, 'field.customerDomain'), values: [orBlank(f.customerDomain)] },
    { label: t(locale, 'field.customerTenantId'), values: [orBlank(f.customerTenantId)] },
    { label: t(locale, 'field.solutionArea'), values: [f.solutionArea ? label(locale, `area.${f.solutionArea}`) : BLANK] },
    { label: t(locale, 'field.activity'), values: [f.activity ? label(locale, `activity.${f.activity}`) : BLANK] },
    { label: t(locale, 'field.products'), values: f.products?.length ? f.products.map(productName) : [BLANK] },
  ];
  if (f.subscriptions?.length) {
    rows.push({
      label: t(locale, 'field.subscriptions'),
      values: f.subscriptions.map((s) => sentence(locale, 'template.subscription', { product: productName(s.productId), subscriptionId: s.subscriptionId })),
    });
  }
  const contact = f.customerContact;
  rows.push({
    label: t(locale, 'field.customerContact'),
    values: [contact ? sentence(locale, 'template.contact', { name: orBlank(contact.name), title: orBlank(contact.title), email: orBlank(contact.email) }) : BLANK],
  });
  return rows;
}

function documentXml(input: PoeTemplateInput, catalogue: ProductCatalogue): string {
  const { locale } = input;
  const f = input.claim.fields;
  const page = pageFor(locale);
  const textWidth = page.width - 2 * page.margin;
  const labelWidth = Math.round(textWidth * 0.36);
  const columns = [labelWidth, textWidth - labelWidth];

  const details = table(
    columns,
    detailRows(input, catalogue).map((r) =>
      row([cell(columns[0], [paragraph(r.label, { spacingAfter: 0 }, { bold: true })]), cell(columns[1], r.values.map((v) => paragraph(v, { spacingAfter: 0 })))]),
    ),
    { grid: true },
  );

  const writingLines = table(
    [textWidth],
    Array.from({ length: DESCRIPTION_LINES }, () => row([cell(textWidth, [paragraph('', { spacingAfter: 0 })], { bottomBorderOnly: true, vAlign: 'bottom' })], 454)),
  );

  const signatureBlock = (labels: MessageKey[]) =>
    table(
      columns,
      labels.map((key) =>
        row(
          [
            cell(columns[0], [paragraph(t(locale, key), { spacingAfter: 0 }, { bold: true })], { vAlign: 'bottom' }),
            cell(columns[1], [paragraph('', { spacingAfter: 0 })], { bottomBorderOnly: true, vAlign: 'bottom' }),
          ],
          key === 'template.sign.signature' ? 851 : 567,
        ),
      ),
    );

  const body = [
    paragraph(sentence(locale, 'template.title', { claimName: orBlank(f.claimName) }), { style: 'Title' }),
    paragraph(t(locale, 'template.instructions')),
    paragraph(t(locale, 'template.detailsHeading'), { style: 'Heading1' }),
    details,
    paragraph(t(locale, 'template.servicesHeading'), { style: 'Heading1' }),
    paragraph(t(locale, 'template.servicesHint'), { keepNext: true }, { italic: true, color: '595959' }),
    writingLines,
    paragraph(t(locale, 'template.customerHeading'), { style: 'Heading1' }),
    paragraph(
      sentence(locale, 'template.customerStatement', { customerDomain: orBlank(f.customerDomain), partnerName: orBlank(input.partnerName) }),
      { keepNext: true },
    ),
    signatureBlock(['template.sign.customerName', 'template.sign.title', 'template.sign.signature', 'template.sign.date']),
    paragraph(t(locale, 'template.partnerHeading'), { style: 'Heading1' }),
    signatureBlock(['template.sign.partnerName', 'template.sign.signature', 'template.sign.date']),
    // Word wants a paragraph after a table at the end of the body; this one is the footer note.
    paragraph('', { spacingAfter: 0 }),
    paragraph(sentence(locale, 'template.footer', { claimId: orBlank(input.claim.id) }), {}, { italic: true, size: 18, color: '595959' }),
  ].join('\n');

  const sectPr =
    `<w:sectPr><w:pgSz w:w="${page.width}" w:h="${page.height}"/>` +
    `<w:pgMar w:top="${page.margin}" w:right="${page.margin}" w:bottom="${page.margin}" w:left="${page.margin}" w:header="708" w:footer="708" w:gutter="0"/>` +
    '<w:cols w:space="708"/></w:sectPr>';

  return `${XML_DECLARATION}<w:document xmlns:w="${W_NS}" xmlns:r="${R_NS}"><w:body>\n${body}\n${sectPr}</w:body></w:document>`;
}

function stylesXml(locale: Locale): string {
  const eastAsiaFont = 'Microsoft YaHei';
  const lang = `<w:lang w:val="${locale === 'zh-CN' ? 'zh-CN' : 'en-US'}" w:eastAsia="zh-CN" w:bidi="ar-SA"/>`;
  return (
    `${XML_DECLARATION}<w:styles xmlns:w="${W_NS}">` +
    '<w:docDefaults>' +
    `<w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="${eastAsiaFont}" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/>${lang}</w:rPr></w:rPrDefault>` +
    '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>' +
    '</w:docDefaults>' +
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>' +
    '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>' +
    '<w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>' +
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>' +
    '<w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>' +
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>' +
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>' +
    '</w:styles>'
  );
}

function coreXml(locale: Locale, title: string): string {
  return (
    `${XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xmlEscape(title)}</dc:title><dc:language>${locale}</dc:language></cp:coreProperties>`
  );
}

const CONTENT_TYPES =
  `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
  '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
  '</Types>';

const PACKAGE_RELS =
  `${XML_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
  '</Relationships>';

const DOCUMENT_RELS =
  `${XML_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '</Relationships>';

/** The file name to offer for a claim's template, e.g. "PoE-CL-0001.docx" (safe on every file system). */
export function poeTemplateFileName(claimId: string): string {
  return `PoE-${claimId.replace(/[^A-Za-z0-9._-]+/g, '_') || 'claim'}.docx`;
}

/** Builds the PoE template of one claim as a .docx, in the given locale. */
export function poeTemplateDocx(
  input: { locale: 'en-US' | 'zh-CN'; partnerName: string; mpnId?: string; claim: { id: string; fields: DraftFields } },
  catalogue: ProductCatalogue = productCatalogue,
): Buffer {
  const title = sentence(input.locale, 'template.title', { claimName: orBlank(input.claim.fields.claimName) });
  return zip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: PACKAGE_RELS },
    { name: 'word/document.xml', data: documentXml(input, catalogue) },
    { name: 'word/_rels/document.xml.rels', data: DOCUMENT_RELS },
    { name: 'word/styles.xml', data: stylesXml(input.locale) },
    { name: 'docProps/core.xml', data: coreXml(input.locale, title) },
  ]);
}
