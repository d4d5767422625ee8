import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { AdaptiveCardJson } from '../../cards/cardTemplates';
import type { Claim } from '../../src/domain/claim';
import { resolveLocale, type Locale } from '../../src/i18n/locales';
import { t } from '../../src/i18n/teamsMarkdown';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/services';
import { CLAIM_ID_PATTERN, ClaimQueries, type ClaimRowPage, type Viewer } from '../../src/services/claims/claimQueries';
import type { Identity } from '../../src/services/roster/identity';
import { ReviewCardView } from '../reviews/reviewCardView';
import { COMMAND_WORDS, commandData, commandWords, QUERY_COMMANDS, type ChatCommand, type ListPaging } from './chatCommands';
import { ClaimCards, type PagerButton } from './claimCards';
import { filterFields, isFiltered, type ListFilter } from '../../src/domain/claimListFilter';
import { productCatalogue } from '../../src/domain/productCatalogue';

/**
 * Answers the query commands (my claims, claim, history, what needs my action, and free text that
 * names a claim) from the core's queries, as cards. Who sees what is the core's decision (a partner's
 * organisation, or every claim for a reviewer); this layer adds one rule of its own: a partner's claims
 * are shown in their 1:1 chat only, never to the other people of a channel or group chat.
 */

/** Claims on one page of a list card. */
export const LIST_PAGE_SIZE = 10;
/** The continuation tokens a card carries to page back; beyond this the card would grow too big. */
const MAX_STARTS_CHARS = 24_000;
/** Free text shorter than this is not looked for (a letter or two would match most claims). */
const MIN_FIND_TEXT = 2;

export class ChatCommandHandler {
  readonly queries: ClaimQueries;
  private readonly cards: ClaimCards;
  private readonly historyView: ReviewCardView;

  constructor(
    private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'claims' | 'clock' | 'config' | 'cosmos' | 'poe' | 'precheck' | 'rosters'>,
    private readonly log: Logger,
  ) {
    this.queries = ClaimQueries.fromServices(services);
    this.cards = new ClaimCards(services, this.queries);
    this.historyView = new ReviewCardView(services);
  }

