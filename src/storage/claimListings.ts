import type { Container, FeedOptions, SqlParameter, SqlQuerySpec } from '@azure/cosmos';
import type { Claim, ClaimDeadlines } from '../domain/claim';
import { CLAIM_STATUSES, type ClaimStatus } from '../domain/claimStatus';
import { queryInPartition } from './partitionQuery';

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
  updatedAt: string;
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

/** Which claims a list starts from, before the person's filters. */
export type ListingScope =
  /** Every claim (of one organisation when `orgId` is given). */
  | { kind: 'all' }
  /** What waits for a partner organisation at `now`: Partner action required, and rejections still open to dispute. */
  | { kind: 'partnerQueue'; now: string }
  /** The reviewers' queue: submitted claims and claims under review. */
  | { kind: 'reviewQueue' };

export interface ListingFilter {
  /** One organisation's partition; undefined searches every organisation (reviewers only). */
  orgId?: string;
  status?: ClaimStatus;
  solutionArea?: string;
  activity?: string;
  mpnId?: string;
  product?: string;
  /** Lower-case text found in the customer domain, the claim name, the claim id or the customer's tenant ID. */
  text?: string;
  /** ISO instants: created (updated) at or after `…From`, before `…Before`. */
  createdFrom?: string;
  createdBefore?: string;
  updatedFrom?: string;
  updatedBefore?: string;
}

/** How a list is ordered: a claim field's order, or the reviewers' queue's (decision target). */
export type ListingOrder = { key: 'deadline' | 'created' | 'updated' | 'status'; direction: 'asc' | 'desc' } | { key: 'queue'; direction: 'asc' };

/** A claim with what an export shows: everything but history, comments, PoE files and the outbox. */
export type ExportRow = Pick<Claim, 'id' | 'orgId' | 'status' | 'fields' | 'createdAt' | 'updatedAt' | 'submittedAt' | 'deadlines' | 'nextDueAt'> & {
  createdByName?: string;
  reviewerName?: string;
  disputed: boolean;
};

const ROW =
  'c.id, c.orgId, c.status, c.createdAt, c.updatedAt, c.nextDueAt, c.deadlines, c.fields.claimName AS claimName, c.fields.customerDomain AS customerDomain, IS_DEFINED(c.dispute) AS disputed';
const EXPORT_ROW =
  'c.id, c.orgId, c.status, c.fields, c.createdAt, c.updatedAt, c.submittedAt, c.deadlines, c.nextDueAt, c.createdBy.name AS createdByName, c.reviewer.name AS reviewerName, IS_DEFINED(c.dispute) AS disputed';

/**
 * One part of an ordered list: the embedded server (and Cosmos DB without composite indexes) orders by
 * one field, so an order that needs more (deadline: claims with a running deadline first, then the rest
 * newest first; status: the lifecycle's order, newest first within a status) is read as consecutive
 * parts, each paged by the store's own continuation tokens.
 */
interface Segment {
  where: string;
  orderBy: string;
}

function segmentsOf(order: ListingOrder, status: ClaimStatus | undefined): Segment[] {
  const dir = order.direction.toUpperCase();
  switch (order.key) {
    case 'queue':
      return [{ where: '', orderBy: 'c.reviewQueueDueAt ASC' }];
    case 'created':
      return [{ where: '', orderBy: `c.createdAt ${dir}` }];
    case 'updated':
      return [{ where: '', orderBy: `c.updatedAt ${dir}` }];
    case 'deadline':
      return [
        { where: 'IS_STRING(c.nextDueAt)', orderBy: `c.nextDueAt ${dir}` },
        { where: 'NOT IS_STRING(c.nextDueAt)', orderBy: 'c.createdAt DESC' },
      ];
    case 'status': {
      const statuses = (order.direction === 'asc' ? [...CLAIM_STATUSES] : [...CLAIM_STATUSES].reverse()).filter((s) => !status || s === status);
      // Status names are fixed words of the code, never input: safe to write into the query.
      return statuses.map((s) => ({ where: `c.status = '${s}'`, orderBy: 'c.createdAt DESC' }));
    }
  }
}

