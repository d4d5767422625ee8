import type { PoeChecklist, PrecheckEvidence, PrecheckVerdict } from '../src/domain/poePrecheck';
import { type Locale, type MessageKey } from '../src/i18n/locales';
import { render, t } from '../src/i18n/teamsMarkdown';

/**
 * The PoE checklist as the claim summary (partners) and the review card (reviewers) show it: one row
 * per check with its verdict, what was found or how to fix it, and the evidence quoted literally.
 */

const COLOR: Record<PrecheckVerdict, 'Good' | 'Warning' | 'Attention'> = { passed: 'Good', toCheck: 'Warning', missing: 'Attention' };
/** Quotes per check: enough to see why, few enough for a card. */
const EVIDENCE_SHOWN: Record<'partner' | 'reviewer', number> = { partner: 1, reviewer: 3 };

export interface ChecklistCardData {
  show: boolean;
  title: string;
  intro: string;
  status: string;
  items: { title: string; verdict: string; color: string; lines: string[] }[];
  unread: string[];
}

export function evidenceLine(locale: Locale, e: PrecheckEvidence): string {
  // The quote is the document's own words: t() shows parameters literally, whatever markdown they hold.
  return e.page !== undefined
    ? t(locale, 'precheck.evidence.page', { file: e.fileName, page: e.page, quote: e.quote })
    : t(locale, 'precheck.evidence.file', { file: e.fileName, quote: e.quote });
}

export function checklistCounts(locale: Locale, checklist: PoeChecklist): string {
  const count = (v: PrecheckVerdict) => checklist.results.filter((r) => r.verdict === v).length;
  return t(locale, 'precheck.counts', { passed: count('passed'), toCheck: count('toCheck'), missing: count('missing') });
}

/** Why a file was not read; an e-mail with no text of its own says its attachments are not opened. */
export function unreadLine(locale: Locale, u: PoeChecklist['unread'][number]): string {
  return t(locale, u.email && u.reason === 'noText' ? 'precheck.unread.noTextEmail' : (`precheck.unread.${u.reason}` as MessageKey), { file: u.fileName });
}

/**
 * `checklist` undefined: the files are still being read ("checking…"). `hidden`: nothing to show yet
 * (no PoE attached on a draft: the summary already says a PoE is needed).
 */
export function checklistCardData(locale: Locale, checklist: PoeChecklist | undefined, audience: 'partner' | 'reviewer', hidden = false): ChecklistCardData {
  const base = {
    show: !hidden,
    title: t(locale, 'precheck.title'),
    intro: t(locale, audience === 'partner' ? 'precheck.partnerIntro' : 'precheck.reviewerIntro'),
  };
  if (!checklist) return { ...base, status: t(locale, 'precheck.checking'), items: [], unread: [] };
  return {
    ...base,
    status: checklistCounts(locale, checklist),
    items: checklist.results.map((r) => ({
      title: t(locale, `precheck.check.${r.check}` as MessageKey),
      verdict: t(locale, `precheck.verdict.${r.verdict}` as MessageKey),
      color: COLOR[r.verdict],
      lines: [...r.findings.map((f) => render(locale, f)), ...r.evidence.slice(0, EVIDENCE_SHOWN[audience]).map((e) => evidenceLine(locale, e))],
    })),
    unread: checklist.unread.map((u) => unreadLine(locale, u)),
  };
}

/** The checklist as a chat message: what the partner reads when checking has finished after the turn. */
export function checklistMessage(locale: Locale, claimId: string, checklist: PoeChecklist): string {
  const rows = checklist.results.map((r) => {
    const first = r.findings[0] ? render(locale, r.findings[0]) : '';
    return `${t(locale, `precheck.verdict.${r.verdict}` as MessageKey)} · ${t(locale, `precheck.check.${r.check}` as MessageKey)}${first ? `: ${first}` : ''}`;
  });
  const unread = checklist.unread.map((u) => unreadLine(locale, u));
  return [t(locale, 'precheck.updated', { claimId, counts: checklistCounts(locale, checklist) }), ...rows, ...unread].join('\n\n');
}
