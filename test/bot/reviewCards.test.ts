import { startBotApp, type BotApp } from '../../app/botApp';
import { consoleLogger, silentLogger } from '../../src/logger';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { demoPdf } from '../../app/demo/demoSeed';
import { cardProblems } from '../support/cardValidation';
import { StubConnector } from '../support/stubConnector';
import { PARTNER_AAD, PARTNER_TENANT, postActivity, REVIEWER_AAD, REVIEWER_TENANT, teamsActivity } from '../support/activities';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';
import { t } from '../../src/i18n/teamsMarkdown';
import { AVERY as avery, ROBIN as robin } from '../support/personas';

/**
 * Reviewers decide from the claim card in their channel: adaptiveCard/action invokes through the real
 * adapter and HTTP server, proactive posts and updates through a stub Bot Connector on loopback.
 */

const REVIEWER2_AAD = 'c3d4e5f6-0002-4000-8000-000000000002';
const CHANNEL = '19:reviews@thread.tacv2';
const connector = new StubConnector();
let app: BotApp;

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false' }), { log: process.env.DEBUG_LOG ? consoleLogger : silentLogger, delivery: TEST_DELIVERY });
  // The reviewers' channel: the bot is added, a reviewer sets it; the partners have 1:1 chats with the bot.
  await post(channelActivity(REVIEWER_AAD, { type: 'installationUpdate', action: 'add' }));
  const mention = { type: 'mention', text: '<at>CPOR</at>', mentioned: { id: '28:cpor-bot', name: 'CPOR' } };
  const set = await post(
    channelActivity(REVIEWER_AAD, { type: 'message', text: '<at>CPOR</at> use this channel for reviews', entities: [mention], deliveryMode: 'expectReplies' }),
  );
  expect(JSON.stringify(set.body)).toContain("This conversation is now the reviewers' conversation (set by Riley Reviewer)");
  await post(channelActivity(REVIEWER2_AAD, { type: 'message', text: 'hello', deliveryMode: 'expectReplies' }));
  await post(personal(PARTNER_AAD, PARTNER_TENANT, { type: 'message', text: 'help', deliveryMode: 'expectReplies' }));
  await post(personal(robin.id, '7d3b2a1c-9e8f-4a6b-8c7d-2e3f4a5b6c7d', { type: 'message', text: 'help', deliveryMode: 'expectReplies' }));
});
afterAll(async () => {
  await app.close();
  await connector.stop();
});
beforeEach(() => connector.clear());

function channelActivity(aad: string, extra: Record<string, unknown>, tenantId = REVIEWER_TENANT) {
  const name = aad === REVIEWER_AAD ? 'Riley Reviewer' : 'Someone';
  return teamsActivity(
    {
      serviceUrl: connector.url,
      aadObjectId: aad,
      tenantId,
      name,
      conversation: { id: CHANNEL, conversationType: 'channel' },
      channelData: { channel: { id: CHANNEL } },
    },
    extra,
  );
}

function personal(aad: string, tenantId: string, extra: Record<string, unknown>) {
  return teamsActivity(
    { serviceUrl: connector.url, aadObjectId: aad, tenantId, name: 'Partner', conversation: { id: `a:dm-${aad}`, conversationType: 'personal' } },
    extra,
  );
}

const post = (activity: unknown) => postActivity(app.url, activity);

/** A button pressed on a claim card, as Teams sends it (Action.Execute). */
async function invoke(aad: string, verb: string, data: Record<string, unknown>, tenantId = REVIEWER_TENANT) {
  const { status, body } = await post(
    channelActivity(
      aad,
      { type: 'invoke', name: 'adaptiveCard/action', replyToId: 'activity-1', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } },
      tenantId,
    ),
  );
  expect(status).toBe(200);
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  expect(cardProblems(body?.value)).toEqual([]);
  return body?.value as Record<string, unknown>;
}

const text = (card: unknown) => JSON.stringify(card);
const verbs = (card: unknown) =>
  [...text(card).matchAll(/"verb":"review\.(\w+)"/g)].map((m) => m[1]).filter((v, i, all) => all.indexOf(v) === i && v !== 'refresh');

