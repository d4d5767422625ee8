import type { ChecklistShown } from './poePrecheck';
import type { Actor, ActorKind } from './actors';
import { actorRef, CLAIMING_PARTNER_ROLES } from './actors';
import { MAX_POE_FILES, type Claim, type ClaimComment, type ClaimDeadlines, type PausedClock, type PoeFile, type SubscriptionEnd } from './claim';
import type { ClaimStatus } from './claimStatus';
import { CLAIM_STATUSES } from './claimStatus';
import {
  FIELDS_EDITABLE_AFTER_SUBMIT,
  validateComplete,
  validateFields,
  type ClaimFieldName,
  type DraftFields,
  type FieldError,
  type ValidationContext,
} from './claimFields';
import { diffClaims, type ClaimHistoryEvent, type MailedPartner } from './claimHistory';
import { deadline, nextDueAt, pauseClocks, resumeClocks, reviewQueueDueAt, type TimeContext } from './deadlinePolicy';
import { INFO_REQUEST_REASONS, REVIEWER_REJECTION_REASONS, type InfoRequestReason, type RejectionReason } from './reasons';
import { formatDateTime, ref, type InstantParam, type Locale, type Message, type MessageKey } from '../i18n/locales';
import {
  deadlineApplied,
  REMINDER_RULES,
  reminderDeadline,
  reminderDueAt,
  reminderKey,
  reminderKeysSent,
  supersedingReminder,
  type ReminderKind,
} from './claimTimers';

/**
 * The CPOR claim lifecycle as one pure state machine. `decide` checks an action against the actor's
 * role and the claim's status and returns the next claim (with its history event appended) or a
 * refusal a person can read. It never throws for a refused action and never does I/O.
 */

export const MAX_COMMENT_LENGTH = 2000;

export type ClaimAction =
  | { type: 'edit'; changes: Record<string, unknown> }
  | { type: 'addPoe'; files: PoeFile[] }
  | { type: 'submit'; comment?: string }
  | { type: 'startReview' }
  /** `subscriptionEnds`: the held subscriptions' end days as the directory knows them (the claim service fills it in). */
  | { type: 'approve'; comment?: string; subscriptionEnds?: Omit<SubscriptionEnd, 'endsAt'>[] }
  | { type: 'reject'; reason: RejectionReason; comment?: string }
  | { type: 'requestInfo'; reasons: InfoRequestReason[]; comment: string }
  | { type: 'resubmit'; comment?: string }
  | { type: 'comment'; text: string }
  | { type: 'withdraw'; comment?: string }
  | { type: 'customerDecline'; comment?: string }
  | { type: 'dispute'; justification?: string; files?: PoeFile[] }
  | { type: 'supersede'; supersededBy: string; comment?: string }
  | { type: 'noPartnerResponse' }
  | { type: 'consentPeriodOver' }
  | { type: 'disputeWindowClosed' }
  | { type: 'remind'; reminder: ReminderKind }
  | { type: 'deliveryFailed'; recipient: string; status: number; channel?: 'email'; to?: MailedPartner };

export type ClaimActionType = ClaimAction['type'];
export type LifecycleActionType = ClaimActionType | 'create';

const ALL: readonly ClaimStatus[] = CLAIM_STATUSES;
const BEFORE_FINAL: readonly ClaimStatus[] = ['Submitted', 'UnderReview', 'PartnerActionRequired', 'Approved', 'Rejected'];

/**
 * Who may do what, from which statuses: the single table the checks, the cards and the tests read.
 * `create` has no "from": it makes an Editing claim.
 */
