import { getPriority } from 'node:os';
import { startBotApp, type BotApp } from '../../app/botApp';
import { consoleLogger, silentLogger } from '../../src/logger';
import { cardProblems } from '../support/cardValidation';
import { FileServer } from '../support/fileServer';
import { makeDocx, makeEml, makePdf } from '../support/poeDocuments';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, teamsActivity } from '../support/activities';
import { AVERY } from '../support/seededClaims';
import { StubConnector } from '../support/stubConnector';
import { waitFor } from '../support/waitFor';
import { readerProcessesOf } from '../support/readerProcesses';
import { TEST_DELIVERY, testConfig, uniqueName } from '../support/testStorage';

/**
 * The PoE pre-check as partners and reviewers meet it, through the real bot, stores and reader: the
 * partner attaches a file, is told it is being checked, gets the checklist in the chat and on the claim
 * summary, attaches another file and sees it updated, and submits with a warning left; the reviewer's
 * card shows the checklist with the documents' words, Request information comes prefilled with the
 * failed checks' reasons, and the decision records the checklist shown.
 */

const connector = new StubConnector();
const files = new FileServer();
let app: BotApp;
const CHANNEL = '19:precheck-reviews@thread.tacv2';

beforeAll(async () => {
  await connector.start();
  await files.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false' }), { log: process.env.DEBUG_LOG ? consoleLogger : silentLogger, delivery: TEST_DELIVERY });
});
// Many turns, and the reader process loading pdf.js at start: slow on a busy machine.
jest.setTimeout(120_000);

afterAll(async () => {
  await app.close();
  expect(readerProcessesOf(process.pid)).toEqual([]);
  await files.stop();
  await connector.stop();
});

