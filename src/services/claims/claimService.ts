import { randomBytes } from 'node:crypto';
import type { ChecklistShown } from '../../domain/poePrecheck';
import type { Clock } from '../../clock';
import type { Actor } from '../../domain/actors';
import type { Claim } from '../../domain/claim';
import { associationKeys, describeKey, subscriptionEndsOf } from '../../domain/associationKeys';
import { directoryChecksFor } from '../../domain/customerSubscriptions';
import { programOf } from '../../domain/incentivePrograms';
import type { BusinessCalendar } from '../../domain/businessCalendar';
import type { ClaimHistoryEvent } from '../../domain/claimHistory';
import {
  createClaim,
  decide,
  refusedAttemptEvent,
  type ClaimAction,
  type DecideContext,
  type Decision,
  type LifecycleActionType,
  type Refusal,
  type RefusalCode,
} from '../../domain/claimLifecycle';
import type { DeadlinePolicy } from '../../domain/deadlinePolicy';
import type { Message } from '../../i18n/locales';
import { PENDING_LEASE_MS, type AssociationDoc, type AssociationStore } from '../../storage/associationStore';
import { etagOf, type ClaimMutation, type ClaimStore, type StoredClaim } from '../../storage/claimStore';
import type { RosterStore } from '../../storage/rosterStore';
import type { TenantClaimIndex } from '../../storage/tenantClaimIndex';
import type { CustomerChecks } from './customerDirectory';
import type { FieldError } from '../../domain/claimFields';
import { outboxEntriesFor } from '../../domain/claimNotifications';
import type { StoredTimer } from '../../storage/timerStore';
import type { DispatchIntents } from '../notifications/dispatchIntents';

/**
 * Carries out lifecycle decisions against storage: reads the claim, lets the pure state machine
 * decide, writes with the ETag, and performs the effects outside the claim document (associations).
 * The bot layer and the deadline sweeper both go through here.
 */

export type ServiceRefusal =
  | Refusal
  | { code: 'claimNotFound'; message: Message }
  | { code: 'associationConflict'; message: Message; conflicts: AssociationDoc[] }
  | { code: 'concurrentChange'; message: Message };

export type ServiceResult = { ok: true; claim: Claim; event: ClaimHistoryEvent; duplicate: boolean } | { ok: false; refusal: ServiceRefusal; claim?: Claim };

export interface ActOptions {
  /** Idempotency key (e.g. a card action's id): a repeated request returns the first result instead of acting twice. */
  actionId?: string;
  /**
   * The change is recorded as history, not news (the demo's seeded claims): no outbox entries, so no
   * one is notified of it; its deadlines and their timers are kept as for any change.
   */
  asHistory?: boolean;
  /**
   * The claim as the caller read it in this turn: the change starts from it instead of reading it again.
   * Its ETag guards the write, so a copy someone changed since costs a refused write and a fresh read, never a blind overwrite.
   */
  known?: Claim;
  /** The PoE checklist the person saw when deciding: kept in the decision's history event. */
  checklistShown?: ChecklistShown;
}

/** Refusals worth a line in the claim's history: someone acting outside their role. */
const RECORDED_REFUSALS: readonly RefusalCode[] = ['roleNotAllowed', 'partnerRoleNotAllowed', 'notYourOrganisation'];

const CLAIM_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

export function newClaimId(): string {
  const bytes = randomBytes(8);
  return `CL-${Array.from(bytes, (b) => CLAIM_ID_ALPHABET[b % 32]).join('')}`;
}

export interface ClaimServiceDeps {
  claims: ClaimStore;
  associations: AssociationStore;
  rosters: RosterStore;
  tenantIndex: TenantClaimIndex;
  clock: Clock;
  calendar: BusinessCalendar;
  policy: DeadlinePolicy;
  /**
   * The customer directory: domain/tenant and subscription checks on submit, resubmit and changes after
   * submission, and the resolution of association keys. Without it, nothing is checked against a directory
   * and subscription-keyed products claimed without an ID are keyed by product ("not verified").
   */
  customerChecks?: CustomerChecks;
  /** Writes a claim's dispatch timer before a change that leaves notifications or timers to handle. */
  intents?: DispatchIntents;
  log?: (message: string, detail?: unknown) => void;
  /**
   * Runs tidy-up that need not hold up the caller (marking an approval's associations live). Without
   * it the service does it before returning.
   */
  followUp?: (name: string, task: () => Promise<void>) => void;
}

