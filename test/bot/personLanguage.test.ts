import { PARTNER_AAD, PARTNER_TENANT } from '../support/activities';
import { botForTests } from '../support/botDriver';
import { AVERY as avery, RILEY as riley } from '../support/seededClaims';
import { poeRecordFor } from '../support/claimFixtures';

/**
 * A person's language over HTTP, with a client that always sends en-US (as the Agents Playground
 * does): Chinese typed gets Chinese, also for the buttons pressed next; `language 中文` is kept for the
 * person and used in every later reply and in notices; the claim form understands 取消 and 保留.
 */

const bot = botForTests();
const CHAT = 'a:language-avery';
const AVERY_IN_CHAT = { aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT, conversation: { id: CHAT, conversationType: 'personal' } };

/** What Avery's en-US client sends: typed text, or a button's data. Returns everything the bot answered, as text. */
async function send(extra: Record<string, unknown>): Promise<string> {
  return JSON.stringify(await bot.say(AVERY_IN_CHAT, extra));
}
const type = (text: string) => send({ text });
const press = (command: string) => send({ value: { action: 'command', command } });

test("Chinese typed is answered in Chinese, and so is the button pressed next; English typed goes back to the client's language", async () => {
  expect(await type('我的声明')).toContain('Fabrikam Consulting Ltd 的声明');
  expect(await press('my claims')).toContain('Fabrikam Consulting Ltd 的声明');
  expect(await type('my claims')).toContain('Claims of Fabrikam Consulting Ltd');
});

test('the claim form understands 取消 and 保留, and answers in Chinese with Chinese command words', async () => {
  await type('新建声明');
  const cancel = await type('取消');
  expect(cancel).toContain('暂时停止？');
  const kept = await type('保留');
  expect(kept).toMatch(/已保留。输入“新建声明”即可继续/);
  expect(kept).not.toContain('new claim');
  // The draft is kept, unnamed: it is not given its id as a name.
  const draft = (await bot.app.services.claims.listByOrganisation('fabrikam-consulting', { status: 'Editing', pageSize: 10 })).claims[0];
  expect(draft.fields.claimName).toBeUndefined();
  expect(kept).toContain(`未命名草稿（${draft.id}）`);
});

test('"language 中文" is kept for the person: later replies and notices are Chinese whatever the client sends, until "language English"', async () => {
  expect(await type('language 中文')).toContain('从现在起，我将用中文回复你');
  expect(await bot.app.services.languages.get(PARTNER_TENANT, PARTNER_AAD)).toEqual({ chosen: 'zh-CN' });
  const help = await type('help');
  expect(help).toContain('CPOR 声明机器人');
  // The help card's buttons: the main commands, and the other language.
  expect(help).toContain('"title":"+ 客户关联","data":{"action":"command","command":"new claim"}');
  expect(help).toContain('"command":"language English"');

  // A notice about Avery's claim goes out in Chinese too (the client's locale says en-US).
  const draft = await bot.app.services.claimService.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: 'language.example',
    customerTenantId: '31313131-0000-4000-8000-000000000001',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams'],
    claimName: 'Language claim',
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@language.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const file = poeRecordFor(draft.claim.id, avery, new Date());
  await bot.app.services.claimService.act(draft.claim.id, { type: 'addPoe', files: [file] }, avery);
  await bot.app.services.claimService.act(draft.claim.id, { type: 'submit' }, avery);
  await bot.app.services.claimService.act(draft.claim.id, { type: 'startReview' }, riley);
  await bot.settle();
  const notices = JSON.stringify(bot.connector.to(CHAT));
  expect(notices).toContain('Riley Reviewer 于');
  expect(notices).toContain('开始了评审');
  expect(notices).not.toContain('started the review');

  expect(await type('language English')).toContain('From now on I answer you in English');
  expect(await type('help')).toContain('CPOR claims bot');
});
