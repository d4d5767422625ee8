import { TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Claim } from '../src/domain/claim';
import type { Locale } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';
import type { Logger } from '../src/logger';
import type { AppServices } from '../src/services/services';
import { checklistMessage } from './poeChecklistView';

/**
 * Checking a PoE happens after the turn that attached it: the turn answers "checking…" at once, the
 * files are read in the pre-check's own lane (one at a time, giving way to people's turns), and the
 * checklist is posted to the same chat when it is known. The claim summary shows it from then on.
 */
/** Where a follow-up goes: taken while the turn is live, because a turn's context is revoked when it ends. */
export interface FollowUpTarget {
  adapter: CloudAdapter;
  reference: Partial<ConversationReference>;
}

export function followUpTarget(context: TurnContext): FollowUpTarget {
  return { adapter: context.adapter as CloudAdapter, reference: TurnContext.getConversationReference(context.activity) };
}

/** `target` comes from followUpTarget() during the turn: the files may arrive after the turn has ended. */
export function postChecklistWhenChecked(
  services: Pick<AppServices, 'config' | 'precheck'>,
  log: Logger,
  target: FollowUpTarget,
  claim: Claim,
  locale: Locale,
): void {
  const { adapter, reference } = target;
  services.precheck.start(claim);
  services.precheck.whenChecked(claim, locale, async (checklist) => {
    const text = checklist ? checklistMessage(locale, claim.id, checklist) : t(locale, 'precheck.failed');
    try {
      await adapter.continueConversationAsync(services.config.bot.appId, reference, async (ctx) => {
        await ctx.sendActivity(text);
      });
    } catch (error) {
      // Not a failure of the upload: the summary card shows the checklist whenever it is drawn.
      log.warn(`Could not post the PoE checklist of ${claim.id} (${(error as Error).message})`);
    }
  });
}