export const ACTION_RULES: Record<LifecycleActionType, Partial<Record<ActorKind, readonly ClaimStatus[]>>> = {
  create: { partner: [] },
  edit: { partner: ['Editing', 'Submitted', 'PartnerActionRequired'] },
  addPoe: { partner: ['Editing', 'Submitted', 'PartnerActionRequired'] },
  submit: { partner: ['Editing'] },
  startReview: { reviewer: ['Submitted'] },
  approve: { reviewer: ['UnderReview'] },
  reject: { reviewer: ['UnderReview'] },
  requestInfo: { reviewer: ['UnderReview'] },
  resubmit: { partner: ['PartnerActionRequired'] },
  comment: { partner: ALL, reviewer: ALL.filter((s) => s !== 'Editing') },
  withdraw: { partner: BEFORE_FINAL },
  customerDecline: { customer: ['Approved'] },
  dispute: { partner: ['Rejected'] },
  supersede: { reviewer: ['Approved'] },
  noPartnerResponse: { system: ['PartnerActionRequired'] },
  consentPeriodOver: { system: ['Approved'] },
  disputeWindowClosed: { system: ['Rejected'] },
  remind: { system: ALL },
  deliveryFailed: { system: ALL },
};

/** The status an action leads to, when it always leads to one: used to answer "already done by ...". */
const RESULT_STATUS: Partial<Record<ClaimActionType, readonly ClaimStatus[]>> = {
  submit: ['Submitted'],
  startReview: ['UnderReview'],
  approve: ['Approved'],
  reject: ['Rejected', 'RejectedFinal'],
  requestInfo: ['PartnerActionRequired'],
  resubmit: ['UnderReview'],
  customerDecline: ['Rejected', 'RejectedFinal'],
  withdraw: ['Rejected', 'RejectedFinal'],
};

/** Side effects outside the claim document that the caller (the claim service) must carry out. */
export type ClaimEffect = 'createAssociations' | 'releaseAssociations';

export type RefusalCode =
  | 'roleNotAllowed'
  | 'partnerRoleNotAllowed'
  | 'notYourOrganisation'
  | 'wrongStatus'
  | 'alreadyDone'
  | 'invalidFields'
  | 'poeRequired'
  | 'reasonNotAllowed'
  | 'commentRequired'
  | 'reasonsRequired'
  | 'commentEmpty'
  | 'commentTooLong'
  | 'draftCanBeDiscarded'
  | 'alreadyDisputed'
  | 'disputeWindowClosed'
  | 'disputeNeedsContent'
  | 'notDueYet'
  | 'alreadySentForEligibility'
  | 'disputeAlreadyClosed'
  | 'nothingToChange'
  | 'reminderNotNeeded'
  | 'tooManyPoeFiles';

export interface Refusal {
  code: RefusalCode;
  message: Message;
  fieldErrors?: FieldError[];
}

export type Decision = { ok: true; claim: Claim; event: ClaimHistoryEvent; effects: ClaimEffect[] } | { ok: false; refusal: Refusal };

export interface DecideContext extends TimeContext {
  /** The MPN IDs of the claim's partner organisation, to check an MPN ID chosen or edited. */
  organisationMpnIds?: readonly string[];
  actionId?: string;
  /** The PoE checklist the reviewer was shown, recorded with a decision. */
  checklistShown?: ChecklistShown;
}

function refuse(code: RefusalCode, params: Message['params'] = {}, fieldErrors?: FieldError[]): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { code, message: { key: `refusal.${code}` as MessageKey, params }, ...(fieldErrors ? { fieldErrors } : {}) } };
}

const actionRef = (type: LifecycleActionType) => ref(`action.${type}` as MessageKey);
const statusRef = (status: ClaimStatus) => ref(`status.${status}`);

/** Role and organisation checks shared by `create` and every other action. */
export function checkActor(actor: Actor, type: LifecycleActionType, claimOrgId?: string): Refusal | undefined {
  const rule = ACTION_RULES[type];
  if (!rule[actor.kind]) {
    return refuse('roleNotAllowed', { role: ref(`role.${actor.kind}`), action: actionRef(type) }).refusal;
  }
  if (actor.kind === 'partner') {
    if (!CLAIMING_PARTNER_ROLES.includes(actor.role)) {
      return refuse('partnerRoleNotAllowed', { partnerRole: ref(`partnerRole.${actor.role}`), action: actionRef(type) }).refusal;
    }
    if (claimOrgId !== undefined && actor.orgId !== claimOrgId) {
      return refuse('notYourOrganisation', { action: actionRef(type) }).refusal;
    }
  }
  return undefined;
}

