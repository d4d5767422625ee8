import { CardFactory, type Attachment } from 'botbuilder';
import { renderCard } from '../cards/cardTemplates';
import type { DeadlinePolicy } from '../src/domain/deadlinePolicy';
import { type Locale, type MessageKey } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';
import type { Identity } from '../src/services/roster/identity';
import { commandWords, COMMAND_WORDS, COMMANDS_BY_SCOPE, type CommandScope } from './commands/chatCommands';
import { BUTTON_LABELS, commandsFor, languageButton, youAreLine } from './welcomeCard';

/** The help card: what the bot does, who the person is to it, the deadlines it keeps, and the commands of this kind of conversation. */
export function helpCard(locale: Locale, identity: Identity, policy: DeadlinePolicy, scope: CommandScope = 'personal'): Attachment {
  const consent = t(locale, policy.consentPeriod.unit === 'days' ? 'duration.days' : 'duration.businessDays', { count: policy.consentPeriod.amount });
  const youAre = youAreLine(locale, identity);
  return CardFactory.adaptiveCard(
    renderCard('help', {
      title: t(locale, 'help.title'),
      intro: t(locale, 'help.intro'),
      youAre,
      partnerLine: t(locale, 'help.partner'),
      reviewerLine: t(locale, 'help.reviewer'),
      deadlinesLine: t(locale, 'help.deadlines', { consent }),
      commandsLine: t(locale, 'help.commands'),
      commandsHeading: t(locale, 'help.commandsHeading'),
      commands: COMMANDS_BY_SCOPE[scope].map((id) => ({ title: commandWords(locale, id), value: t(locale, `command.${id}` as MessageKey) })),
      languageLine: t(locale, 'help.language'),
      // The main commands as buttons (pressing one is typing its words: the same policy and handler).
      buttons: [
        ...(scope === 'personal' ? commandsFor(identity) : (['needsAction'] as const))
          .filter((id) => id !== 'help')
          .map((id) => ({ title: t(locale, BUTTON_LABELS[id]!), command: COMMAND_WORDS[id] })),
        ...(scope === 'personal' ? [languageButton(locale)] : []),
      ],
    }),
  );
}
