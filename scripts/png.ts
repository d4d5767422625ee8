import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from '../src/services/poe/zipWriter'; // PNG chunks use the same CRC-32 as ZIP

/**
 * A small PNG reader and writer (ISO/IEC 15948, https://www.w3.org/TR/png/), enough to check the Teams app icons
 * without native image libraries: the IHDR header (size, bit depth, colour type) and the pixels, decoded
 * from the IDAT stream with zlib and un-filtered, as 8-bit RGBA. Reads 8-bit greyscale, RGB, palette
 * (with tRNS transparency), greyscale+alpha and RGBA images, not interlaced; anything else is refused
 * with the reason (no Teams icon needs it).
 */

export const PNG_COLOR_TYPES: Record<number, string> = {
  0: 'greyscale',
  2: 'RGB',
  3: 'palette',
  4: 'greyscale with alpha',
  6: 'RGBA',
};

export interface PngImage {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** width × height × 4 bytes: R, G, B, A per pixel, rows top to bottom. */
  rgba: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export class PngError extends Error {}

function fail(message: string): never {
  throw new PngError(`Not a readable PNG: ${message}`);
}

export function readPng(data: Buffer): PngImage {
  if (data.length < 8 || !data.subarray(0, 8).equals(SIGNATURE)) fail('no PNG signature');
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | undefined;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (offset + 12 <= data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) fail(`chunk ${type} is truncated`);
    offset += 12 + length;
    if (type === 'IHDR') {
      if (length !== 13) fail('IHDR must be 13 bytes');
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8],
        colorType: body[9],
        interlace: body[12],
      };
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') transparency = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!header) fail('no IHDR chunk');
  if (!ended) fail('no IEND chunk (the file is truncated)');
  if (!idat.length) fail('no image data (IDAT)');
  const { width, height, bitDepth, colorType, interlace } = header;
  if (!width || !height) fail('zero width or height');
  const channels = CHANNELS[colorType];
  if (!channels) fail(`unknown colour type ${colorType}`);
  if (bitDepth !== 8) fail(`bit depth ${bitDepth} is not supported here (8 is)`);
  if (interlace !== 0) fail('interlaced images are not supported here');
  if (colorType === 3 && !palette) fail('a palette image without PLTE');

  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    return fail(`image data does not inflate (${(error as Error).message})`);
  }
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) fail(`image data is ${raw.length} bytes, expected ${height * (stride + 1)}`);

  // Undo the per-row filters (None, Sub, Up, Average, Paeth); bytes-per-pixel is `channels` at 8 bits.
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: return fail(`row ${y} has unknown filter type ${filter}`);
      }
      out[x] = (line[x] + predictor) & 0xff;
    }
  }

  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = pixels.subarray(i * channels, (i + 1) * channels);
    let r: number, g: number, b: number, alpha = 255;
    switch (colorType) {
      case 0:
        r = g = b = p[0];
        if (transparency && transparency.length >= 2 && transparency.readUInt16BE(0) === p[0]) alpha = 0;
        break;
      case 2:
        [r, g, b] = [p[0], p[1], p[2]];
        if (transparency && transparency.length >= 6 && transparency.readUInt16BE(0) === r && transparency.readUInt16BE(2) === g && transparency.readUInt16BE(4) === b) alpha = 0;
        break;
      case 3: {
        const index = p[0];
        if (index * 3 + 2 >= palette!.length) fail(`palette index ${index} is outside the palette`);
        [r, g, b] = [palette![index * 3], palette![index * 3 + 1], palette![index * 3 + 2]];
        if (transparency && index < transparency.length) alpha = transparency[index];
        break;
      }
      case 4:
        r = g = b = p[0];
        alpha = p[1];
        break;
      default:
        [r, g, b, alpha] = [p[0], p[1], p[2], p[3]];
    }
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = alpha;
  }
  return { width, height, bitDepth, colorType, rgba };
}

/** Counts of pixels by opacity, and of the visible (non-transparent) ones that are not white. */
export function alphaSummary(image: PngImage, whiteThreshold = 240): { transparent: number; partial: number; opaque: number; visibleNotWhite: number } {
  let transparent = 0;
  let partial = 0;
  let opaque = 0;
  let visibleNotWhite = 0;
  for (let i = 0; i < image.width * image.height; i++) {
    const [r, g, b, a] = image.rgba.subarray(i * 4, i * 4 + 4);
    if (a === 0) transparent++;
    else {
      if (a === 255) opaque++;
      else partial++;
      if (r < whiteThreshold || g < whiteThreshold || b < whiteThreshold) visibleNotWhite++;
    }
  }
  return { transparent, partial, opaque, visibleNotWhite };
}


function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * An 8-bit RGBA PNG of `rgba` (width × height × 4 bytes). Each row is written with `filter` (0 None,
 * 1 Sub, 2 Up, 3 Average, 4 Paeth; or a function of the row number), for icons and for testing the reader.
 */
export function encodePng(width: number, height: number, rgba: Buffer, filter: number | ((row: number) => number) = 0): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`encodePng: ${rgba.length} bytes for ${width}x${height} RGBA`);
  const stride = width * 4;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const type = typeof filter === 'function' ? filter(y) : filter;
    const line = rgba.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? rgba.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    raw[y * (stride + 1)] = type;
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? line[x - 4] : 0;
      const b = prev[x];
      const c = x >= 4 ? prev[x - 4] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][type];
      if (predictor === undefined) throw new Error(`encodePng: unknown filter ${type}`);
      raw[y * (stride + 1) + 1 + x] = (line[x] - predictor) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