/** Statuses in which a claim competes for its workloads or subscriptions. */
const COMPETING_STATUSES = ['Submitted', 'UnderReview', 'PartnerActionRequired', 'Approved'];

/**
 * Told of every change written to a claim (not of refusals or repeated requests), with the version
 * before it and the dispatch timer written for it, if any.
 */
export interface ClaimChange {
  claim: Claim;
  event: ClaimHistoryEvent;
  previous?: Claim;
  intent?: StoredTimer;
  /** The ETag the change was written with: bookkeeping right after it (clearing the outbox) needs no read first. */
  etag?: string;
}
export type ClaimChangeListener = (change: ClaimChange) => void;

/** What a write through the service leaves for the listeners. */
interface WriteTrail {
  previous?: Claim;
  intent?: StoredTimer;
  etag?: string;
}

export class ClaimService {
  private readonly listeners: ClaimChangeListener[] = [];

  constructor(private readonly deps: ClaimServiceDeps) {}

  onChange(listener: ClaimChangeListener): void {
    this.listeners.push(listener);
  }

  private async changed(result: ServiceResult, trail: WriteTrail = {}): Promise<ServiceResult> {
    if (result.ok && !result.duplicate) {
      if (affectsCompetition(result.event)) await this.index(result.claim);
      for (const listener of this.listeners) {
        try {
          listener({ claim: result.claim, event: result.event, ...trail });
        } catch (error) {
          this.deps.log?.('A claim change listener failed', error);
        }
      }
    }
    return result;
  }

  timeContext(actionId?: string): DecideContext {
    return { now: this.deps.clock.now(), calendar: this.deps.calendar, policy: this.deps.policy, ...(actionId ? { actionId } : {}) };
  }

  /** The context of a person's action: time, its idempotency key, and what they were shown. */
  private actContext(options: ActOptions): DecideContext {
    return { ...this.timeContext(options.actionId), ...(options.checklistShown ? { checklistShown: options.checklistShown } : {}) };
  }

  async createDraft(actor: Actor, fields: Record<string, unknown> = {}): Promise<ServiceResult> {
    const ctx = { ...this.timeContext(), ...(await this.mpnContext(actor.kind === 'partner' ? actor.orgId : undefined)) };
    for (let attempt = 0; attempt < 5; attempt++) {
      const decision = createClaim({ id: newClaimId(), actor, fields }, ctx);
      if (!decision.ok) return { ok: false, refusal: decision.refusal };
      const stored = await this.deps.claims.create(decision.claim);
      if (stored) return { ok: true, claim: stored.claim, event: decision.event, duplicate: false };
    }
    throw new Error('Could not find a free claim id after 5 attempts');
  }

  async get(claimId: string, orgId?: string): Promise<Claim | undefined> {
    const stored = orgId ? await this.deps.claims.get(orgId, claimId) : await this.deps.claims.findById(claimId);
    return stored?.claim;
  }

