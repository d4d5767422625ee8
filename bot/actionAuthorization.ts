import type { TurnContext } from 'botbuilder';
import { addToLogContext } from '../src/observability/logContext';
import { z } from 'zod';
import type { Claim } from '../src/domain/claim';
import { ACTION_POLICY, authorize, isButtonAction, type AccessRefusal, type ActionName, type ButtonAction } from '../src/domain/actionPolicy';
import type { Actor } from '../src/domain/actors';
import type { LifecycleActionType } from '../src/domain/claimLifecycle';
import type { Locale, Message, MessageKey } from '../src/i18n/locales';
import { render, t } from '../src/i18n/teamsMarkdown';
import type { Logger } from '../src/logger';
import type { AppServices } from '../src/services/services';
import { CLAIM_ID_PATTERN } from '../src/services/claims/claimQueries';
import { senderOf, type Identity } from '../src/services/roster/identity';
import { renderCard, type AdaptiveCardJson } from '../cards/cardTemplates';

/**
 * The way into every action: reads what a button sent (one payload shape for Action.Submit and
 * Action.Execute) and applies the one authorization policy (src/domain/actionPolicy.ts) before any
 * handler runs. A refusal says why in a sentence that names no customer, tenant, contact, product or
 * file; a claim of another organisation is answered exactly as one that does not exist.
 */

/** What a button sent, once read. */
export type ButtonPress =
  | { kind: 'action'; action: ButtonAction; claimId?: string; orgId?: string; data: Record<string, unknown> }
  /** A button standing for typed words (`{ action: 'command', command: 'my claims', ... }`). */
  | { kind: 'command'; command: string; data: Record<string, unknown> }
  /** A card from an earlier version of the bot, or an action this version does not know. */
  | { kind: 'outdated' }
  | { kind: 'invalid'; field: string };

const MAX_COMMAND = 300;

const payload = z.looseObject({
  action: z.string().max(64),
  claimId: z.string().max(64).optional(),
  orgId: z.string().max(128).optional(),
  command: z.string().max(MAX_COMMAND).optional(),
});

/** Reads an Action.Submit's value (or an Action.Execute's data with its verb as `action`). Never throws. */
export function readButton(value: unknown): ButtonPress {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid', field: 'value' };
  const raw = value as Record<string, unknown>;
  if (typeof raw.action !== 'string') {
    // Earlier versions' buttons: `{ verb }`, `{ cpor }`, `{ command }` without an action.
    return 'verb' in raw || 'cpor' in raw || 'command' in raw ? { kind: 'outdated' } : { kind: 'invalid', field: 'action' };
  }
  const parsed = payload.safeParse(raw);
  if (!parsed.success) return { kind: 'invalid', field: String(parsed.error.issues[0]?.path[0] ?? 'value') };
  const { action, orgId, command } = parsed.data;
  // A form drawn before its draft existed says so with an empty claim id.
  const claimId = parsed.data.claimId || undefined;
  if (action === 'command') return typeof command === 'string' ? { kind: 'command', command, data: raw } : { kind: 'invalid', field: 'command' };
  if (!isButtonAction(action)) return { kind: 'outdated' };
  const rule = ACTION_POLICY[action];
  if (claimId !== undefined && !CLAIM_ID_PATTERN.test(claimId)) return { kind: 'invalid', field: 'claimId' };
  if (rule.claim === 'required' && !claimId) return { kind: 'invalid', field: 'claimId' };
  return { kind: 'action', action, ...(claimId ? { claimId: claimId.toUpperCase() } : {}), ...(orgId ? { orgId } : {}), data: raw };
}

/** Who is acting, as the claim's history records them: the roster's person, or Teams' id of a stranger. */
export function actorOf(identity: Identity, from: { aadObjectId?: string; id?: string; name?: string } | undefined): Actor {
  if (identity.kind !== 'unknown') return identity.actor;
  const id = from?.aadObjectId || from?.id || 'unknown';
  return { kind: 'stranger', id, name: from?.name || id };
}

export interface GateRequest {
  /** The turn: the claim the policy reads is kept in it for the handler (see takeClaimReadByPolicy). */
  context: TurnContext;
  action: ActionName;
  identity: Identity;
  actor: Actor;
  locale: Locale;
  claimId?: string;
  /** Where the card says the claim lives: a partition hint for recording a refused attempt, nothing more. */
  orgId?: string;
}

