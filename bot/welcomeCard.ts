import { CardFactory, type Attachment } from 'botbuilder';
import { renderCard } from '../cards/cardTemplates';
import { CLAIMING_PARTNER_ROLES } from '../src/domain/actors';
import { ref, type Locale, type MessageKey } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';
import type { Identity } from '../src/services/roster/identity';
import { COMMAND_WORDS, type CommandId, type CommandScope } from './commands/chatCommands';

export const BUTTON_LABELS: Partial<Record<CommandId, MessageKey>> = {
  newClaim: 'welcome.button.newClaim',
  myClaims: 'welcome.button.myClaims',
  needsAction: 'welcome.button.needsAction',
  help: 'welcome.button.help',
};

/**
 * The card sent when the app is installed. In a 1:1 chat: what the bot is for, who the person is to
 * it, and the commands they can use as buttons. In a team's channel or a group chat: one card for
 * everyone, with how reviewers make it their reviews channel and where partners find their claims.
 */
export function welcomeCard(locale: Locale, identity: Identity, scope: CommandScope = 'personal'): Attachment {
  const button = (id: CommandId) => ({ title: t(locale, BUTTON_LABELS[id]!), command: COMMAND_WORDS[id] });
  const commands = commandsFor(identity);
  if (scope !== 'personal') {
    return CardFactory.adaptiveCard(
      renderCard('welcome', {
        title: t(locale, 'welcome.team.title'),
        intro: t(locale, 'welcome.team.intro'),
        youAre: '',
        lines: [t(locale, 'welcome.team.reviews'), t(locale, 'welcome.team.partners'), t(locale, 'welcome.commandsHint')],
        buttons: [button('needsAction'), button('help')],
      }),
    );
  }
  return CardFactory.adaptiveCard(
    renderCard('welcome', {
      title: t(locale, 'welcome.title'),
      intro: t(locale, 'welcome.intro'),
      youAre: youAreLine(locale, identity),
      lines: [t(locale, 'welcome.commandsHint')],
      // The other language, chosen with one press (kept for the person, see docs/language.md).
      buttons: [...commands.map(button), languageButton(locale)],
    }),
  );
}

/** The commands a person's 1:1 chat offers as buttons: what they may do without naming a claim. */
export function commandsFor(identity: Identity): CommandId[] {
  return identity.kind === 'partner'
    ? [...(CLAIMING_PARTNER_ROLES.includes(identity.actor.role) ? (['newClaim'] as const) : []), 'myClaims', 'needsAction', 'help']
    : identity.kind === 'reviewer'
      ? ['needsAction', 'help']
      : ['help'];
}

/** A button that switches the person's language to the other one ("中文" on an English card, "English" on a Chinese one). */
export function languageButton(locale: Locale): { title: string; command: string } {
  return { title: t(locale, 'welcome.language'), command: locale === 'zh-CN' ? 'language English' : 'language 中文' };
}

/** Who the person is to the bot, in one sentence. */
export function youAreLine(locale: Locale, identity: Identity): string {
  if (identity.kind === 'partner') {
    return t(locale, 'help.youAre.partner', {
      name: identity.actor.name,
      partnerRole: ref(`partnerRole.${identity.actor.role}`),
      org: identity.organisation.name,
    });
  }
  if (identity.kind === 'reviewer') return t(locale, 'help.youAre.reviewer', { name: identity.actor.name });
  return t(locale, 'help.youAre.unknown');
}
