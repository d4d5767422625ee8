import { CardFactory, type Attachment } from 'botbuilder';
import { renderCard } from '../cards/cardTemplates';
import { t, type Locale } from '../src/i18n/locales';
import type { Identity } from '../src/services/identity';
import { youAreLine } from './helpCard';

/** The card a partner sees when the app is installed: what the bot is for, with "New claim" and "Help" buttons. */
export function welcomeCard(locale: Locale, identity: Identity): Attachment {
  return CardFactory.adaptiveCard(
    renderCard('welcome', {
      title: t(locale, 'welcome.title'),
      intro: t(locale, 'welcome.intro'),
      youAre: youAreLine(locale, identity),
      buttons: [
        { title: t(locale, 'welcome.button.newClaim'), command: 'new claim' },
        { title: t(locale, 'welcome.button.help'), command: 'help' },
      ],
    }),
  );
}
