import { startBotApp, type BotApp } from '../../app/botApp';
import { ACTION_NAMES, ACTION_POLICY, authorize, type ActionName, type ButtonAction, type Sender } from '../../src/domain/actionPolicy';
import type { Claim } from '../../src/domain/claim';
import { render, t } from '../../src/i18n/locales';
import { silentLogger } from '../../src/logger';
import { PARTNER_AAD, PARTNER_TENANT, REVIEWER_AAD, REVIEWER_TENANT, TAILSPIN_TENANT } from '../support/activities';
import { submittedWithPoe } from '../support/seededClaims';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig } from '../support/testStorage';
import { AVERY as avery, ROBIN as robin } from '../support/personas';

/**
 * The authorization matrix, generated from the policy table (src/domain/actionPolicy.ts): every action
 * (each button, each typed command) × every kind of sender × a claim of the sender's own organisation
 * and one of another, over HTTP through the real adapter. Where the policy refuses, the answer is the
 * policy's sentence and the claim is unchanged; wherever the sender may not see the claim, nothing of
 * it (customer domain, tenant id, contact e-mail, PoE link) is in the answer or in anything sent to
 * the sender's conversation.
 */

const connector = new StubConnector();
let app: BotApp;

const SAM_AAD = 'a1b2c3d4-0003-4000-8000-000000000003'; // Fabrikam, Referrals admin: may look, may not claim
const STRANGER_AAD = 'ffffffff-0001-4000-8000-00000000dead';

interface SenderCase {
  /** What the policy should take this sender for. */
  sender: Sender;
  aadObjectId?: string;
  conversationTenant?: string;
  channelTenant?: string;
}

const SENDERS: Record<string, SenderCase> = {
  reviewer: { sender: { kind: 'reviewer' }, aadObjectId: REVIEWER_AAD, conversationTenant: REVIEWER_TENANT, channelTenant: REVIEWER_TENANT },
  'partner admin': {
    sender: { kind: 'partner', role: 'GlobalAdmin', orgId: 'fabrikam-consulting' },
    aadObjectId: PARTNER_AAD,
    conversationTenant: PARTNER_TENANT,
    channelTenant: PARTNER_TENANT,
  },
  'partner viewer': {
    sender: { kind: 'partner', role: 'ReferralsAdmin', orgId: 'fabrikam-consulting' },
    aadObjectId: SAM_AAD,
    conversationTenant: PARTNER_TENANT,
    channelTenant: PARTNER_TENANT,
  },
  'person on no roster': { sender: { kind: 'stranger' }, aadObjectId: STRANGER_AAD, conversationTenant: PARTNER_TENANT, channelTenant: PARTNER_TENANT },
  'reviewer from another tenant': {
    sender: { kind: 'stranger' },
    aadObjectId: REVIEWER_AAD,
    conversationTenant: PARTNER_TENANT,
    channelTenant: PARTNER_TENANT,
  },
  'no AAD object id': { sender: { kind: 'anonymous' }, conversationTenant: REVIEWER_TENANT, channelTenant: REVIEWER_TENANT },
  'no tenant': { sender: { kind: 'anonymous' }, aadObjectId: REVIEWER_AAD },
  'tenants that disagree': { sender: { kind: 'anonymous' }, aadObjectId: PARTNER_AAD, conversationTenant: PARTNER_TENANT, channelTenant: TAILSPIN_TENANT },
};

let seq = 0;
const seedClaim = (owner: typeof avery) => submittedWithPoe(app.services, owner, ++seq, 'Matrix');

/** What must never reach someone who may not see the claim. */
function secretsOf(claim: Claim): string[] {
  return [
    claim.fields.customerDomain!,
    claim.fields.customerTenantId!,
    claim.fields.customerContact!.email,
    ...claim.poe.map((f) => f.blobName.split('/')[1]), // the blob's own id: any link to the file carries it
    'sig=',
  ];
}

