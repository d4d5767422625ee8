import { t, type Locale, type MessageKey, type MessageParams } from '../i18n/locales';
import type { SolutionArea } from '../domain/productCatalogue';
import type { ClaimStatus } from '../domain/claimStatus';
import { escapeHtml } from '../i18n/html';

/**
 * The customer's consent page as HTML: one small, accessible page per situation (the association
 * with its deny form, done, already used, no longer active, invalid or expired link, refused form,
 * error). Pure rendering: no I/O, no framework. Every value from a claim is HTML-escaped, and the
 * words come from the i18n catalogue, escaped too. Styles are inline, in one <style> element that
 * carries the response's CSP nonce; there is no script.
 */

/** What the page shows of a claim: values as stored, localised here. */
export interface ConsentFacts {
  claimId: string;
  claimName: string;
  partnerName: string;
  solutionArea?: SolutionArea;
  /** Product names from the catalogue. */
  products: string[];
  /** Business Applications: the subscriptions claimed, with their product's name. */
  subscriptions: { product: string; subscriptionId: string }[];
  customerDomain: string;
  customerTenantId: string;
  /** Dates already formatted in the business calendar's time zone. */
  approvedOn?: string;
  consent: { kind: 'open'; endsOn: string } | { kind: 'eligibility' } | { kind: 'unknown' };
}

export interface FormErrors {
  confirm?: boolean;
  commentTooLong?: number;
}

export type ConsentView =
  | {
      kind: 'form';
      facts: ConsentFacts;
      token: string;
      csrf: string;
      comment?: string;
      confirmChecked?: boolean;
      errors?: FormErrors;
      /** The incentive program guides (INCENTIVE_GUIDE_URL). */ guideUrl: string;
    }
  | { kind: 'denied'; facts: ConsentFacts; at: string }
  | { kind: 'alreadyDenied'; facts: ConsentFacts; at: string }
  | { kind: 'inactive'; facts: ConsentFacts; status: ClaimStatus }
  | { kind: 'invalid' }
  | { kind: 'expired' }
  | { kind: 'refused' }
  | { kind: 'error' };

const STYLE = `
:root{color-scheme:light}
body{margin:0;background:#f3f3f3;color:#1b1b1b;font-family:system-ui,-apple-system,"Segoe UI","Microsoft YaHei","PingFang SC",sans-serif;font-size:1rem;line-height:1.5}
main{max-width:44rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #c8c8c8;border-radius:6px}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.2rem;margin:2rem 0 .75rem}
p{margin:.75rem 0}
dl{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.5rem 1.25rem;margin:0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
dd ul{margin:0;padding-left:1.2rem}
.field{margin:1.25rem 0}
.check{display:flex;gap:.75rem;align-items:flex-start}
.check input{width:1.35rem;height:1.35rem;margin:.1rem 0 0;flex:none;accent-color:#a4262c}
label{font-weight:600}
.check label{font-weight:400}
textarea{display:block;width:100%;box-sizing:border-box;margin-top:.25rem;padding:.5rem;font:inherit;border:1px solid #616161;border-radius:3px}
.hint{margin:.25rem 0;color:#484848}
.error{margin:.25rem 0;color:#a4262c;font-weight:600}
.has-error{border-left:4px solid #a4262c;padding-left:.9rem}
.summary{margin:0 0 1.5rem;padding:.75rem 1.25rem;border:3px solid #a4262c;border-radius:4px}
.summary h2{margin:0 0 .5rem;font-size:1.1rem}
.summary ul{margin:0;padding-left:1.2rem}
.summary a{color:#a4262c;font-weight:600}
a{color:#0f5ea8}
button{font:inherit;font-weight:600;color:#fff;background:#a4262c;border:2px solid #a4262c;border-radius:4px;padding:.6rem 1.25rem;cursor:pointer}
button:hover{background:#7f1d22;border-color:#7f1d22}
:focus-visible{outline:3px solid #0f5ea8;outline-offset:3px}
button:focus-visible{outline:3px solid #1b1b1b;outline-offset:3px}
@media (max-width:36rem){main{margin:0;border:0;border-radius:0;padding:1rem}dl{grid-template-columns:1fr;gap:.1rem}dd{margin-bottom:.6rem}}
`;