  /** True when the command is a query this handler answered; false leaves the turn to the caller. */
  async answer(context: TurnContext, command: ChatCommand, identity: Identity): Promise<boolean> {
    if (!QUERY_COMMANDS.includes(command.kind)) return false;
    const locale = resolveLocale(context.activity.locale);
    const quiet = command.kind === 'find' && !command.explicit; // free text: only answered when it names a claim
    if (identity.kind === 'unknown') {
      if (quiet) return false;
      await context.sendActivity(t(locale, 'help.youAre.unknown'));
      return true;
    }
    const personal = (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
    if (identity.kind === 'partner' && !personal) {
      if (quiet) return false;
      const words = commandWords(
        locale,
        command.kind === 'needsAction' ? 'needsAction' : command.kind === 'history' ? 'history' : command.kind === 'export' ? 'export' : 'myClaims',
      );
      await context.sendActivity(t(locale, 'list.personalOnly', { command: words }));
      return true;
    }
    const reply = new Reply(context, locale);
    switch (command.kind) {
      case 'claim':
        await reply.text(t(locale, 'claim.usageFind'));
        return true;
      case 'myClaims':
        if (identity.kind === 'reviewer' && !command.refined) {
          // A reviewer has no claims of their own: the queue is what "mine" means to them.
          await reply.text(t(locale, 'list.reviewerMyClaims'));
          await this.needsAction(reply, identity, { page: 1, starts: [] });
          return true;
        }
        await this.myClaims(reply, identity, command.filter, command.paging);
        return true;
      case 'needsAction':
        await this.needsAction(reply, identity, command.paging, command.filter);
        return true;
      case 'history':
        await this.history(reply, identity, command);
        return true;
      case 'find':
        return this.find(reply, identity, command.text, command.explicit);
      default:
        return false;
    }
  }

  /**
   * One short card for a channel just made the reviewers' conversation: the claims that wait for a
   * reviewer (submitted, review not started), nearest deadline first, each with an Open button; the
   * cards of claims already in review are not posted again. Undefined when none is waiting.
   */
  async waitingForReviewerDigest(viewer: Viewer, locale: Locale): Promise<AdaptiveCardJson | undefined> {
    const { rows } = await this.queries.needsAction(viewer, { pageSize: LIST_PAGE_SIZE });
    const waiting = rows.filter((r) => r.status === 'Submitted');
    if (!waiting.length) return undefined;
    return this.cards.list(
      {
        title: t(locale, 'review.digest.title', { count: waiting.length }),
        subtitle: t(locale, 'review.digest.subtitle'),
        lines: [],
        empty: '',
        rows: waiting,
        pager: [],
      },
      viewer,
      locale,
    );
  }

  private async myClaims(reply: Reply, viewer: Viewer, filter: ListFilter, paging: ListPaging): Promise<void> {
    const { locale } = reply;
    const { page, result, lines } = await this.fetchPage(
      paging,
      (continuation) => this.queries.list(viewer, filter, { pageSize: LIST_PAGE_SIZE, ...(continuation ? { continuation } : {}) }),
      locale,
    );
    lines.push(...filterLines(filter, locale));
    const base = commandData(COMMAND_WORDS.myClaims, filterFields(filter));
    await reply.card(
      await this.cards.list(
        {
          title: viewer.kind === 'partner' ? t(locale, 'list.title.mine', { org: viewer.organisation.name }) : t(locale, 'list.title.all'),
          subtitle: filter.sort
            ? t(locale, 'list.subtitle.sorted', { page, sort: `@sort.${filter.sort.key}.${filter.sort.direction}` })
            : t(locale, 'list.subtitle.newest', { page }),
          lines,
          empty: isFiltered(filter) ? t(locale, 'list.empty.filtered') : t(locale, viewer.kind === 'partner' ? 'list.empty.mine' : 'list.empty.all'),
          rows: result.rows,
          pager: this.pager(base, page, paging.starts, result, lines, locale),
          filter,
          list: 'mine',
        },
        viewer,
        locale,
      ),
    );
  }

  private async needsAction(reply: Reply, viewer: Viewer, paging: ListPaging, filter: ListFilter = {}): Promise<void> {
    const { locale } = reply;
    const { page, result, lines } = await this.fetchPage(
      paging,
      (continuation) => this.queries.needsAction(viewer, { pageSize: LIST_PAGE_SIZE, ...(continuation ? { continuation } : {}) }, filter),
      locale,
    );
    lines.push(...filterLines(filter, locale));
    const partner = viewer.kind === 'partner';
    await reply.card(
      await this.cards.list(
        {
          title: t(locale, partner ? 'list.title.needsPartner' : 'list.title.queue'),
          subtitle: filter.sort
            ? t(locale, 'list.subtitle.sorted', { page, sort: `@sort.${filter.sort.key}.${filter.sort.direction}` })
            : t(locale, 'list.subtitle.nearest', { page }),
          lines,
          empty: isFiltered(filter) ? t(locale, 'list.empty.filtered') : t(locale, partner ? 'list.empty.needsPartner' : 'list.empty.queue'),
          rows: result.rows,
          pager: this.pager(commandData(COMMAND_WORDS.needsAction, filterFields(filter)), page, paging.starts, result, lines, locale),
          // The reviewers' queue has the same filters (what waits for a partner is a short list: no form).
          ...(partner ? {} : { filter, list: 'queue' as const }),
        },
        viewer,
        locale,
      ),
    );
  }

  /**
   * Reads the page a button asked for. A continuation token the store no longer takes (or one that was
   * tampered with) is not an error for the person: they get the first page, and are told.
   */
  private async fetchPage(
    paging: ListPaging,
    read: (continuation?: string) => Promise<ClaimRowPage>,
    locale: Locale,
  ): Promise<{ page: number; result: ClaimRowPage; lines: string[] }> {
    if (paging.page > 1) {
      try {
        return { page: paging.page, result: await read(paging.starts[paging.page - 2]), lines: [] };
      } catch (error) {
        this.log.warn(`A list page could not be read from its continuation token; showing the first page (${(error as Error).message})`);
        return { page: 1, result: await read(), lines: [t(locale, 'list.pageGone')] };
      }
    }
    return { page: 1, result: await read(), lines: [] };
  }

  /** Previous and Next, each carrying the filter and the tokens that start the pages before it. */
  private pager(base: Record<string, unknown>, page: number, starts: string[], result: ClaimRowPage, lines: string[], locale: Locale): PagerButton[] {
    const known = page === 1 ? [] : starts.slice(0, page - 1);
    const buttons: PagerButton[] = [];
    if (page > 1) buttons.push({ title: t(locale, 'list.button.previous'), data: { ...base, page: page - 1, starts: known.slice(0, page - 2) } });
    if (result.continuation) {
      const next = [...known, result.continuation];
      if (JSON.stringify(next).length <= MAX_STARTS_CHARS)
        buttons.push({ title: t(locale, 'list.button.next'), data: { ...base, page: page + 1, starts: next } });
      else lines.push(t(locale, 'list.narrowDown'));
    }
    return buttons;
  }

  private async history(reply: Reply, viewer: Viewer, command: Extract<ChatCommand, { kind: 'history' }>): Promise<void> {
    const { locale } = reply;
    if (command.claimId) {
      const claim = await this.queries.claim(viewer, command.claimId);
      if (!claim) await reply.text(this.notFound(viewer, command.claimId, locale));
      else await reply.card(this.historyView.history(claim, locale, false, command.page));
      return;
    }
    if (!command.query) {
      await reply.text(t(locale, 'claim.usage', { command: commandWords(locale, 'history') }));
      return;
    }
    // "history contoso": the history of the one claim that matches; several are listed to choose from.
    const found = await this.lookFor(viewer, command.query);
    if (found.kind === 'one') await reply.card(this.historyView.history(found.claim, locale, false, 1));
    else if (found.kind === 'several') await this.myClaims(reply, viewer, { text: command.query }, { page: 1, starts: [] });
    else await reply.text(this.noneFound(viewer, command.query, locale));
  }

  /** Free text or "claim …": one claim → its status card, several → the list, none → say so. */
  private async find(reply: Reply, viewer: Viewer, text: string, explicit: boolean): Promise<boolean> {
    const { locale } = reply;
    if (CLAIM_ID_PATTERN.test(text)) {
      const claim = await this.queries.claim(viewer, text);
      if (claim) await reply.card(await this.cards.status(claim, viewer, locale));
      else await reply.text(this.notFound(viewer, text.toUpperCase(), locale));
      return true;
    }
    if (text.trim().length < MIN_FIND_TEXT) {
      if (!explicit) return false;
      await reply.text(t(locale, 'claim.usageFind'));
      return true;
    }
    const found = await this.lookFor(viewer, text);
    if (found.kind === 'one') await reply.card(await this.cards.status(found.claim, viewer, locale));
    else if (found.kind === 'several') await this.myClaims(reply, viewer, { text }, { page: 1, starts: [] });
    else if (explicit) await reply.text(this.noneFound(viewer, text, locale));
    else return false; // words that name no claim: the caller's "I didn't understand"
    return true;
  }

  private async lookFor(viewer: Viewer, text: string): Promise<{ kind: 'none' } | { kind: 'one'; claim: Claim } | { kind: 'several' }> {
    const first = await this.queries.list(viewer, { text }, { pageSize: 2 });
    if (!first.rows.length) return { kind: 'none' };
    if (first.rows.length > 1 || first.continuation) return { kind: 'several' };
    const claim = await this.queries.claim(viewer, first.rows[0].id);
    return claim ? { kind: 'one', claim } : { kind: 'none' };
  }

  /** Never says whether a claim exists elsewhere: to a partner, another organisation's claim is simply not theirs to find. */
  private notFound(viewer: Viewer, claimId: string, locale: Locale): string {
    return viewer.kind === 'partner' ? t(locale, 'claim.notYours', { claimId }) : t(locale, 'refusal.claimNotFound', { claimId });
  }

  private noneFound(viewer: Viewer, text: string, locale: Locale): string {
    return t(locale, viewer.kind === 'partner' ? 'find.none.partner' : 'find.none.reviewer', { text });
  }
}

/** The answers of one turn, in the person's language. */
class Reply {
  constructor(
    private readonly context: TurnContext,
    readonly locale: Locale,
  ) {}

