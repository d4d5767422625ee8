import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import type { ReviewCardData } from '../../cards/reviewCard/data';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { formatInstant, isActionOffered, type ClaimActionType } from '../../src/domain/claimLifecycle';
import { runningDeadlines } from '../../src/domain/deadlinePolicy';
import { COMMAND_WORDS, commandData } from '../commands/chatCommands';
import { runningDeadlineText } from '../commands/claimCards';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { eventSentence } from '../../src/domain/claimNotifications';
import { describeKey } from '../../src/domain/associationKeys';
import { INFO_REQUEST_REASONS, REVIEWER_REJECTION_REASONS } from '../../src/domain/reasons';
import { hasMessage, type Locale, type Message, type MessageKey } from '../../src/i18n/locales';
import { literal, markdown, render, t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/services';
import { claimLabel, commentLines, poeLinkLines, submittedFacts } from '../claimFacts';
import { failedReasons, PRECHECKS, type ChecklistShown } from '../../src/domain/poePrecheck';
import { checklistCardData } from '../poeChecklistView';

/**
 * The reviewers' card of a claim: one card per claim in the reviewers' conversation, drawn read-only
 * for everyone, and with the buttons the viewer's role allows when a reviewer's Teams client refreshes it.
 */

export interface ReviewCardOptions {
  locale: Locale;
  /** The reviewer the card is drawn for; undefined draws the shared read-only card. */
  viewer?: Actor;
  notice?: { message: Message | string; style: 'good' | 'attention' | 'accent' | 'warning' };
  /** Show the "approve and end the other association" choice (after an approval met a conflict). */
  offerSupersede?: boolean;
  refreshUserIds: string[];
}

/** Events on one page of a claim's history card. */
export const HISTORY_PAGE_SIZE = 15;

export class ReviewCardView {
  constructor(private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'clock' | 'config' | 'poe' | 'precheck' | 'rosters'>) {}

  async render(claim: Claim, options: ReviewCardOptions): Promise<AdaptiveCardJson> {
    const { locale } = options;
    const f = claim.fields;
    const offered = (type: ClaimActionType) => Boolean(options.viewer && isActionOffered(claim, options.viewer, type));
    // What the card shows besides the claim, read at once rather than one after another (each may be a request).
    const [organisation, competing, links, checklist] = await Promise.all([
      this.services.rosters.organisation(claim.orgId),
      this.services.claimService.competingClaims(claim),
      poeLinkLines(this.services, claim.poe, locale),
      // The pre-check as far as it is known now (reading is never waited for here: "checking…" until done).
      claim.poe.length ? this.services.precheck.checklistIfReady(claim) : undefined,
    ]);
    const conflicts = await Promise.all(
      competing.map(async (other) => {
        const otherOrg = await this.services.rosters.organisation(other.claim.orgId);
        // Keys are of one program (a claim competes only within its own): the card names it.
        const program = describeKey(other.sharedKeys[0]).program;
        const shared = [
          ...(program ? [t(locale, 'review.conflict.program', { program: `@program.${program}` })] : []),
          other.sharedKeys.map((k) => this.keyLabel(k, locale)).join(', '),
        ].join('\n\n');
        return {
          left: {
            heading: t(locale, 'review.conflict.thisClaim', { claimId: claim.id }),
            lines: [literal(organisation?.name ?? claim.orgId), t(locale, `status.${claim.status}`), shared, ...links].join('\n\n'),
          },
          right: {
            heading: t(locale, 'review.conflict.otherClaim', { claimId: other.claim.id }),
            lines: [
              literal(otherOrg?.name ?? other.claim.orgId),
              t(locale, `status.${other.claim.status}`),
              shared,
              ...(await poeLinkLines(this.services, other.claim.poe, locale)),
            ].join('\n\n'),
          },
        };
      }),
    );
    const last = [...claim.history].reverse().find((e) => e.outcome === 'applied');
    const data = {
      claimId: claim.id,
      // Where the claim lives (its partition), so a button press reads it directly; never used to authorise.
      orgId: claim.orgId,
      version: claim.version,
      refreshUserIds: options.refreshUserIds,
      title: claimLabel(locale, { id: claim.id, claimName: f.claimName }).text,
      subtitle: t(locale, 'review.subtitle', {
        status: `@status.${claim.status}`,
        claimId: claim.id,
        org: organisation?.name ?? claim.orgId,
        mpnId: f.mpnId ?? '-',
      }),
      notice: options.notice
        ? typeof options.notice.message === 'string'
          ? options.notice.message
          : render(locale, options.notice.message)
        : this.statusNotice(claim, locale),
      noticeStyle: options.notice?.style ?? 'accent',
      facts: [
        ...submittedFacts(claim, locale),
        ...(await this.unverifiedFact(claim, locale)),
        ...(claim.dispute ? [{ title: t(locale, 'review.dispute'), value: literal(claim.dispute.justification ?? '-') }] : []),
      ],
      deadlines: runningDeadlines(this.services.claimService.timeContext(), claim.deadlines).map((d) => ({
        title: t(locale, `review.deadline.${d.name}` as MessageKey),
        value: runningDeadlineText(this.services, d, locale),
      })),
      poe: links.length ? links : [t(locale, 'review.noPoe')],
      conflicts,
      comments: commentLines(this.services, claim, locale),
      lastAction: last ? t(locale, 'review.lastAction', { event: markdown(render(locale, eventSentence(this.services, last))) }) : '',
      defaultRejectReason: REVIEWER_REJECTION_REASONS[0],
      rejectReasons: REVIEWER_REJECTION_REASONS.map((r) => ({ title: t(locale, `reason.${r}`), value: r })),
      infoReasons: INFO_REQUEST_REASONS.map((r) => ({ title: t(locale, `infoReason.${r}`), value: r })),
      // Request information starts with what the pre-check found missing or doubtful; the reviewer may change it.
      infoReasonsPrefilled: checklist ? failedReasons(checklist).join(',') : '',
      precheck: checklistCardData(locale, checklist, 'reviewer', !claim.poe.length),
      can: {
        // The shared card's way in for every reviewer: clients without user-specific views (the Agents
        // Playground), reviewers beyond refresh.userIds' 60, anyone whose automatic refresh did not run.
        open: !options.viewer,
        startReview: offered('startReview'),
        approve: offered('approve') && !options.offerSupersede,
        supersede: offered('approve') && Boolean(options.offerSupersede),
        reject: offered('reject'),
        requestInfo: offered('requestInfo'),
        comment: offered('comment'),
        history: options.viewer?.kind === 'reviewer',
      },
      labels: this.labels(locale),
    };
    return renderCard('reviewCard', data);
  }

  /**
   * The history of a claim as a card, newest first, HISTORY_PAGE_SIZE events a page with buttons to
   * newer and older pages (a card must stay small however long the history grows). A page past the
   * end shows the oldest page.
   */
  history(claim: Claim, locale: Locale, withBack: boolean, page = 1): AdaptiveCardJson {
    const count = claim.history.length;
    const pages = Math.max(1, Math.ceil(count / HISTORY_PAGE_SIZE));
    const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
    const from = (current - 1) * HISTORY_PAGE_SIZE;
    const events = [...claim.history].reverse().slice(from, from + HISTORY_PAGE_SIZE);
    const command = `${COMMAND_WORDS.history} ${claim.id}`;
    return renderCard('claimHistory', {
      claimId: claim.id,
      title: t(locale, 'review.history.title', { name: claimLabel(locale, { id: claim.id, claimName: claim.fields.claimName }) }),
      subtitle: t(locale, 'review.history.subtitle', { claimId: claim.id, count }),
      back: withBack ? t(locale, 'review.history.back') : '',
      pageLine: pages > 1 ? t(locale, 'history.pageLine', { from: from + 1, to: from + events.length, count }) : '',
      // Action.Submit with the typed command's words: the same in a 1:1 chat and in a channel.
      pager: [
        ...(current > 1 ? [{ title: t(locale, 'history.newer'), data: commandData(command, { page: current - 1 }) }] : []),
        ...(current < pages ? [{ title: t(locale, 'history.older'), data: commandData(command, { page: current + 1 }) }] : []),
      ],
      events: events.map((e) => ({ heading: this.eventHeading(e, locale), lines: this.eventLines(e, locale) })),
    });
  }

  private eventHeading(e: ClaimHistoryEvent, locale: Locale): string {
    return t(locale, 'review.history.heading', { event: markdown(render(locale, eventSentence(this.services, e))), role: `@role.${e.actor.kind}` });
  }

  private eventLines(e: ClaimHistoryEvent, locale: Locale): string[] {
    const lines: string[] = [];
    if (e.fromStatus !== e.toStatus) lines.push(t(locale, 'review.history.status', { from: `@status.${e.fromStatus}`, to: `@status.${e.toStatus}` }));
    if (e.reason) lines.push(t(locale, 'review.history.reason', { reason: `@reason.${e.reason}` }));
    if (e.reasons?.length) lines.push(t(locale, 'review.history.reason', { reason: e.reasons.map((r) => `@infoReason.${r}`) }));
    for (const change of e.changes) {
      if (change.field === 'status' || change.field.startsWith('deadlines.')) continue;
      // What was typed is escaped by t(); the bot's own "-" for no value is not typed text.
      const value = (v: unknown) =>
        v === null || v === undefined ? markdown('-') : typeof v === 'string' && ISO_INSTANT.test(v) ? formatInstant(this.services, v, locale) : shortValue(v);
      lines.push(
        t(locale, 'review.history.change', { field: this.fieldLabel(change.field, locale), before: value(change.before), after: value(change.after) }),
      );
    }
    if (e.checklist) lines.push(checklistShownLine(e.checklist, locale));
    if (e.comment) lines.push(t(locale, 'review.history.comment', { text: e.comment }));
    if (e.delivery)
      lines.push(
        t(
          locale,
          e.delivery.channel !== 'email'
            ? 'review.history.delivery'
            : e.delivery.to
              ? (`mail.bounced.${e.delivery.to}History` as const)
              : 'mail.bounced.history',
          { recipient: e.delivery.recipient, status: e.delivery.status },
        ),
      );
    if (e.refusal) lines.push(render(locale, e.refusal));
    return lines;
  }

  private fieldLabel(path: string, locale: Locale): string {
    const name = path.replace(/^fields\./, '');
    return hasMessage(`field.${name}`) ? t(locale, `field.${name}` as MessageKey) : name;
  }

  private statusNotice(claim: Claim, locale: Locale): string {
    const last = [...claim.history].reverse().find((e) => e.outcome === 'applied' && e.fromStatus !== e.toStatus);
    return last
      ? t(locale, 'review.statusBy', { status: `@status.${claim.status}`, actor: last.actor.name, at: formatInstant(this.services, last.at, locale) })
      : '';
  }

  private keyLabel(key: string, locale: Locale): string {
    const { label, verified } = describeKey(key);
    return verified ? literal(label) : t(locale, 'review.conflict.unverified', { product: label });
  }

  /** docs/association-rule.md: where the directory does not know the customer, reviewers see "subscription not verified". */
  private async unverifiedFact(claim: Claim, locale: Locale): Promise<{ title: string; value: string }[]> {
    const unverified = (await this.services.claimService.associationKeys(claim.fields)).map((k) => describeKey(k)).filter((k) => !k.verified);
    if (!unverified.length) return [];
    return [{ title: t(locale, 'field.subscriptions'), value: t(locale, 'review.subscriptionNotVerified', { products: unverified.map((k) => k.label) }) }];
  }

  private labels(locale: Locale): ReviewCardData['labels'] {
    const keys: (keyof ReviewCardData['labels'])[] = [
      'refresh',
      'deadlines',
      'poe',
      'conflicts',
      'comments',
      'startReview',
      'approve',
      'supersede',
      'reject',
      'reason',
      'reasonRequired',
      'comment',
      'confirmReject',
      'requestInfo',
      'reasons',
      'commentToPartner',
      'commentRequired',
      'sendRequest',
      'commentButton',
      'sendComment',
      'history',
      'openReview',
    ];
    return Object.fromEntries(keys.map((k) => [k, t(locale, `review.label.${k}` as MessageKey)])) as ReviewCardData['labels'];
  }
}

/** A decision's record of the checklist shown: "Customer acknowledgment: ✖ Missing, ..." (all from the catalogue). */
function checklistShownLine(shown: ChecklistShown, locale: Locale): string {
  if ('pending' in shown) return t(locale, 'review.history.precheckPending');
  const verdicts = PRECHECKS.filter((c) => shown.verdicts[c]).map(
    (c) => `${t(locale, `precheck.check.${c}` as MessageKey)}: ${t(locale, `precheck.verdict.${shown.verdicts[c]}` as MessageKey)}`,
  );
  return t(locale, 'review.history.precheck', { verdicts: markdown(verdicts.join(locale === 'zh-CN' ? '；' : '; ')) });
}

/** A changed value that is an instant (submittedAt, disputeWindowClosedAt): shown as a date, not as stored. */
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/;

function shortValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 77)}...` : value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