/** Can this actor take this action on this claim now, as far as role and status go? (For showing buttons.) */
export function isActionOffered(claim: Claim, actor: Actor, type: ClaimActionType): boolean {
  if (checkActor(actor, type, claim.orgId)) return false;
  return ACTION_RULES[type][actor.kind]?.includes(claim.status) ?? false;
}

export function createClaim(input: { id: string; actor: Actor; fields?: Record<string, unknown> }, ctx: DecideContext): Decision {
  const refusal = checkActor(input.actor, 'create');
  if (refusal) return { ok: false, refusal };
  const orgId = (input.actor as Extract<Actor, { kind: 'partner' }>).orgId;
  const validated = validateFields(input.fields ?? {}, validationContext(ctx));
  if (!validated.ok) return refuse('invalidFields', { details: fieldList(validated.errors) }, validated.errors);
  const at = ctx.now.toISOString();
  const empty: Claim = {
    id: input.id,
    orgId,
    status: 'Editing',
    fields: {},
    poe: [],
    comments: [],
    createdAt: at,
    createdBy: actorRef(input.actor),
    updatedAt: at,
    deadlines: {},
    nextDueAt: null,
    version: 0,
    history: [],
  };
  return commit(empty, { ...empty, fields: validated.fields }, input.actor, 'create', ctx, {});
}

/** Reviewers' decisions: each records the PoE checklist the reviewer was shown. */
const DECISIONS: readonly LifecycleActionType[] = ['approve', 'reject', 'requestInfo'];

export function decide(claim: Claim, action: ClaimAction, actor: Actor, ctx: DecideContext): Decision {
  const actorRefusal = checkActor(actor, action.type, claim.orgId);
  if (actorRefusal) return { ok: false, refusal: actorRefusal };
  const allowedFrom = ACTION_RULES[action.type][actor.kind] ?? [];
  if (!allowedFrom.includes(claim.status)) return statusRefusal(claim, action.type, ctx);
  return TRANSITIONS[action.type](claim, action as never, actor, ctx);
}

function statusRefusal(claim: Claim, type: ClaimActionType, ctx: DecideContext): { ok: false; refusal: Refusal } {
  if (type === 'withdraw' && claim.status === 'Editing') return refuse('draftCanBeDiscarded');
  // After a dispute the claim is final (or approved): the reason that matters is the one dispute per claim.
  if (type === 'dispute' && claim.dispute) return refuse('alreadyDisputed');
  if (RESULT_STATUS[type]?.includes(claim.status)) {
    const last = [...claim.history].reverse().find((e) => e.outcome === 'applied' && e.toStatus === claim.status && e.fromStatus !== claim.status);
    if (last) return refuse('alreadyDone', { status: statusRef(claim.status), actor: last.actor.name, when: instantParam(ctx, last.at) });
  }
  return refuse('wrongStatus', { action: actionRef(type), status: statusRef(claim.status) });
}

type Transition<A extends ClaimAction> = (claim: Claim, action: A, actor: Actor, ctx: DecideContext) => Decision;
type TransitionTable = { [T in ClaimActionType]: Transition<Extract<ClaimAction, { type: T }>> };