  async act(claimId: string, action: ClaimAction, actor: Actor, options: ActOptions = {}, orgId?: string): Promise<ServiceResult> {
    const located = orgId ?? (await this.deps.claims.findById(claimId))?.claim.orgId;
    if (!located) return notFound(claimId);
    if (action.type === 'approve') return this.approve(located, claimId, action, actor, options);
    const mpn = await this.mpnContext(located);
    const knownEtag = options.known && options.known.id === claimId && options.known.orgId === located ? etagOf(options.known) : undefined;
    let current: Awaited<ReturnType<ClaimStore['get']>> = knownEtag ? { claim: options.known!, etag: knownEtag } : undefined;
    if (this.deps.customerChecks && ['submit', 'resubmit', 'edit'].includes(action.type)) {
      current ??= await this.deps.claims.get(located, claimId);
      const errors = current ? await this.directoryErrors(current.claim, action, actor, { ...this.timeContext(), ...mpn }) : [];
      if (current && errors.length) return { ok: false, claim: current.claim, refusal: invalidFields(errors) };
    }
    const trail: WriteTrail = {};
    const outcome = await this.update(
      located,
      claimId,
      (c) => this.decideOnce(c, action, actor, { ...this.actContext(options), ...mpn }, options.asHistory),
      trail,
      current,
    );
    if (!outcome.found) return notFound(claimId);
    const result = outcome.result;
    if (result.ok && outcome.written && !result.duplicate && result.effects.includes('releaseAssociations')) {
      await this.releaseAssociations(outcome.claim);
    }
    return this.changed(toServiceResult(result, outcome.claim), trail);
  }

  /**
   * What the customer directory says against the change (docs/claim-rules.md: checked on every change of customer,
   * products or subscriptions that is not a draft's): the claim as it would be after the change is checked.
   */
  private async directoryErrors(claim: Claim, action: ClaimAction, actor: Actor, ctx: DecideContext): Promise<FieldError[]> {
    const checks = this.deps.customerChecks;
    const scope = directoryChecksFor(claim.status, action);
    if (!checks || scope === 'none') return [];
    let fields = claim.fields;
    if (action.type === 'edit') {
      // Other refusals (a field not editable now, a bad value) are the lifecycle's to give.
      const preview = decide(claim, action, actor, ctx);
      if (!preview.ok) return [];
      fields = preview.claim.fields;
    }
    return scope === 'all' ? checks.all(fields) : checks.subscriptions(fields);
  }

  /** The claim's association keys, resolved through the customer directory where there is one. */
  async associationKeys(fields: Claim['fields']): Promise<string[]> {
    return this.deps.customerChecks ? this.deps.customerChecks.associationKeys(fields) : associationKeys(fields);
  }

  /**
   * Every write of the service: the store's ETag loop, with the claim's dispatch timer written just
   * before a change that leaves work, and the version before the change kept for the listeners.
   */
  private async update<R>(orgId: string, claimId: string, mutation: ClaimMutation<R>, trail: WriteTrail, current?: StoredClaim) {
    const outcome = await this.deps.claims.update(orgId, claimId, mutation, {
      ...(current ? { current } : {}),
      beforeWrite: async (before, next) => {
        trail.previous = before;
        if (!trail.intent && this.deps.intents?.needsDispatch(before, next)) trail.intent = await this.deps.intents.record(next);
      },
    });
    if (outcome.found && outcome.written) trail.etag = outcome.etag;
    return outcome;
  }

  /** Keeps the tenant's index of competing claims current; it is derived data, so a failure is logged, not fatal. */
  private async index(claim: Claim): Promise<void> {
    const tenantId = claim.fields.customerTenantId;
    if (!tenantId || claim.status === 'Editing') return;
    const competing = COMPETING_STATUSES.includes(claim.status);
    try {
      await this.deps.tenantIndex.put(
        tenantId,
        claim.id,
        competing ? { claimId: claim.id, orgId: claim.orgId, status: claim.status, keys: await this.associationKeys(claim.fields) } : undefined,
      );
    } catch (error) {
      this.deps.log?.(`Could not index claim ${claim.id} for tenant ${tenantId}`, error);
    }
  }