async function submittedClaim(owner: Actor, fields: Record<string, unknown>): Promise<Claim> {
  const draft = await app.services.claimService.createDraft(owner, {
    mpnId: owner === avery ? '4412345' : '5523456',
    customerDomain: 'fourthcoffee.example',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@fourthcoffee.example' },
    partnerContact: { name: owner.name, email: 'p@partner.example' },
    claimName: `${owner.name} claim`,
    ...fields,
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const stored = await app.services.poe.upload({ claimId: draft.claim.id, fileName: 'sow.pdf', contentType: 'application/pdf', data: demoPdf('SOW') });
  await app.services.claimService.act(
    draft.claim.id,
    {
      type: 'addPoe',
      files: [
        {
          id: `${draft.claim.id}-1`,
          fileName: 'sow.pdf',
          ...stored,
          uploadedAt: new Date().toISOString(),
          uploadedBy: { kind: 'partner', id: owner.id, name: owner.name },
        },
      ],
    },
    owner,
  );
  const submitted = await app.services.claimService.act(draft.claim.id, { type: 'submit' }, owner);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.refusal));
  await app.background.drain();
  return submitted.claim;
}

async function claim(id: string): Promise<Claim> {
  return (await app.services.claimService.get(id))!;
}

describe('the claim card in the reviewers channel', () => {
  test('a submitted claim is posted once, full width, read-only for everyone but for Open review, with a refresh for the reviewers', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000001', products: ['teams'] });
    const posts = connector.to(CHANNEL).filter((call) => call.method === 'POST');
    expect(posts).toHaveLength(1);
    const card = posts[0].activity.attachments![0].content;
    expect(cardProblems(card)).toEqual([]);
    expect(text(card)).toContain(`Submitted · ${c.id} · Fabrikam Consulting Ltd (MPN 4412345)`);
    expect(text(card)).toMatch(/Review start target.*\d+ business days? left/);
    expect(text(card)).toMatch(/\[sow\.pdf\]\(http:\/\/127\.0\.0\.1:\d+\/.*sp=r.*\)/);
    expect(card.msteams).toEqual({ width: 'Full' });
    // One visible button: Open review, the manual refresh for whoever's client shows no user-specific view.
    expect(card.actions).toEqual([
      {
        type: 'Action.Execute',
        title: 'Open review',
        verb: 'review.refresh',
        data: { claimId: c.id, orgId: c.orgId },
        fallback: { type: 'Action.Submit', title: 'Open review', data: { action: 'review.refresh', claimId: c.id, orgId: c.orgId } },
      },
    ]);
    expect(card.refresh).toMatchObject({
      action: { type: 'Action.Execute', verb: 'review.refresh' },
      userIds: expect.arrayContaining([`29:${REVIEWER_AAD}`, `29:${REVIEWER2_AAD}`]),
    });
    expect(await app.services.reviews.reviewCard(c.id)).toMatchObject({ conversationId: CHANNEL, activityId: posts[0].assignedId });
  });

  test('the refresh gives reviewers their buttons and everyone else the read-only card', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000002', products: ['teams'] });
    expect(verbs(await invoke(REVIEWER_AAD, 'review.refresh', { claimId: c.id }))).toEqual(['start', 'comment', 'history']);
    expect(verbs(await invoke(PARTNER_AAD, 'review.refresh', { claimId: c.id }, PARTNER_TENANT))).toEqual([]);
  });

  test('Open review pressed by a reviewer outside refresh.userIds (a client without user-specific views, a channel of more than 60) gives their own view; a partner or a stranger is refused', async () => {
    await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000009', products: ['teams'] });
    const shared = connector.to(CHANNEL).find((call) => call.method === 'POST')!.activity.attachments![0].content as {
      actions: { verb: string; data: Record<string, unknown> }[];
    };
    const open = shared.actions[0];
    // Teams ids the card's refresh does not list (a reviewer the bot has not seen under this id): the button works the same.
    const press = (aad: string, tenantId = REVIEWER_TENANT) =>
      post({
        ...channelActivity(
          aad,
          {
            type: 'invoke',
            name: 'adaptiveCard/action',
            replyToId: 'activity-1',
            value: { action: { type: 'Action.Execute', verb: open.verb, data: open.data }, trigger: 'manual' },
          },
          tenantId,
        ),
        from: { id: `29:not-in-userIds-${aad}`, aadObjectId: aad },
      });
    const jordan = (await press(REVIEWER2_AAD)).body?.value;
    expect(cardProblems(jordan)).toEqual([]);
    expect(verbs(jordan)).toEqual(['start', 'comment', 'history']);
    expect(text(jordan)).not.toContain('Open review'); // their own view has the buttons themselves
    for (const [aad, tenant, sentence] of [
      [PARTNER_AAD, PARTNER_TENANT, t('en-US', 'access.reviewersOnly')],
      ['ffffffff-0009-4000-8000-00000000dead', REVIEWER_TENANT, t('en-US', 'access.notOnRoster')],
    ]) {
      const refused = (await press(aad, tenant)).body?.value;
      expect(verbs(refused)).toEqual([]);
      expect(text(refused)).toContain(JSON.stringify(sentence).slice(1, -1));
      expect(text(refused)).not.toContain('fourthcoffee.example');
    }
  });

  test('start review, then request information: the shared card is updated in place and the partner is asked in their chat', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000003', products: ['teams'] });
    const record = (await app.services.reviews.reviewCard(c.id))!;
    let card = await invoke(REVIEWER_AAD, 'review.start', { claimId: c.id, version: c.version });
    expect(text(card)).toContain(`You started the review of claim ${c.id}.`);
    expect(verbs(card)).toEqual(['approve', 'reject', 'requestInfo', 'comment', 'history']);
    await app.background.drain();
    const update = connector.to(CHANNEL).find((call) => call.method === 'PUT');
    expect(update?.activityId).toBe(record.activityId);
    expect(text(update?.activity)).toContain(`Under review · ${c.id}`);
    expect(text(update?.activity)).toContain('Under review · by Riley Reviewer');
    expect(cardProblems(update!.activity.attachments![0].content)).toEqual([]);

    connector.clear();
    const current = await claim(c.id);
    card = await invoke(REVIEWER_AAD, 'review.requestInfo', {
      claimId: c.id,
      version: current.version,
      reasons: 'MissingProducts,MissingOrOldDates',
      infoComment: 'Please name Teams in the SOW and date it.',
    });
    expect(text(card)).toContain('Your request for information');
    await app.background.drain();
    expect((await claim(c.id)).status).toBe('PartnerActionRequired');
    const notice = connector.to(`a:dm-${PARTNER_AAD}`).at(-1)!;
    const noticeCard = notice.activity.attachments![0].content;
    expect(cardProblems(noticeCard)).toEqual([]);
    expect(text(noticeCard)).toContain('Partner action required: Avery Fabrikam claim');
    expect(text(noticeCard)).toContain('Riley Reviewer needs more information: Missing products, Missing or old dates.');
    expect(text(noticeCard)).toContain('Please name Teams in the SOW and date it.');
    expect(text(noticeCard)).toMatch(/"action":"claim.edit".*"action":"claim.resubmit"/);
  });

  test('a partner or a stranger pressing a reviewer button is refused, and the attempt is in the history', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000004', products: ['teams'] });
    // The partner user, from their own tenant (e.g. a card forwarded to them).
    const byPartner = await invoke(PARTNER_AAD, 'review.start', { claimId: c.id, version: c.version }, PARTNER_TENANT);
    expect(text(byPartner)).toContain('Only CPOR reviewers can do this.');
    expect(text(byPartner)).not.toContain(c.fields.customerDomain!);
    const stranger = '99999999-0000-4000-8000-000000000099';
    const byStranger = await invoke(stranger, 'review.approve', { claimId: c.id, version: c.version });
    expect(text(byStranger)).toContain('You are not on a roster of this bot');
    expect(text(byStranger)).not.toContain(c.fields.customerDomain!);
    const after = await claim(c.id);
    expect(after.status).toBe('Submitted');
    expect(after.history.filter((e) => e.outcome === 'refused').map((e) => [e.action, e.actor.kind, e.actor.id])).toEqual([
      ['startReview', 'partner', PARTNER_AAD],
      ['approve', 'stranger', stranger],
    ]);
  });

  test('the same invoke delivered twice acts once; two reviewers at once make one transition and the other is told who acted', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000005', products: ['teams'] });
    const data = { claimId: c.id, version: c.version };
    await Promise.all([invoke(REVIEWER_AAD, 'review.start', data), invoke(REVIEWER_AAD, 'review.start', data)]);
    const started = await claim(c.id);
    expect(started.history.filter((e) => e.action === 'startReview')).toHaveLength(1);

    const cards = await Promise.all([
      invoke(REVIEWER_AAD, 'review.approve', { claimId: c.id, version: started.version }),
      invoke(REVIEWER2_AAD, 'review.approve', { claimId: c.id, version: started.version }),
    ]);
    const approved = await claim(c.id);
    expect(approved.history.filter((e) => e.action === 'approve')).toHaveLength(1);
    const winner = approved.history.find((e) => e.action === 'approve')!.actor.name;
    const loserCard = cards.find((card) => !text(card).includes('You approved'))!;
    expect(text(loserCard)).toContain(`The claim is already Approved: ${winner} did that on`);
    expect(await app.services.associations.listForTenant('88888888-0000-4000-8000-000000000005')).toHaveLength(1);
  });

  test('reject needs a reason from the list; the partner is told the reason and the dispute deadline', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000006', products: ['intune'] });
    await invoke(REVIEWER_AAD, 'review.start', { claimId: c.id, version: c.version });
    let current = await claim(c.id);
    expect(text(await invoke(REVIEWER_AAD, 'review.reject', { claimId: c.id, version: current.version, reason: 'Because' }))).toContain(
      'Choose a reason from the list.',
    );
    expect(text(await invoke(REVIEWER_AAD, 'review.reject', { claimId: c.id, version: current.version, reason: 'CustomerDecline' }))).toContain(
      'Customer decline is not a reason a reviewer can give.',
    );
    connector.clear();
    await invoke(REVIEWER_AAD, 'review.reject', {
      claimId: c.id,
      version: current.version,
      reason: 'MissingCustomerConsentOnPoe',
      rejectComment: 'No signature.',
    });
    await app.background.drain();
    current = await claim(c.id);
    expect(current).toMatchObject({ status: 'Rejected', rejection: { reason: 'MissingCustomerConsentOnPoe', comment: 'No signature.' } });
    const notice = text(connector.to(`a:dm-${PARTNER_AAD}`).at(-1)!.activity);
    expect(notice).toContain('Reason: Missing customer consent on PoE.');
    expect(notice).toContain('You can dispute this decision until');
  });

  test('comments go both ways: a reviewer comment reaches the partner with a Reply button, the reply reaches the card', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000007', products: ['teams'] });
    // The card is drawn again once its PoE checklist is known; that redraw is not what this test looks at.
    await app.services.precheck.drain();
    await app.background.drain();
    await invoke(REVIEWER_AAD, 'review.comment', { claimId: c.id, version: c.version, reviewerComment: 'Is the SOW signed by Contoso?' });
    await app.background.drain();
    const notice = connector.to(`a:dm-${PARTNER_AAD}`).at(-1)!.activity;
    expect(text(notice)).toContain('New comment on Avery Fabrikam claim');
    expect(text(notice)).toContain('Is the SOW signed by Contoso?');
    expect(text(notice)).toContain('"action":"claim.reply"');

    connector.clear();
    const reply = await post(
      personal(PARTNER_AAD, PARTNER_TENANT, {
        type: 'message',
        deliveryMode: 'expectReplies',
        value: { action: 'claim.reply', claimId: c.id, comment: 'Yes, page 3.' },
      }),
    );
    expect(JSON.stringify(reply.body)).toContain(`Your reply on claim ${c.id} was sent to the reviewers.`);
    await app.background.drain();
    const updated = connector.to(CHANNEL).find((call) => call.method === 'PUT')!;
    expect(text(updated.activity)).toContain('Yes, page 3.');
    const history = await claim(c.id);
    expect(history.comments.map((x) => [x.author.kind, x.text])).toEqual([
      ['reviewer', 'Is the SOW signed by Contoso?'],
      ['partner', 'Yes, page 3.'],
    ]);
    const historyCard = await invoke(REVIEWER_AAD, 'review.history', { claimId: c.id });
    expect(text(historyCard)).toContain('Riley Reviewer commented on the claim on');
    expect(text(historyCard)).toContain('Comment: Yes, page 3.');
  });
});