const REFUSAL_KEYS: Record<AccessRefusal | 'claimNotFound', MessageKey> = {
  signInRequired: 'access.signInRequired',
  notOnRoster: 'access.notOnRoster',
  reviewersOnly: 'access.reviewersOnly',
  partnersOnly: 'access.partnersOnly',
  partnerRoleNotAllowed: 'access.partnerRoleNotAllowed',
  claimNotFound: 'access.claimNotFound',
};

/** Why the policy refuses this sender this action at all (a message in no particular language); undefined when it allows it. */
function policyMessage(action: ActionName, identity: Identity): Message | undefined {
  const decision = authorize(action, senderOf(identity));
  if (decision.ok) return undefined;
  return { key: REFUSAL_KEYS[decision.refusal], params: identity.kind === 'partner' ? { partnerRole: `@partnerRole.${identity.actor.role}` } : {} };
}

/** The policy's sentence for a sender who may not take this action at all; undefined when they may. */
export function policyRefusal(action: ActionName, identity: Identity, locale: Locale): string | undefined {
  const message = policyMessage(action, identity);
  return message && render(locale, message);
}

export class ActionGate {
  constructor(
    private readonly services: Pick<AppServices, 'claimService'>,
    private readonly log: Logger,
  ) {}

  /**
   * The policy's answer for one action: undefined when it may go on, or the sentence to show. For a
   * partner's button on a claim, the claim must be found in their own organisation's partition; commands
   * read claims only through the queries, which are scoped the same way.
   */
  async refusal(request: GateRequest): Promise<string | undefined> {
    const { action, identity, locale, claimId } = request;
    if (claimId && CLAIM_ID_PATTERN.test(claimId)) addToLogContext({ claimId }); // the turn's later log lines name the claim
    const refused = policyMessage(action, identity);
    if (refused) {
      const recordAs: LifecycleActionType | undefined = (ACTION_POLICY[action] as { recordAs?: LifecycleActionType }).recordAs;
      // Someone Teams did not identify leaves no trace in a claim's history (nothing to audit, and no way to flood it).
      if (recordAs && claimId && senderOf(identity).kind !== 'anonymous') await this.record(claimId, recordAs, refused, request);
      return render(locale, refused);
    }
    if (identity.kind === 'partner' && claimId && !action.startsWith('command.')) {
      const own = await this.services.claimService.get(claimId, identity.actor.orgId);
      // A draft's form whose draft is gone was most likely discarded; elsewhere a claim is simply not found.
      if (!own) return t(locale, action === 'form.claim' ? 'action.draftGone' : REFUSAL_KEYS.claimNotFound, { claimId });
      request.context.turnState.set(CLAIM_READ, own);
    }
    return undefined;
  }

  /** Reviewers audit refused attempts at a claim (as the lifecycle records its own refusals); a failure to record is logged only. */
  private async record(claimId: string, type: LifecycleActionType, refusal: Message, request: GateRequest): Promise<void> {
    try {
      // Keyed by the activity, so a delivery Teams repeats (a card action has no record of its own) is recorded once.
      const { id, conversation } = request.context.activity;
      const actionId = id && conversation?.id ? `refused:${request.action}:${conversation.id}:${id}` : undefined;
      await this.services.claimService.recordRefusedAttempt(claimId, { type, actor: request.actor, refusal, ...(actionId ? { actionId } : {}) }, request.orgId);
    } catch (error) {
      this.log.error(`Could not record a refused ${request.action} on ${claimId}`, error);
    }
  }
}

const CLAIM_READ = Symbol('cpor.claimReadByPolicy');

/**
 * The claim the policy read for this turn's button (a partner's own, read before anything was written),
 * taken once by the handler that would otherwise read it again (the claim form's step).
 */
export function takeClaimReadByPolicy(context: TurnContext): Claim | undefined {
  const claim = context.turnState.get(CLAIM_READ) as Claim | undefined;
  context.turnState.delete(CLAIM_READ);
  return claim;
}

/** The short card a refused or impossible action answers with. */
export function refusalCard(locale: Locale, text: string): AdaptiveCardJson {
  return renderCard('refusal', { title: t(locale, 'access.title'), text, color: 'Attention' });
}

/** A card with one sentence (e.g. a claim that no longer exists). */
export function sentenceCard(text: string): AdaptiveCardJson {
  return renderCard('notice', { text });
}