  /**
   * Approval creates the association through the store's once-only documents before the claim is
   * committed, so two approvals racing for one workload or subscription can't both win.
   */
  private async approve(orgId: string, claimId: string, requested: ClaimAction, actor: Actor, options: ActOptions): Promise<ServiceResult> {
    const knownEtag = options.known && options.known.id === claimId && options.known.orgId === orgId ? etagOf(options.known) : undefined;
    const current = knownEtag ? { claim: options.known!, etag: knownEtag } : await this.deps.claims.get(orgId, claimId);
    if (!current) return notFound(claimId);
    const preview = this.decideOnce(current.claim, requested, actor, this.actContext(options)).result;
    if (!preview.ok || preview.duplicate) {
      // Refused or already done: go through the normal path so refusals are recorded consistently.
      const outcome = await this.update(orgId, claimId, (c) => this.decideOnce(c, requested, actor, this.actContext(options)), {});
      return outcome.found ? toServiceResult(outcome.result, outcome.claim) : notFound(claimId);
    }
    const tenantId = current.claim.fields.customerTenantId ?? '';
    const keys = await this.associationKeys(current.claim.fields);
    // The held subscriptions' end days go on the claim, so the reminder before one ends is a timer of the claim alone.
    const action: ClaimAction = {
      ...requested,
      subscriptionEnds: subscriptionEndsOf(keys, await this.deps.customerChecks?.tenantSubscriptions(tenantId)),
    } as ClaimAction;
    const started = this.deps.clock.now();
    const acquired = await this.deps.associations.acquire(tenantId, keys, { claimId, orgId }, started, (doc) => this.holdsAssociation(doc));
    if (!acquired.ok) {
      return {
        ok: false,
        claim: current.claim,
        refusal: {
          code: 'associationConflict',
          message: {
            key: 'refusal.associationConflict',
            params: { keys: acquired.conflicts.map((c) => describeKey(c.id).label), program: programParam(current.claim) },
          },
          conflicts: acquired.conflicts,
        },
      };
    }
    const trail: WriteTrail = {};
    const outcome = await this.update(
      orgId,
      claimId,
      (c) => {
        // The pending association protects this approval only for its lease; past it, start again.
        if (this.deps.clock.now().getTime() - started.getTime() > PENDING_LEASE_MS / 2) return { result: concurrentChange() };
        return this.decideOnce(c, action, actor, this.actContext(options), options.asHistory);
      },
      trail,
      current,
    );
    if (!outcome.found) return notFound(claimId);
    const result = outcome.result;
    if (!(result.ok && outcome.written) && outcome.claim.status !== 'Approved') {
      await this.deps.associations.release(tenantId, acquired.newlyAcquired, claimId);
    }
    if (result.ok && outcome.claim.status === 'Approved') {
      // The approval is committed and its pending documents protect it: a competing approval that finds
      // one past its lease checks the holder claim. Marking them live is tidy-up, after the answer.
      const confirm = async () => {
        const lost = await this.deps.associations.confirm(tenantId, keys, claimId, this.deps.clock.now(), acquired.etags, acquired.created);
        if (lost.length) this.deps.log?.(`Association integrity: claim ${claimId} is approved but lost ${lost.join(', ')}`);
      };
      if (this.deps.followUp) this.deps.followUp(`confirm the associations of ${claimId}`, confirm);
      else await confirm();
    }
    return this.changed(toServiceResult(result, outcome.claim), trail);
  }

  /**
   * Records, in the claim's history, an attempt the authorization policy refused before any handler ran
   * (a reviewer's button pressed by a partner or a stranger): reviewers audit them as they audit the
   * lifecycle's own refusals. Nothing else changes; a claim that does not exist records nothing.
   */
  async recordRefusedAttempt(
    claimId: string,
    attempt: { type: LifecycleActionType; actor: Actor; refusal: Message; actionId?: string },
    orgIdHint?: string,
  ): Promise<void> {
    const located = (orgIdHint && (await this.deps.claims.get(orgIdHint, claimId))) || (await this.deps.claims.findById(claimId));
    if (!located) return;
    await this.update(
      located.claim.orgId,
      claimId,
      (current) => {
        // The same attempt delivered again (its action id is in the history already): recorded once.
        if (attempt.actionId && current.history.some((e) => e.actionId === attempt.actionId)) return { result: undefined };
        const ctx = this.timeContext(attempt.actionId);
        const event = refusedAttemptEvent(current, attempt.type, attempt.actor, { code: 'roleNotAllowed', message: attempt.refusal }, ctx);
        return {
          next: { ...current, version: current.version + 1, updatedAt: ctx.now.toISOString(), history: [...current.history, event] },
          result: undefined,
        };
      },
      {},
      located,
    );
  }

