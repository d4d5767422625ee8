import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { ClaimStore } from '../../src/storage/claimStore';
import { AssociationStore } from '../../src/storage/associationStore';
import { RosterStore } from '../../src/storage/rosterStore';
import { ClaimService } from '../../src/services/claimService';
import { TenantClaimIndex } from '../../src/storage/tenantClaimIndex';
import { BusinessCalendar } from '../../src/domain/businessCalendar';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { systemClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import { personalMessage, PARTNER_TENANT, REVIEWER_TENANT } from '../support/activities';
import { percentile, type BenchRow } from './benchTable';
import type { BotProcess } from './botProcess';

/** One measured hot path: the per-request latencies and the wall time they took. */
async function measure(name: string, target: string, p95Target: number, workers: (() => Promise<number[]>)[]): Promise<BenchRow> {
  const started = Date.now();
  const latencies = (await Promise.all(workers.map((w) => w()))).flat();
  const seconds = (Date.now() - started) / 1000;
  const p95 = percentile(latencies, 95);
  return { name, turnsPerSecond: latencies.length / seconds, p50: percentile(latencies, 50), p95, p99: percentile(latencies, 99), target, met: p95 < p95Target };
}

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

/**
 * Dialog step turns: each partner moves between the first two steps of a new claim (validate, save the
 * draft, draw the next card), over HTTP with expectReplies.
 */
export async function dialogStepScenario(bot: BotProcess, partners: string[], turnsPerUser: number): Promise<BenchRow> {
  const users = await Promise.all(
    partners.map(async (aad, i) => {
      const conversation = { id: `a:bench-${i}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
      const message = (extra: Record<string, unknown>) => ({ ...personalMessage('', { aadObjectId: aad }), conversation, ...extra });
      const started = await post(bot.url, message({ text: 'new claim' }));
      return { message, claimId: started.match(/CL-[0-9A-Z]{8}/)![0], i };
    }),
  );
  return measure(`dialog step turn (${partners.length} users)`, 'p95 < 300 ms', 300, users.map(({ message, claimId, i }) => async () => {
    const latencies: number[] = [];
    for (let turn = 0; turn < turnsPerUser; turn++) {
      const value = turn % 2 === 0
        ? { cpor: 'claimStep', step: 'customer', claimId, action: 'next', mpnId: '4412345', customerDomain: `customer${i}.example`, customerTenantId: `00000000-0000-4000-8000-${String(turn).padStart(12, '0')}` }
        : { cpor: 'claimStep', step: 'area', claimId, action: 'back' };
      const t0 = performance.now();
      const reply = await post(bot.url, message({ text: undefined, value }));
      latencies.push(performance.now() - t0);
      // Measure the intended path only: the next step's card, not a refusal or a stale-card answer.
      const expected = turn % 2 === 0 ? 'Solution area and activity' : '"text":"Customer"';
      if (!reply.includes(expected)) throw new Error(`Unexpected reply on turn ${turn}: ${reply.slice(0, 300)}`);
    }
    return latencies;
  }));
}

/**
 * Approve invokes: each reviewer approves claims under review (seeded straight into the bot's Cosmos DB),
 * as Teams sends them (adaptiveCard/action, no expectReplies), and gets the refreshed card back.
 */
export async function approveScenario(bot: BotProcess, reviewers: string[], claimsPerReviewer: number): Promise<BenchRow> {
  const db = await CosmosDatabase.open({ endpoint: bot.cosmosEndpoint, key: 'unused', database: 'cpor', embedded: true });
  try {
    const claims = new ClaimStore(db.containers.claims);
    const service = new ClaimService({
      claims, associations: new AssociationStore(db.containers.associations), rosters: new RosterStore(db.containers.rosters), tenantIndex: new TenantClaimIndex(db.containers.tenantIndex),
      clock: systemClock, calendar: new BusinessCalendar({ timeZone: 'UTC', holidays: [] }), policy: DEFAULT_DEADLINE_POLICY,
    });
    const partner: Actor = { kind: 'partner', id: 'a1b2c3d4-0001-4000-8000-000000000001', name: 'Avery Fabrikam', orgId: 'fabrikam-consulting', role: 'GlobalAdmin' };
    const seedReviewer: Actor = { kind: 'reviewer', id: reviewers[0], name: 'Bench Reviewer 0' };
    const queues = await Promise.all(reviewers.map(async (_, r) => {
      const ids: { id: string; version: number }[] = [];
      for (let n = 0; n < claimsPerReviewer; n++) {
        const draft = await service.createDraft(partner, {
          mpnId: '4412345', customerDomain: `bench${r}-${n}.example`, customerTenantId: `dddddddd-${String(r).padStart(4, '0')}-4000-8000-${String(n).padStart(12, '0')}`,
          solutionArea: 'Microsoft365', activity: 'Usage', claimName: `Bench claim ${r}-${n}`, products: ['teams', 'exchange-online'],
          customerContact: { name: 'Dana', title: 'CIO', email: 'dana@bench.example' }, partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
        });
        if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
        const id = draft.claim.id;
        await service.act(id, { type: 'addPoe', files: [{ id: `${id}-1`, blobName: `${id}/x/sow.pdf`, fileName: 'sow.pdf', contentType: 'application/pdf', size: 1000, sha256: 'x', uploadedAt: new Date().toISOString(), uploadedBy: { kind: 'partner', id: partner.id, name: partner.name } }] }, partner);
        await service.act(id, { type: 'submit' }, partner);
        const started = await service.act(id, { type: 'startReview' }, seedReviewer);
        if (!started.ok) throw new Error(JSON.stringify(started.refusal));
        ids.push({ id, version: started.claim.version });
      }
      return ids;
    }));
    return await measure(`Approve invoke (${reviewers.length} reviewers)`, 'p95 < 300 ms', 300, reviewers.map((aad, r) => async () => {
      const latencies: number[] = [];
      for (const { id: claimId, version } of queues[r]) {
        const invoke = {
          type: 'invoke', name: 'adaptiveCard/action', id: `i-${claimId}`, channelId: 'msteams', serviceUrl: 'http://127.0.0.1:9/', locale: 'en-US',
          conversation: { id: '19:bench-reviews@thread.tacv2', conversationType: 'channel', tenantId: REVIEWER_TENANT },
          from: { id: `29:${aad}`, aadObjectId: aad, name: `Bench Reviewer ${r}` }, recipient: { id: '28:cpor-bot' },
          value: { action: { type: 'Action.Execute', verb: 'approve', data: { claimId, orgId: partner.orgId, version } }, trigger: 'manual' },
        };
        const t0 = performance.now();
        const reply = await post(bot.url, invoke);
        latencies.push(performance.now() - t0);
        if (!reply.includes('You approved claim')) throw new Error(`Unexpected invoke response: ${reply.slice(0, 300)}`);
      }
      return latencies;
    }));
  } finally {
    db.close();
  }
}
