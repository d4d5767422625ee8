import type { Container, SqlParameter } from '@azure/cosmos';
import type { ClaimDeadlines } from '../domain/claim';
import type { ClaimStatus } from '../domain/claimStatus';

/**
 * Read-only lists of claims for people: a partner organisation's claims (one partition), the claims
 * that wait for a partner's answer, and the reviewers' queue. Rows are projections (no history, no
 * comments), so a page stays small however long a claim's history grows; pages are Cosmos DB
 * continuation tokens. Everything here is SQL the embedded server runs too (no DISTINCT, OFFSET, LIKE).
 */

/** The part of a claim a list shows. */
export interface ClaimListRow {
  id: string;
  orgId: string;
  status: ClaimStatus;
  createdAt: string;
  nextDueAt: string | null;
  deadlines: ClaimDeadlines;
  claimName?: string;
  customerDomain?: string;
  /** The claim is (or was) under review as a dispute. */
  disputed: boolean;
}

export interface ListingPage {
  rows: ClaimListRow[];
  /** Where the next page starts; undefined on the last page. */
  continuation?: string;
}

export interface PageRequest {
  pageSize: number;
  continuation?: string;
}

export interface ListingFilter {
  /** One organisation's partition; undefined searches every organisation (reviewers only). */
  orgId?: string;
  status?: ClaimStatus;
  /** Lower-case text found in the customer domain, the claim name, the claim id or the customer's tenant ID. */
  text?: string;
}

const ROW =
  'c.id, c.orgId, c.status, c.createdAt, c.nextDueAt, c.deadlines, c.fields.claimName AS claimName, c.fields.customerDomain AS customerDomain, IS_DEFINED(c.dispute) AS disputed';

export class ClaimListings {
  constructor(private readonly container: Container) {}

  /** Claims newest first, filtered by organisation, status and text. */
  async newestFirst(filter: ListingFilter, page: PageRequest): Promise<ListingPage> {
    const where: string[] = [];
    const parameters: SqlParameter[] = [];
    if (filter.orgId !== undefined) {
      where.push('c.orgId = @orgId');
      parameters.push({ name: '@orgId', value: filter.orgId });
    }
    if (filter.status) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: filter.status });
    }
    if (filter.text) {
      where.push('(CONTAINS(LOWER(c.fields.customerDomain), @text) OR CONTAINS(LOWER(c.fields.claimName), @text) OR CONTAINS(LOWER(c.id), @text) OR CONTAINS(LOWER(c.fields.customerTenantId), @text))');
      parameters.push({ name: '@text', value: filter.text.toLowerCase() });
    }
    return this.run(`SELECT ${ROW} FROM c${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY c.createdAt DESC`, parameters, filter.orgId, page);
  }

  /**
   * What waits for a partner organisation, nearest deadline first: claims in Partner action required,
   * and rejected claims whose dispute window is still open at `now`.
   */
  async partnerActionQueue(orgId: string, now: Date, page: PageRequest): Promise<ListingPage> {
    return this.run(
      `SELECT ${ROW} FROM c WHERE c.orgId = @orgId AND (c.status = 'PartnerActionRequired' OR (c.status = 'Rejected' AND IS_STRING(c.deadlines.disputeWindowEnds) AND c.deadlines.disputeWindowEnds > @now)) ORDER BY c.nextDueAt ASC`,
      [{ name: '@orgId', value: orgId }, { name: '@now', value: now.toISOString() }],
      orgId,
      page,
    );
  }

  /**
   * The reviewers' queue across organisations, by the decision target (docs/deadlines.md: 10 days from submission,
   * without Partner action required), nearest first: submitted claims and claims under review;
   * a dispute by its answer deadline. The claim stores that instant (`reviewQueueDueAt`) for this order.
   */
  async reviewQueue(page: PageRequest): Promise<ListingPage> {
    return this.run(`SELECT ${ROW} FROM c WHERE c.status IN ('Submitted', 'UnderReview') ORDER BY c.reviewQueueDueAt ASC`, [], undefined, page);
  }

  /**
   * One page: Cosmos DB may answer a query in smaller pieces than asked (and even an empty piece with
   * a continuation), so pieces are read until the page is full or the results end, a few at most.
   */
  private async run(query: string, parameters: SqlParameter[], orgId: string | undefined, page: PageRequest): Promise<ListingPage> {
    const rows: ClaimListRow[] = [];
    let continuation = page.continuation;
    for (let piece = 0; piece < MAX_PIECES && rows.length < page.pageSize; piece++) {
      const iterator = this.container.items.query<ClaimListRow>(
        { query, parameters },
        { maxItemCount: page.pageSize - rows.length, ...(orgId !== undefined ? { partitionKey: orgId } : {}), ...(continuation ? { continuationToken: continuation } : {}) },
      );
      const result = await iterator.fetchNext();
      // Never more than asked for; were a server to send more, they stay on this page rather than be skipped.
      rows.push(...result.resources.map((r) => ({ ...r, disputed: r.disputed === true, deadlines: r.deadlines ?? {}, nextDueAt: r.nextDueAt ?? null })));
      continuation = result.continuationToken || undefined;
      if (!continuation) break;
    }
    return { rows, ...(continuation ? { continuation } : {}) };
  }
}

const MAX_PIECES = 5;
