import type { MessagingExtensionAttachment, MessagingExtensionResponse } from 'botbuilder';
import { z } from 'zod';
import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import type { Claim } from '../../src/domain/claim';
import type { ListFilter } from '../../src/domain/claimListFilter';
import { formatInstant } from '../../src/domain/claimLifecycle';
import type { Locale, MessageKey } from '../../src/i18n/locales';
import { literal, t } from '../../src/i18n/teamsMarkdown';
import type { AppServices } from '../../src/services/services';
import { ClaimQueries, type ClaimRow, type Viewer } from '../../src/services/claims/claimQueries';
import { claimIdOfLink } from '../../src/web/claimLinks';
import { COMMAND_WORDS, MAX_TEXT, parseCommand } from '../commands/chatCommands';
import { ClaimCards } from '../commands/claimCards';

/**
 * The message extension: finding a claim from the compose box (`composeExtension/query`) and unfurling
 * a claim link pasted into a message (`composeExtension/queryLink`). Both insert the same compact card
 * (cards/claimShare), which carries only what anyone in the conversation may see (the claim id, its
 * status and program, when it last changed) and an Open button; Open shows the full claim to the person
 * who pressed it, if they may see it (claim.open, through the one policy like every button).
 *
 * The action router has applied the policy before these run; what a person may find is the queries'
 * (their organisation's claims, or every claim for a reviewer), as for `my claims`.
 */

/** The manifest's search command id (appPackage/manifest.json, composeExtensions[0].commands[0]). */
export const SEARCH_COMMAND_ID = 'findClaims';
/** Results Teams asks for at once (queryOptions.count); more are never sent. */
export const MAX_RESULTS = 25;
/** The deepest a result list is paged (queryOptions.skip): further down, the list ends. */
export const MAX_SKIP = 250;

const parameter = z.object({ name: z.string().max(64), value: z.unknown().optional() });
/** What Teams sends with a search; anything else in it is ignored, anything out of shape refused. */
const searchQuery = z.object({
  commandId: z.string().max(64).optional(),
  parameters: z.array(parameter).max(10).optional(),
  queryOptions: z
    .object({
      skip: z.coerce.number().int().min(0).optional(),
      count: z.coerce.number().int().min(0).optional(),
    })
    .optional(),
});

/** A parameter's text: a string as typed (bounded later), anything else nothing. */
function textOf(parameters: z.infer<typeof parameter>[], name: string): string {
  const value = parameters.find((p) => p.name === name)?.value;
  return typeof value === 'string' ? value : '';
}

type SearchInput = { ok: true; filter: ListFilter; skip: number; count: number } | { ok: false; message: MessageKey; params?: Record<string, string | number> };

/** Reads a search: the text (at most MAX_TEXT characters), the status parameter, and the page. Never throws. */
export function readSearch(value: unknown): SearchInput {
  const parsed = searchQuery.safeParse(value ?? {});
  if (!parsed.success) return { ok: false, message: 'extension.badRequest' };
  const parameters = parsed.data.parameters ?? [];
  const text = textOf(parameters, 'query').replace(/\s+/g, ' ').trim();
  if (text.length > MAX_TEXT) return { ok: false, message: 'extension.badText', params: { max: MAX_TEXT } };
  // Typed words and the status parameter are read exactly as `my claims` reads them ("approved contoso", status:…).
  const command = parseCommand(`${COMMAND_WORDS.myClaims} ${text}`, { status: textOf(parameters, 'status').slice(0, 40) });
  if (command.kind === 'badInput')
    return {
      ok: false,
      message:
        command.message === 'list.textTooLong' ? 'extension.badText' : command.message === 'list.badStatus' ? 'extension.badStatus' : 'extension.badRequest',
      params: { max: MAX_TEXT },
    };
  if (command.kind !== 'myClaims') return { ok: false, message: 'extension.badRequest' };
  const skip = parsed.data.queryOptions?.skip ?? 0;
  const count = Math.min(parsed.data.queryOptions?.count || MAX_RESULTS, MAX_RESULTS);
  // Every list filter typed in the compose box works as in `my claims` ("area microsoft 365 sort updated").
  return { ok: true, filter: command.filter, skip, count };
}

/** A search answered with a sentence instead of results (a bad input, a refusal). */
export function extensionMessage(text: string): MessagingExtensionResponse {
  return { composeExtension: { type: 'message', text } };
}

function results(attachments: MessagingExtensionAttachment[]): MessagingExtensionResponse {
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
}

/** Nothing to show: a link that does not unfurl, a page past the end. */
export const NO_RESULTS: MessagingExtensionResponse = results([]);

export class ClaimExtension {
  readonly queries: ClaimQueries;
  private readonly cards: ClaimCards;

  constructor(
    private readonly services: Pick<AppServices, 'calendar' | 'claimService' | 'claims' | 'clock' | 'config' | 'consentLinks' | 'cosmos' | 'poe' | 'rosters'>,
  ) {
    this.queries = ClaimQueries.fromServices(services);
    this.cards = new ClaimCards(services, this.queries);
  }