const TRANSITIONS: TransitionTable = {
  edit(claim, action, actor, ctx) {
    const changes = action.changes ?? {};
    const names = Object.keys(changes);
    const errors: FieldError[] = [];
    if (claim.status !== 'Editing') {
      for (const name of names) {
        if (!FIELDS_EDITABLE_AFTER_SUBMIT.includes(name as ClaimFieldName)) {
          errors.push({ field: name, code: 'notEditableNow', params: { status: statusRef(claim.status) } });
        }
      }
      if (errors.length) return refuse('invalidFields', { details: fieldList(errors) }, errors);
    }
    // null clears a field (e.g. products after the solution area changed); only a draft may lose a field.
    const cleared = names.filter((n) => changes[n] === null);
    const setValues = Object.fromEntries(names.filter((n) => changes[n] !== null).map((n) => [n, changes[n]]));
    const validated = validateFields(setValues, validationContext(ctx));
    if (!validated.ok) return refuse('invalidFields', { details: fieldList(validated.errors) }, validated.errors);
    const merged: Record<string, unknown> = { ...claim.fields, ...validated.fields };
    for (const n of cleared) delete merged[n];
    const combined =
      claim.status === 'Editing'
        ? validateFields(merged, validationContext(ctx))
        : { ok: true as const, errors: validateComplete(merged as DraftFields, validationContext(ctx)) };
    const combinedErrors = 'errors' in combined ? combined.errors : [];
    if (combinedErrors.length) return refuse('invalidFields', { details: fieldList(combinedErrors) }, combinedErrors);
    if (JSON.stringify(merged) === JSON.stringify(claim.fields)) return refuse('nothingToChange');
    return commit(claim, { ...claim, fields: merged as DraftFields }, actor, 'edit', ctx, {});
  },

  addPoe(claim, action, actor, ctx) {
    if (!action.files.length) return refuse('poeRequired');
    if (claim.poe.length + action.files.length > MAX_POE_FILES) return refuse('tooManyPoeFiles', { max: MAX_POE_FILES });
    return commit(claim, { ...claim, poe: [...claim.poe, ...action.files] }, actor, 'addPoe', ctx, {});
  },

  submit(claim, action, actor, ctx) {
    const errors = validateComplete(claim.fields, validationContext(ctx));
    if (errors.length) return refuse('invalidFields', { details: fieldList(errors) }, errors);
    if (!claim.poe.length) return refuse('poeRequired');
    return commentThen(claim, action.comment, actor, ctx, (c) =>
      commit(
        claim,
        withDeadlines(
          { ...c, status: 'Submitted', submittedAt: ctx.now.toISOString() },
          {
            reviewStart: deadline(ctx, ctx.policy.reviewStart),
            decisionTarget: deadline(ctx, ctx.policy.decisionTarget),
          },
        ),
        actor,
        'submit',
        ctx,
        { comment: action.comment },
      ),
    );
  },

  startReview(claim, _action, actor, ctx) {
    const sla = claim.dispute && !claim.dispute.outcome ? ctx.policy.disputeReview : ctx.policy.reviewDecision;
    const { decisionTarget } = claim.deadlines;
    return commit(
      claim,
      withDeadlines(
        { ...claim, status: 'UnderReview', reviewer: actorRef(actor) },
        {
          reviewDecision: deadline(ctx, sla),
          ...(decisionTarget ? { decisionTarget } : {}),
        },
      ),
      actor,
      'startReview',
      ctx,
      {},
    );
  },

  approve(claim, action, actor, ctx) {
    return commentThen(claim, action.comment, actor, ctx, (c) => {
      const next: Claim = {
        ...c,
        status: 'Approved',
        reviewer: c.reviewer ?? actorRef(actor),
        approval: { at: ctx.now.toISOString(), by: actorRef(actor) },
        rejection: undefined,
        infoRequest: undefined,
        dispute: c.dispute && !c.dispute.outcome ? { ...c.dispute, outcome: 'upheld' } : c.dispute,
        subscriptionEnds: endsStillAhead(ctx, action.subscriptionEnds),
      };
      if (!next.subscriptionEnds?.length) delete next.subscriptionEnds;
      return commit(claim, withDeadlines(next, { consentEnds: deadline(ctx, ctx.policy.consentPeriod) }), actor, 'approve', ctx, {
        comment: action.comment,
        effects: ['createAssociations'],
      });
    });
  },

  reject(claim, action, actor, ctx) {
    if (!REVIEWER_REJECTION_REASONS.includes(action.reason)) {
      return refuse('reasonNotAllowed', { reason: ref(`reason.${action.reason}` as MessageKey), role: ref('role.reviewer') });
    }
    return commentThen(claim, action.comment, actor, ctx, (c) =>
      commit(claim, rejected(c, action.reason, action.comment, actor, ctx), actor, 'reject', ctx, {
        reason: action.reason,
        comment: action.comment,
      }),
    );
  },

  requestInfo(claim, action, actor, ctx) {
    const reasons = [...new Set(action.reasons ?? [])];
    if (!reasons.length) return refuse('reasonsRequired');
    const bad = reasons.find((r) => !INFO_REQUEST_REASONS.includes(r));
    if (bad) return refuse('reasonNotAllowed', { reason: String(bad), role: ref('role.reviewer') });
    if (!action.comment || !action.comment.trim()) return refuse('commentRequired');
    return commentThen(claim, action.comment, actor, ctx, (c) =>
      commit(
        claim,
        withDeadlines(
          {
            ...c,
            status: 'PartnerActionRequired',
            reviewer: c.reviewer ?? actorRef(actor),
            infoRequest: { reasons, comment: action.comment.trim(), at: ctx.now.toISOString(), by: actorRef(actor) },
          },
          { partnerResponse: deadline(ctx, ctx.policy.partnerResponse) },
          pauseClocks(ctx, claim.deadlines),
        ),
        actor,
        'requestInfo',
        ctx,
        {
          reasons,
          comment: action.comment.trim(),
        },
      ),
    );
  },

  resubmit(claim, action, actor, ctx) {
    const errors = validateComplete(claim.fields, validationContext(ctx));
    if (errors.length) return refuse('invalidFields', { details: fieldList(errors) }, errors);
    const sla = claim.dispute && !claim.dispute.outcome ? ctx.policy.disputeReview : ctx.policy.reviewDecision;
    // The review goes on where the request stopped it (claims asked before clocks were kept: a full SLA).
    const deadlines = claim.pausedClocks?.length ? resumeClocks(ctx, claim.pausedClocks) : { reviewDecision: deadline(ctx, sla) };
    return commentThen(claim, action.comment, actor, ctx, (c) =>
      commit(claim, withDeadlines({ ...c, status: 'UnderReview' }, deadlines), actor, 'resubmit', ctx, {
        comment: action.comment,
      }),
    );
  },

  comment(claim, action, actor, ctx) {
    if (!action.text || !action.text.trim()) return refuse('commentEmpty');
    return commentThen(claim, action.text, actor, ctx, (c) => commit(claim, c, actor, 'comment', ctx, { comment: action.text.trim() }));
  },

  withdraw(claim, action, actor, ctx) {
    const wasApproved = claim.status === 'Approved';
    // docs/deadlines.md, "Withdrawal": the partner asked for it, so the rejection is final at once: no dispute window.
    return commentThen(claim, action.comment, actor, ctx, (c) => {
      const next = rejected(c, 'PartnerRequest', action.comment, actor, ctx, { final: true });
      return commit(claim, next, actor, 'withdraw', ctx, {
        reason: 'PartnerRequest',
        comment: action.comment,
        effects: wasApproved ? ['releaseAssociations'] : [],
      });
    });
  },

  customerDecline(claim, action, actor, ctx) {
    return commentThen(claim, action.comment, actor, ctx, (c) =>
      commit(claim, rejected(c, 'CustomerDecline', action.comment, actor, ctx), actor, 'customerDecline', ctx, {
        reason: 'CustomerDecline',
        comment: action.comment,
        effects: ['releaseAssociations'],
      }),
    );
  },

  dispute(claim, action, actor, ctx) {
    if (claim.dispute) return refuse('alreadyDisputed');
    const windowEnd = claim.deadlines.disputeWindowEnds;
    if (claim.disputeWindowClosedAt || !windowEnd || ctx.now.toISOString() >= windowEnd) {
      const end = disputeWindowEnd(claim);
      return refuse('disputeWindowClosed', { date: end ? deadlineParam(ctx, end) : '-' });
    }
    const justification = action.justification?.trim();
    const files = action.files ?? [];
    if (!justification && !files.length) return refuse('disputeNeedsContent');
    if (claim.poe.length + files.length > MAX_POE_FILES) return refuse('tooManyPoeFiles', { max: MAX_POE_FILES });
    return commentThen(claim, justification, actor, ctx, (c) =>
      commit(
        claim,
        withDeadlines(
          {
            ...c,
            status: 'UnderReview',
            poe: [...c.poe, ...files],
            dispute: { openedAt: ctx.now.toISOString(), by: actorRef(actor), justification, poeFileIds: files.map((f) => f.id) },
          },
          { reviewDecision: deadline(ctx, ctx.policy.disputeReview) },
        ),
        actor,
        'dispute',
        ctx,
        { comment: justification },
      ),
    );
  },

  /** Arbitration: reviewers give the association to another claim; this one's association ends. */
  supersede(claim, action, actor, ctx) {
    const comment = action.comment?.trim() || undefined;
    return commentThen(claim, comment, actor, ctx, (c) =>
      commit(claim, rejected(c, 'AssociationSuperseded', comment, actor, ctx), actor, 'supersede', ctx, {
        reason: 'AssociationSuperseded',
        comment,
        effects: ['releaseAssociations'],
      }),
    );
  },

  noPartnerResponse(claim, _action, actor, ctx) {
    const notDue = notDueYet(ctx, claim.deadlines.partnerResponse);
    if (notDue) return notDue;
    return commit(claim, rejected(claim, 'NoPartnerResponse', undefined, actor, ctx), actor, 'noPartnerResponse', ctx, {
      reason: 'NoPartnerResponse',
    });
  },

  consentPeriodOver(claim, _action, actor, ctx) {
    if (claim.approval?.sentForEligibilityAt) return refuse('alreadySentForEligibility');
    const notDue = notDueYet(ctx, claim.deadlines.consentEnds);
    if (notDue) return notDue;
    const approval = { ...(claim.approval ?? { at: claim.updatedAt, by: actorRef(actor) }), sentForEligibilityAt: ctx.now.toISOString() };
    return commit(claim, withDeadlines({ ...claim, approval }, {}), actor, 'consentPeriodOver', ctx, {});
  },

  disputeWindowClosed(claim, _action, actor, ctx) {
    if (claim.disputeWindowClosedAt) return refuse('disputeAlreadyClosed');
    const notDue = notDueYet(ctx, claim.deadlines.disputeWindowEnds);
    if (notDue) return notDue;
    // Closed when the window ended, however late a sweep noticed it.
    return commit(claim, withDeadlines({ ...claim, disputeWindowClosedAt: claim.deadlines.disputeWindowEnds }, {}), actor, 'disputeWindowClosed', ctx, {});
  },

  // A reminder is a history event of its own, so it is sent once per deadline and people can see it was sent.
  remind(claim, action, actor, ctx) {
    const due = reminderDeadline(claim, action.reminder);
    if (!due || claim.remindersSent?.includes(reminderKey(action.reminder, due))) return refuse('reminderNotNeeded');
    const notDue = notDueYet(ctx, reminderDueAt(ctx.calendar, action.reminder, due));
    if (notDue) return notDue;
    // docs/deadlines.md: reminders go out within business hours only (one due at night or at the weekend waits).
    if (!ctx.calendar.isBusinessTime(ctx.now)) return refuse('notDueYet', { date: instantParam(ctx, ctx.calendar.nextOpening(ctx.now).toISOString()) });
    // "Before the deadline" reminders are pointless once it has passed (the transition says the rest),
    // and when a nearer one of the same deadline is due too (after an outage) that one speaks for both.
    if (REMINDER_RULES[action.reminder].before.amount > 0 && ctx.now.toISOString() >= due) return refuse('reminderNotNeeded');
    if (supersedingReminder(ctx.calendar, claim, action.reminder, ctx.now)) return refuse('reminderNotNeeded');
    const keys = reminderKeysSent(ctx.calendar, claim, action.reminder, due, ctx.now);
    const next = { ...claim, remindersSent: [...new Set([...(claim.remindersSent ?? []), ...keys])] };
    return commit(claim, next, actor, 'remind', ctx, { reminder: action.reminder });
  },

  deliveryFailed(claim, action, actor, ctx) {
    return commit(claim, claim, actor, 'deliveryFailed', ctx, {
      delivery: {
        recipient: action.recipient,
        status: action.status,
        ...(action.channel ? { channel: action.channel } : {}),
        ...(action.to ? { to: action.to } : {}),
      },
    });
  },
};