describe('a notice button in the middle of a claim form', () => {
  test('a Reply is sent to the reviewers and the form the partner had open stays where it was', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000013', products: ['teams'] });
    const dm = (extra: Record<string, unknown>) => post(personal(PARTNER_AAD, PARTNER_TENANT, { type: 'message', deliveryMode: 'expectReplies', ...extra }));
    const started = JSON.stringify((await dm({ text: 'new claim' })).body);
    if (started.includes('Continue a draft?')) await dm({ value: { action: 'form.claim', step: 'resume', button: 'new' } });
    const reply = await dm({ value: { action: 'claim.reply', claimId: c.id, comment: 'Answering while drafting.' } });
    expect(JSON.stringify(reply.body)).toContain(`Your reply on claim ${c.id} was sent to the reviewers.`);
    expect((await claim(c.id)).comments.map((x) => x.text)).toEqual(['Answering while drafting.']);
    const help = JSON.stringify((await dm({ text: 'help' })).body);
    expect(help).toContain('You are creating a claim.');
    await dm({ text: 'cancel' });
    expect(JSON.stringify((await dm({ text: 'discard' })).body)).toMatch(/Draft CL-[0-9A-Z]{8} and its files are discarded\./);
  });
});

describe('partner action required, round trip', () => {
  test('the partner edits a product in the allowed fields and resubmits; the claim is back under review and the card updated', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000008', products: ['teams', 'intune'] });
    await invoke(REVIEWER_AAD, 'review.start', { claimId: c.id, version: c.version });
    const underReview = await claim(c.id);
    await invoke(REVIEWER_AAD, 'review.requestInfo', {
      claimId: c.id,
      version: underReview.version,
      reasons: 'MissingProducts',
      infoComment: 'Intune is not in the SOW: remove it or add PoE.',
    });
    await app.background.drain();
    connector.clear();

    const dm = (extra: Record<string, unknown>) => post(personal(PARTNER_AAD, PARTNER_TENANT, { type: 'message', deliveryMode: 'expectReplies', ...extra }));
    let replies = await dm({ value: { action: 'claim.edit', claimId: c.id } });
    let reply = JSON.stringify(replies.body);
    expect(reply).toContain('Edit claim: Avery Fabrikam claim');
    expect(reply).toContain('"section":"products"');
    expect(reply).not.toContain('"section":"area"'); // not editable after submission
    replies = await dm({ value: { action: 'form.claim', step: 'summary', claimId: c.id, button: 'edit', section: 'products' } });
    expect(JSON.stringify(replies.body)).toContain('Products and workloads');
    replies = await dm({ value: { action: 'form.claim', step: 'products', claimId: c.id, button: 'next', products: 'teams' } });
    reply = JSON.stringify(replies.body);
    expect(reply).toContain('Edit claim: Avery Fabrikam claim');
    expect(reply).toContain('"title":"Resubmit"');
    replies = await dm({ value: { action: 'form.claim', step: 'summary', claimId: c.id, button: 'resubmit' } });
    expect(JSON.stringify(replies.body)).toContain(`Claim ${c.id} is resubmitted and now Under review.`);
    await app.background.drain();

    const after = await claim(c.id);
    expect(after.status).toBe('UnderReview');
    expect(after.fields.products).toEqual(['teams']);
    expect(after.history.map((e) => e.action).slice(-2)).toEqual(['edit', 'resubmit']);
    // The last update of this claim's card (other claims' cards may be refreshed meanwhile, when their PoE checklists are ready).
    const update = connector
      .to(CHANNEL)
      .filter((call) => call.method === 'PUT' && text(call.activity).includes(`"claimId":"${c.id}"`))
      .at(-1)!;
    expect(text(update.activity)).toContain(`Under review · ${c.id}`);
    expect(text(update.activity)).toContain('Products and workloads","value":"Microsoft Teams"');
  });

  test('editing is offered only while Submitted or Partner action required', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000009', products: ['teams'] });
    await invoke(REVIEWER_AAD, 'review.start', { claimId: c.id, version: c.version });
    const replies = await post(
      personal(PARTNER_AAD, PARTNER_TENANT, { type: 'message', deliveryMode: 'expectReplies', value: { action: 'claim.edit', claimId: c.id } }),
    );
    expect(JSON.stringify(replies.body)).toContain(`Claim ${c.id} is Under review: it can be edited only while Submitted or Partner action required.`);
  });
});