/** Our continuation: the part a page goes on in and the store's token within it ("1|{…}"). */
function readContinuation(continuation: string | undefined): { segment: number; token?: string } {
  if (!continuation) return { segment: 0 };
  const m = /^(\d{1,2})\|(.*)$/s.exec(continuation);
  if (!m) throw new Error('Not a continuation of this list');
  return { segment: Number(m[1]), ...(m[2] ? { token: m[2] } : {}) };
}

export class ClaimListings {
  constructor(private readonly container: Container) {}

  /** Claims newest first, filtered by organisation, status and text. */
  async newestFirst(filter: ListingFilter, page: PageRequest): Promise<ListingPage> {
    return this.list({ kind: 'all' }, filter, { key: 'created', direction: 'desc' }, page);
  }

  /** A page of a list: the scope's claims that pass every filter, in the order asked for. */
  async list(scope: ListingScope, filter: ListingFilter, order: ListingOrder, page: PageRequest): Promise<ListingPage> {
    return this.read<ClaimListRow>(ROW, scope, filter, order, page, (r) => ({
      ...r,
      disputed: r.disputed === true,
      deadlines: r.deadlines ?? {},
      nextDueAt: r.nextDueAt ?? null,
    }));
  }

  /** The same, with every field an export shows. */
  async exportPage(scope: ListingScope, filter: ListingFilter, order: ListingOrder, page: PageRequest): Promise<{ rows: ExportRow[]; continuation?: string }> {
    return this.read<ExportRow>(EXPORT_ROW, scope, filter, order, page, (r) => ({
      ...r,
      disputed: r.disputed === true,
      deadlines: r.deadlines ?? {},
      nextDueAt: r.nextDueAt ?? null,
      fields: r.fields ?? {},
    }));
  }

  /**
   * What waits for a partner organisation, nearest deadline first: claims in Partner action required,
   * and rejected claims whose dispute window is still open at `now`.
   */
  async partnerActionQueue(orgId: string, now: Date, page: PageRequest): Promise<ListingPage> {
    return this.list({ kind: 'partnerQueue', now: now.toISOString() }, { orgId }, { key: 'deadline', direction: 'asc' }, page);
  }

  /**
   * The reviewers' queue across organisations, by the decision target (docs/deadlines.md: 10 days from submission,
   * without Partner action required), nearest first: submitted claims and claims under review;
   * a dispute by its answer deadline. The claim stores that instant (`reviewQueueDueAt`) for this order.
   */
  async reviewQueue(page: PageRequest): Promise<ListingPage> {
    return this.list({ kind: 'reviewQueue' }, {}, { key: 'queue', direction: 'asc' }, page);
  }

  private conditions(scope: ListingScope, filter: ListingFilter): { where: string[]; parameters: SqlParameter[] } {
    const where: string[] = [];
    const parameters: SqlParameter[] = [];
    const add = (condition: string, name: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      parameters.push({ name, value });
    };
    add('c.orgId = @orgId', '@orgId', filter.orgId);
    if (scope.kind === 'partnerQueue') {
      add(
        "(c.status = 'PartnerActionRequired' OR (c.status = 'Rejected' AND IS_STRING(c.deadlines.disputeWindowEnds) AND c.deadlines.disputeWindowEnds > @now))",
        '@now',
        scope.now,
      );
    }
    if (scope.kind === 'reviewQueue') where.push("c.status IN ('Submitted', 'UnderReview')");
    add('c.status = @status', '@status', filter.status);
    add('c.fields.solutionArea = @area', '@area', filter.solutionArea);
    add('c.fields.activity = @activity', '@activity', filter.activity);
    add('c.fields.mpnId = @mpnId', '@mpnId', filter.mpnId);
    add('ARRAY_CONTAINS(c.fields.products, @product)', '@product', filter.product);
    add(
      '(CONTAINS(LOWER(c.fields.customerDomain), @text) OR CONTAINS(LOWER(c.fields.claimName), @text) OR CONTAINS(LOWER(c.id), @text) OR CONTAINS(LOWER(c.fields.customerTenantId), @text))',
      '@text',
      filter.text?.toLowerCase(),
    );
    add('c.createdAt >= @createdFrom', '@createdFrom', filter.createdFrom);
    add('c.createdAt < @createdBefore', '@createdBefore', filter.createdBefore);
    add('c.updatedAt >= @updatedFrom', '@updatedFrom', filter.updatedFrom);
    add('c.updatedAt < @updatedBefore', '@updatedBefore', filter.updatedBefore);
    return { where, parameters };
  }