  /** Decides on the current claim; a repeated actionId returns the earlier event without a new change. */
  private decideOnce(current: Claim, action: ClaimAction, actor: Actor, ctx: DecideContext, asHistory = false): { next?: Claim; result: DecisionResult } {
    if (ctx.actionId) {
      const earlier = current.history.find((e) => e.actionId === ctx.actionId && e.outcome === 'applied');
      if (earlier) return { result: { ok: true, duplicate: true, event: earlier, effects: [] } };
    }
    const decision: Decision = decide(current, action, actor, ctx);
    if (decision.ok) {
      // The outbox: who hears of this change is written with the change itself.
      const entries = asHistory ? [] : outboxEntriesFor(decision.claim, decision.event);
      const next = entries.length ? { ...decision.claim, outbox: [...(decision.claim.outbox ?? []), ...entries] } : decision.claim;
      return { next, result: { ok: true, event: decision.event, effects: decision.effects, duplicate: false } };
    }
    // A refusal worth recording is recorded once per action id (a re-delivered press is refused again, quietly).
    const recorded = ctx.actionId && current.history.some((e) => e.actionId === ctx.actionId && e.outcome === 'refused');
    if (RECORDED_REFUSALS.includes(decision.refusal.code) && !recorded) {
      const event = refusedAttemptEvent(current, action.type, actor, decision.refusal, ctx);
      const next: Claim = { ...current, version: current.version + 1, updatedAt: ctx.now.toISOString(), history: [...current.history, event] };
      return { next, result: decision };
    }
    return { result: decision };
  }

  /**
   * Arbitration decided for this claim: every other claim holding one of its workloads or subscriptions
   * is superseded (its association ends, its partner is told through the change listeners), then this
   * claim is approved through the same once-only rule. Never two live associations.
   */
  async approveSuperseding(claimId: string, reviewer: Actor, options: ActOptions = {}): Promise<ServiceResult> {
    const current = await this.deps.claims.findById(claimId);
    if (!current) return notFound(claimId);
    const claim = current.claim;
    const tenantId = claim.fields.customerTenantId;
    if (tenantId && reviewer.kind === 'reviewer') {
      const keys = new Set(await this.associationKeys(claim.fields));
      const holders = new Map<string, string>();
      for (const doc of await this.deps.associations.listForTenant(tenantId)) {
        if (keys.has(doc.id) && doc.claimId !== claimId) holders.set(doc.claimId, doc.orgId);
      }
      for (const [holderId, holderOrg] of holders) {
        const superseded = await this.act(
          holderId,
          { type: 'supersede', supersededBy: claimId, comment: `Arbitration: superseded by claim ${claimId}.` },
          reviewer,
          {
            ...(options.actionId ? { actionId: `${options.actionId}:supersede:${holderId}` } : {}),
          },
          holderOrg,
        );
        if (!superseded.ok && superseded.claim?.status === 'Approved') return superseded;
      }
    }
    return this.act(claimId, { type: 'approve' }, reviewer, options, claim.orgId);
  }

  /**
   * The claim's workloads or subscriptions that another partner organisation already holds (a live
   * association) or claims (a claim under way): such a claim goes to arbitration. Other partners are
   * never named to the caller.
   */
  /** The other organisations' claims that compete with this one, with the keys they share (for reviewers). */
  async competingClaims(claim: Claim): Promise<{ claim: Claim; sharedKeys: string[] }[]> {
    const competitors = await this.competitors(claim);
    const loaded = await Promise.all(
      competitors.map(async (c) => ({ claim: (await this.deps.claims.get(c.orgId, c.claimId))?.claim, sharedKeys: c.sharedKeys })),
    );
    return loaded.filter((c): c is { claim: Claim; sharedKeys: string[] } => Boolean(c.claim));
  }

