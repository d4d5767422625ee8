import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDownloadTarget, type PoeDownloadPolicy, type PoeDownloadTarget } from './poeDownloadPolicy';

/**
 * Downloads one PoE file under the download policy: every hop (the link and each redirect) is checked
 * before it is requested, and the connection goes to the address the check accepted. node:http is used
 * rather than fetch because it lets the connection be pinned to that address (its `lookup` option).
 */

export const DEFAULT_MAX_POE_BYTES = 20 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 5;

export interface PoeDownloadOptions {
  maxBytes: number;
  policy: PoeDownloadPolicy;
  timeoutMs?: number;
}

export type PoeDownloadRefusal = 'hostNotAllowed' | 'tooLarge' | 'unreadable';
export type PoeDownloadResult = { ok: true; data: Buffer } | { ok: false; reason: PoeDownloadRefusal; detail?: string };

/** Downloads at most `maxBytes`, within `timeoutMs` for the whole transfer. Never throws. */
export async function downloadPoe(url: string, options: PoeDownloadOptions): Promise<PoeDownloadResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const timedOut = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }));
  timedOut.catch(() => undefined);
  try {
    let current = url;
    // Redirects are followed by hand so that each hop is checked like the first.
    for (let hop = 0; ; hop += 1) {
      const checked = await Promise.race([checkDownloadTarget(current, options.policy), timedOut]);
      if (!checked.ok) return { ok: false, reason: 'hostNotAllowed', detail: checked.detail };
      const response = await get(checked.target, controller.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (hop >= MAX_REDIRECTS) return { ok: false, reason: 'unreadable', detail: `more than ${MAX_REDIRECTS} redirects` };
        current = new URL(location, current).href;
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        return { ok: false, reason: 'unreadable', detail: `the server answered HTTP ${status}` };
      }
      return await readCapped(response, options.maxBytes);
    }
  } catch (error) {
    if (controller.signal.aborted) return { ok: false, reason: 'unreadable', detail: `no complete answer within ${timeoutMs} ms` };
    return { ok: false, reason: 'unreadable', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** One GET to the checked address. No connection pool: a pooled socket could lead to another address. */
function get(target: PoeDownloadTarget, signal: AbortSignal): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target.url, { method: 'GET', agent: false, lookup: pinned, signal, headers: { accept: '*/*' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Reads the body while counting, and stops (closing the connection) as soon as it passes `maxBytes`. */
async function readCapped(response: IncomingMessage, maxBytes: number): Promise<PoeDownloadResult> {
  const declared = Number(response.headers['content-length'] ?? '');
  if (declared > maxBytes) {
    response.destroy(); // refuse before reading a byte
    return { ok: false, reason: 'tooLarge', detail: `${declared} bytes; at most ${maxBytes} are accepted` };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      return { ok: false, reason: 'tooLarge', detail: `more than ${maxBytes} bytes` };
    }
    chunks.push(chunk);
  }
  if (!response.complete) return { ok: false, reason: 'unreadable', detail: 'the connection closed before the file was complete' };
  return { ok: true, data: Buffer.concat(chunks, total) };
}