function rejectionOf(reason: RejectionReason, comment: string | undefined, actor: Actor, ctx: DecideContext): Claim['rejection'] {
  return { reason, ...(comment?.trim() ? { comment: comment.trim() } : {}), at: ctx.now.toISOString(), by: actorRef(actor) };
}

/**
 * A rejection opens the 30-day dispute window, unless it is final: the claim already used its one
 * dispute, or the partner asked for it (`final`, a withdrawal).
 */
function rejected(
  claim: Claim,
  reason: RejectionReason,
  comment: string | undefined,
  actor: Actor,
  ctx: DecideContext,
  options: { final?: boolean } = {},
): Claim {
  const disputed = Boolean(claim.dispute) || options.final === true;
  const base: Claim = {
    ...claim,
    status: disputed ? 'RejectedFinal' : 'Rejected',
    rejection: rejectionOf(reason, comment, actor, ctx),
    dispute: claim.dispute && !claim.dispute.outcome ? { ...claim.dispute, outcome: 'failed' } : claim.dispute,
  };
  return withDeadlines(base, disputed ? {} : { disputeWindowEnds: deadline(ctx, ctx.policy.disputeWindow) });
}

/** Subscription ends as instants (the local midnight that ends the day), those already passed left out: nothing to remind. */
function endsStillAhead(ctx: DecideContext, ends: Omit<SubscriptionEnd, 'endsAt'>[] | undefined): SubscriptionEnd[] | undefined {
  const ahead = (ends ?? [])
    .map((s) => ({ ...s, endsAt: ctx.calendar.deadlineAfter(ctx.calendar.startOfLocalDate(s.endsOn), { amount: 0, unit: 'days' }).toISOString() }))
    .filter((s) => s.endsAt > ctx.now.toISOString());
  return ahead.length ? ahead : undefined;
}

