import { CARD_TEMPLATES, renderCard, type CardName } from '../../cards/cardTemplates';
import { cardProblems } from '../support/cardValidation';
import { helpCard } from '../../bot/helpCard';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { LOCALES } from '../../src/i18n/locales';

describe('card templates', () => {
  test.each(Object.keys(CARD_TEMPLATES) as CardName[])('%s, expanded with its sample data, is a valid card for Teams', (name) => {
    const card = renderCard(name, CARD_TEMPLATES[name].sample);
    expect(cardProblems(card)).toEqual([]);
  });

  test('the validator itself catches what Teams would not render', () => {
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.6', body: [{ type: 'TextBlock', text: '${missing}', size: 'Huge' }] })).toEqual([
      'unresolved template expression ${missing}',
      'card version 1.6 is not 1.5 or lower (max 1.5)',
      'parse: Invalid value "Huge" for property "size".',
    ]);
  });

  test('a value that is missing from the data is an error, not a card with ${...} in it', () => {
    expect(() => renderCard('help', { ...CARD_TEMPLATES.help.sample, intro: undefined })).toThrow(/unresolved \$\{intro\}/);
  });

  test('text typed by people is shown as typed, never evaluated as a template', () => {
    const card = renderCard('help', { ...CARD_TEMPLATES.help.sample, youAre: 'Claim ${title} by ${1+1}' });
    expect(JSON.stringify(card)).toContain('Claim $\u2060{title} by $\u2060{1+1}');
    expect(cardProblems(card)).toEqual([]);
  });

  test.each(LOCALES)('the help card as the bot sends it in %s is valid', (locale) => {
    const attachment = helpCard(locale, { kind: 'unknown', why: 'notOnRoster' }, DEFAULT_DEADLINE_POLICY);
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardProblems(attachment.content)).toEqual([]);
  });
});
