import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { ManualClock } from '../../src/clock';
import type { Claim } from '../../src/domain/claim';
import { demoPdf } from '../../app/demo/demoSeed';
import { formatDeadline } from '../../src/domain/claimLifecycle';
import { cardProblems } from '../support/cardValidation';
import { FileServer, teamsFileAt } from '../support/fileServer';
import { pdfWithObjectStream } from '../support/poeFixtures';
import { StubConnector } from '../support/stubConnector';
import { PARTNER_AAD, PARTNER_TENANT, TAILSPIN_TENANT, teamsActivity } from '../support/activities';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';
import { AVERY as avery, RILEY as riley } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';

/**
 * The end of a claim's life in the partner's 1:1 chat: withdraw (confirmed on a card, the association
 * released), dispute a rejection once within 30 days (justification and/or updated PoE), and after the
 * window a new claim prefilled from the rejected one. Real adapter and HTTP server, expectReplies.
 */

const connector = new StubConnector();
const files = new FileServer();
const clock = new ManualClock('2026-11-02T09:00:00Z'); // a Monday
let app: BotApp;

const ROBIN = 'b2c3d4e5-0001-4000-8000-000000000001';

beforeAll(async () => {
  await connector.start();
  await files.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0', BUSINESS_TIME_ZONE: 'Europe/Berlin' }), {
    log: silentLogger,
    clock,
    delivery: TEST_DELIVERY,
  });
});
afterAll(async () => {
  await app.close();
  await files.stop();
  await connector.stop();
});

type Reply = { text?: string; attachments?: { content: Record<string, unknown> }[] };

async function say(extra: Record<string, unknown>, aad = PARTNER_AAD, tenantId = PARTNER_TENANT): Promise<Reply[]> {
  const activity = teamsActivity(
    { serviceUrl: connector.url, aadObjectId: aad, tenantId, name: 'Partner', conversation: { id: `a:dm-${aad}`, conversationType: 'personal' } },
    { type: 'message', deliveryMode: 'expectReplies', ...extra },
  );
  const response = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  expect(response.status).toBe(200);
  const replies = ((await response.json()) as { activities: Reply[] }).activities;
  for (const reply of replies) for (const a of reply.attachments ?? []) expect(cardProblems(a.content)).toEqual([]);
  return replies;
}
const text = (replies: Reply[]) => JSON.stringify(replies);
const buttons = (replies: Reply[]) => [...text(replies).matchAll(/"action":"(claim\.\w+)"/g)].map((m) => m[1]);

let tenantCounter = 0;
async function claimIn(status: 'Submitted' | 'Approved' | 'Rejected'): Promise<Claim> {
  const svc = app.services.claimService;
  const tenant = `00000000-0000-4000-8000-0000000006${String(++tenantCounter).padStart(2, '0')}`;
  const draft = await svc.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: `end${tenantCounter}.example`,
    customerTenantId: tenant,
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: `Ending claim ${tenantCounter}`,
    products: ['teams'],
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@end.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const poe = poeRecordFor(id, avery, clock.now());
  await svc.act(id, { type: 'addPoe', files: [poe] }, avery, {}, avery.orgId);
  let result = await svc.act(id, { type: 'submit' }, avery, {}, avery.orgId);
  if (status !== 'Submitted') {
    await svc.act(id, { type: 'startReview' }, riley, {}, avery.orgId);
    result =
      status === 'Approved'
        ? await svc.act(id, { type: 'approve' }, riley, {}, avery.orgId)
        : await svc.act(id, { type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'The SOW is not signed.' }, riley, {}, avery.orgId);
  }
  await app.background.drain();
  if (!result.ok || result.claim.status !== status) throw new Error(`could not bring ${id} to ${status}`);
  return result.claim;
}

