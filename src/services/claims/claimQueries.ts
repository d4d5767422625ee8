import type { Claim } from '../../domain/claim';
import { runningDeadlines, type RunningDeadline, type TimeContext } from '../../domain/deadlinePolicy';
import {
  ClaimListings,
  type ClaimListRow,
  type ExportRow,
  type ListingFilter,
  type ListingOrder,
  type ListingPage,
  type ListingScope,
  type PageRequest,
} from '../../storage/claimListings';
import { MAX_FILTER_TEXT, type ListFilter } from '../../domain/claimListFilter';
import type { ClaimStore } from '../../storage/claimStore';
import type { CosmosDatabase } from '../../storage/cosmosDatabase';
import type { ClaimService } from './claimService';
import type { Identity } from '../roster/identity';

/**
 * What people may ask about claims: a partner organisation's claims, one claim, what waits for them.
 * Visibility is decided here, from the identity the rosters gave, never from what a card carried: a
 * partner user sees their organisation's claims only (and a claim of another organisation is simply
 * not found), a reviewer sees every claim. A partner's questions stay in their organisation's partition.
 */

/** Someone the rosters know: the only people who may see claims. */
export type Viewer = Exclude<Identity, { kind: 'unknown' }>;

/** A list row with its nearest running deadline and the days left to it. */
export interface ClaimRow extends ClaimListRow {
  next?: RunningDeadline;
}

export interface ClaimRowPage {
  rows: ClaimRow[];
  continuation?: string;
}

/** What a list may be filtered and sorted by (src/domain/claimListFilter.ts). */
export type ClaimFilter = ListFilter;

/** Which list: everything the viewer may see, or what waits for them (a partner's answers, the reviewers' queue). */
export type ListKind = 'all' | 'needsAction';

/** The most rows an export holds: a weekly meeting's spreadsheet, and a bound on one turn's reads. */
export const MAX_EXPORT_ROWS = 5000;

/** Claim ids as the claim service makes them: "CL-" and eight Crockford base32 characters. */
export const CLAIM_ID_PATTERN = /^CL-[0-9A-Z]{8}$/i;
export { MAX_FILTER_TEXT };

export interface ClaimQueriesDeps {
  claims: ClaimStore;
  listings: ClaimListings;
  timeContext: () => TimeContext;
}

export class ClaimQueries {
  constructor(private readonly deps: ClaimQueriesDeps) {}

  static fromServices(services: { claims: ClaimStore; cosmos: CosmosDatabase; claimService: Pick<ClaimService, 'timeContext'> }): ClaimQueries {
    return new ClaimQueries({
      claims: services.claims,
      listings: new ClaimListings(services.cosmos.containers.claims),
      timeContext: () => services.claimService.timeContext(),
    });
  }

  /** A claim the viewer may see, by id; undefined when there is none they may see (whether or not it exists). */
  async claim(viewer: Viewer, claimId: string): Promise<Claim | undefined> {
    if (!CLAIM_ID_PATTERN.test(claimId)) return undefined;
    const id = claimId.toUpperCase();
    // A partner's claim is in their organisation's partition: a point read, which can't reach another organisation.
    const stored = viewer.kind === 'partner' ? await this.deps.claims.get(viewer.actor.orgId, id) : await this.deps.claims.findById(id);
    return stored?.claim;
  }

  /** Claims newest first (or as the filter sorts them): a partner's organisation's, or for a reviewer every organisation's. */
  async list(viewer: Viewer, filter: ClaimFilter, page: PageRequest): Promise<ClaimRowPage> {
    const { scope, listing, order } = this.listingOf(viewer, 'all', filter);
    return this.withDeadlines(await this.deps.listings.list(scope, listing, order, page));
  }