/** The whole document for a view, in one language. `styleNonce` is the CSP nonce of the response. */
export function renderConsentPage(locale: Locale, view: ConsentView, styleNonce: string): string {
  const tx = (key: MessageKey, params?: Record<string, string | number>) => sentence(locale, key, params);
  const { heading, content } = body(locale, view, tx);
  const title = t(locale, 'consent.documentTitle', { heading: t(locale, heading) });
  const errorPrefix =
    view.kind === 'form' && view.errors && (view.errors.confirm || view.errors.commentTooLong) ? `${t(locale, 'consent.errorSummary')}: ` : '';
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(locale)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(errorPrefix + title)}</title>`,
    `<style nonce="${escapeHtml(styleNonce)}">${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${tx(heading)}</h1>`,
    content,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

type Tx = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * A whole sentence of the catalogue as HTML. Values are put in after the sentence is escaped, through
 * placeholders of their own: a value is never read as markup, nor as a reference to another message
 * (a claim named "@status.Approved" stays as typed).
 */
function sentence(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const values: string[] = [];
  const marked: MessageParams = {};
  for (const [name, value] of Object.entries(params)) {
    marked[name] = `\u0001${values.length}\u0001`;
    values.push(escapeHtml(value));
  }
  return escapeHtml(t(locale, key, marked)).replace(/\u0001(\d+)\u0001/g, (_, i: string) => values[Number(i)]);
}

function body(locale: Locale, view: ConsentView, tx: Tx): { heading: MessageKey; content: string } {
  switch (view.kind) {
    case 'form':
      return { heading: 'consent.form.heading', content: formContent(view, tx) };
    case 'denied':
      return {
        heading: 'consent.denied.heading',
        content: `<p>${tx('consent.denied.body', { partner: view.facts.partnerName, domain: view.facts.customerDomain, date: view.at })}</p>\n${factList(view.facts, tx)}`,
      };
    case 'alreadyDenied':
      return {
        heading: 'consent.used.heading',
        content: `<p>${tx('consent.used.body', { partner: view.facts.partnerName, domain: view.facts.customerDomain, date: view.at })}</p>\n${factList(view.facts, tx)}`,
      };
    case 'inactive':
      return {
        heading: 'consent.inactive.heading',
        content: `<p>${tx('consent.inactive.body', { partner: view.facts.partnerName, domain: view.facts.customerDomain, status: t(locale, `status.${view.status}`) })}</p>`,
      };
    case 'invalid':
      return { heading: 'consent.invalid.heading', content: `<p>${tx('consent.invalid.body')}</p>` };
    case 'expired':
      return { heading: 'consent.expired.heading', content: `<p>${tx('consent.expired.body')}</p>` };
    case 'refused':
      return { heading: 'consent.refused.heading', content: `<p>${tx('consent.refused.body')}</p>` };
    case 'error':
      return { heading: 'consent.error.heading', content: `<p>${tx('consent.error.body')}</p>` };
  }
}

function factList(facts: ConsentFacts, tx: Tx, consentPeriod?: string): string {
  const row = (label: string, value: string) => `<dt>${label}</dt>\n<dd>${value}</dd>`;
  const list = (items: string[]) => (items.length === 1 ? items[0] : `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`);
  const rows = [
    row(tx('consent.label.partner'), escapeHtml(facts.partnerName)),
    row(tx('field.claimName'), escapeHtml(facts.claimName)),
    row(tx('template.label.claimId'), escapeHtml(facts.claimId)),
  ];
  if (facts.solutionArea) rows.push(row(tx('field.solutionArea'), tx(`area.${facts.solutionArea}`)));
  if (facts.products.length) rows.push(row(tx('field.products'), list(facts.products.map(escapeHtml))));
  if (facts.subscriptions.length) {
    rows.push(
      row(
        tx('field.subscriptions'),
        list(facts.subscriptions.map((s) => tx('template.subscription', { product: s.product, subscriptionId: s.subscriptionId }))),
      ),
    );
  }
  rows.push(row(tx('field.customerDomain'), escapeHtml(facts.customerDomain)), row(tx('field.customerTenantId'), escapeHtml(facts.customerTenantId)));
  if (facts.approvedOn) rows.push(row(tx('consent.label.approvedOn'), escapeHtml(facts.approvedOn)));
  if (consentPeriod) rows.push(row(tx('consent.label.consentPeriod'), consentPeriod));
  return `<dl>\n${rows.join('\n')}\n</dl>`;
}

function formContent(view: Extract<ConsentView, { kind: 'form' }>, tx: Tx): string {
  const { facts, errors = {} } = view;
  const partner = facts.partnerName;
  const parts: string[] = [];
  const problems: string[] = [];
  if (errors.confirm) problems.push(`<li><a href="#confirm">${tx('consent.confirmRequired')}</a></li>`);
  if (errors.commentTooLong) problems.push(`<li><a href="#comment">${tx('consent.commentTooLong', { max: errors.commentTooLong })}</a></li>`);
  if (problems.length) {
    parts.push(
      `<div class="summary" role="alert" aria-labelledby="summary-title">\n<h2 id="summary-title">${tx('consent.errorSummary')}</h2>\n<ul>${problems.join('')}</ul>\n</div>`,
    );
  }
  parts.push(`<p>${tx('consent.form.intro', { partner })}</p>`);
  parts.push(`<h2>${tx('consent.factsHeading')}</h2>`);
  const period =
    facts.consent.kind === 'open'
      ? tx('consent.consentEnds', { date: facts.consent.endsOn })
      : facts.consent.kind === 'eligibility'
        ? tx('consent.eligibility')
        : '';
  parts.push(factList(facts, tx, period));
  parts.push(`<p>${tx('consent.meaning', { partner })}</p>`);
  parts.push(`<p>${tx('consent.guide')} <a href="${escapeHtml(view.guideUrl)}">${escapeHtml(view.guideUrl)}</a></p>`);
  parts.push(`<h2 id="deny-heading">${tx('consent.denyHeading')}</h2>`);

  const confirmDescribedBy = errors.confirm ? ' aria-describedby="confirm-error" aria-invalid="true"' : '';
  const commentDescribedBy = errors.commentTooLong ? 'comment-hint comment-error' : 'comment-hint';
  parts.push(
    [
      `<form method="post" action="/consent/${escapeHtml(encodeURIComponent(facts.claimId))}" aria-labelledby="deny-heading">`,
      `<input type="hidden" name="t" value="${escapeHtml(view.token)}">`,
      `<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`,
      `<div class="field${errors.confirm ? ' has-error' : ''}">`,
      errors.confirm ? `<p class="error" id="confirm-error">${tx('consent.confirmRequired')}</p>` : '',
      '<div class="check">',
      `<input type="checkbox" id="confirm" name="confirm" value="yes" required${view.confirmChecked ? ' checked' : ''}${confirmDescribedBy}>`,
      `<label for="confirm">${tx('consent.confirmLabel', { partner })}</label>`,
      '</div>',
      '</div>',
      `<div class="field${errors.commentTooLong ? ' has-error' : ''}">`,
      `<label for="comment">${tx('consent.commentLabel')}</label>`,
      `<p class="hint" id="comment-hint">${tx('consent.commentHint')}</p>`,
      errors.commentTooLong ? `<p class="error" id="comment-error">${tx('consent.commentTooLong', { max: errors.commentTooLong })}</p>` : '',
      `<textarea id="comment" name="comment" rows="4" aria-describedby="${commentDescribedBy}"${errors.commentTooLong ? ' aria-invalid="true"' : ''}>${escapeHtml(view.comment ?? '')}</textarea>`,
      '</div>',
      `<button type="submit">${tx('consent.denyButton')}</button>`,
      '</form>',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return parts.join('\n');
}