describe('withdraw', () => {
  test('an approved claim: the card says the association ends; confirming rejects it for good and releases the association', async () => {
    const claim = await claimIn('Approved');
    const tenant = claim.fields.customerTenantId!;
    await app.services.followUps.drain();
    expect(await app.services.associations.listForTenant(tenant)).toHaveLength(1);

    const offered = await say({ text: `withdraw ${claim.id.toLowerCase()}` });
    expect(text(offered)).toContain(`Withdraw claim Ending claim ${tenantCounter} (${claim.id})?`);
    expect(text(offered)).toContain('withdrawing also ends its association with the customer');
    expect(text(offered)).toContain("This is final: a withdrawn claim can't be disputed.");
    expect(buttons(offered)).toEqual(['claim.withdrawConfirm', 'claim.keep']);
    expect((await app.services.claimService.get(claim.id))!.status).toBe('Approved');

    const done = await say({
      value: { action: 'claim.withdrawConfirm', claimId: claim.id, comment: 'Customer moved to another partner.' },
      replyToId: 'card-1',
    });
    expect(text(done)).toContain(
      `Claim ${claim.id} is withdrawn: it is now Rejected (final) (Partner request), and its association with the customer has ended.`,
    );
    const after = (await app.services.claimService.get(claim.id))!;
    expect(after).toMatchObject({ status: 'RejectedFinal', rejection: { reason: 'PartnerRequest' } });
    expect(after.history.at(-1)).toMatchObject({ action: 'withdraw', actor: { kind: 'partner', id: PARTNER_AAD } });
    expect(await app.services.associations.listForTenant(tenant)).toEqual([]);
  });

  test('a submitted claim from its notice card: keep changes nothing; withdraw, said to be final, rejects it for good with no dispute window', async () => {
    const claim = await claimIn('Submitted');
    expect(text(await say({ value: { action: 'claim.keep', claimId: claim.id } }))).toContain(`Claim ${claim.id} is not withdrawn; nothing has changed.`);
    const offered = await say({ value: { action: 'claim.withdraw', claimId: claim.id } });
    expect(text(offered)).toContain("This is final: a withdrawn claim can't be disputed.");
    expect(text(offered)).not.toContain('association with the customer');
    const done = await say({ value: { action: 'claim.withdrawConfirm', claimId: claim.id, comment: '' }, replyToId: 'card-2' });
    expect(text(done)).toContain(`Claim ${claim.id} is withdrawn: it is now Rejected (final) (Partner request).`);
    const after = (await app.services.claimService.get(claim.id))!;
    expect(after).toMatchObject({ status: 'RejectedFinal', rejection: { reason: 'PartnerRequest' }, deadlines: {} });
    // No dispute window on one's own withdrawal.
    expect(text(await say({ text: `dispute ${claim.id}` }))).not.toContain('Send dispute');
  });

  test("refused with a reason: another organisation's claim is not found, a final claim can't be withdrawn, no id gets the usage", async () => {
    const claim = await claimIn('Submitted');
    expect(text(await say({ text: `withdraw ${claim.id}` }, ROBIN, TAILSPIN_TENANT))).toContain(
      `I could not find claim ${claim.id} among your organisation's claims.`,
    );
    expect(text(await say({ text: 'withdraw' }))).toContain('Type the command followed by the claim id, for example \\"withdraw CL-7K2M9Q4X\\".');
    await say({ value: { action: 'claim.withdrawConfirm', claimId: claim.id }, replyToId: 'card-3' });
    await say({ value: { action: 'claim.withdrawConfirm', claimId: claim.id }, replyToId: 'card-3b' }); // Rejected -> final
    const refused = await say({ text: `withdraw ${claim.id}` });
    expect(text(refused)).toContain('The claim is already Rejected (final): Avery Fabrikam did that on');
    expect(text(refused)).not.toContain('"action":"claim.withdrawConfirm"');
    expect((await app.services.claimService.get(claim.id))!.status).toBe('RejectedFinal');
  });
});

