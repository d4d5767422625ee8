import { ConversationState, TestAdapter } from 'botbuilder';
import { Dialog, DialogTurnStatus, WaterfallDialog, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import { DIALOG_MEMORY_KEY, DialogSetSharingMemory } from '../../bot/dialogMemory';
import { CosmosBotStorage } from '../../bot/cosmosBotStorage';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { silentLogger } from '../../src/logger';
import { testConfig } from '../support/testStorage';

/**
 * The dialogs' memory scopes and path resolvers are built once and shared by later turns (bot/dialogMemory.ts),
 * and each turn's dialog memory is still that turn's: what a step reads through the shared scopes is what
 * this turn's activity and state say.
 */

let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger });
});
afterAll(() => services.close());

test("later turns use the memory configuration the library built on the first, and read their own turn's memory through it", async () => {
  const state = new ConversationState(new CosmosBotStorage(services.cosmos.containers.botState));
  const dialogs = new DialogSetSharingMemory(state.createProperty('dialogState'));
  dialogs.add(
    new WaterfallDialog('ask', [
      async (step) => {
        step.state.setValue('dialog.first', step.context.activity.text);
        await step.context.sendActivity(`first: ${step.state.getValue('turn.activity.text')}`);
        return Dialog.EndOfTurn;
      },
      async (step) => {
        await step.context.sendActivity(`then: ${step.state.getValue('turn.activity.text')} after ${step.state.getValue('dialog.first')}`);
        return step.endDialog();
      },
    ]),
  );
  const configurations: (DialogStateManagerConfiguration | undefined)[] = [];
  const adapter = new TestAdapter(async (context) => {
    const dc = await dialogs.createContext(context);
    configurations.push(context.turnState.get(DIALOG_MEMORY_KEY));
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog('ask');
    await state.saveChanges(context);
  });
  adapter.conversation.conversation.id = `dialog-memory-${Math.random().toString(36).slice(2)}`;

  await adapter
    .send('hello')
    .assertReply('first: hello')
    .send('again')
    .assertReply('then: again after hello')
    .send('anew')
    .assertReply('first: anew')
    .startTest();

  // Undefined here means botbuilder-dialogs keeps its configuration under another key now: update DIALOG_MEMORY_KEY.
  expect(configurations[0]?.memoryScopes.length).toBeGreaterThan(0);
  expect(configurations[1]).toBe(configurations[0]);
  expect(configurations[2]).toBe(configurations[0]);
});
