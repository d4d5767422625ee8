import type { Actor } from '../../src/domain/actors';
import type { ClaimAction } from '../../src/domain/claimLifecycle';
import type { PoeFile } from '../../src/domain/claim';
import { actorRef } from '../../src/domain/actors';
import type { Clock } from '../../src/clock';
import type { ClaimService } from '../../src/services/claims/claimService';
import type { ClaimStore } from '../../src/storage/claimStore';
import type { PoeBlobStore } from '../../src/storage/poeBlobStore';
import { onePagePdf } from '../../src/services/poe/onePagePdf';

/**
 * A few demo claims in different statuses, so a newcomer running `npm start` has something to look
 * at. Only ever used with the embedded store (never with a real Cosmos DB endpoint).
 */

const DEMO_ORG = 'fabrikam-consulting';
const PARTNER: Actor = { kind: 'partner', id: 'a1b2c3d4-0001-4000-8000-000000000001', name: 'Avery Fabrikam', orgId: DEMO_ORG, role: 'GlobalAdmin' };
const REVIEWER: Actor = { kind: 'reviewer', id: 'c3d4e5f6-0001-4000-8000-000000000001', name: 'Riley Reviewer' };

/** A one-page PDF, enough to stand for a signed statement of work in the demo. */
export function demoPdf(title: string): Buffer {
  return onePagePdf([title]);
}

const contacts = {
  customerContact: { name: 'Dana Customer', title: 'IT Director', email: 'dana@customer.example' },
  partnerContact: { name: 'Avery Fabrikam', email: 'avery@fabrikam.example' },
};

interface DemoClaim {
  fields: Record<string, unknown>;
  steps: { actor: Actor; action: ClaimAction }[];
}

const DEMO_CLAIMS: DemoClaim[] = [
  {
    fields: { mpnId: '4412345', customerDomain: 'contoso.onmicrosoft.com', claimName: 'Contoso Microsoft 365 rollout (draft)', solutionArea: 'Microsoft365' },
    steps: [],
  },
  {
    fields: {
      mpnId: '4412345',
      customerDomain: 'northwind.example',
      customerTenantId: '11111111-2222-4333-8444-555555555555',
      solutionArea: 'Microsoft365',
      activity: 'Usage',
      claimName: 'Northwind Teams adoption',
      products: ['teams', 'sharepoint-online'],
      ...contacts,
    },
    steps: [{ actor: PARTNER, action: { type: 'submit' } }],
  },
  {
    fields: {
      mpnId: '4467890',
      customerDomain: 'adventure-works.example',
      customerTenantId: '22222222-3333-4444-8555-666666666666',
      solutionArea: 'BusinessApplications',
      activity: 'UsageAndOrPreSales',
      claimName: 'Adventure Works Dynamics 365 Sales',
      products: ['d365-sales'],
      subscriptions: [{ productId: 'd365-sales', subscriptionId: 'a1000000-0000-4000-8000-000000000001' }],
      technicalContact: { name: 'Lee Admin', title: 'CRM Administrator', email: 'lee@adventure-works.example' },
      ...contacts,
    },
    steps: [
      { actor: PARTNER, action: { type: 'submit' } },
      { actor: REVIEWER, action: { type: 'startReview' } },
    ],
  },
  {
    fields: {
      mpnId: '4412345',
      customerDomain: 'tailwind.example',
      customerTenantId: '33333333-4444-4555-8666-777777777777',
      solutionArea: 'Microsoft365',
      activity: 'PreSales',
      claimName: 'Tailwind Intune deployment',
      products: ['intune'],
      ...contacts,
    },
    steps: [
      { actor: PARTNER, action: { type: 'submit' } },
      { actor: REVIEWER, action: { type: 'startReview' } },
      {
        actor: REVIEWER,
        action: {
          type: 'requestInfo',
          reasons: ['MissingCustomerAcknowledgment'],
          comment: 'The statement of work is not signed by the customer. Please upload a signed copy.',
        },
      },
    ],
  },
  {
    fields: {
      mpnId: '4412345',
      customerDomain: 'litware.example',
      customerTenantId: '44444444-5555-4666-8777-888888888888',
      solutionArea: 'BusinessApplications',
      activity: 'UsageAndOrPreSales',
      claimName: 'Litware Power BI',
      products: ['power-bi'],
      ...contacts,
    },
    steps: [
      { actor: PARTNER, action: { type: 'submit' } },
      { actor: REVIEWER, action: { type: 'startReview' } },
      { actor: REVIEWER, action: { type: 'approve', comment: 'PoE is complete and signed.' } },
    ],
  },
  {
    fields: {
      mpnId: '4467890',
      customerDomain: 'wingtip.example',
      customerTenantId: '55555555-6666-4777-8888-999999999999',
      solutionArea: 'Microsoft365',
      activity: 'Usage',
      claimName: 'Wingtip Exchange migration',
      products: ['exchange-online'],
      ...contacts,
    },
    steps: [
      { actor: PARTNER, action: { type: 'submit' } },
      { actor: REVIEWER, action: { type: 'startReview' } },
      {
        actor: REVIEWER,
        action: { type: 'reject', reason: 'InsufficientProofOfExecution', comment: 'The document does not describe the services delivered.' },
      },
    ],
  },
];

/**
 * Seeded as history, not as news: nobody is notified of these changes (no outbox entries; the
 * deadlines they leave are kept). The reviewers see the demo claims that wait for a reviewer in one
 * digest card when they choose their channel (bot/reviews/reviewDigest.ts).
 */
const SEEDED = { asHistory: true } as const;

/** Seeds the demo claims once (when the demo organisation has none); returns how many were created. */
export async function seedDemoClaims(services: { claims: ClaimStore; claimService: ClaimService; poe: PoeBlobStore; clock: Clock }): Promise<number> {
  if ((await services.claims.listByOrganisation(DEMO_ORG, { pageSize: 1 })).claims.length) return 0;
  let created = 0;
  for (const demo of DEMO_CLAIMS) {
    const draft = await services.claimService.createDraft(PARTNER, demo.fields);
    if (!draft.ok) throw new Error(`Demo claim refused: ${JSON.stringify(draft.refusal)}`);
    const claimId = draft.claim.id;
    if (demo.steps.length) {
      const name = `${String(demo.fields.claimName)} - signed SOW.pdf`;
      const stored = await services.poe.upload({ claimId, fileName: name, contentType: 'application/pdf', data: demoPdf(String(demo.fields.claimName)) });
      const file: PoeFile = { id: `${claimId}-poe1`, fileName: name, ...stored, uploadedAt: services.clock.now().toISOString(), uploadedBy: actorRef(PARTNER) };
      const added = await services.claimService.act(claimId, { type: 'addPoe', files: [file] }, PARTNER, SEEDED, DEMO_ORG);
      if (!added.ok) throw new Error(`Demo PoE refused: ${JSON.stringify(added.refusal)}`);
    }
    for (const step of demo.steps) {
      const result = await services.claimService.act(claimId, step.action, step.actor, SEEDED, DEMO_ORG);
      if (!result.ok) throw new Error(`Demo step ${step.action.type} refused: ${JSON.stringify(result.refusal)}`);
    }
    created += 1;
  }
  return created;
}
