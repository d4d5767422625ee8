import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';
import type { Actor } from '../domain/actors';
import type { BusinessCalendar } from '../domain/businessCalendar';
import type { Claim } from '../domain/claim';
import { formatDeadline, formatInstant, MAX_COMMENT_LENGTH } from '../domain/claimLifecycle';
import { productCatalogue } from '../domain/productCatalogue';
import type { Locale } from '../i18n/locales';
import type { Logger } from '../logger';
import type { ClaimService } from '../services/claims/claimService';
import type { ConsentLinks } from '../services/consent/consentTokens';
import type { RosterStore } from '../storage/rosterStore';
import { renderConsentPage, type ConsentFacts, type ConsentView, type FormErrors } from './consentPage';
import { header, type PageHandler, type PageRequest, type PageResponse } from './http';

/**
 * The customer's consent page: GET /consent/:claimId?t=<token> shows the approved association and a
 * form to deny it; POST /consent/:claimId (the form) denies it. No login: the signed, expiring token
 * of the approval e-mail is the credential, for its claim only. The decline is recorded with the
 * token's nonce as its idempotency key, so a link works once and a repeated POST changes nothing.
 *
 * CSRF: double submit. The GET sets a random value in a cookie (HttpOnly, SameSite=Strict, Path=/consent)
 * and the form carries an HMAC of that value bound to the token; the POST needs both to match, and is
 * refused when an Origin header names another host.
 */

export interface ConsentDeps {
  consentLinks: Pick<ConsentLinks, 'check'>;
  claimService: Pick<ClaimService, 'get' | 'act'>;
  rosters: Pick<RosterStore, 'organisation'>;
  clock: Clock;
  calendar: BusinessCalendar;
  config: { consent: { secret?: string; publicBaseUrl?: string }; incentiveGuideUrl: string };
  log: Logger;
}

export const CSRF_COOKIE = 'cpor_consent';
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;
const MAX_CLAIM_ID_LENGTH = 64;
const MAX_TOKEN_LENGTH = 2048;