/** The inputs each button's card would send, so an allowed press gets as far as its handler. */
const BUTTON_VALUES: Record<ButtonAction, Record<string, unknown>> = {
  'review.refresh': {},
  'review.history': {},
  'review.start': {},
  'review.approve': {},
  'review.approveSupersede': {},
  'review.reject': { reason: 'InsufficientProofOfExecution', rejectComment: 'x' },
  'review.requestInfo': { reasons: 'MissingProducts', infoComment: 'x' },
  'review.comment': { reviewerComment: 'x' },
  'claim.reply': { comment: 'x' },
  'claim.edit': {},
  'claim.resubmit': {},
  'claim.dispute': {},
  'claim.newFrom': {},
  'claim.withdraw': {},
  'claim.withdrawConfirm': {},
  'claim.keep': {},
  'claim.open': {},
  'form.claim': { step: 'customer', button: 'next', mpnId: '4412345' },
  'form.dispute': { button: 'submit', justification: 'x' },
};

/** What a person types for each command. */
const TYPED: Record<Extract<ActionName, `command.${string}`>, (claim: Claim) => string> = {
  'command.help': () => 'help',
  'command.language': () => 'language English',
  'command.myClaims': () => 'my claims',
  'command.needsAction': () => 'what needs my action',
  'command.find': (c) => `claim ${c.id}`,
  'command.history': (c) => `history ${c.id}`,
  'command.newClaim': () => 'new claim',
  'command.withdraw': (c) => `withdraw ${c.id}`,
  'command.dispute': (c) => `dispute ${c.id}`,
  'command.useForReviews': () => 'use this channel for reviews',
  'command.export': () => 'export my claims',
};

/** The invokes that are no buttons: a search for the claim's id, the claim's link pasted into a message, an export's consent accepted. */
const EXTENSION: Record<Extract<ActionName, `extension.${string}` | `file.${string}`>, (claim: Claim) => { name: string; value: unknown }> = {
  'file.exportConsent': () => ({
    name: 'fileConsent/invoke',
    value: {
      type: 'fileUpload',
      action: 'accept',
      context: { export: 1, list: 'mine', format: 'xlsx', requestedBy: '', filter: {} },
      uploadInfo: {
        name: 'cpor-claims.xlsx',
        uploadUrl: `${connector.url}/upload/matrix`,
        contentUrl: `${connector.url}/files/cpor-claims.xlsx`,
        uniqueId: 'u1',
        fileType: 'xlsx',
      },
    },
  }),
  'extension.search': (c) => ({
    name: 'composeExtension/query',
    value: { commandId: 'findClaims', parameters: [{ name: 'query', value: c.id }], queryOptions: { skip: 0, count: 25 } },
  }),
  'extension.share': (c) => ({ name: 'composeExtension/queryLink', value: { url: `${app.services.consentLinks.serverUrl}/claims/${c.id}` } }),
};

/** Buttons sent as Action.Execute (Universal Actions): the reviewers' card and a shared claim card's Open. */
const executes = (action: ActionName) => action.startsWith('review.') || action === 'claim.open';

