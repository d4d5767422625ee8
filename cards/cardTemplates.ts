import { Template } from 'adaptivecards-templating';
import type { HelpData } from './help/data';
import type { WelcomeData } from './welcome/data';
import type { ClaimFormData } from './claimForm/data';
import type { ClaimSummaryData } from './claimSummary/data';
import type { ReviewCardData } from './reviewCard/data';
import type { ClaimHistoryData } from './claimHistory/data';
import type { PartnerNoticeData } from './partnerNotice/data';
import type { PartnerActionData } from './partnerAction/data';
import type { ClaimListData } from './claimList/data';
import type { ClaimStatusData } from './claimStatus/data';
import type { FormRecordData } from './formRecord/data';
import type { RefusalData } from './refusal/data';
import type { ClaimShareData } from './claimShare/data';
import type { NoticeData } from './notice/data';
import helpTemplate from './help/help.json';
import welcomeTemplate from './welcome/welcome.json';
import claimFormTemplate from './claimForm/claimForm.json';
import claimSummaryTemplate from './claimSummary/claimSummary.json';
import reviewCardTemplate from './reviewCard/reviewCard.json';
import claimHistoryTemplate from './claimHistory/claimHistory.json';
import partnerNoticeTemplate from './partnerNotice/partnerNotice.json';
import partnerActionTemplate from './partnerAction/partnerAction.json';
import claimListTemplate from './claimList/claimList.json';
import claimStatusTemplate from './claimStatus/claimStatus.json';
import formRecordTemplate from './formRecord/formRecord.json';
import refusalTemplate from './refusal/refusal.json';
import claimShareTemplate from './claimShare/claimShare.json';
import noticeTemplate from './notice/notice.json';

/**
 * Card templates (JSON, one folder per card, with the type of the data it reads in data.ts and a sample
 * of that data beside each) and their rendering. The samples are test fixtures (test/teams/cards.test.ts checks
 * each against its type and renders it); they are not imported here, so they are not shipped.
 * Rendering refuses to return a card with an unresolved `${...}`: a missing value is a bug, not something to show a person.
 */

export const CARD_TEMPLATES = {
  help: helpTemplate,
  welcome: welcomeTemplate,
  claimForm: claimFormTemplate,
  claimSummary: claimSummaryTemplate,
  reviewCard: reviewCardTemplate,
  claimHistory: claimHistoryTemplate,
  partnerNotice: partnerNoticeTemplate,
  /** A partner's step on their own claim: withdraw, dispute, start again from a rejected claim. */
  partnerAction: partnerActionTemplate,
  /** A page of claims (my claims, what needs my action, search results) with Open buttons, paging and a filter form. */
  claimList: claimListTemplate,
  /** One claim for the people who may see it: facts, running deadlines, timeline, and the steps they may take now. */
  claimStatus: claimStatusTemplate,
  /** A claim-form step once answered: what was entered, read-only (it replaces the live form in the chat). */
  formRecord: formRecordTemplate,
  /** A short answer to an action that was refused or could not be done: names no customer, tenant, contact, product or file. */
  refusal: refusalTemplate,
  /**
   * A claim shared into any conversation (message extension, unfurled link): id, status, program and
   * an Open button; nothing that only the claim's organisation and reviewers may see.
   */
  claimShare: claimShareTemplate,
  /** One sentence and nothing else (a claim that no longer exists, an action still in progress). */
  notice: noticeTemplate,
} as const;

export type CardName = keyof typeof CARD_TEMPLATES;

/**
 * The data each template is expanded with: what its `${...}` expressions read (cards/<name>/data.ts).
 * A caller that leaves out or misspells a field fails to compile; a template that reads a field its type
 * lacks fails the card tests (its sample, checked against the type, leaves the expression unresolved).
 */
export interface CardDataOf {
  help: HelpData;
  welcome: WelcomeData;
  claimForm: ClaimFormData;
  claimSummary: ClaimSummaryData;
  reviewCard: ReviewCardData;
  claimHistory: ClaimHistoryData;
  partnerNotice: PartnerNoticeData;
  partnerAction: PartnerActionData;
  claimList: ClaimListData;
  claimStatus: ClaimStatusData;
  formRecord: FormRecordData;
  refusal: RefusalData;
  claimShare: ClaimShareData;
  notice: NoticeData;
}
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