/** zh* gets zh-CN, everything else en-US; the most preferred of the two by q-value wins. */
export function localeFromAcceptLanguage(value: string | undefined): Locale {
  if (!value) return 'en-US';
  const ranked = value
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [range, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { range: range.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.range && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { range } of ranked) {
    if (range === 'zh' || range.startsWith('zh-')) return 'zh-CN';
    if (range === 'en' || range.startsWith('en-') || range === '*') return 'en-US';
  }
  return 'en-US';
}

/** Where a claim stands for a customer holding a link with this nonce. */
type ConsentState = { kind: 'active' } | { kind: 'declined'; at: string } | { kind: 'inactive' };

export function consentActionId(nonce: string): string {
  return `consent:${nonce}`;
}

function consentState(claim: Claim, nonce: string): ConsentState {
  const applied = claim.history.filter((e) => e.outcome === 'applied');
  const mine = applied.find((e) => e.actionId === consentActionId(nonce));
  if (mine) return { kind: 'declined', at: mine.at };
  if (claim.status === 'Approved') return { kind: 'active' };
  // Declined since the last approval through another link of the customer's: that is their decline too.
  const lastApproval = applied.map((e) => e.action).lastIndexOf('approve');
  const decline = applied.slice(lastApproval + 1).find((e) => e.action === 'customerDecline');
  return decline ? { kind: 'declined', at: decline.at } : { kind: 'inactive' };
}

/** A claim id from the URL as it may appear in the log: bounded, printable. */
function loggable(claimId: string): string {
  return claimId.slice(0, MAX_CLAIM_ID_LENGTH).replace(/[^\w.:-]/g, '?');
}

function firstString(value: unknown): string {
  if (Array.isArray(value)) return firstString(value[0]);
  return typeof value === 'string' ? value : '';
}

function cookie(request: PageRequest, name: string): string | undefined {
  const raw = request.headers.cookie;
  for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

export function createConsentHandler(deps: ConsentDeps): PageHandler {
  // The CSRF key comes from the consent secret, so every instance of the bot accepts every other's forms;
  // without one (embedded store) it lives as long as the process, like the links themselves.
  const csrfKey = deps.config.consent.secret ? createHmac('sha256', deps.config.consent.secret).update('cpor-consent-csrf-key:v1').digest() : randomBytes(32);
  const csrfFor = (cookieValue: string, token: string) => createHmac('sha256', csrfKey).update(`${cookieValue}\n${token}`).digest('base64url');
  const csrfMatches = (cookieValue: string | undefined, token: string, given: string) => {
    if (!cookieValue || !COOKIE_VALUE.test(cookieValue) || !given) return false;
    const expected = Buffer.from(csrfFor(cookieValue, token));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
  const allowedHosts = (request: PageRequest) => {
    const hosts = [header(request, 'host'), ...(header(request, 'x-forwarded-host')?.split(',') ?? [])];
    if (deps.config.consent.publicBaseUrl) hosts.push(new URL(deps.config.consent.publicBaseUrl).host);
    return hosts.filter((h): h is string => Boolean(h)).map((h) => h.trim().toLowerCase());
  };
  /**
   * A form POST from another site: the browser says so (Sec-Fetch-Site), or the Origin names another host.
   * Under Referrer-Policy no-referrer browsers send "Origin: null" even for the page's own form, so an
   * opaque origin passes only when the browser vouches for the same origin or sends no fetch metadata
   * (older browsers); the double-submit check stands either way.
   */
  const crossSite = (request: PageRequest) => {
    const site = header(request, 'sec-fetch-site');
    if (site === 'cross-site' || site === 'same-site') return true;
    const origin = header(request, 'origin');
    if (origin === undefined) return false;
    if (origin === 'null') return site !== undefined && site !== 'same-origin';
    try {
      return !allowedHosts(request).includes(new URL(origin).host.toLowerCase());
    } catch {
      return true;
    }
  };

  // The facts in the page's language: its dates in that locale's format, in the business calendar's zone.
  const facts = async (claim: Claim, locale: Locale): Promise<ConsentFacts> => {
    const org = await deps.rosters.organisation(claim.orgId);
    const f = claim.fields;
    const productName = (id: string) => productCatalogue.find(id)?.name ?? id;
    const ctx = { calendar: deps.calendar };
    return {
      claimId: claim.id,
      claimName: f.claimName ?? '',
      partnerName: org?.name ?? claim.orgId,
      ...(f.solutionArea ? { solutionArea: f.solutionArea } : {}),
      products: (f.products ?? []).map(productName),
      subscriptions: (f.subscriptions ?? []).map((s) => ({ product: productName(s.productId), subscriptionId: s.subscriptionId })),
      customerDomain: f.customerDomain ?? '',
      customerTenantId: f.customerTenantId ?? '',
      ...(claim.approval ? { approvedOn: formatInstant(ctx, claim.approval.at, locale) } : {}),
      consent: claim.approval?.sentForEligibilityAt
        ? { kind: 'eligibility' }
        : claim.deadlines.consentEnds
          ? { kind: 'open', endsOn: formatDeadline(ctx, claim.deadlines.consentEnds, locale) }
          : { kind: 'unknown' },
    };
  };
  const when = (iso: string, locale: Locale) => formatInstant({ calendar: deps.calendar }, iso, locale);

  const page = (locale: Locale, status: number, view: ConsentView, extraHeaders: Record<string, string> = {}): PageResponse => {
    const nonce = randomBytes(16).toString('base64');
    return {
      status,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Language': locale,
        'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
        Vary: 'Accept-Language, Cookie',
        ...extraHeaders,
      },
      body: renderConsentPage(locale, view, nonce),
    };
  };

  /** The token checked and its claim read; or the page that says why not. */
  const open = async (locale: Locale, claimId: string, token: string): Promise<{ claim: Claim; nonce: string } | PageResponse> => {
    if (!claimId || claimId.length > MAX_CLAIM_ID_LENGTH || !token || token.length > MAX_TOKEN_LENGTH) return page(locale, 400, { kind: 'invalid' });
    const check = deps.consentLinks.check(token, claimId, deps.clock.now());
    if (!check.ok) {
      if (check.reason === 'expired') return page(locale, 410, { kind: 'expired' });
      return page(locale, check.reason === 'malformed' ? 400 : 403, { kind: 'invalid' });
    }
    const claim = await deps.claimService.get(claimId);
    // A genuine token for a claim that is gone: the same "not valid" page, nothing more.
    if (!claim) return page(locale, 404, { kind: 'invalid' });
    return { claim, nonce: check.payload.nonce };
  };

  /** The page for a claim that can't be denied through this link: already denied, or no longer active. */
  const closed = async (locale: Locale, claim: Claim, state: Exclude<ConsentState, { kind: 'active' }>): Promise<PageResponse> =>
    state.kind === 'declined'
      ? page(locale, 409, { kind: 'alreadyDenied', facts: await facts(claim, locale), at: when(state.at, locale) })
      : page(locale, 409, { kind: 'inactive', facts: await facts(claim, locale), status: claim.status });

  const formPage = async (
    locale: Locale,
    request: PageRequest,
    claim: Claim,
    token: string,
    status: number,
    extra: { comment?: string; confirmChecked?: boolean; errors?: FormErrors } = {},
  ) => {
    const existing = cookie(request, CSRF_COOKIE);
    const value = existing && COOKIE_VALUE.test(existing) ? existing : randomBytes(32).toString('base64url');
    const setCookie = `${CSRF_COOKIE}=${value}; Path=/consent; HttpOnly; SameSite=Strict${request.secure ? '; Secure' : ''}`;
    return page(
      locale,
      status,
      { kind: 'form', facts: await facts(claim, locale), token, csrf: csrfFor(value, token), guideUrl: deps.config.incentiveGuideUrl, ...extra },
      { 'Set-Cookie': setCookie },
    );
  };

  const show = async (request: PageRequest, locale: Locale): Promise<PageResponse> => {
    const claimId = request.params.claimId ?? '';
    const token = request.query.t ?? '';
    const opened = await open(locale, claimId, token);
    if ('status' in opened) return opened;
    const state = consentState(opened.claim, opened.nonce);
    if (state.kind !== 'active') return closed(locale, opened.claim, state);
    return formPage(locale, request, opened.claim, token, 200);
  };

  const deny = async (request: PageRequest, locale: Locale): Promise<PageResponse> => {
    const claimId = request.params.claimId ?? '';
    const form = request.form && typeof request.form === 'object' ? (request.form as Record<string, unknown>) : {};
    const token = firstString(form.t);
    if (crossSite(request)) {
      deps.log.warn(`Consent: refused a form for ${loggable(claimId)} sent from another site (Origin ${loggable(header(request, 'origin') ?? '-')})`);
      return page(locale, 403, { kind: 'refused' });
    }
    const opened = await open(locale, claimId, token);
    if ('status' in opened) return opened;
    if (!csrfMatches(cookie(request, CSRF_COOKIE), token, firstString(form.csrf))) {
      deps.log.warn(`Consent: refused a form for ${loggable(claimId)} without a matching CSRF cookie and field`);
      return page(locale, 403, { kind: 'refused' });
    }
    const { claim, nonce } = opened;
    const state = consentState(claim, nonce);
    if (state.kind !== 'active') return closed(locale, claim, state);

    const confirmed = ['yes', 'on', 'true'].includes(firstString(form.confirm).toLowerCase());
    const comment = firstString(form.comment).replace(/\r\n/g, '\n').trim();
    const errors: FormErrors = {
      ...(confirmed ? {} : { confirm: true }),
      ...(comment.length > MAX_COMMENT_LENGTH ? { commentTooLong: MAX_COMMENT_LENGTH } : {}),
    };
    if (errors.confirm || errors.commentTooLong) return formPage(locale, request, claim, token, 422, { comment, confirmChecked: confirmed, errors });

    const contact = claim.fields.customerContact;
    const customer: Actor = { kind: 'customer', id: contact?.email ?? 'customer', name: contact?.name ?? 'Customer contact' };
    const result = await deps.claimService.act(
      claim.id,
      { type: 'customerDecline', ...(comment ? { comment } : {}) },
      customer,
      { actionId: consentActionId(nonce) },
      claim.orgId,
    );
    if (result.ok && !result.duplicate) {
      deps.log.info(`Consent: the customer contact of ${claim.id} denied consent; the claim is now ${result.claim.status} (Customer decline)`);
      return page(locale, 200, { kind: 'denied', facts: await facts(result.claim, locale), at: when(result.event.at, locale) });
    }
    // Someone else got there first (the same link twice at once, another link, a withdrawal...): say how it stands now.
    const now = result.ok ? result.claim : (result.claim ?? (await deps.claimService.get(claim.id, claim.orgId)));
    if (now) {
      const after = consentState(now, nonce);
      if (after.kind !== 'active') return closed(locale, now, after);
    }
    throw new Error(`customer decline of ${claim.id} was refused: ${result.ok ? 'duplicate while active' : result.refusal.code}`);
  };

  return async (request) => {
    const locale = localeFromAcceptLanguage(header(request, 'accept-language'));
    try {
      if (request.method === 'POST') return await deny(request, locale);
      return await show(request, locale);
    } catch (error) {
      deps.log.error(`Consent page: ${request.method} for claim ${loggable(request.params.claimId ?? '')} failed`, error);
      return page(locale, 500, { kind: 'error' });
    }
  };
}