describe('every reviewer verb, for every role', () => {
  const STRANGER = '99999999-0000-4000-8000-000000000098';
  const ROLES: Record<string, [string, string]> = {
    reviewer: [REVIEWER_AAD, REVIEWER_TENANT],
    partner: [PARTNER_AAD, PARTNER_TENANT],
    stranger: [STRANGER, REVIEWER_TENANT],
  };
  // verb -> the status the claim needs, the inputs of the card, and what a reviewer's press leads to.
  const VERBS: Record<string, { from: 'Submitted' | 'UnderReview'; inputs: Record<string, unknown>; expect: (c: Claim) => void }> = {
    start: { from: 'Submitted', inputs: {}, expect: (c) => expect(c.status).toBe('UnderReview') },
    approve: { from: 'UnderReview', inputs: {}, expect: (c) => expect(c.status).toBe('Approved') },
    approveSupersede: { from: 'UnderReview', inputs: {}, expect: (c) => expect(c.status).toBe('Approved') },
    reject: { from: 'UnderReview', inputs: { reason: 'InsufficientProofOfExecution', rejectComment: 'x' }, expect: (c) => expect(c.status).toBe('Rejected') },
    requestInfo: {
      from: 'UnderReview',
      inputs: { reasons: 'MissingAllPoe', infoComment: 'Wrong file.' },
      expect: (c) => expect(c.status).toBe('PartnerActionRequired'),
    },
    comment: { from: 'Submitted', inputs: { reviewerComment: 'A question.' }, expect: (c) => expect(c.comments.map((x) => x.text)).toEqual(['A question.']) },
  };
  const cases = Object.keys(VERBS).flatMap((verb) => Object.keys(ROLES).map((role) => [verb, role] as const));
  let n = 0;

  test.each(cases)('review.%s pressed by a %s', async (verb, role) => {
    const spec = VERBS[verb];
    const c = await submittedClaim(avery, { customerTenantId: `88888888-1000-4000-8000-${String(++n).padStart(12, '0')}`, products: ['teams'] });
    if (spec.from === 'UnderReview') await invoke(REVIEWER2_AAD, 'review.start', { claimId: c.id, version: c.version });
    const before = await claim(c.id);
    const [aad, tenant] = ROLES[role];
    const card = await invoke(aad, `review.${verb}`, { claimId: c.id, orgId: c.orgId, version: before.version, ...spec.inputs }, tenant);
    const after = await claim(c.id);
    // The reviewers' card is the reviewers' (partners answer from their own notice, with claim.reply).
    if (role === 'reviewer') {
      spec.expect(after);
      expect(after.history.at(-1)).toMatchObject({ outcome: 'applied', actor: { id: aad } });
      return;
    }
    expect(after.status).toBe(before.status);
    expect(after.comments).toEqual(before.comments);
    expect(after.history.at(-1)).toMatchObject({ outcome: 'refused', actor: { kind: role, id: aad } });
    expect(text(card)).toContain(role === 'partner' ? 'Only CPOR reviewers can do this.' : 'You are not on a roster of this bot');
    expect(text(card)).not.toContain(c.fields.customerDomain!);
    expect(verbs(card)).toEqual([]);
  });

  test.each(Object.keys(ROLES))('history pressed by a %s', async (role) => {
    const c = await submittedClaim(avery, { customerTenantId: `88888888-2000-4000-8000-${String(++n).padStart(12, '0')}`, products: ['teams'] });
    const [aad, tenant] = ROLES[role];
    const card = await invoke(aad, 'review.history', { claimId: c.id, orgId: c.orgId }, tenant);
    if (role === 'reviewer') expect(text(card)).toContain(`History of ${c.fields.claimName}`);
    else {
      expect(text(card)).toContain(role === 'partner' ? 'Only CPOR reviewers can do this.' : 'You are not on a roster of this bot');
      expect(text(card)).not.toContain(c.fields.customerDomain!);
    }
  });
});

