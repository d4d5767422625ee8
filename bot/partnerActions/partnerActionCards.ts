import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import type { Claim, ClaimDeadlines } from '../../src/domain/claim';
import type { ClaimStatus } from '../../src/domain/claimStatus';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import type { TimeContext } from '../../src/domain/deadlinePolicy';
import { type Locale } from '../../src/i18n/locales';
import { markdown, t } from '../../src/i18n/teamsMarkdown';

/**
 * The cards of a partner's steps on their own claim near its end: withdraw (with a confirmation),
 * dispute a rejection (justification and updated PoE), and start again from a rejected claim once it
 * can no longer be disputed. One template (partnerAction) draws them all.
 */

export interface ActionButton {
  title: string;
  style: 'positive' | 'destructive' | 'default';
  data: Record<string, unknown>;
}

interface PartnerActionView {
  title: string;
  lines: string[];
  files?: string[];
  input?: { id: string; label: string; value: string; placeholder: string };
  error?: string;
  actions: ActionButton[];
}

/** The line under a partner card's title: claim id, customer domain, status (now, or as a notice's change left it). */
export function subtitleOf(claim: Claim, locale: Locale, status: ClaimStatus = claim.status): string {
  return t(locale, 'partner.subtitle', { claimId: claim.id, domain: claim.fields.customerDomain ?? '-', status: `@status.${status}` });
}

/**
 * What the partner should know next, on notices and status cards alike: the step a running deadline
 * asks for ("Respond and resubmit by …"), or with none left, that the claim went for incentive
 * eligibility assessment (undefined when neither).
 */
export function nextStepLine(
  ctx: Pick<TimeContext, 'calendar'>,
  claim: Claim,
  next: { name: keyof ClaimDeadlines; due: string } | undefined,
  locale: Locale,
): string | undefined {
  if (!next) return claim.approval?.sentForEligibilityAt ? t(locale, 'partner.next.eligibility') : undefined;
  return t(locale, `partner.next.${next.name}`, { date: formatDeadline(ctx, next.due, locale) });
}

/**
 * What an approval means, on approval notices and an approved claim's status card: the association,
 * not incentive earnings, with the link to the program guides (INCENTIVE_GUIDE_URL).
 */
export function approvalMeaning(guideUrl: string, locale: Locale): string {
  return t(locale, 'partner.approvalMeaning', { url: markdown(guideUrl) });
}

/** The titles of a partner's step buttons (reply, edit, resubmit, dispute, withdraw...), on notices and status cards alike. */
export function partnerStepLabels(locale: Locale) {
  return {
    reply: t(locale, 'partner.label.reply'),
    replyLabel: t(locale, 'partner.label.replyLabel'),
    replyRequired: t(locale, 'partner.label.replyRequired'),
    send: t(locale, 'partner.label.send'),
    edit: t(locale, 'partner.label.edit'),
    resubmit: t(locale, 'partner.label.resubmit'),
    dispute: t(locale, 'partner.label.dispute'),
    newClaimFrom: t(locale, 'partner.label.newClaimFrom'),
    claimRenewal: t(locale, 'partner.label.claimRenewal'),
    withdraw: t(locale, 'partner.label.withdraw'),
  };
}

export function partnerActionCard(claim: Claim, locale: Locale, view: PartnerActionView): AdaptiveCardJson {
  return renderCard('partnerAction', {
    title: view.title,
    subtitle: subtitleOf(claim, locale),
    lines: view.lines,
    filesHeading: t(locale, 'dispute.filesHeading'),
    files: view.files ?? [],
    input: view.input ? { show: true, ...view.input } : { show: false, id: 'unused', label: '', value: '', placeholder: '' },
    error: view.error ?? '',
    actions: view.actions,
  });
}

/** Withdrawing rejects the claim (Partner request) for good: the card says so, and what else it means for this claim. */
export function withdrawCard(claim: Claim, locale: Locale): AdaptiveCardJson {
  const name = claim.fields.claimName ?? claim.id;
  const lines = [t(locale, 'withdraw.explain'), t(locale, 'withdraw.explainFinal')];
  if (claim.status === 'Approved') lines.push(t(locale, 'withdraw.explainApproved'));
  if (claim.status === 'Rejected') lines.push(t(locale, 'withdraw.explainRejected'));
  return partnerActionCard(claim, locale, {
    title: t(locale, 'withdraw.title', { name, claimId: claim.id }),
    lines,
    input: { id: 'comment', label: t(locale, 'withdraw.commentLabel'), value: '', placeholder: '' },
    actions: [
      { title: t(locale, 'withdraw.confirm'), style: 'destructive', data: { action: 'claim.withdrawConfirm', claimId: claim.id } },
      { title: t(locale, 'withdraw.cancel'), style: 'default', data: { action: 'claim.keep', claimId: claim.id } },
    ],
  });
}

/** A claim that can't be disputed any more: a new claim with updated PoE is the way, offered prefilled. */
export function disputeClosedCard(claim: Claim, locale: Locale, closedOn: string): AdaptiveCardJson {
  return partnerActionCard(claim, locale, {
    title: t(locale, 'dispute.closed.title', { name: claim.fields.claimName ?? claim.id, claimId: claim.id }),
    lines: [t(locale, 'dispute.closed.line', { date: closedOn }), t(locale, 'dispute.closed.offer')],
    actions: [{ title: t(locale, 'partner.label.newClaimFrom'), style: 'positive', data: { action: 'claim.newFrom', claimId: claim.id } }],
  });
}