  /** The claims this person may see that match the search, as results with a compact card each. */
  async search(viewer: Viewer, value: unknown, locale: Locale): Promise<MessagingExtensionResponse> {
    const input = readSearch(value);
    if (!input.ok) return extensionMessage(t(locale, input.message, input.params ?? {}));
    if (input.skip >= MAX_SKIP || input.count === 0) return NO_RESULTS;
    const { filter } = input;
    // Teams pages by skip and count; the store by continuation: the rows before `skip` are read and dropped (bounded by MAX_SKIP).
    const page = await this.queries.list(viewer, filter, { pageSize: input.skip + input.count });
    const rows = page.rows.slice(input.skip, input.skip + input.count);
    return results(rows.map((row) => this.result(row, locale)));
  }

  /**
   * A pasted claim link, or a chosen search result: the compact card for someone who may see the claim;
   * for anyone else, nothing.
   */
  async share(viewer: Viewer, claimId: string, locale: Locale): Promise<MessagingExtensionResponse> {
    const claim = await this.queries.claim(viewer, claimId);
    if (!claim) return NO_RESULTS;
    const card = this.compactCard(sharedFacts(claim), locale);
    return results([
      { contentType: ADAPTIVE, content: card, preview: thumbnail(t(locale, 'share.title', { claimId: claim.id }), t(locale, `status.${claim.status}`)) },
    ]);
  }

  /** The claim id of a link to this bot's /claims/CL-…; undefined for any other link. */
  claimIdOfLink(url: unknown): string | undefined {
    return typeof url === 'string' ? claimIdOfLink(url, this.services.consentLinks.serverUrl) : undefined;
  }

  /** The full claim for a person who may see it (the policy has allowed them): the status card of `claim CL-…`. */
  async openCard(viewer: Viewer, claimId: string, locale: Locale, conversationType: string | undefined): Promise<AdaptiveCardJson | undefined> {
    const claim = await this.queries.claim(viewer, claimId);
    if (!claim) return undefined;
    const card = await this.cards.status(claim, viewer, locale);
    // Outside a 1:1 chat the card is the person's own view, but its buttons would start forms and
    // answers in a shared conversation: they act from their 1:1 chat.
    // A copy without them: the status card may be the one the card cache keeps for everyone.
    if ((conversationType ?? 'personal') !== 'personal') {
      const { actions: _buttons, ...withoutButtons } = card as AdaptiveCardJson & { actions?: unknown };
      return withoutButtons as AdaptiveCardJson;
    }
    return card;
  }

  /** What anyone in a conversation may see of a claim: id, status, program, last change; and Open. */
  compactCard(claim: SharedFacts, locale: Locale): AdaptiveCardJson {
    return renderCard('claimShare', {
      claimId: claim.id,
      title: t(locale, 'share.title', { claimId: claim.id }),
      facts: [
        { title: t(locale, 'claimCard.fact.status'), value: t(locale, `status.${claim.status}`) },
        ...(claim.solutionArea && claim.activity
          ? [
              {
                title: t(locale, 'field.solutionArea'),
                value: `${t(locale, `area.${claim.solutionArea}`)} · ${t(locale, `activity.${claim.activity}` as MessageKey)}`,
              },
            ]
          : []),
        ...(claim.updatedAt ? [{ title: t(locale, 'share.updated'), value: formatInstant(this.services, claim.updatedAt, locale) }] : []),
      ],
      hint: t(locale, 'share.hint'),
      open: t(locale, 'list.button.open'),
    });
  }

  /**
   * One search result: previewed (for the searcher only) with name, domain and status. Choosing it sends
   * `composeExtension/selectItem` (the preview's tap), answered by `share`, which reads the claim again
   * for that person; the compact card carried here (id and status) is what older clients insert instead.
   */
  private result(row: ClaimRow, locale: Locale): MessagingExtensionAttachment {
    const preview = thumbnail(
      literal(row.claimName || row.id),
      t(locale, 'extension.preview', { claimId: row.id, domain: row.customerDomain || '-', status: `@status.${row.status}` }),
    );
    return {
      contentType: ADAPTIVE,
      content: this.compactCard({ id: row.id, status: row.status }, locale),
      preview: { ...preview, content: { ...(preview.content as object), tap: { type: 'invoke', value: { claimId: row.id } } } },
    };
  }
}

/** The facts of a claim that its compact card shows. */
interface SharedFacts {
  id: string;
  status: Claim['status'];
  solutionArea?: Claim['fields']['solutionArea'];
  activity?: Claim['fields']['activity'];
  updatedAt?: string;
}

function sharedFacts(claim: Claim): SharedFacts {
  return { id: claim.id, status: claim.status, solutionArea: claim.fields.solutionArea, activity: claim.fields.activity, updatedAt: claim.updatedAt };
}

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

/** The preview of a result in the list (Teams shows a thumbnail card there). */
function thumbnail(title: string, text: string): MessagingExtensionAttachment {
  return { contentType: 'application/vnd.microsoft.card.thumbnail', content: { title, text } };
}