export class UnresolvedTemplateError extends Error {}

const UNRESOLVED = /\$\{[^}]*\}/;

/**
 * Text people typed (a claim name, a comment) may contain "${": a zero-width joiner keeps it from
 * reading as a template expression, and the person still sees what they typed.
 */
function neutralise(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, '$\u2060{');
  if (Array.isArray(value)) return value.map(neutralise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, neutralise(v)]));
  return value;
}

// Parsing a template's expressions is most of the cost of rendering, and the library parses every
// `${...}` string again on each expand. The strings are the templates' own (data is bound separately,
// and people's text is neutralised above), so each is parsed once; a parsed expression is immutable
// and evaluated against each card's data. (Template.expand is synchronous: one instance serves every turn.)
const parseOnce = Template.parseInterpolatedString.bind(Template);
const parsedStrings = new Map<string, ReturnType<typeof parseOnce>>();
Template.parseInterpolatedString = (text: string) => {
  let parsed = parsedStrings.get(text);
  if (parsed === undefined) {
    if (parsedStrings.size >= 5000) parsedStrings.clear(); // a bound, in case strings ever came from data
    parsedStrings.set(text, (parsed = parseOnce(text)));
  }
  return parsed;
};
const prepared = new Map<CardName, Template>();

export function renderCard<N extends CardName>(name: N, data: CardDataOf[N]): AdaptiveCardJson {
  let template = prepared.get(name);
  if (!template) prepared.set(name, (template = new Template(CARD_TEMPLATES[name])));
  const expanded = template.expand({ $root: neutralise(data) }) as AdaptiveCardJson;
  const unresolved = firstUnresolved(expanded);
  if (unresolved) throw new UnresolvedTemplateError(`Card ${name} has an unresolved ${unresolved}`);
  return expanded;
}

/**
 * The first `${...}` left anywhere in a card (a value or a key), or undefined. The card is walked rather than
 * written out as JSON and searched: every card drawn is checked, and the walk costs a fifth as much.
 */
function firstUnresolved(value: unknown): string | undefined {
  if (typeof value === 'string') return value.includes('${') ? (UNRESOLVED.exec(value)?.[0] ?? value) : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstUnresolved(item);
      if (found) return found;
    }
    return undefined;
  }
  for (const key in value) {
    const found = firstUnresolved(key) ?? firstUnresolved((value as Record<string, unknown>)[key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Rendered cards kept by a key the caller builds from what it has just read (the claim's ETag, the
 * viewer, the locale, the business date...), so a card is drawn again only when something it shows
 * changed: the lookup comes after the fresh read, never instead of it. Bounded: the least recently used
 * card goes first. An entry may also carry its own expiry (a card with time-limited links).
 * Cards handed out are shared between turns: callers must not change them.
 */
export class RenderedCardCache {
  private readonly cards = new Map<string, { card: AdaptiveCardJson; until: number }>();

  constructor(private readonly maxCards = 1000) {}

  async render<N extends CardName>(
    name: N,
    key: string | undefined,
    data: () => Promise<CardDataOf[N]>,
    now: number,
    validForMs = Infinity,
  ): Promise<AdaptiveCardJson> {
    if (key === undefined) return renderCard(name, await data());
    const fullKey = `${name}\n${key}`;
    const kept = this.cards.get(fullKey);
    if (kept && kept.until > now) {
      // Most recently used last: Map keeps insertion order, so the first key is the least recently used.
      this.cards.delete(fullKey);
      this.cards.set(fullKey, kept);
      return kept.card;
    }
    // Frozen: every later reader gets this same object, so a caller that changed it would change it
    // for everyone (it throws instead, in the strict code TypeScript emits).
    const card = deepFreeze(renderCard(name, await data()));
    this.cards.delete(fullKey);
    this.cards.set(fullKey, { card, until: now + validForMs });
    if (this.cards.size > this.maxCards) this.cards.delete(this.cards.keys().next().value!);
    return card;
  }

  get size(): number {
    return this.cards.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
