import { CLAIM_ID_PATTERN } from '../services/claims/claimQueries';
import { escapeHtml } from '../i18n/html';
import type { PageHandler, PageResponse } from './http';

/**
 * Claim links: `https://<PUBLIC_BASE_URL host>/claims/CL-…`. Pasted into a Teams message they unfurl
 * (the message extension's link handler, for people who may see the claim); opened in a browser they
 * lead to the bot's 1:1 chat in Teams with `claim CL-…` ready to send, so the claim is shown where its
 * rules apply (a partner's organisation's claims only in their 1:1 chat). The link itself says nothing
 * about the claim, and the page never reads it: any well-formed id gets the same answer.
 */

const CLAIM_PATH = /^\/claims\/(CL-[0-9A-Z]{8})\/?$/i;
const MAX_LINK = 2048;

/** The claim link of a claim on this server. */
export function claimLink(serverUrl: string, claimId: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/claims/${encodeURIComponent(claimId)}`;
}

/** The claim id of a link to this server's /claims/CL-…, or undefined for any other address (or one too long to be ours). */
export function claimIdOfLink(link: string, serverUrl: string): string | undefined {
  if (typeof link !== 'string' || link.length > MAX_LINK) return undefined;
  let url: URL;
  let server: URL;
  try {
    url = new URL(link.trim());
    server = new URL(serverUrl);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(url.protocol) || url.host.toLowerCase() !== server.host.toLowerCase()) return undefined;
  const id = CLAIM_PATH.exec(url.pathname)?.[1];
  return id && CLAIM_ID_PATTERN.test(id) ? id.toUpperCase() : undefined;
}

/** Teams' deep link to the 1:1 chat with the bot, with `claim CL-…` in the compose box. */
export function botChatDeepLink(appId: string, claimId: string): string {
  return `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(`28:${appId}`)}&message=${encodeURIComponent(`claim ${claimId}`)}`;
}

const HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

function page(status: number, title: string, text: string): PageResponse {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  return { status, headers: { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'" }, body };
}

/**
 * GET /claims/:claimId: a redirect (302) to the bot's chat in Teams. Without a Microsoft App ID (local
 * use) there is no chat to lead to: a page says how to open the claim instead.
 */
export function createClaimLinkHandler(deps: { appId: string }): PageHandler {
  return async (request) => {
    const claimId = request.params.claimId ?? '';
    if (!CLAIM_ID_PATTERN.test(claimId)) return page(404, 'Not a claim link', 'Claim links look like /claims/CL-7K2M9Q4X.');
    const id = claimId.toUpperCase();
    if (!deps.appId) return page(200, `Claim ${id}`, `Open your 1:1 chat with the CPOR claims bot in Microsoft Teams and type: claim ${id}`);
    return { status: 302, headers: { ...HEADERS, Location: botChatDeepLink(deps.appId, id), 'Content-Type': 'text/plain; charset=utf-8' }, body: '' };
  };
}
