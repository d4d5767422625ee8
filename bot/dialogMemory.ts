import type { TurnContext } from 'botbuilder';
import { DialogSet, type DialogContext, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';

/**
 * The turn-state key under which botbuilder-dialogs keeps its memory configuration for the rest of a turn
 * (`DialogStateManager`, botbuilder-dialogs 4.23). If an upgrade renames it, the library simply builds its
 * own again on each turn (as before); test/bot/dialogMemory.test.ts says so.
 */
export const DIALOG_MEMORY_KEY = 'DialogStateManagerConfiguration';

/**
 * A DialogSet whose dialog contexts share one memory configuration across turns. botbuilder-dialogs builds
 * its memory scopes and path resolvers anew on the first dialog context of every turn (a service
 * collection's dependency graph, a settings check, nine scope and five resolver objects): about 1% of a
 * claim-form step's CPU. None of them holds anything of a turn (each reads the turn's context it is
 * given), so the configuration the library built on the first turn serves the later ones.
 */
export class DialogSetSharingMemory extends DialogSet {
  private memory?: DialogStateManagerConfiguration;

  override async createContext(context: TurnContext): Promise<DialogContext> {
    if (this.memory && !context.turnState.has(DIALOG_MEMORY_KEY)) context.turnState.set(DIALOG_MEMORY_KEY, this.memory);
    const dc = await super.createContext(context);
    this.memory ??= dc.state.configuration;
    return dc;
  }
}
