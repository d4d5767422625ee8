import { claimLabel, commentLines, COMMENTS_ON_A_CARD, poeLinkLines, submittedFacts } from '../claimFacts';
import { RenderedCardCache, type AdaptiveCardJson } from '../../cards/cardTemplates';
import type { ClaimStatusData } from '../../cards/claimStatus/data';
import type { ClaimListData } from '../../cards/claimList/data';
import { CLAIMING_PARTNER_ROLES, type Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { formatDeadline, formatInstant } from '../../src/domain/claimLifecycle';
import { CLAIM_STATUSES } from '../../src/domain/claimStatus';
import { filterFields, SORT_KEYS, sortWords, type ListFilter } from '../../src/domain/claimListFilter';
import { ACTIVITIES, productCatalogue, SOLUTION_AREAS } from '../../src/domain/productCatalogue';
import type { RunningDeadline, TimeContext } from '../../src/domain/deadlinePolicy';
import { eventSentence } from '../../src/domain/claimNotifications';
import { partnerSteps, type PartnerSteps } from '../../src/domain/partnerSteps';
import { etagOf } from '../../src/storage/claimStore';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
import { literal, markdown, render, t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/services';
import type { ClaimQueries, ClaimRow, Viewer } from '../../src/services/claims/claimQueries';
import { COMMAND_WORDS } from './chatCommands';
import { approvalMeaning, nextStepLine, partnerStepLabels, subtitleOf } from '../partnerActions/partnerActionCards';

/**
 * The cards of the chat commands: a page of claims (with Open buttons, paging and a filter form) and
 * one claim's status (facts, running deadlines, timeline, and the steps the viewer may take now, as
 * buttons that reuse the existing verbs). Dates are in the viewer's locale and the calendar's time zone.
 */

/** Status cards as last drawn, by what they show (one process-wide cache: a card depends on nothing per instance). */
const STATUS_CARDS = new RenderedCardCache(1000);
/** List cards the same way; fewer, as a page of ten rows and its filter form is some 15 KB. */
const LIST_CARDS = new RenderedCardCache(200);

/** Timeline entries shown on the status card; the rest are in the history. */
const TIMELINE_EVENTS = 8;
/** Actions that make a timeline entry besides status changes. */
const TIMELINE_ACTIONS = ['create', 'consentPeriodOver', 'disputeWindowClosed'];

export interface PagerButton {
  title: string;
  data: Record<string, unknown>;
}

export interface ClaimListView {
  title: string;
  subtitle: string;
  lines: string[];
  /** Said when there are no rows. */
  empty: string;
  rows: ClaimRow[];
  pager: PagerButton[];
  /** The filter form, with the filter in force; absent for lists that have none (what waits for a partner). */
  filter?: ListFilter;
  /** Which list the form filters and exports: the claims, or the reviewers' queue. */
  list?: 'mine' | 'queue';
}

/** "Nov 30, 2026, 11:59 PM (Europe/Berlin) · 3 business day(s) left", "… · ends today" or "… · passed" (docs/deadlines.md, "Days left"). */
export function runningDeadlineText(ctx: Pick<TimeContext, 'calendar'>, deadline: RunningDeadline, locale: Locale): string {
  const date = formatDeadline(ctx, deadline.due, locale);
  if (deadline.passed) return t(locale, 'review.deadline.passed', { date });
  if (deadline.daysLeft === 0) return t(locale, 'review.deadline.endsToday', { date });
  return t(locale, deadline.unit === 'days' ? 'review.deadline.daysLeft' : 'review.deadline.businessDaysLeft', { date, count: deadline.daysLeft });
}

export class ClaimCards {
  constructor(
    private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'clock' | 'config' | 'poe' | 'rosters'>,
    private readonly queries: ClaimQueries,
  ) {}

  deadlineText(deadline: RunningDeadline, locale: Locale): string {
    return runningDeadlineText(this.services, deadline, locale);
  }

  async list(view: ClaimListView, viewer: Viewer, locale: Locale): Promise<AdaptiveCardJson> {
    const orgNames = viewer.kind === 'reviewer' ? await this.organisationNames(view.rows.map((r) => r.orgId)) : new Map<string, string>();
    // Everything the card is drawn from, as this turn's query and clock gave it: each row's shown fields
    // with its running deadline (days left, passed), the page's texts, pager and filter, the locale.
    const key = JSON.stringify([
      locale,
      view.title,
      view.subtitle,
      view.lines,
      view.empty,
      view.rows.map((r) => [r.id, r.claimName, r.customerDomain, r.orgId, r.status, r.disputed, r.next]),
      [...orgNames],
      view.pager,
      view.filter ?? null,
      view.list ?? null,
    ]);
    return LIST_CARDS.render('claimList', key, async () => this.listData(view, orgNames, locale), this.services.clock.now().getTime());
  }

  private listData(view: ClaimListView, orgNames: Map<string, string>, locale: Locale): ClaimListData {
    return {
      title: view.title,
      subtitle: view.subtitle,
      lines: view.lines,
      empty: view.rows.length ? '' : view.empty,
      rows: view.rows.map((row) => ({
        name: claimLabel(locale, { id: row.id, claimName: row.claimName }).text,
        ids: t(locale, 'list.row.ids', { claimId: row.id, domain: row.customerDomain || '-' }),
        org: literal(orgNames.get(row.orgId) ?? ''),
        status:
          row.disputed && row.status === 'UnderReview'
            ? t(locale, 'list.row.disputed', { status: `@status.${row.status}` })
            : t(locale, `status.${row.status}`),
        deadline: row.next
          ? t(locale, 'list.row.deadline', { label: `@review.deadline.${row.next.name}`, when: this.deadlineText(row.next, locale) })
          : t(locale, 'list.row.noDeadline'),
        deadlineColor: !row.next ? 'Default' : row.next.passed ? 'Attention' : row.next.daysLeft <= 2 ? 'Warning' : 'Default',
        open: { title: t(locale, 'list.button.open'), command: `${COMMAND_WORDS.claim} ${row.id}` },
      })),
      filter: view.filter
        ? filterForm(view.filter, view.list ?? 'mine', locale)
        : { show: false, inputs: [], apply: '', export: '', command: '', exportCommand: '' },
      pager: view.pager,
    };
  }

  /** One claim as the viewer may see it, with the steps they may take now. */
  async status(claim: Claim, viewer: Viewer, locale: Locale): Promise<AdaptiveCardJson> {
    const organisation = await this.services.rosters.organisation(claim.orgId);
    const ctx = this.services.claimService.timeContext();
    const deadlines = this.queries.deadlinesOf(claim);
    const partner = viewer.kind === 'partner' ? viewer.actor : undefined;
    const steps = partner ? partnerSteps(claim, partner, ctx) : undefined;
    // Everything the card shows that is not in the claim as just read (its ETag): who looks, in which
    // language, on which business day, the deadlines' state and the steps open to the viewer now. Who
    // looks is what the card can differ by (a partner's role and organisation, with the steps open to
    // them; or a reviewer), not the person: the partner users of one role share a card.
    const etag = etagOf(claim);
    const key =
      etag &&
      JSON.stringify([
        claim.id,
        etag,
        locale,
        viewer.kind === 'partner' ? [viewer.actor.role, viewer.actor.orgId] : viewer.kind,
        ctx.calendar.localDateOf(ctx.now),
        deadlines,
        steps,
        organisation?.name,
      ]);
    // PoE links are signed for a limited time: a card with links is kept for a quarter of it.
    const validForMs = claim.poe.length ? (this.services.config.poeLinkTtlMinutes * 60_000) / 4 : Infinity;
    return STATUS_CARDS.render(
      'claimStatus',
      key,
      () => this.statusData(claim, viewer, locale, { organisation, ctx, deadlines, partner, steps }),
      ctx.now.getTime(),
      validForMs,
    );
  }

  private async statusData(
    claim: Claim,
    viewer: Viewer,
    locale: Locale,
    {
      organisation,
      deadlines,
      partner,
      steps,
    }: {
      organisation: { name: string } | undefined;
      ctx: TimeContext;
      deadlines: RunningDeadline[];
      partner: Extract<Actor, { kind: 'partner' }> | undefined;
      steps: PartnerSteps | undefined;
    },
  ): Promise<ClaimStatusData> {
    const f = claim.fields;
    const at = (iso: string) => formatInstant(this.services, iso, locale);
    const facts: { title: string; value: string }[] = [
      { title: t(locale, 'claimCard.fact.status'), value: t(locale, `status.${claim.status}`) },
      {
        title: t(locale, 'claimCard.fact.org'),
        value: t(locale, 'claimCard.fact.orgValue', { org: organisation?.name ?? claim.orgId, mpnId: f.mpnId ?? '-' }),
      },
      // Everything the partner submitted, as the reviewers see it.
      ...submittedFacts(claim, locale),
      { title: t(locale, 'claimCard.fact.created'), value: `${at(claim.createdAt)} · ${literal(claim.createdBy.name)}` },
    ];
    if (claim.submittedAt) facts.push({ title: t(locale, 'claimCard.fact.submitted'), value: at(claim.submittedAt) });
    if (claim.reviewer) facts.push({ title: t(locale, 'claimCard.fact.reviewer'), value: literal(claim.reviewer.name) });
    if (claim.status === 'PartnerActionRequired' && claim.infoRequest) {
      facts.push({
        title: t(locale, 'claimCard.fact.infoRequest'),
        value: t(locale, 'partner.par.reasons', { actor: claim.infoRequest.by.name, reasons: claim.infoRequest.reasons.map((r) => `@infoReason.${r}`) }),
      });
    }
    if ((claim.status === 'Rejected' || claim.status === 'RejectedFinal') && claim.rejection) {
      facts.push({
        title: t(locale, 'claimCard.fact.rejection'),
        value: t(locale, `reason.${claim.rejection.reason}`) + (claim.rejection.comment ? ` · ${literal(claim.rejection.comment)}` : ''),
      });
    }
    if (claim.dispute) {
      const key =
        claim.dispute.outcome === 'upheld'
          ? 'claimCard.dispute.upheld'
          : claim.dispute.outcome === 'failed'
            ? 'claimCard.dispute.failed'
            : 'claimCard.dispute.open';
      facts.push({ title: t(locale, 'claimCard.fact.dispute'), value: t(locale, key, { date: at(claim.dispute.openedAt) }) });
    }
    const main = claim.history.filter((e) => e.outcome === 'applied' && (e.fromStatus !== e.toStatus || TIMELINE_ACTIONS.includes(e.action)));
    const shown = main.slice(-TIMELINE_EVENTS);
    return {
      claimId: claim.id,
      orgId: claim.orgId,
      title: claimLabel(locale, { id: claim.id, claimName: f.claimName }).text,
      subtitle: subtitleOf(claim, locale),
      notice: partner ? this.partnerNotice(claim, deadlines[0], locale) : '',
      facts,
      deadlines: deadlines.map((d) => ({ title: t(locale, `review.deadline.${d.name}` as MessageKey), value: this.deadlineText(d, locale) })),
      noDeadlines: claim.approval?.sentForEligibilityAt ? t(locale, 'partner.next.eligibility') : t(locale, 'claimCard.noDeadlines'),
      poe: claim.poe.length ? await poeLinkLines(this.services, claim.poe, locale) : [t(locale, 'review.noPoe')],
      comments: commentLines(this.services, claim, locale),
      commentsMore:
        claim.comments.length > COMMENTS_ON_A_CARD ? t(locale, 'claimCard.commentsMore', { count: claim.comments.length - COMMENTS_ON_A_CARD }) : '',
      timeline: shown.map((e) => this.timelineLine(e, locale)),
      timelineMore: main.length > shown.length ? t(locale, 'claimCard.timelineMore', { count: main.length - shown.length }) : '',
      historyCommand: `${COMMAND_WORDS.history} ${claim.id}`,
      can: {
        reply: Boolean(steps?.reply) && claim.status !== 'Editing',
        edit: Boolean(steps?.edit),
        resubmit: Boolean(steps?.resubmit),
        dispute: Boolean(steps?.dispute),
        newClaimFrom: Boolean(steps?.newClaimFrom),
        withdraw: Boolean(steps?.withdraw),
        continueDraft: claim.status === 'Editing' && Boolean(partner && CLAIMING_PARTNER_ROLES.includes(partner.role)),
        review: viewer.kind === 'reviewer',
      },
      labels: {
        deadlines: t(locale, 'claimCard.label.deadlines'),
        poe: t(locale, 'review.label.poe'),
        comments: t(locale, 'review.label.comments'),
        timeline: t(locale, 'claimCard.label.timeline'),
        ...partnerStepLabels(locale),
        continueDraft: t(locale, 'claimCard.label.continueDraft'),
        review: t(locale, 'claimCard.label.review'),
        history: t(locale, 'claimCard.label.history'),
      },
    };
  }

  /** What the partner should know first: the next step, and for an approved claim what approval means. */
  private partnerNotice(claim: Claim, next: Parameters<typeof nextStepLine>[2], locale: Locale): string {
    const lines = [nextStepLine(this.services, claim, next, locale)];
    if (claim.status === 'Approved') lines.push(approvalMeaning(this.services.config.incentiveGuideUrl, locale));
    return lines.filter(Boolean).join('\n\n');
  }

  private timelineLine(e: ClaimHistoryEvent, locale: Locale): string {
    // The past-tense sentence (dated when a deadline the bot applied ended), then where it left the claim.
    return t(locale, 'claimCard.timelineLine', { event: markdown(render(locale, eventSentence(this.services, e))), status: `@status.${e.toStatus}` });
  }

  private async organisationNames(orgIds: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(orgIds)];
    const names = await Promise.all(unique.map(async (id) => [id, (await this.services.rosters.organisation(id))?.name ?? id] as const));
    return new Map(names);
  }
}

/**
 * The list card's filter form: every filter with the value in force, so Filter keeps what is not
 * changed; Export sends the same inputs, so the file holds what the form shows.
 */
function filterForm(filter: ListFilter, list: 'mine' | 'queue', locale: Locale): ClaimListData['filter'] {
  const values = filterFields(filter);
  const choice = (id: keyof typeof values, label: MessageKey, all: MessageKey | undefined, options: { title: string; value: string }[]) => ({
    kind: 'choice' as const,
    id,
    label: t(locale, label),
    value: values[id] ?? '',
    placeholder: '',
    choices: [...(all ? [{ title: t(locale, all), value: 'all' }] : []), ...options],
  });
  const text = (id: keyof typeof values, label: MessageKey, placeholder: string) => ({
    kind: 'text' as const,
    id,
    label: t(locale, label),
    value: values[id] ?? '',
    placeholder,
    choices: [],
  });
  const date = (id: keyof typeof values, label: MessageKey) => ({
    kind: 'date' as const,
    id,
    label: t(locale, label),
    value: values[id] ?? '',
    placeholder: '',
    choices: [],
  });
  return {
    show: true,
    inputs: [
      choice(
        'filterStatus',
        'list.form.status',
        'list.form.allStatuses',
        CLAIM_STATUSES.map((s) => ({ title: t(locale, `status.${s}`), value: s })),
      ),
      choice(
        'filterArea',
        'list.form.area',
        'list.form.allAreas',
        SOLUTION_AREAS.map((a) => ({ title: t(locale, `area.${a}`), value: a })),
      ),
      choice(
        'filterActivity',
        'list.form.activity',
        'list.form.allActivities',
        ACTIVITIES.map((a) => ({ title: t(locale, `activity.${a}` as MessageKey), value: a })),
      ),
      choice(
        'filterProduct',
        'list.form.product',
        'list.form.allProducts',
        SOLUTION_AREAS.flatMap((a) => productCatalogue.products(a).map((p) => ({ title: literal(p.name), value: p.id }))),
      ),
      text('filterMpn', 'list.form.mpn', '4412345'),
      text('filterCustomer', 'list.form.text', t(locale, 'list.form.placeholder')),
      date('filterCreatedFrom', 'list.form.createdFrom'),
      date('filterCreatedTo', 'list.form.createdTo'),
      date('filterUpdatedFrom', 'list.form.updatedFrom'),
      date('filterUpdatedTo', 'list.form.updatedTo'),
      choice('filterSort', 'list.form.sort', undefined, [
        { title: t(locale, 'sort.default'), value: 'default' },
        ...SORT_KEYS.flatMap((key) =>
          (['asc', 'desc'] as const).map((direction) => ({ title: t(locale, `sort.${key}.${direction}`), value: sortWords({ key, direction }) })),
        ),
      ]),
    ],
    apply: t(locale, 'list.form.apply'),
    export: t(locale, 'list.button.export'),
    command: list === 'queue' ? 'queue' : COMMAND_WORDS.myClaims,
    exportCommand: list === 'queue' ? 'export queue' : COMMAND_WORDS.export,
  };
}