function notDueYet(ctx: DecideContext, due: string | undefined): { ok: false; refusal: Refusal } | undefined {
  // A timeout with no running deadline (data from before a deadline existed) is never due.
  if (!due) return refuse('notDueYet', { date: '-' });
  return ctx.now.toISOString() < due ? refuse('notDueYet', { date: instantParam(ctx, due) }) : undefined;
}

/** The claim's running deadlines replaced; stopped clocks are kept only when given (Partner action required). */
function withDeadlines(claim: Claim, deadlines: ClaimDeadlines, pausedClocks?: PausedClock[]): Claim {
  const { pausedClocks: _stopped, ...rest } = claim;
  return {
    ...rest,
    deadlines,
    nextDueAt: nextDueAt(deadlines),
    reviewQueueDueAt: reviewQueueDueAt(deadlines),
    ...(pausedClocks?.length ? { pausedClocks } : {}),
  };
}

/**
 * When a claim's dispute window ends or ended: the running deadline, or once closed the end it had
 * (claims closed before the end was kept have it in the history of the closing).
 */
export function disputeWindowEnd(claim: Pick<Claim, 'deadlines' | 'disputeWindowClosedAt' | 'history'>): string | undefined {
  if (claim.deadlines.disputeWindowEnds) return claim.deadlines.disputeWindowEnds;
  const closing = [...claim.history].reverse().find((e) => e.action === 'disputeWindowClosed' && e.outcome === 'applied');
  return (closing && deadlineApplied(closing)) ?? claim.disputeWindowClosedAt;
}