const chat = { id: `a:${uniqueName('precheck-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
const partnerSays = async (extra: Record<string, unknown>) => {
  const activity = teamsActivity(
    { serviceUrl: connector.url, aadObjectId: PARTNER_AAD, tenantId: PARTNER_TENANT, name: 'Avery Fabrikam', conversation: chat },
    { type: 'message', deliveryMode: 'expectReplies', ...extra },
  );
  const response = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const body = (await response.json()) as { activities: { text?: string; attachments?: { content: Record<string, unknown> }[] }[] };
  for (const a of body.activities.flatMap((x) => x.attachments ?? [])) expect(cardProblems(a.content)).toEqual([]);
  return body.activities;
};
const everything = (activities: unknown) => JSON.stringify(activities);
const lastCardText = (activities: { attachments?: { content: unknown }[] }[]) =>
  JSON.stringify([...activities].reverse().find((a) => a.attachments?.length)?.attachments?.[0].content ?? null);
/** Messages the bot posted to the chat by itself (after the turn). */
const posted = () => JSON.stringify(connector.to(chat.id).map((c) => c.activity));
const settle = async () => {
  await app.services.precheck.drain();
  await app.services.followUps.drain();
};

test('the bot starts its PoE reader process with itself, at a lower priority, before any file is attached; it ends with the bot', async () => {
  const readers = () => readerProcessesOf(process.pid);
  expect(readers()).toHaveLength(1);
  // Each thread is lowered at start and again once pdf.js is loaded (Node starts helper threads meanwhile).
  await waitFor(() => readers()[0]?.nice.every((nice) => nice > getPriority()), 60_000);
  expect(readers()).toHaveLength(1);
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
let claimId = '';

test('partners: "checking…", then the checklist in the chat and on the summary; another file updates it; warnings do not block Submit', async () => {
  const draft = await app.services.claimService.createDraft(AVERY, {
    mpnId: '4412345',
    customerDomain: 'woodgrove.example',
    customerTenantId: '17171717-0000-4000-8000-000000000777',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: 'Woodgrove rollout',
    products: ['teams', 'exchange-online'],
    customerContact: { name: 'Wen Woodgrove', title: 'CIO', email: 'wen@woodgrove.example' },
    partnerContact: { name: 'Avery Fabrikam', email: 'avery@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  claimId = draft.claim.id;
  let replies = await partnerSays({ text: 'new claim' });
  replies = await partnerSays({ value: { action: 'form.claim', step: 'resume', button: 'continue', draftId: claimId } });
  expect(lastCardText(replies)).toContain('Proof of execution');

  // An unsigned statement of work naming Teams only, with a thin description holding markdown.
  const sow = await makePdf({
    pages: ['Statement of work: Woodgrove Bank (woodgrove.example) and Fabrikam Consulting.\nDeployed Teams for **Woodgrove** [here](https://evil.example).'],
  });
  replies = await partnerSays({ text: '', attachments: [files.teamsFile('woodgrove-sow.pdf', sow)] });
  expect(everything(replies)).toContain('Added woodgrove-sow.pdf');
  expect(everything(replies)).toContain('Checking woodgrove-sow.pdf');
  await settle();
  expect(posted()).toContain(`PoE checklist of claim ${claimId}: 1 passed · 1 to check · 3 missing`);
  expect(posted()).toContain('✖ Missing · Customer acknowledgment');

  replies = await partnerSays({ value: { action: 'form.claim', step: 'poe', claimId, button: 'next' } });
  replies = await partnerSays({ value: { action: 'form.claim', step: 'comment', claimId, button: 'next' } });
  let summary = lastCardText(replies);
  expect(summary).toContain('PoE pre-check');
  expect(summary).toContain('Not named in the PoE: Exchange Online');
  expect(summary).toContain('woodgrove-sow.pdf, page 1');
  // The document's words are shown literally: its markdown makes no link.
  expect(summary).toContain('evil.example');
  expect(summary).not.toContain('[here](https://evil.example)');

  // The customer's signed acknowledgment, naming Exchange Online: the checklist is checked again.
  const signed = makeDocx({
    paragraphs: [
      'Woodgrove Bank confirms the Exchange Online work of Fabrikam Consulting.',
      'Customer acknowledgment',
      'Customer name: Wen Woodgrove',
      'Signature: Wen Woodgrove',
      `Date: ${daysAgo(10)}`,
    ],
  });
  connector.clear();
  replies = await partnerSays({ text: '', attachments: [files.teamsFile('signed.docx', signed)] });
  expect(everything(replies)).toContain('Checking signed.docx');
  await settle();
  expect(posted()).toContain(`PoE checklist of claim ${claimId}: 4 passed · 1 to check · 0 missing`);
  expect(posted()).toContain('⚠ To check · Description of the partner');

  replies = await partnerSays({ value: { action: 'form.claim', step: 'summary', claimId, button: 'edit', section: 'comment' } });
  replies = await partnerSays({ value: { action: 'form.claim', step: 'comment', claimId, button: 'next' } });
  summary = lastCardText(replies);
  expect(summary).toContain('4 passed · 1 to check · 0 missing');
  replies = await partnerSays({ value: { action: 'form.claim', step: 'summary', claimId, button: 'submit' } });
  expect((await app.services.claimService.get(claimId))!.status).toBe('Submitted');
});

test('reviewers: the checklist with evidence, Request information prefilled with the failed checks, and the checklist shown kept in history', async () => {
  expect(claimId).not.toBe('');
  const reviewer = (extra: Record<string, unknown>) =>
    teamsActivity(
      {
        serviceUrl: connector.url,
        aadObjectId: REVIEWER_AAD,
        tenantId: REVIEWER_TENANT,
        name: 'Riley Reviewer',
        conversation: { id: CHANNEL, conversationType: 'channel' },
        channelData: { channel: { id: CHANNEL } },
      },
      extra,
    );
  const post = async (activity: unknown) => {
    const response = await fetch(`${app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  };
  const press = async (verb: string, data: Record<string, unknown>) => {
    const body = await post(
      reviewer({
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'activity-1',
        value: { action: { type: 'Action.Execute', verb, data: { claimId, ...data } }, trigger: 'manual' },
      }),
    );
    expect(cardProblems(body.value)).toEqual([]);
    return JSON.stringify(body.value);
  };
  const card = await press('review.start', {});
  expect(card).toContain('PoE pre-check');
  expect(card).toContain('4 passed · 1 to check · 0 missing');
  expect(card).toContain('signed.docx: “Customer name: Wen Woodgrove”');
  expect(card).toContain('"id":"reasons","label":"What is missing","isMultiSelect":true,"value":"MissingPartnerSolutionDescription"');

  // The reviewer changes the prefilled reasons: what is sent is what counts.
  const version = (await app.services.claimService.get(claimId))!.version;
  await press('review.requestInfo', { version, reasons: 'MissingPartnerSolutionDescription,MissingProducts', infoComment: 'Please describe the services.' });
  const claim = (await app.services.claimService.get(claimId))!;
  expect(claim.status).toBe('PartnerActionRequired');
  const decision = claim.history[claim.history.length - 1];
  expect(decision).toMatchObject({
    action: 'requestInfo',
    reasons: ['MissingPartnerSolutionDescription', 'MissingProducts'],
    checklist: { verdicts: { related: 'passed', acknowledged: 'passed', dated: 'passed', described: 'toCheck', products: 'passed' }, unread: [] },
  });
  // Starting the review is no decision: nothing recorded there.
  expect(claim.history.find((e) => e.action === 'startReview')?.checklist).toBeUndefined();
  const history = await press('review.history', {});
  expect(history).toContain('PoE checklist shown: Names the customer and the partner: ✔ Passed');
});

