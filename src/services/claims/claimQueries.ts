import type { Claim } from '../../domain/claim';
import type { ClaimStatus } from '../../domain/claimStatus';
import { runningDeadlines, type RunningDeadline, type TimeContext } from '../../domain/deadlinePolicy';
import { ClaimListings, type ClaimListRow, type ListingPage, type PageRequest } from '../../storage/claimListings';
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

export interface ClaimFilter {
  status?: ClaimStatus;
  /** Part of the customer domain, the claim name, the claim id or the customer's tenant ID, any case. */
  text?: string;
}

/** Claim ids as the claim service makes them: "CL-" and eight Crockford base32 characters. */
export const CLAIM_ID_PATTERN = /^CL-[0-9A-Z]{8}$/i;
/** The longest text filter taken: longer is no customer domain or claim name. */
export const MAX_FILTER_TEXT = 100;

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

  /** Claims newest first: a partner's organisation's, or for a reviewer every organisation's. */
  async list(viewer: Viewer, filter: ClaimFilter, page: PageRequest): Promise<ClaimRowPage> {
    const text = filter.text?.trim().toLowerCase().slice(0, MAX_FILTER_TEXT) || undefined;
    return this.withDeadlines(
      await this.deps.listings.newestFirst(
        { ...(viewer.kind === 'partner' ? { orgId: viewer.actor.orgId } : {}), ...(filter.status ? { status: filter.status } : {}), ...(text ? { text } : {}) },
        page,
      ),
    );
  }

  /**
   * What waits for this person, nearest deadline first. A partner: their organisation's claims in
   * Partner action required, and rejected claims they can still dispute. A reviewer: submitted claims
   * and claims under review (disputes included), by their SLA.
   */
  async needsAction(viewer: Viewer, page: PageRequest): Promise<ClaimRowPage> {
    const listed = viewer.kind === 'partner'
      ? await this.deps.listings.partnerActionQueue(viewer.actor.orgId, this.deps.timeContext().now, page)
      : await this.deps.listings.reviewQueue(page);
    return this.withDeadlines(listed);
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