describe('dispute', () => {
  test("the partner's notice of a rejection offers Dispute and Withdraw; of an approval, Withdraw only", async () => {
    await say({ text: 'help' }); // the partner's 1:1 chat is known to the bot
    connector.clear();
    const rejected = await claimIn('Rejected');
    const notice = connector
      .to(`a:dm-${PARTNER_AAD}`)
      .map((c) => JSON.stringify(c.activity))
      .find((a) => a.includes(rejected.id) && a.includes('Rejected'));
    expect(notice).toBeDefined();
    expect([...notice!.matchAll(/"action":"(claim\.\w+)"/g)].map((m) => m[1])).toEqual(['claim.reply', 'claim.dispute', 'claim.withdraw']);
    connector.clear();
    const approved = await claimIn('Approved');
    const approval = connector
      .to(`a:dm-${PARTNER_AAD}`)
      .map((c) => JSON.stringify(c.activity))
      .find((a) => a.includes(approved.id) && a.includes('Approved'));
    expect([...approval!.matchAll(/"action":"(claim\.\w+)"/g)].map((m) => m[1])).toEqual(['claim.reply', 'claim.withdraw']);
  });

  test('a rejection disputed with a justification and an updated PoE file: under review as a dispute, reviewers answer within 5 business days', async () => {
    const claim = await claimIn('Rejected');
    const form = await say({ text: `dispute ${claim.id}` });
    expect(text(form)).toContain(`Dispute the rejection of claim Ending claim ${tenantCounter} (${claim.id})`);
    expect(text(form)).toMatch(/You can dispute this rejection once, until [A-Z][a-z]{2} \d{1,2}, 2026, 11:59\sPM \(Europe\/Berlin\)\./); // day 30, Berlin time

    const added = await say({ text: '', attachments: [files.teamsFile('sow-signed.pdf', demoPdf('Signed SOW'))] });
    expect(text(added)).toContain('Added sow-signed.pdf (PDF');
    expect(text(added)).toContain('Updated proof of execution:');

    // Sent without a justification first: the file alone is enough content.
    const sent = await say({
      value: { action: 'form.dispute', claimId: claim.id, button: 'submit', justification: 'The customer signed the SOW on 2 November.' },
      replyToId: 'form-1',
    });
    expect(text(sent)).toMatch(
      new RegExp(`Dispute sent: claim ${claim.id} is under review again\\. Reviewers answer by Nov 9, 2026, 11:59\\sPM \\(Europe/Berlin\\)\\.`),
    );
    const disputed = (await app.services.claimService.get(claim.id))!;
    expect(disputed.status).toBe('UnderReview');
    expect(disputed.dispute).toMatchObject({ justification: 'The customer signed the SOW on 2 November.', poeFileIds: [expect.any(String)] });
    expect(disputed.poe.map((f) => f.fileName)).toEqual(['sow.pdf', 'sow-signed.pdf']);
    // 5 business days from Monday 2 November (Berlin): the end of Monday 9 November.
    expect(disputed.deadlines.reviewDecision).toBe('2026-11-09T23:00:00.000Z');

    // The dispute fails: final, and a second dispute is refused with the reason.
    const failed = await app.services.claimService.act(
      claim.id,
      { type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'Still unsigned.' },
      riley,
      {},
      avery.orgId,
    );
    expect(failed).toMatchObject({ ok: true, claim: { status: 'RejectedFinal' } });
    const again = await say({ text: `dispute ${claim.id}` });
    expect(text(again)).not.toContain('Send dispute');
    expect(text(again)).toContain('This claim has already been disputed once; only one dispute per claim is possible.');
  });

  test('files refused during a dispute (a link to the bot itself, a PDF with hidden JavaScript) are named with the reason and not added', async () => {
    const claim = await claimIn('Rejected');
    await say({ text: `dispute ${claim.id}` });
    const replies = await say({
      text: '',
      attachments: [
        teamsFileAt('health.pdf', `${app.url}/healthz`),
        files.teamsFile('sow.pdf', pdfWithObjectStream(['<< /S /JavaScript /JS (app.alert\\(1\\)) >>'])),
      ],
    });
    expect(text(replies)).toContain('Not added: health.pdf is not a link to a file stored in Teams (SharePoint or OneDrive).');
    expect(text(replies)).toContain('Not added: sow.pdf is a PDF that runs scripts or other actions when opened.');
    expect(text(replies)).not.toContain('Updated proof of execution:');
    const sent = await say({
      value: { action: 'form.dispute', claimId: claim.id, button: 'submit', justification: 'Signed on 2 November.' },
      replyToId: 'form-refused',
    });
    expect(text(sent)).toContain('Dispute sent');
    const disputed = (await app.services.claimService.get(claim.id))!;
    expect(disputed.poe.map((f) => f.fileName)).toEqual(claim.poe.map((f) => f.fileName));
    expect(disputed.dispute?.poeFileIds ?? []).toEqual([]);
  });

  test('nothing to send: the form comes back with the reason, nothing is lost, the claim stays rejected; cancel keeps it', async () => {
    const claim = await claimIn('Rejected');
    await say({ text: `dispute ${claim.id}` });
    const empty = await say({ value: { action: 'form.dispute', claimId: claim.id, button: 'submit', justification: '   ' }, replyToId: 'form-2' });
    expect(text(empty)).toContain('A dispute needs a business justification, updated proof of execution, or both.');
    expect(text(empty)).toContain('Send dispute');
    await say({ text: 'We have a countersigned copy now.' });
    const kept = await say({
      value: { action: 'form.dispute', claimId: claim.id, button: 'cancel', justification: 'We have a countersigned copy now.' },
      replyToId: 'form-2',
    });
    expect(text(kept)).toContain(`Dispute not sent. Claim ${claim.id} stays rejected`);
    expect((await app.services.claimService.get(claim.id))!.status).toBe('Rejected');
    expect(text(await say({ value: { action: 'form.dispute', claimId: claim.id, button: 'submit', justification: 'late press' } }))).toContain(
      'This dispute form is no longer open.',
    );
  });

  test('day 30 still opens the form, day 31 explains a new claim is needed and starts one prefilled from the rejected claim', async () => {
    const rejectedAt = clock.now();
    const claim = await claimIn('Rejected');
    const windowEnds = claim.deadlines.disputeWindowEnds!;
    // The window ends at local midnight after day 30 (Berlin).
    clock.set(new Date(new Date(windowEnds).getTime() - 60_000));
    expect(text(await say({ text: `dispute ${claim.id}` }))).toContain('Send dispute');
    await say({ value: { action: 'form.dispute', claimId: claim.id, button: 'cancel' } });
    clock.set(windowEnds);
    const closed = await say({ text: `dispute ${claim.id}` });
    expect(text(closed)).toContain(`can no longer be disputed`);
    expect(text(closed)).toContain('submit a new claim with updated proof of execution');
    expect(buttons(closed)).toEqual(['claim.newFrom']);
    // The sweep was down for three days: it closes the window late, and the card still names its real end.
    clock.set(new Date(new Date(windowEnds).getTime() + 3 * 86_400_000 + 30 * 60_000));
    await app.notifications.sweeper.runOnce();
    expect((await app.services.claimService.get(claim.id))!.disputeWindowClosedAt).toBe(windowEnds);
    const lastMinute = formatDeadline(app.services, windowEnds, 'en-US');
    expect(lastMinute).toMatch(/11:59 PM/);
    const closedLate = text(await say({ text: `dispute ${claim.id}` }));
    expect(closedLate).toContain(`Its dispute window closed on ${lastMinute}.`);

    const started = await say({ value: { action: 'claim.newFrom', claimId: claim.id } });
    const draftId = /I started draft (CL-[0-9A-Z]{8}) with the details of claim/.exec(text(started))?.[1];
    expect(draftId).toBeDefined();
    const draft = (await app.services.claimService.get(draftId!))!;
    expect(draft).toMatchObject({
      status: 'Editing',
      poe: [],
      fields: {
        customerDomain: claim.fields.customerDomain,
        customerTenantId: claim.fields.customerTenantId,
        products: ['teams'],
        claimName: claim.fields.claimName,
      },
    });
    expect(text(started)).toContain('Proof of execution'); // the PoE step: what the new claim needs
    clock.set(rejectedAt);
  });
});