test('the reviewers\' shared card goes out with "checking…" while a file is read, and is drawn again with the checklist once it is', async () => {
  expect(claimId).not.toBe('');
  await fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      teamsActivity(
        {
          serviceUrl: connector.url,
          aadObjectId: REVIEWER_AAD,
          tenantId: REVIEWER_TENANT,
          name: 'Riley Reviewer',
          conversation: { id: CHANNEL, conversationType: 'channel' },
          channelData: { channel: { id: CHANNEL } },
        },
        { type: 'installationUpdate', action: 'add' },
      ),
    ),
  });
  await app.services.reviews.setReviewConversation(CHANNEL, 'test');
  // A file stored but not read yet (as on another instance, or after a restart): the card can't wait for it.
  const description = makeDocx({
    paragraphs: [
      'Fabrikam Consulting deployed Microsoft Teams for Woodgrove Bank, migrated four hundred mailboxes to Exchange Online and trained the service desk in March.',
    ],
  });
  const stored = await app.services.poe.upload({
    claimId,
    fileName: 'services.docx',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    data: description,
  });
  const file = {
    id: `${claimId}-services`,
    ...stored,
    fileName: 'services.docx',
    uploadedAt: new Date().toISOString(),
    uploadedBy: { kind: 'partner' as const, id: AVERY.id, name: AVERY.name },
  };
  expect((await app.services.claimService.act(claimId, { type: 'addPoe', files: [file] }, AVERY)).ok).toBe(true);
  expect((await app.services.claimService.act(claimId, { type: 'resubmit' }, AVERY)).ok).toBe(true);

  const cards = () =>
    connector
      .to(CHANNEL)
      .filter((c) => JSON.stringify(c.activity).includes(claimId))
      .map((c) => ({ method: c.method, card: JSON.stringify(c.activity) }));
  await waitFor(() => cards().some((c) => c.card.includes('5 passed · 0 to check · 0 missing')), 100_000);
  // The first card that lists the new file was drawn before it was read; the next one has its checklist.
  const withFile = cards().filter((c) => c.card.includes('services.docx'));
  expect(withFile[0].card).toContain('Checking the PoE…');
  expect(withFile[0].card).not.toContain('passed ·');
  // Updated in place (addPoe, resubmit, then the checklist): the last one shows it, with the new file's words.
  expect(withFile.slice(1).every((c) => c.method === 'PUT')).toBe(true);
  expect(withFile.at(-1)!.card).toContain('services.docx: “Fabrikam Consulting deployed Microsoft Teams');
  expect(withFile.at(-1)!.card).not.toContain('Checking the PoE…');
});

test('bad input: a damaged PDF, an encrypted PDF, a Word document without text and an e-mail with only an attachment are added, and the checklist says which could not be read and why', async () => {
  const draft = await app.services.claimService.createDraft(AVERY, {
    mpnId: '4412345',
    customerDomain: 'woodgrove.example',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: 'Unreadable files',
    products: ['teams'],
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  await partnerSays({ text: 'new claim' });
  await partnerSays({ value: { action: 'form.claim', step: 'resume', button: 'continue', draftId: id } });
  const approvalOnlyAttached = await makeEml({
    from: { name: 'Wen Woodgrove', address: 'wen@woodgrove.example' },
    to: [{ address: 'avery@fabrikam.example' }],
    date: new Date().toISOString(),
    subject: 'PoE',
    body: '',
    attachments: [
      {
        fileName: 'PoE.docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        data: makeDocx({ paragraphs: ['Approved'] }),
      },
    ],
  });
  connector.clear();
  const replies = await partnerSays({
    text: '',
    attachments: [
      files.teamsFile('damaged.pdf', await makePdf({ pages: ['x'], corrupt: true })),
      files.teamsFile('locked.pdf', await makePdf({ pages: ['secret'], encrypted: true })),
      files.teamsFile('empty.docx', makeDocx({ paragraphs: ['', ' '] })),
      files.teamsFile('approval.eml', approvalOnlyAttached),
    ],
  });
  expect(everything(replies)).not.toContain('Not added');
  await settle();
  expect((await app.services.claimService.get(id))!.poe.map((f) => f.fileName)).toEqual(['damaged.pdf', 'locked.pdf', 'empty.docx', 'approval.eml']);
  // The e-mail's header still names the customer (its sender) and the partner (its recipient).
  expect(posted()).toContain(`PoE checklist of claim ${id}: 1 passed · 4 to check · 0 missing`);
  expect(posted()).toContain('damaged.pdf: damaged or not a valid file, so it could not be read.');
  expect(posted()).toContain('locked.pdf: encrypted or password-protected, so it could not be read.');
  expect(posted()).toContain('empty.docx: has no text to read');
  expect(posted()).toContain('approval.eml: the e-mail has no text of its own (only attachments, which are not opened)');
});
