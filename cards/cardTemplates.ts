import { Template } from 'adaptivecards-templating';
import helpTemplate from './help/help.json';
import helpSample from './help/help.sample.json';
import welcomeTemplate from './welcome/welcome.json';
import welcomeSample from './welcome/welcome.sample.json';
import claimFormTemplate from './claimForm/claimForm.json';
import claimFormSample from './claimForm/claimForm.sample.json';
import claimSummaryTemplate from './claimSummary/claimSummary.json';
import claimSummarySample from './claimSummary/claimSummary.sample.json';
import reviewCardTemplate from './reviewCard/reviewCard.json';
import reviewCardSample from './reviewCard/reviewCard.sample.json';
import claimHistoryTemplate from './claimHistory/claimHistory.json';
import claimHistorySample from './claimHistory/claimHistory.sample.json';
import partnerNoticeTemplate from './partnerNotice/partnerNotice.json';
import partnerNoticeSample from './partnerNotice/partnerNotice.sample.json';
import partnerActionTemplate from './partnerAction/partnerAction.json';
import partnerActionSample from './partnerAction/partnerAction.sample.json';
import claimListTemplate from './claimList/claimList.json';
import claimListSample from './claimList/claimList.sample.json';
import claimStatusTemplate from './claimStatus/claimStatus.json';
import claimStatusSample from './claimStatus/claimStatus.sample.json';
import formRecordTemplate from './formRecord/formRecord.json';
import formRecordSample from './formRecord/formRecord.sample.json';
import refusalTemplate from './refusal/refusal.json';
import refusalSample from './refusal/refusal.sample.json';
import claimShareTemplate from './claimShare/claimShare.json';
import claimShareSample from './claimShare/claimShare.sample.json';

/**
 * Card templates (JSON, one folder per card, with a sample-data file beside each) and their rendering.
 * Rendering refuses to return a card with an unresolved `${...}`: a missing value is a bug, not something to show a person.
 */

export const CARD_TEMPLATES = {
  help: { template: helpTemplate, sample: helpSample },
  welcome: { template: welcomeTemplate, sample: welcomeSample },
  claimForm: { template: claimFormTemplate, sample: claimFormSample },
  claimSummary: { template: claimSummaryTemplate, sample: claimSummarySample },
  reviewCard: { template: reviewCardTemplate, sample: reviewCardSample },
  claimHistory: { template: claimHistoryTemplate, sample: claimHistorySample },
  partnerNotice: { template: partnerNoticeTemplate, sample: partnerNoticeSample },
  /** A partner's step on their own claim: withdraw, dispute, start again from a rejected claim. */
  partnerAction: { template: partnerActionTemplate, sample: partnerActionSample },
  /** A page of claims (my claims, what needs my action, search results) with Open buttons, paging and a filter form. */
  claimList: { template: claimListTemplate, sample: claimListSample },
  /** One claim for the people who may see it: facts, running deadlines, timeline, and the steps they may take now. */
  claimStatus: { template: claimStatusTemplate, sample: claimStatusSample },
  /** A claim-form step once answered: what was entered, read-only (it replaces the live form in the chat). */
  formRecord: { template: formRecordTemplate, sample: formRecordSample },
  /** A short answer to an action that was refused or could not be done: names no customer, tenant, contact, product or file. */
  refusal: { template: refusalTemplate, sample: refusalSample },
  /**
   * A claim shared into any conversation (message extension, unfurled link): id, status, program and
   * an Open button; nothing that only the claim's organisation and reviewers may see.
   */
  claimShare: { template: claimShareTemplate, sample: claimShareSample },
} as const;

export type CardName = keyof typeof CARD_TEMPLATES;
/**
 * The data a template is expanded with. Its shape is what the template's `${...}` expressions read, as
 * the sample file beside each template shows; a value the template needs and the data lacks is caught
 * at render time (UnresolvedTemplateError) and by the card tests.
 */
export type CardData = Record<string, unknown>;
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

export function renderCard(name: CardName, data: CardData): AdaptiveCardJson {
  let template = prepared.get(name);
  if (!template) prepared.set(name, (template = new Template(CARD_TEMPLATES[name].template)));
  const expanded = template.expand({ $root: neutralise(data) }) as AdaptiveCardJson;
  const text = JSON.stringify(expanded);
  const unresolved = UNRESOLVED.exec(text);
  if (unresolved) throw new UnresolvedTemplateError(`Card ${name} has an unresolved ${unresolved[0]}`);
  return expanded;
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

  async render(name: CardName, key: string | undefined, data: () => Promise<CardData>, now: number, validForMs = Infinity): Promise<AdaptiveCardJson> {
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