  async text(text: string): Promise<void> {
    await this.context.sendActivity(text);
  }

  async card(card: AdaptiveCardJson): Promise<void> {
    await this.context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }
}

/** The filter in force, one line per field, above a list. */
function filterLines(filter: ListFilter, locale: Locale): string[] {
  const lines: string[] = [];
  if (filter.status) lines.push(t(locale, 'list.filter.status', { status: `@status.${filter.status}` }));
  if (filter.solutionArea) lines.push(t(locale, 'list.filter.area', { area: `@area.${filter.solutionArea}` }));
  if (filter.activity) lines.push(t(locale, 'list.filter.activity', { activity: `@activity.${filter.activity}` }));
  if (filter.mpnId) lines.push(t(locale, 'list.filter.mpn', { mpnId: filter.mpnId }));
  if (filter.product) lines.push(t(locale, 'list.filter.product', { product: productCatalogue.find(filter.product)?.name ?? filter.product }));
  if (filter.text) lines.push(t(locale, 'list.filter.text', { text: filter.text }));
  if (filter.createdFrom || filter.createdTo) lines.push(t(locale, 'list.filter.created', { from: filter.createdFrom ?? '…', to: filter.createdTo ?? '…' }));
  if (filter.updatedFrom || filter.updatedTo) lines.push(t(locale, 'list.filter.updated', { from: filter.updatedFrom ?? '…', to: filter.updatedTo ?? '…' }));
  return lines;
}
