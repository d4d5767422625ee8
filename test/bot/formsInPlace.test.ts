import { PARTNER_AAD, PARTNER_TENANT, personalMessage } from '../support/activities';
import { botForTests } from '../support/botDriver';
import { cardProblems } from '../support/cardValidation';
import type { ConnectorCall } from '../support/stubConnector';
import { uniqueName } from '../support/testStorage';

/**
 * In a 1:1 chat only the current step of the claim form has live buttons: the card a partner answered
 * is replaced, where Teams allows, by a read-only record of what was entered.
 */

const bot = botForTests();

type Card = { body?: unknown[]; actions?: { title: string; data: Record<string, unknown> }[] };
const cardOf = (call: ConnectorCall) => call.activity.attachments?.[0]?.content as Card | undefined;

test('the answered step card becomes a read-only record; the next step is the only live form', async () => {
  const conversation = { id: `a:${uniqueName('inplace-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
  // As Teams delivers: the bot's replies go to the Bot Connector, each with the id Teams gives it.
  const send = async (extra: Record<string, unknown>) => {
    const since = bot.connector.to(conversation.id).length;
    const { status } = await bot.post({
      ...personalMessage('', { aadObjectId: PARTNER_AAD, expectReplies: false }),
      serviceUrl: bot.connector.url,
      conversation,
      ...extra,
    });
    expect(status).toBe(200);
    return bot.connector.to(conversation.id).slice(since);
  };
  const lastCard = (calls: ConnectorCall[]) => [...calls].reverse().find((c) => c.method === 'POST' && cardOf(c))!;
  let calls = await send({ text: 'new claim' });
  let form = lastCard(calls);
  if (JSON.stringify(cardOf(form)).includes('Continue a draft?')) {
    const start = cardOf(form)!.actions!.find((a) => a.title === 'Start a new claim')!;
    calls = await send({ text: undefined, replyToId: form.assignedId, value: start.data });
    form = lastCard(calls);
  }
  const next = cardOf(form)!.actions!.find((a) => a.title === 'Next')!;
  calls = await send({
    text: undefined,
    replyToId: form.assignedId,
    value: { ...next.data, mpnId: '4412345', customerDomain: 'in-place.example', customerTenantId: '14141414-0000-4000-8000-000000000001' },
  });

  const update = calls.find((c) => c.method === 'PUT' && c.activityId === form.assignedId);
  expect(update).toBeDefined();
  const record = cardOf(update!)!;
  expect(cardProblems(record)).toEqual([]);
  expect(record.actions ?? []).toEqual([]); // nothing left to press
  expect(JSON.stringify(record)).toContain('in-place.example');
  expect(JSON.stringify(record)).toContain('this form was answered');
  expect(JSON.stringify(cardOf(lastCard(calls)))).toContain('Solution area and activity'); // the live form
});
