import { startBotApp, type BotApp } from '../../app/botApp';
import { summaryCardData } from '../../bot/claimDialog/claimSummary';
import { formStep, withErrorMessages, type StepContext } from '../../bot/claimDialog/claimFormSteps';
import { ClaimCards } from '../../bot/commands/claimCards';
import { disputeClosedCard, withdrawCard } from '../../bot/partnerActions/partnerActionCards';
import { PartnerNotifier } from '../../bot/reviews/partnerNotifier';
import { ReviewCardView } from '../../bot/reviews/reviewCardView';
import { renderCard, type AdaptiveCardJson } from '../../cards/cardTemplates';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { demoPdf } from '../../app/demo/demoSeed';
import { LOCALES } from '../../src/i18n/locales';
import { literal, markdown, render, t } from '../../src/i18n/teamsMarkdown';
import { silentLogger } from '../../src/logger';
import { ClaimQueries, type Viewer } from '../../src/services/claims/claimQueries';
import { PARTNER_AAD, REVIEWER_AAD } from '../support/activities';
import { cardProblems } from '../support/cardValidation';
import { displayedTexts, INJECTIONS, inputValues, shownAs } from '../support/literalText';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';

/**
 * Whatever a partner, reviewer or customer typed is shown in Teams as typed: a claim whose every
 * free-text field (and the people's display names) holds markdown or HTML is drawn through every card
 * and message that shows it, in both languages, and no displayed text holds the markup unescaped.
 */

let app: BotApp;
beforeAll(async () => {
  app = await startBotApp(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger, delivery: TEST_DELIVERY });
});
afterAll(async () => {
  await app.close();
});

describe('literal()', () => {
  test.each(INJECTIONS.filter((i) => i.name !== 'template expression'))('$name is shown as typed, without its markup', ({ typed, markup }) => {
    const shown = literal(typed);
    expect(markup(shown)).toBe(false);
    expect(shownAs(shown)).toBe(typed);
  });

  test('text without markup, e-mail addresses and snake_case words are left as they are', () => {
    for (const plain of [
      'Contoso Teams adoption',
      'dana_lee@contoso.example',
      'America/New_York',
      'Nov 30, 2026, 11:59 PM (Europe/Berlin)',
      '1.5 MB',
      '合同 2026',
    ])
      expect(literal(plain)).toBe(plain);
  });

  test("the Teams t() escapes what was typed and keeps the catalogue's own markdown and references", () => {
    const line = t('en-US', 'review.commentLine', { name: '**Eve**', role: '@role.reviewer', at: 'today', text: '[Open](https://evil.example/x)' });
    expect(line.startsWith('**')).toBe(true); // the name is bold, as the catalogue says
    expect(line).toContain('(reviewer)');
    expect(line).not.toContain('**Eve**');
    expect(line).not.toContain('](https://evil.example/x)');
    // Read as a person would: the catalogue's bold around the name as typed, and the text as typed.
    expect(shownAs(line)).toBe('****Eve**** (reviewer), today: [Open](https://evil.example/x)');
    const link = t('en-US', 'dialog.poe.templateReady', { url: markdown('https://blob.example/t.docx?sv=1&sig=x'), count: 5 });
    expect(link).toContain('](https://blob.example/t.docx?sv=1&sig=x)');
    expect(render('zh-CN', { key: 'find.none.partner', params: { text: '<b>x</b>' } })).not.toContain('<b>');
  });
});

const partnerOf = (name: string): Extract<Actor, { kind: 'partner' }> => ({
  kind: 'partner',
  id: PARTNER_AAD,
  name,
  orgId: 'fabrikam-consulting',
  role: 'GlobalAdmin',
});
const reviewerOf = (name: string): Extract<Actor, { kind: 'reviewer' }> => ({ kind: 'reviewer', id: REVIEWER_AAD, name });