  /**
   * What waits for this person, nearest deadline first (or as the filter sorts them). A partner: their
   * organisation's claims in Partner action required, and rejected claims they can still dispute. A
   * reviewer: submitted claims and claims under review (disputes included), by their SLA.
   */
  async needsAction(viewer: Viewer, page: PageRequest, filter: ClaimFilter = {}): Promise<ClaimRowPage> {
    const { scope, listing, order } = this.listingOf(viewer, 'needsAction', filter);
    return this.withDeadlines(await this.deps.listings.list(scope, listing, order, page));
  }

  /**
   * Every claim of a list for an export, in the list's order, up to MAX_EXPORT_ROWS; `truncated` when
   * more matched. Visibility is the lists': a partner's organisation only, whatever the filter says.
   */
  async exportRows(viewer: Viewer, kind: ListKind, filter: ClaimFilter): Promise<{ rows: ExportRow[]; truncated: boolean }> {
    const { scope, listing, order } = this.listingOf(viewer, kind, filter);
    const rows: ExportRow[] = [];
    let continuation: string | undefined;
    do {
      const page = await this.deps.listings.exportPage(scope, listing, order, {
        pageSize: Math.min(500, MAX_EXPORT_ROWS + 1 - rows.length),
        ...(continuation ? { continuation } : {}),
      });
      rows.push(...page.rows);
      continuation = page.continuation;
    } while (continuation && rows.length <= MAX_EXPORT_ROWS);
    return { rows: rows.slice(0, MAX_EXPORT_ROWS), truncated: rows.length > MAX_EXPORT_ROWS || Boolean(continuation) };
  }

  /**
   * The store's question for a list: the viewer's organisation for a partner (never from the filter),
   * the filter's local dates as instants of the business time zone, and the order.
   */
  private listingOf(viewer: Viewer, kind: ListKind, filter: ClaimFilter): { scope: ListingScope; listing: ListingFilter; order: ListingOrder } {
    const ctx = this.deps.timeContext();
    const start = (date: string | undefined) => (date ? ctx.calendar.startOfLocalDate(date).toISOString() : undefined);
    const after = (date: string | undefined) => (date ? ctx.calendar.startOfLocalDate(nextDay(date)).toISOString() : undefined);
    const text = filter.text?.trim().toLowerCase().slice(0, MAX_FILTER_TEXT) || undefined;
    const listing: ListingFilter = Object.fromEntries(
      Object.entries({
        orgId: viewer.kind === 'partner' ? viewer.actor.orgId : undefined,
        status: filter.status,
        solutionArea: filter.solutionArea,
        activity: filter.activity,
        mpnId: filter.mpnId,
        product: filter.product,
        text,
        createdFrom: start(filter.createdFrom),
        createdBefore: after(filter.createdTo),
        updatedFrom: start(filter.updatedFrom),
        updatedBefore: after(filter.updatedTo),
      }).filter(([, v]) => v !== undefined),
    );
    const scope: ListingScope =
      kind === 'all' ? { kind: 'all' } : viewer.kind === 'partner' ? { kind: 'partnerQueue', now: ctx.now.toISOString() } : { kind: 'reviewQueue' };
    const order: ListingOrder =
      filter.sort ??
      (kind === 'all'
        ? { key: 'created', direction: 'desc' }
        : viewer.kind === 'partner'
          ? { key: 'deadline', direction: 'asc' }
          : { key: 'queue', direction: 'asc' });
    return { scope, listing, order };
  }

  /** Every running deadline of a claim with the days left, nearest first. */
  deadlinesOf(claim: Pick<Claim, 'deadlines'>): RunningDeadline[] {
    return runningDeadlines(this.deps.timeContext(), claim.deadlines);
  }

  private withDeadlines(page: ListingPage): ClaimRowPage {
    const ctx = this.deps.timeContext();
    return {
      rows: page.rows.map((row) => {
        const next = runningDeadlines(ctx, row.deadlines)[0];
        return next ? { ...row, next } : row;
      }),
      ...(page.continuation ? { continuation: page.continuation } : {}),
    };
  }
}

/** The calendar day after a YYYY-MM-DD date. */
function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
