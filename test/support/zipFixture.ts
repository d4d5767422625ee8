import { zip } from '../../src/services/poe/zipWriter';

/** ZIP fixtures for the PoE intake tests, written by the product's own ZIP writer. */

export interface ZipEntry {
  name: string;
  data: Buffer | string;
}

/** A ZIP of `entries`; `comment` becomes the archive comment (after the End Of Central Directory record). */
export function buildZip(entries: ZipEntry[], comment = ''): Buffer {
  const archive = zip(entries);
  if (!comment) return archive;
  const commentBytes = Buffer.from(comment, 'utf8');
  const withLength = Buffer.from(archive);
  withLength.writeUInt16LE(commentBytes.length, withLength.length - 2); // the EOCD's comment length field
  return Buffer.concat([withLength, commentBytes]);
}

const CONTENT_TYPES_DOCX = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

/** The smallest Word document Word opens: content types, the package relationship and its paragraphs. */
export function docxEntries(text: string | string[]): ZipEntry[] {
  const paragraphs = (Array.isArray(text) ? text : [text]).map(
    (p) => `<w:p><w:r><w:t xml:space="preserve">${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r></w:p>`,
  );
  return [
    { name: '[Content_Types].xml', data: CONTENT_TYPES_DOCX },
    { name: '_rels/.rels', data: ROOT_RELS },
    {
      name: 'word/document.xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs.join('')}</w:body></w:document>`,
    },
  ];
}

export function minimalDocx(text: string): Buffer {
  return buildZip(docxEntries(text));
}

/** A workbook's package: a valid Office ZIP, but not a Word document. */
export function minimalXlsx(): Buffer {
  return buildZip([
    {
      name: '[Content_Types].xml',
      data: '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    },
    { name: 'xl/workbook.xml', data: '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>' },
  ]);
}
