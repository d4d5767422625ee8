import type { BotApp } from '../../app/botApp';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { uniqueName } from './testStorage';

/** Claims driven to Approved through the claim service, with the consent link of their approval e-mail. */

import { AVERY as avery, RILEY as riley } from './personas';
import { poeRecordFor } from './claimFixtures';

export { avery, riley };

/** A customer tenant no other claim of the run uses, so approvals never compete. */
export function uniqueTenant(): string {
  return `66666666-0000-4000-8000-${uniqueName('')
    .replace(/[^0-9]/g, '')
    .padEnd(12, '7')
    .slice(-12)}`;
}

export interface ApprovedClaim {
  claim: Claim;
  /** The approval e-mail's nonce (its outbox entry), as the e-mail's link carries it. */
  nonce: string;
  link: string;
}

export async function approvedClaim(app: BotApp, fields: Record<string, unknown> = {}): Promise<ApprovedClaim> {
  const { claimService, clock } = app.services;
  const draft = await claimService.createDraft(avery, {
    mpnId: '4412345',
    customerDomain: 'fourthcoffee.example',
    customerTenantId: uniqueTenant(),
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams', 'exchange-online'],
    claimName: uniqueName('Fourth Coffee Teams '),
    customerContact: { name: 'Dana Customer', title: 'CIO', email: 'dana@fourthcoffee.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
    ...fields,
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const file = poeRecordFor(id, avery, clock.now());
  const steps: [Parameters<typeof claimService.act>[1], Actor][] = [
    [{ type: 'addPoe', files: [file] }, avery],
    [{ type: 'submit' }, avery],
    [{ type: 'startReview' }, riley],
  ];
  for (const [action, actor] of steps) {
    const result = await claimService.act(id, action, actor);
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  }
  const approved = await claimService.act(id, { type: 'approve' }, riley);
  if (!approved.ok) throw new Error(JSON.stringify(approved.refusal));
  await app.background.drain();
  const nonce = `${id}:${approved.event.seq}:customer`;
  return { claim: approved.claim, nonce, link: app.services.consentLinks.linkFor(id, nonce, clock.now()) };
}
