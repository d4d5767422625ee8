import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CARD_TEMPLATES, renderCard, type CardDataOf, type CardName } from '../../cards/cardTemplates';
import helpSample from '../../cards/help/help.sample.json';
import welcomeSample from '../../cards/welcome/welcome.sample.json';
import claimFormSample from '../../cards/claimForm/claimForm.sample.json';
import claimSummarySample from '../../cards/claimSummary/claimSummary.sample.json';
import reviewCardSample from '../../cards/reviewCard/reviewCard.sample.json';
import claimHistorySample from '../../cards/claimHistory/claimHistory.sample.json';
import partnerNoticeSample from '../../cards/partnerNotice/partnerNotice.sample.json';
import partnerActionSample from '../../cards/partnerAction/partnerAction.sample.json';
import claimListSample from '../../cards/claimList/claimList.sample.json';
import claimStatusSample from '../../cards/claimStatus/claimStatus.sample.json';
import formRecordSample from '../../cards/formRecord/formRecord.sample.json';
import refusalSample from '../../cards/refusal/refusal.sample.json';
import claimShareSample from '../../cards/claimShare/claimShare.sample.json';
import noticeSample from '../../cards/notice/notice.sample.json';
import { cardProblems } from '../support/cardValidation';
import { helpCard } from '../../bot/helpCard';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { LOCALES } from '../../src/i18n/locales';

/**
 * Each template's sample, held to the template's data type: a sample (and so the template it shows)
 * that drifts from the type its callers write against fails to compile. The samples are test fixtures:
 * nothing in cards/cardTemplates.ts imports them, so the build does not ship them.
 */
const SAMPLES: { [N in CardName]: CardDataOf[N] } = {
  help: helpSample,
  welcome: welcomeSample,
  claimForm: claimFormSample,
  claimSummary: claimSummarySample,
  reviewCard: reviewCardSample,
  claimHistory: claimHistorySample,
  partnerNotice: partnerNoticeSample,
  partnerAction: partnerActionSample,
  claimList: claimListSample,
  claimStatus: claimStatusSample,
  formRecord: formRecordSample,
  refusal: refusalSample,
  claimShare: claimShareSample,
  notice: noticeSample,
};

describe('card templates', () => {
  test.each(Object.keys(CARD_TEMPLATES) as CardName[])('%s, expanded with its sample data, is a valid card for Teams', (name) => {
    const card = renderCard(name, SAMPLES[name]);
    expect(cardProblems(card)).toEqual([]);
  });

  test('every card folder holds its template, its data type and a sample, and is registered', () => {
    const cards = join(__dirname, '..', '..', 'cards');
    const folders = readdirSync(cards, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.sort()).toEqual(Object.keys(CARD_TEMPLATES).sort());
    for (const name of folders) expect(readdirSync(join(cards, name)).sort()).toEqual([`${name}.json`, `${name}.sample.json`, 'data.ts'].sort());
  });

  test('the validator itself catches what Teams would not render', () => {
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.6', body: [{ type: 'TextBlock', text: '${missing}', size: 'Huge' }] })).toEqual([
      'unresolved template expression ${missing}',
      'card version 1.6 is not 1.5 or lower (max 1.5)',
      'parse: Invalid value "Huge" for property "size".',
    ]);
  });

  test('a value that is missing from the data is an error, not a card with ${...} in it', () => {
    expect(() => renderCard('help', { ...SAMPLES.help, intro: undefined as unknown as string })).toThrow(/unresolved \$\{intro\}/);
    // Deep in a repeated row too (the second row of a list has no deadline).
    const rows = SAMPLES.claimList.rows.map((row, i) => (i === 1 ? { ...row, deadline: undefined as unknown as string } : row));
    expect(() => renderCard('claimList', { ...SAMPLES.claimList, rows })).toThrow(/claimList has an unresolved \$\{deadline\}/);
  });

  test('text typed by people is shown as typed, never evaluated as a template', () => {
    const card = renderCard('help', { ...SAMPLES.help, youAre: 'Claim ${title} by ${1+1}' });
    expect(JSON.stringify(card)).toContain('Claim $\u2060{title} by $\u2060{1+1}');
    expect(cardProblems(card)).toEqual([]);
  });

  test.each(LOCALES)('the help card as the bot sends it in %s is valid', (locale) => {
    const attachment = helpCard(locale, { kind: 'unknown', why: 'notOnRoster' }, DEFAULT_DEADLINE_POLICY);
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardProblems(attachment.content)).toEqual([]);
  });
});