let activityCount = 0;
/** Sends one action as Teams would: Universal Actions as Action.Execute, other buttons as Action.Submit, commands as text, the message extension's invokes. */
async function send(who: SenderCase, conversationId: string, action: ActionName, claim: Claim): Promise<{ status: number; body: string }> {
  const base = {
    id: `mx-${++activityCount}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    locale: 'en-US',
    conversation: { id: conversationId, conversationType: 'personal', ...(who.conversationTenant ? { tenantId: who.conversationTenant } : {}) },
    from: { id: `29:${who.aadObjectId ?? 'anonymous'}`, ...(who.aadObjectId ? { aadObjectId: who.aadObjectId } : {}), name: 'Someone' },
    recipient: { id: '28:cpor-bot' },
    channelData: who.channelTenant ? { tenant: { id: who.channelTenant } } : {},
  };
  let activity: Record<string, unknown>;
  if (action.startsWith('command.')) {
    activity = { ...base, type: 'message', deliveryMode: 'expectReplies', text: TYPED[action as keyof typeof TYPED](claim) };
  } else if (action.startsWith('extension.') || action.startsWith('file.')) {
    activity = { ...base, type: 'invoke', ...EXTENSION[action as keyof typeof EXTENSION](claim) };
  } else if (executes(action)) {
    const data = { claimId: claim.id, orgId: claim.orgId, version: claim.version, ...BUTTON_VALUES[action as ButtonAction] };
    activity = {
      ...base,
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: 'card-1',
      value: { action: { type: 'Action.Execute', verb: action, data }, trigger: 'manual' },
    };
  } else {
    const value = { action, claimId: claim.id, ...BUTTON_VALUES[action as ButtonAction] };
    activity = { ...base, type: 'message', deliveryMode: 'expectReplies', replyToId: 'card-1', value };
  }
  const response = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return { status: response.status, body: await response.text() };
}

beforeAll(async () => {
  await connector.start();
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY });
}, 60_000);

afterAll(async () => {
  await app.close();
  await connector.stop();
});

/** Whether the sender may see this claim at all: reviewers all, partner users their organisation's. */
const entitled = (sender: Sender, claim: Claim) => sender.kind === 'reviewer' || (sender.kind === 'partner' && sender.orgId === claim.orgId);

describe.each(ACTION_NAMES)('%s', (action) => {
  test('every kind of sender, on a claim of their own organisation and of another', async () => {
    const claims = { own: await seedClaim(avery), foreign: await seedClaim(robin) };
    const cells = Object.entries(SENDERS).flatMap(([name, who]) => (['own', 'foreign'] as const).map((whose) => ({ name, who, whose, claim: claims[whose] })));
    const policy = (who: SenderCase) => authorize(action, who.sender);
    // A partner's button on another organisation's claim is refused as if the claim did not exist.
    const refusedForOwnership = (who: SenderCase, claim: Claim) =>
      !action.startsWith('command.') &&
      action !== 'extension.search' &&
      action !== 'file.exportConsent' &&
      who.sender.kind === 'partner' &&
      !entitled(who.sender, claim);
    const refused = (cell: (typeof cells)[number]) => !policy(cell.who).ok || refusedForOwnership(cell.who, cell.claim);
    // Refused cells first, while both claims are as seeded; allowed ones may then change them.
    const ordered = [...cells.filter(refused), ...cells.filter((c) => !refused(c))];
    for (const cell of ordered) {
      const { who, claim } = cell;
      const before = (await app.services.claimService.get(claim.id))!;
      const conversationId = `a:matrix-${action}-${cell.name.replace(/\W/g, '')}-${cell.whose}`;
      const since = connector.calls.length;
      const answer = await send(who, conversationId, action, before);
      const label = `${cell.name} on ${cell.whose} claim`;
      expect({ label, status: answer.status }).toEqual({ label, status: 200 });
      const sentToSender = JSON.stringify(connector.calls.slice(since).filter((c) => c.conversationId === conversationId));
      const everything = answer.body + sentToSender;

      const decision = policy(who);
      if (action === 'extension.share') {
        // A link unfurls for people who may see the claim; for anyone else nothing unfurls, and nothing says why.
        const attachments = (JSON.parse(answer.body) as { composeExtension?: { attachments?: unknown[] } }).composeExtension?.attachments ?? [];
        expect({ label, unfurled: attachments.length }).toEqual({ label, unfurled: refused(cell) ? 0 : 1 });
      } else if (!decision.ok) {
        const partnerRole = who.sender.role ? `@partnerRole.${who.sender.role}` : '';
        const sentence = render('en-US', { key: `access.${decision.refusal}` as never, params: { partnerRole } });
        expect({ label, has: everything.includes(JSON.stringify(sentence).slice(1, -1)) }).toEqual({ label, has: true });
      } else if (refusedForOwnership(who, claim)) {
        const notFound = t('en-US', action === 'form.claim' ? 'action.draftGone' : 'access.claimNotFound', { claimId: claim.id });
        expect({ label, has: everything.includes(JSON.stringify(notFound).slice(1, -1)) }).toEqual({ label, has: true });
      }
      if (!entitled(who.sender, claim)) {
        const leaked = secretsOf(before).filter((secret) => everything.includes(secret));
        expect({ label, leaked }).toEqual({ label, leaked: [] });
      }
      if (refused(cell)) {
        const after = (await app.services.claimService.get(claim.id))!;
        expect({ label, status: after.status, fields: after.fields, poe: after.poe, comments: after.comments }).toEqual({
          label,
          status: before.status,
          fields: before.fields,
          poe: before.poe,
          comments: before.comments,
        });
        // Someone Teams did not identify leaves no trace in the claim's history.
        if (who.sender.kind === 'anonymous') expect({ label, events: after.history.length }).toEqual({ label, events: before.history.length });
      }
    }
  }, 60_000);
});

test('the matrix covers every action of the policy table', () => {
  expect(Object.keys(BUTTON_VALUES).length + Object.keys(TYPED).length + Object.keys(EXTENSION).length).toBe(Object.keys(ACTION_POLICY).length);
});