/** Adds a comment (when there is one) to the shared thread, then continues with the transition. */
function commentThen(claim: Claim, text: string | undefined, actor: Actor, ctx: DecideContext, then: (c: Claim) => Decision): Decision {
  const trimmed = text?.trim();
  if (!trimmed) return then(claim);
  if (trimmed.length > MAX_COMMENT_LENGTH) return refuse('commentTooLong', { max: MAX_COMMENT_LENGTH });
  const comment: ClaimComment = { id: `${claim.id}-c${claim.comments.length + 1}`, at: ctx.now.toISOString(), author: actorRef(actor), text: trimmed };
  return then({ ...claim, comments: [...claim.comments, comment] });
}

function commit(
  before: Claim,
  after: Claim,
  actor: Actor,
  action: LifecycleActionType,
  ctx: DecideContext,
  extra: {
    reason?: RejectionReason;
    reasons?: InfoRequestReason[];
    comment?: string;
    effects?: ClaimEffect[];
    reminder?: ReminderKind;
    delivery?: { recipient: string; status: number; channel?: 'email' };
  },
): Decision {
  const at = ctx.now.toISOString();
  const event: ClaimHistoryEvent = {
    seq: before.history.length + 1,
    at,
    actor: actorRef(actor),
    action,
    outcome: 'applied',
    fromStatus: before.status,
    toStatus: after.status,
    changes: diffClaims(before, after),
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.reasons ? { reasons: extra.reasons } : {}),
    ...(extra.comment?.trim() ? { comment: extra.comment.trim() } : {}),
    ...(extra.reminder ? { reminder: extra.reminder } : {}),
    ...(extra.delivery ? { delivery: extra.delivery } : {}),
    ...(ctx.actionId ? { actionId: ctx.actionId } : {}),
    ...(ctx.checklistShown && DECISIONS.includes(action) ? { checklist: ctx.checklistShown } : {}),
  };
  const claim: Claim = { ...after, updatedAt: at, version: before.version + 1, history: [...before.history, event] };
  return { ok: true, claim, event, effects: extra.effects ?? [] };
}