/** A claim through its life with `typed` in every free-text field, and the cards drawn at each step. */
async function claimWithEverything(typed: string): Promise<{ cards: { name: string; card: AdaptiveCardJson }[]; claim: Claim }> {
  const partner = partnerOf(typed);
  const reviewer = reviewerOf(typed);
  const organisation = (await app.services.rosters.organisation(partner.orgId))!;
  const partnerViewer: Viewer = { kind: 'partner', actor: partner, organisation };
  const reviewerViewer: Viewer = { kind: 'reviewer', actor: reviewer };
  const services = app.services;
  const view = new ReviewCardView(services);
  const queries = ClaimQueries.fromServices(services);
  const claimCards = new ClaimCards(services, queries);
  const notices = new PartnerNotifier(services);
  const cards: { name: string; card: AdaptiveCardJson }[] = [];
  const ok = (result: Awaited<ReturnType<typeof services.claimService.act>>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
    return result.claim;
  };
  const drawAll = async (claim: Claim, step: string) => {
    for (const locale of LOCALES) {
      const add = (name: string, card: AdaptiveCardJson) => cards.push({ name: `${step} ${name} (${locale})`, card });
      add('review card', await view.render(claim, { locale, refreshUserIds: [] }));
      add('review card for a reviewer', await view.render(claim, { locale, viewer: reviewer, refreshUserIds: [] }));
      add('history', view.history(claim, locale, true));
      add('status card for the partner', await claimCards.status(claim, partnerViewer, locale));
      add('status card for a reviewer', await claimCards.status(claim, reviewerViewer, locale));
      const rows = (await queries.list(partnerViewer, {}, { pageSize: 50 })).rows.filter((r) => r.id === claim.id);
      add('claim list', await claimCards.list({ title: 'x', subtitle: 'x', lines: [], empty: '', rows, pager: [] }, reviewerViewer, locale));
      add('partner notice', notices.card(claim, claim.history.at(-1)!, locale));
      add('withdraw card', withdrawCard(claim, locale));
      add('dispute closed card', disputeClosedCard(claim, locale, 'x'));
    }
  };

  const email = 'x**mail**_x_`c`~s~@fourthcoffee.example';
  const contact = { name: typed, title: typed, email };
  const created = await services.claimService.createDraft(partner, {
    // A customer the directory does not know: nothing here is about the directory's checks.
    mpnId: '4412345',
    customerDomain: 'fourthcoffee.example',
    customerTenantId: '77777777-0000-4000-8000-000000000001',
    solutionArea: 'BusinessApplications',
    activity: 'RevenueAssociation',
    products: ['d365-sales'],
    revenueAssociation: { solutionSellerName: typed, customerName: typed, isvSolutionName: typed },
    customerContact: contact,
    technicalContact: contact,
    partnerContact: { name: typed, email },
    claimName: typed,
  });
  if (!created.ok) throw new Error(JSON.stringify(created.refusal));
  const id = created.claim.id;
  const stored = await services.poe.upload({ claimId: id, fileName: 'sow.pdf', contentType: 'application/pdf', data: demoPdf('SOW') });
  let claim = ok(
    await services.claimService.act(
      id,
      {
        type: 'addPoe',
        files: [
          { id: `${id}-1`, fileName: typed, ...stored, uploadedAt: new Date().toISOString(), uploadedBy: { kind: 'partner', id: partner.id, name: typed } },
        ],
      },
      partner,
    ),
  );

  for (const locale of LOCALES) {
    // The draft's summary and the PoE step, where the file names are listed; the contacts step is prefilled.
    const ctx: StepContext = { locale, claim, organisation, partnerUser: { name: typed, email }, needsSubscriptionIds: [], maxPoeMegabytes: 10, amend: false };
    cards.push({
      name: `draft summary (${locale})`,
      card: renderCard('claimSummary', {
        ...summaryCardData({ ctx, links: ['https://blob.example/sow.pdf'], pendingComment: typed, competing: false, data: () => ({}) }),
        errorsTitle: 'x',
        errors: [],
      }),
    });
    for (const step of ['poe', 'contacts', 'revenue'] as const) {
      const fields = formStep(step).fields(ctx, {});
      const form = renderCard('claimForm', {
        title: 'x',
        progress: 'x',
        intro: '',
        errorsTitle: 'x',
        errors: [],
        fields: withErrorMessages(fields, locale),
        actions: [],
      });
      cards.push({ name: `${step} step (${locale})`, card: form });
      // The person edits the raw value: not escaped (only "${" is kept from reading as a template, by renderCard).
      if (step !== 'poe') expect(inputValues(form)).toContain(typed.replace(/\$\{/g, '$\u2060{'));
    }
  }

  claim = ok(await services.claimService.act(id, { type: 'submit', comment: typed }, partner));
  claim = ok(await services.claimService.act(id, { type: 'startReview' }, reviewer));
  claim = ok(await services.claimService.act(id, { type: 'comment', text: typed }, reviewer));
  await drawAll(claim, 'commented');
  claim = ok(await services.claimService.act(id, { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: typed }, reviewer));
  await drawAll(claim, 'info requested');
  claim = ok(await services.claimService.act(id, { type: 'comment', text: typed }, partner));
  claim = ok(await services.claimService.act(id, { type: 'resubmit', comment: typed }, partner));
  claim = ok(await services.claimService.act(id, { type: 'reject', reason: 'InsufficientProofOfExecution', comment: typed }, reviewer));
  await drawAll(claim, 'rejected');
  claim = ok(await services.claimService.act(id, { type: 'dispute', justification: typed }, partner));
  await drawAll(claim, 'disputed');
  claim = ok(await services.claimService.act(id, { type: 'withdraw', comment: typed }, partner));
  await drawAll(claim, 'withdrawn');
  await app.background.drain();
  return { cards, claim };
}

describe('cards show typed text literally', () => {
  test.each(INJECTIONS)('$name in every free-text field and display name', async ({ typed, markup }) => {
    const { cards } = await claimWithEverything(typed);
    const shownOnce = (name: string) =>
      cards.filter((c) => c.name.includes(name)).every((c) => displayedTexts(c.card).some((text) => shownAs(text).includes(typed)));
    for (const { name, card } of cards) {
      const unescaped = displayedTexts(card).filter((text) => markup(text) || /\*\*mail\*\*|`c`|~s~/.test(text));
      expect({ card: name, unescaped }).toEqual({ card: name, unescaped: [] });
      expect(cardProblems(card)).toEqual([]);
    }
    // Shown, as typed, wherever it is shown: every card below holds the typed value at least once.
    for (const name of ['review card', 'history', 'status card', 'claim list', 'partner notice', 'withdraw card', 'draft summary', 'poe step'])
      expect([name, shownOnce(name)]).toEqual([name, true]);
    // The review card shows it in the title, the contacts, revenue details, PoE, comments and the dispute.
    const review = cards.find((c) => c.name === 'disputed review card (en-US)')!;
    const count = displayedTexts(review.card).map(shownAs).join('\n').split(typed).length - 1;
    expect(count).toBeGreaterThanOrEqual(8);
  });
});