  /**
   * One page across the order's parts: each part is read until the page is full or it ends, then the
   * next part starts, so no claim is skipped or shown twice between pages (a claim whose sort field
   * changes between two pages may move, as in any list ordered by a field that changes).
   */
  private async read<T>(
    projection: string,
    scope: ListingScope,
    filter: ListingFilter,
    order: ListingOrder,
    page: PageRequest,
    shape: (row: T) => T,
  ): Promise<{ rows: T[]; continuation?: string }> {
    const { where, parameters } = this.conditions(scope, filter);
    const segments = segmentsOf(order, filter.status);
    const query = (segment: Segment, top = '') => {
      const all = [...where, ...(segment.where ? [segment.where] : [])];
      return { query: `SELECT ${top}${projection} FROM c${all.length ? ` WHERE ${all.join(' AND ')}` : ''} ORDER BY ${segment.orderBy}`, parameters };
    };
    const rows: T[] = [];
    let { segment, token } = readContinuation(page.continuation);
    while (segment < segments.length && rows.length < page.pageSize) {
      const result = await this.run<T>(query(segments[segment]), filter.orgId, page.pageSize - rows.length, token);
      rows.push(...result.rows.map(shape));
      token = result.continuation;
      if (!token) segment++;
    }
    if (token) return { rows, continuation: `${segment}|${token}` };
    // The page ended with a part: the next page starts with the next part that has anything.
    for (; segment < segments.length; segment++) {
      const probe = await this.iterator<{ id: string }>(query(segments[segment], 'TOP 1 '), filter.orgId, { maxItemCount: 1 }).fetchNext();
      if (probe.resources.length) return { rows, continuation: `${segment}|` };
    }
    return { rows };
  }

  /**
   * Up to `wanted` rows of one part from a continuation token: Cosmos DB may answer a query in smaller
   * pieces than asked (and even an empty piece with a continuation), so pieces are read until the page is
   * full or the results end, a few at most.
   */
  private async run<T>(
    spec: SqlQuerySpec,
    orgId: string | undefined,
    wanted: number,
    continuation: string | undefined,
  ): Promise<{ rows: T[]; continuation?: string }> {
    const rows: T[] = [];
    for (let piece = 0; piece < MAX_PIECES && rows.length < wanted; piece++) {
      const result = await this.iterator<T>(spec, orgId, {
        maxItemCount: wanted - rows.length,
        ...(continuation ? { continuationToken: continuation } : {}),
      }).fetchNext();
      // Never more than asked for; were a server to send more, they stay on this page rather than be skipped.
      rows.push(...result.resources);
      continuation = result.continuationToken || undefined;
      if (!continuation) break;
    }
    return { rows, ...(continuation ? { continuation } : {}) };
  }

  /** One organisation's claims are one partition, queried as such; every organisation's (reviewers) is a cross-partition query. */
  private iterator<T>(spec: SqlQuerySpec, orgId: string | undefined, options: FeedOptions) {
    return orgId !== undefined ? queryInPartition<T>(this.container, spec, { ...options, partitionKey: orgId }) : this.container.items.query<T>(spec, options);
  }
}

const MAX_PIECES = 5;
