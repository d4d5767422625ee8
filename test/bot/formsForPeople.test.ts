import { ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { ClaimDialog } from '../../bot/claimDialog/claimDialog';
import { stepPosition, type StepContext } from '../../bot/claimDialog/claimFormSteps';
import { CosmosBotStorage } from '../../bot/cosmosBotStorage';
import { MAX_POE_FILES, type Claim, type PoeFile } from '../../src/domain/claim';
import { decide } from '../../src/domain/claimLifecycle';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { PARTNER_AAD, PARTNER_TENANT } from '../support/activities';
import { cardProblems } from '../support/cardValidation';
import { testConfig } from '../support/testStorage';
import { AVERY as avery } from '../support/personas';

/**
 * Forms people can't get wrong: required inputs marked so Teams blocks an incomplete submit, a step
 * count fixed from the first card, at most MAX_POE_FILES files per claim, and in local mode a sample
 * PoE a Playground user can add by a click (never offered, and refused, with an app id).
 */

let services: AppServices;
beforeAll(async () => {
  services = await openServices(testConfig({ DEMO_DATA: 'false' }), { log: silentLogger });
});
afterAll(() => services.close());

type Reply = { text?: string; attachments?: { content: Record<string, unknown> }[] };

function chat(withServices: AppServices) {
  const state = new ConversationState(new CosmosBotStorage(withServices.cosmos.containers.botState));
  const client = new DialogTestClient('msteams', new ClaimDialog(withServices, silentLogger), undefined, [], state);
  const conversation = { id: `a:forms-${Math.random().toString(36).slice(2)}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
  return async (extra: Record<string, unknown>): Promise<Reply[]> => {
    const first = await client.sendActivity({
      type: 'message',
      locale: 'en-US',
      conversation,
      from: { id: `29:${PARTNER_AAD}`, aadObjectId: PARTNER_AAD, name: 'Avery' },
      ...extra,
    } as never);
    const replies: Reply[] = first ? [first as Reply] : [];
    for (let r = client.getNextReply(); r; r = client.getNextReply()) replies.push(r as Reply);
    for (const reply of replies) for (const a of reply.attachments ?? []) expect(cardProblems(a.content)).toEqual([]);
    return replies;
  };
}

const cardOf = (replies: Reply[]) => [...replies].reverse().find((r) => r.attachments?.length)!.attachments![0].content;
const buttons = (card: Record<string, unknown>) => (card.actions as { title: string; data: { button: string } }[]).map((a) => a.title);

/** A draft with every answer but the PoE, continued in a new chat: the form opens on the PoE step. */
async function atPoeStep(send: ReturnType<typeof chat>): Promise<{ claim: Claim; card: Record<string, unknown> }> {
  const draft = await services.claimService.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: 'forms.example',
    customerTenantId: '12121212-0000-4000-8000-000000000001',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams'],
    claimName: `Forms ${Math.random().toString(36).slice(2, 7)}`,
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@forms.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  await send({ text: 'new claim' });
  const replies = await send({ value: { action: 'form.claim', step: 'resume', button: 'continue', draftId: draft.claim.id } });
  return { claim: draft.claim, card: cardOf(replies) };
}

test('every required input of the claim form is marked required with a message naming the field', async () => {
  const send = chat(services);
  const card = cardOf(await send({ text: 'new claim' }));
  const inputs = JSON.stringify(card).match(/\{"type":"Input\.[^{}]*(\{[^{}]*\}[^{}]*)*\}/g) ?? [];
  expect(inputs.length).toBeGreaterThan(0);
  for (const input of inputs) {
    expect(input).toContain('"isRequired":true');
    expect(input).toMatch(/"errorMessage":"(Enter|Choose) [^"]+: it is required\."/);
  }
  await send({ text: 'cancel' });
  await send({ text: 'discard' });
});

test('the step count is the same on every card of a path, whatever is answered on the way', () => {
  const ctx = (activity: string, needsSubscriptionIds: string[], amend = false) =>
    ({ amend, needsSubscriptionIds, claim: { fields: { activity } } }) as unknown as StepContext;
  const revenueWithSubscriptions = ctx('RevenueAssociation', ['d365-sales']);
  const plain = ctx('Usage', []);
  const steps = ['customer', 'area', 'revenue', 'products', 'subscriptions', 'contacts', 'poe', 'comment'] as const;
  expect(steps.map((s) => stepPosition(s, revenueWithSubscriptions))).toEqual([
    { index: 1, total: 6 },
    { index: 2, total: 6 },
    { index: 2, total: 6 },
    { index: 3, total: 6 },
    { index: 3, total: 6 },
    { index: 4, total: 6 },
    { index: 5, total: 6 },
    { index: 6, total: 6 },
  ]);
  expect(stepPosition('customer', plain)).toEqual(stepPosition('customer', revenueWithSubscriptions));
  // Editing a submitted claim has its own fixed path (no solution area step).
  expect(['customer', 'products', 'contacts', 'poe', 'comment'].map((s) => stepPosition(s as never, ctx('Usage', [], true)).total)).toEqual([5, 5, 5, 5, 5]);
});

test(`a claim holds at most ${MAX_POE_FILES} PoE files, and the lifecycle says so`, async () => {
  const file = (i: number): PoeFile => ({
    id: `f${i}`,
    blobName: `x/${i}`,
    fileName: `${i}.pdf`,
    contentType: 'application/pdf',
    size: 1,
    sha256: 'x',
    uploadedAt: '2026-11-01T00:00:00Z',
    uploadedBy: { kind: 'partner', id: avery.id, name: avery.name },
  });
  const draft = await services.claimService.createDraft(avery, { claimName: 'Full' });
  if (!draft.ok) throw new Error('no draft');
  const full: Claim = { ...draft.claim, poe: Array.from({ length: MAX_POE_FILES }, (_, i) => file(i)) };
  const refused = decide(full, { type: 'addPoe', files: [file(99)] }, avery, services.claimService.timeContext());
  expect(refused.ok).toBe(false);
  if (!refused.ok) expect(refused.refusal.code).toBe('tooManyPoeFiles');
  expect(decide({ ...full, poe: full.poe.slice(1) }, { type: 'addPoe', files: [file(99)] }, avery, services.claimService.timeContext()).ok).toBe(true);
});

test('local mode: "Attach the sample PoE (local demo)" adds the claim\'s own template as an upload, with its history', async () => {
  const send = chat(services);
  const { claim, card } = await atPoeStep(send);
  expect(JSON.stringify(card)).toContain(`Step 5 of 6 · Draft ${claim.id}`);
  expect(buttons(card)).toContain('Attach the sample PoE (local demo)');
  const replies = await send({ value: { action: 'form.claim', step: 'poe', claimId: claim.id, button: 'samplePoe' } });
  expect(replies.map((r) => r.text ?? '').join('\n')).toMatch(/Added .*\.docx \(Word/);
  const after = (await services.claimService.get(claim.id))!;
  expect(after.poe).toHaveLength(1);
  expect(after.poe[0].contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  expect(after.history.at(-1)).toMatchObject({ action: 'addPoe', actor: { id: avery.id } });
});

test('with an app id the sample PoE is never offered, and a forged press adds nothing', async () => {
  const configured = { ...services, config: { ...services.config, bot: { ...services.config.bot, anonymous: false } } } as AppServices;
  const send = chat(configured);
  const { claim, card } = await atPoeStep(send);
  expect(buttons(card)).not.toContain('Attach the sample PoE (local demo)');
  expect(JSON.stringify(card)).not.toContain('samplePoe');
  const replies = await send({ value: { action: 'form.claim', step: 'poe', claimId: claim.id, button: 'samplePoe' } });
  expect(replies.map((r) => r.text ?? '').join('\n')).toContain('The sample PoE is only for the local demo');
  expect((await services.claimService.get(claim.id))!.poe).toEqual([]);
});
