import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import type { AppServices } from '../../src/services/services';
import { demoPdf } from '../../app/demo/demoSeed';

import { AVERY, RILEY } from './personas';
import { poeRecordFor } from './claimFixtures';

export { AVERY, RILEY };

type Reached = 'Submitted' | 'UnderReview' | 'PartnerActionRequired' | 'Rejected';

/**
 * A Microsoft 365 claim of Avery's with its own customer (`name` makes the domain, tenant and contact
 * unique) and one PoE file record, taken through the claim service to a status.
 */
export async function claimThrough(services: AppServices, status: Reached, name: string, tenantSuffix: number): Promise<Claim> {
  const svc = services.claimService;
  const domain = `${name}.example`;
  const draft = await svc.createDraft(AVERY, {
    mpnId: '4412345',
    customerDomain: domain,
    customerTenantId: `17171717-0000-4000-8000-${String(tenantSuffix).padStart(12, '0')}`,
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: name,
    products: ['teams'],
    customerContact: { name: 'D', title: 'T', email: `d@${domain}` },
    partnerContact: { name: 'A', email: 'a@fabrikam.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const poe = poeRecordFor(id, AVERY, new Date(), 'first.pdf');
  const steps: [Parameters<typeof svc.act>[1], Actor][] = [
    [{ type: 'addPoe', files: [poe] }, AVERY],
    [{ type: 'submit' }, AVERY],
  ];
  if (status !== 'Submitted') steps.push([{ type: 'startReview' }, RILEY]);
  if (status === 'Rejected') steps.push([{ type: 'reject', reason: 'InsufficientProofOfExecution' }, RILEY]);
  if (status === 'PartnerActionRequired') steps.push([{ type: 'requestInfo', reasons: ['MissingProducts'], comment: 'Which products?' }, RILEY]);
  for (const [action, actor] of steps) {
    const result = await svc.act(id, action, actor, {}, AVERY.orgId);
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  }
  return (await svc.get(id, AVERY.orgId))!;
}

/**
 * A submitted claim of `owner`'s organisation with its own customer (domain `secret-<n>-<org>.example`,
 * tenant and contact made unique by `n`) and a real PoE file in Blob storage: what the authorization
 * tests look for in answers to people who may not see it.
 */
export async function submittedWithPoe(services: AppServices, owner: Extract<Actor, { kind: 'partner' }>, n: number, label: string): Promise<Claim> {
  const domain = `secret-${n}-${owner.orgId}.example`;
  const svc = services.claimService;
  const draft = await svc.createDraft(owner, {
    mpnId: owner.orgId === 'fabrikam-consulting' ? '4412345' : '5523456',
    customerDomain: domain,
    customerTenantId: `99999999-0000-4000-8000-${String(n).padStart(12, '0')}`,
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    claimName: `${label} claim ${n}`,
    products: ['teams'],
    customerContact: { name: 'Dana', title: 'CIO', email: `dana@${domain}` },
    partnerContact: { name: owner.name, email: 'p@partner.example' },
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const stored = await services.poe.upload({ claimId: id, fileName: 'sow.pdf', contentType: 'application/pdf', data: demoPdf(`sow ${n}`) });
  const poe = {
    id: `${id}-1`,
    fileName: 'sow.pdf',
    ...stored,
    uploadedAt: new Date().toISOString(),
    uploadedBy: { kind: 'partner' as const, id: owner.id, name: owner.name },
  };
  for (const action of [{ type: 'addPoe' as const, files: [poe] }, { type: 'submit' as const }]) {
    const result = await svc.act(id, action, owner, {}, owner.orgId);
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  }
  return (await svc.get(id, owner.orgId))!;
}
