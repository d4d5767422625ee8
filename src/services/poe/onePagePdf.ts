import { deflateSync } from 'node:zlib';

/**
 * A valid one-page PDF with lines of text in Helvetica, written out by hand (no PDF library loaded):
 * the demo's statement of work, and the reader process's warm-up file.
 */
export function onePagePdf(lines: string[], options: { deflate?: boolean } = {}): Buffer {
  const text = lines.map((line) => `(${line.replace(/[()\\]/g, '')}) Tj T*`).join(' ');
  const content = `BT /F1 18 Tf 20 TL 72 720 Td ${text} ET`;
  // Compressed as most PDF writers do (FlateDecode); as latin1, each byte stays one character of the file.
  const stream = options.deflate ? deflateSync(content).toString('latin1') : content;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length}${options.deflate ? ' /Filter /FlateDecode' : ''} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