/** A refused attempt as a history event, for attempts worth recording (e.g. a reviewer verb from a stranger). */
export function refusedAttemptEvent(claim: Claim, action: LifecycleActionType, actor: Actor, refusal: Refusal, ctx: DecideContext): ClaimHistoryEvent {
  return {
    seq: claim.history.length + 1,
    at: ctx.now.toISOString(),
    actor: actorRef(actor),
    action,
    outcome: 'refused',
    fromStatus: claim.status,
    toStatus: claim.status,
    changes: [],
    refusal: refusal.message,
    ...(ctx.actionId ? { actionId: ctx.actionId } : {}),
  };
}

function validationContext(ctx: DecideContext): ValidationContext {
  return ctx.organisationMpnIds ? { organisationMpnIds: ctx.organisationMpnIds } : {};
}

function fieldList(errors: FieldError[]): string[] {
  return [...new Set(errors.map((e) => ref(`field.${e.field.split('.')[0]}` as MessageKey)))];
}

/**
 * An instant for a person to read, as a message parameter: in the business calendar's (configured)
 * time zone, written in the reader's locale when the message is rendered (`formatDateTime`). Messages
 * built before their reader is known (refusals, the bilingual approval e-mail) carry these.
 */
export function instantParam(ctx: Pick<TimeContext, 'calendar'>, iso: string): InstantParam {
  return { instant: iso, timeZone: ctx.calendar.timeZone };
}

/**
 * A deadline for a person to read, as a message parameter. Deadlines are the local midnight that ends
 * their last day; showing that midnight would read as the next day, so the last minute of the day is shown.
 */
export function deadlineParam(ctx: Pick<TimeContext, 'calendar'>, iso: string): InstantParam {
  return instantParam(ctx, new Date(Date.parse(iso) - 60_000).toISOString());
}

/** An instant as text for a reader whose locale is known: "Nov 30, 2026, 11:59 PM (Europe/Berlin)", "2026年11月30日 23:59（Europe/Berlin）". */
export function formatInstant(ctx: Pick<TimeContext, 'calendar'>, iso: string, locale: Locale): string {
  return formatDateTime(locale, instantParam(ctx, iso));
}

/** A deadline as text for a reader whose locale is known (its last minute, as `deadlineParam`). */
export function formatDeadline(ctx: Pick<TimeContext, 'calendar'>, iso: string, locale: Locale): string {
  return formatDateTime(locale, deadlineParam(ctx, iso));
}