describe('racing approvals', () => {
  test('two claims of different partners for one workload approved at once: exactly one association, the other reviewer must choose', async () => {
    const tenant = '88888888-0000-4000-8000-000000000011';
    const a = await submittedClaim(avery, { customerTenantId: tenant, products: ['intune'] });
    const b = await submittedClaim(robin, { customerTenantId: tenant, products: ['intune'] });
    await invoke(REVIEWER_AAD, 'review.start', { claimId: a.id, version: a.version });
    await invoke(REVIEWER2_AAD, 'review.start', { claimId: b.id, version: b.version });
    const [cardA, cardB] = await Promise.all([
      invoke(REVIEWER_AAD, 'review.approve', { claimId: a.id, version: (await claim(a.id)).version }),
      invoke(REVIEWER2_AAD, 'review.approve', { claimId: b.id, version: (await claim(b.id)).version }),
    ]);
    const [statusA, statusB] = [(await claim(a.id)).status, (await claim(b.id)).status];
    expect([statusA, statusB].sort()).toEqual(['Approved', 'UnderReview']);
    const live = await app.services.associations.listForTenant(tenant);
    expect(live.map((d) => d.claimId)).toEqual([statusA === 'Approved' ? a.id : b.id]);
    const [winner, loserCard] = statusA === 'Approved' ? [a, cardB] : [b, cardA];
    expect(text(loserCard)).toContain(`Another partner holds the association through ${winner.id}.`);
  });

  test('an older Teams client sends the fallback Action.Submit: the same action, and the pressed card is replaced', async () => {
    const c = await submittedClaim(avery, { customerTenantId: '88888888-0000-4000-8000-000000000012', products: ['teams'] });
    await post(
      channelActivity(REVIEWER_AAD, { type: 'message', replyToId: 'activity-77', value: { action: 'review.start', claimId: c.id, version: c.version } }),
    );
    expect((await claim(c.id)).status).toBe('UnderReview');
    const replaced = connector.to(CHANNEL).find((call) => call.method === 'PUT' && call.activityId === 'activity-77');
    expect(text(replaced?.activity)).toContain(`You started the review of claim ${c.id}.`);
  });
});