  /**
   * The claim's workloads or subscriptions that another partner organisation already holds (a live
   * association) or claims (a claim under way): such a claim goes to arbitration. Other partners are
   * never named to the caller.
   */
  async competingKeys(claim: Claim): Promise<{ associated: string[]; claimed: string[] }> {
    const tenantId = claim.fields.customerTenantId;
    if (!tenantId) return { associated: [], claimed: [] };
    const keys = new Set(await this.associationKeys(claim.fields));
    const associated = [
      ...new Set((await this.deps.associations.listForTenant(tenantId)).filter((a) => a.orgId !== claim.orgId && keys.has(a.id)).map((a) => a.id)),
    ];
    const claimed = new Set<string>();
    for (const other of await this.competitors(claim)) for (const key of other.sharedKeys) if (!associated.includes(key)) claimed.add(key);
    return { associated, claimed: [...claimed] };
  }

  private async competitors(claim: Claim): Promise<{ claimId: string; orgId: string; sharedKeys: string[] }[]> {
    const tenantId = claim.fields.customerTenantId;
    if (!tenantId) return [];
    const keys = new Set(await this.associationKeys(claim.fields));
    return (await this.deps.tenantIndex.claimsFor(tenantId))
      .filter((c) => c.orgId !== claim.orgId && c.claimId !== claim.id)
      .map((c) => ({ claimId: c.claimId, orgId: c.orgId, sharedKeys: c.keys.filter((k) => keys.has(k)) }))
      .filter((c) => c.sharedKeys.length);
  }

  private async holdsAssociation(doc: AssociationDoc): Promise<boolean> {
    const holder = await this.deps.claims.get(doc.orgId, doc.claimId);
    return holder?.claim.status === 'Approved';
  }

  private async releaseAssociations(claim: Claim): Promise<void> {
    const tenantId = claim.fields.customerTenantId;
    // Whatever the claim holds, whichever key it was approved under (the directory may have changed since).
    if (tenantId) await this.deps.associations.releaseAllOf(tenantId, claim.id);
  }

  private async mpnContext(orgId: string | undefined): Promise<Pick<DecideContext, 'organisationMpnIds'>> {
    if (!orgId) return {};
    const org = await this.deps.rosters.organisation(orgId);
    return org ? { organisationMpnIds: org.mpnIds.map((m) => m.id) } : {};
  }
}

type DecisionResult = { ok: true; duplicate: boolean; event: ClaimHistoryEvent; effects: readonly string[] } | { ok: false; refusal: ServiceRefusal };

function toServiceResult(result: DecisionResult, claim: Claim): ServiceResult {
  if (result.ok) return { ok: true, claim, event: result.event, duplicate: result.duplicate };
  return { ok: false, refusal: result.refusal, claim };
}

function notFound(claimId: string): ServiceResult {
  return { ok: false, refusal: { code: 'claimNotFound', message: { key: 'refusal.claimNotFound', params: { claimId } } } };
}

/** Whether a change can alter which workloads or subscriptions the claim competes for (the tenant index). */
function affectsCompetition(event: ClaimHistoryEvent): boolean {
  const competing = (status: string) => COMPETING_STATUSES.includes(status);
  if (competing(event.fromStatus) !== competing(event.toStatus)) return true;
  return event.changes.some((c) => c.field === 'fields.products' || c.field === 'fields.subscriptions');
}

function invalidFields(errors: FieldError[]): ServiceRefusal {
  const fields = [...new Set(errors.map((e) => `@field.${e.field.split('.')[0]}`))];
  return { code: 'invalidFields', message: { key: 'refusal.invalidFields', params: { details: fields } }, fieldErrors: errors };
}

/** The claim's incentive program as a message parameter (every submitted claim has one). */
function programParam(claim: Claim): string {
  const program = programOf(claim.fields);
  return program ? `@program.${program.id}` : '-';
}

function concurrentChange(): DecisionResult {
  return { ok: false, refusal: { code: 'concurrentChange', message: { key: 'refusal.concurrentChange' } } };
}