describe('arbitration', () => {
  test("approving against another partner's live association asks for an explicit choice; superseding ends the old one and tells that partner", async () => {
    const tenant = '88888888-0000-4000-8000-000000000010';
    const first = await submittedClaim(robin, { customerTenantId: tenant, products: ['teams'] });
    await invoke(REVIEWER_AAD, 'review.start', { claimId: first.id, version: first.version });
    await invoke(REVIEWER_AAD, 'review.approve', { claimId: first.id, version: (await claim(first.id)).version });
    expect((await claim(first.id)).status).toBe('Approved');

    const second = await submittedClaim(avery, { customerTenantId: tenant, products: ['teams', 'exchange-online'] });
    const postCard = connector
      .to(CHANNEL)
      .filter((call) => call.method === 'POST')
      .at(-1)!.activity;
    expect(text(postCard)).toContain(`Competing claim ${first.id}`);
    expect(text(postCard)).toContain('Tailspin Partners GmbH');
    await invoke(REVIEWER_AAD, 'review.start', { claimId: second.id, version: second.version });
    let card = await invoke(REVIEWER_AAD, 'review.approve', { claimId: second.id, version: (await claim(second.id)).version });
    expect(text(card)).toContain(`Another partner holds the association through ${first.id}.`);
    expect(verbs(card)).toEqual(['approveSupersede', 'reject', 'requestInfo', 'comment', 'history']);
    expect((await claim(second.id)).status).toBe('UnderReview');

    connector.clear();
    card = await invoke(REVIEWER_AAD, 'review.approveSupersede', { claimId: second.id, version: (await claim(second.id)).version });
    expect(text(card)).toContain(`You approved claim ${second.id}.`);
    await app.background.drain();
    expect(await claim(first.id)).toMatchObject({ status: 'Rejected', rejection: { reason: 'AssociationSuperseded' } });
    expect((await claim(second.id)).status).toBe('Approved');
    const live = await app.services.associations.listForTenant(tenant);
    expect(live.map((a) => [a.id, a.claimId]).sort()).toEqual([
      ['osu-m365:workload:exchange-online', second.id],
      ['osu-m365:workload:teams', second.id],
    ]);
    const told = text(connector.to(`a:dm-${robin.id}`).at(-1)!.activity);
    expect(told).toContain('Reason: Association superseded after arbitration.');
  });
});
