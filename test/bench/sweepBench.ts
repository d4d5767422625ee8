import { createAdapter } from '../../bot/adapter';
import { wireNotifications } from '../../bot/notifications/notificationWiring';
import { loadConfig } from '../../src/config/config';
import { ManualClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import type { Claim } from '../../src/domain/claim';
import { timersFor } from '../../src/domain/claimTimers';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import { BackgroundTasks } from '../../src/services/notifications/backgroundTasks';
import { startEmbeddedBlob } from '../../src/storage/embeddedBlob';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { timerDocOf, type TimerDoc } from '../../src/storage/timerStore';
import { printGrid } from './benchTable';
import { BENCH_PARTNER, submittedClaim } from './benchClaims';
import { RILEY } from '../support/personas';

/**
 * The sweep's scaling: one sweep with 100 due timers (approved claims whose consent period has just
 * ended) among 1,000, 10,000 and 100,000 claims, on the embedded Cosmos DB server. Most claims of a
 * real database are closed and have no timers; one in twenty here is still under way, with a timer
 * that is not due. The sweep's cost should follow the due timers, not the claims: its Cosmos DB requests stay
 * the same and its time stays flat.
 */

export interface SweepRow {
  claims: number;
  timers: number;
  seconds: number;
  requests: number;
  fired: number;
}

const DUE = 100;
// A claim is under way for weeks (review, consent period, dispute window) and closed for years after:
// in a database of many claims, few have pending timers.
const OPEN_SHARE = 0.05;
const APPROVED_AT = '2026-11-02T09:00:00Z';
const SWEEP_AT = '2026-11-12T09:00:00Z'; // the 7-day consent period of claims approved on the 2nd has ended

export async function sweepScenario(sizes: number[]): Promise<SweepRow[]> {
  const cosmos = await startEmbeddedCosmos(0);
  const blob = await startEmbeddedBlob(0);
  const rows: SweepRow[] = [];
  try {
    // A first sweep warms the code up (JIT); it is not reported.
    await oneSweep(cosmos, blob.connectionString, DUE);
    for (const size of sizes) rows.push(await oneSweep(cosmos, blob.connectionString, size));
  } finally {
    await blob.close();
    await cosmos.close();
  }
  return rows;
}

async function oneSweep(cosmos: EmbeddedCosmos, blobConnectionString: string, size: number): Promise<SweepRow> {
  const clock = new ManualClock(APPROVED_AT);
  const loaded = loadConfig({
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_DATABASE: `sweep-${size}`,
    AZURE_STORAGE_CONNECTION_STRING: blobConnectionString,
    CONSENT_LINK_SECRET: 'bench-consent-secret-0123456789-abcdefghijkl',
    SWEEP_INTERVAL_SECONDS: '0',
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const services = await openServices(loaded.config, { log: silentLogger, clock });
  const background = new BackgroundTasks(silentLogger);
  try {
    const { sweeper } = wireNotifications(services, createAdapter(loaded.config.bot, silentLogger), '', background, silentLogger);
    const due = await approvedClaims(services, DUE);
    // The due claims' timers, as the dispatcher would have written them.
    for (const claim of due) for (const timer of timersFor(claim, services.calendar)) await services.timers.put(timerDocOf(timer));
    const timers = await seedPopulation(services.cosmos.containers.claims, services.cosmos.containers.timers, due[0], size - DUE);

    clock.set(SWEEP_AT);
    const before = await cosmos.requestsServed();
    const started = performance.now();
    const report = await sweeper.runOnce();
    await background.drain();
    const seconds = (performance.now() - started) / 1000;
    const requests = (await cosmos.requestsServed()) - before;
    return { claims: size, timers: timers + DUE, seconds, requests, fired: report.fired };
  } finally {
    await background.close();
    await services.close();
  }
}

/** Claims approved through the service (real documents, real history), their consent period running. */
async function approvedClaims(services: Awaited<ReturnType<typeof openServices>>, count: number): Promise<Claim[]> {
  const partner = BENCH_PARTNER;
  const reviewer: Actor = RILEY;
  const svc = services.claimService;
  const claims: Claim[] = [];
  const approveOne = async (i: number) => {
    const { id } = await submittedClaim(
      svc,
      {
        customerDomain: `sweep${i}.example`,
        customerTenantId: `ffffffff-0000-4000-8000-${String(i).padStart(12, '0')}`,
        claimName: `Sweep claim ${i}`,
        products: ['teams'],
      },
      APPROVED_AT,
    );
    await svc.act(id, { type: 'startReview' }, reviewer, {}, partner.orgId);
    const approved = await svc.act(id, { type: 'approve' }, reviewer, {}, partner.orgId);
    if (!approved.ok) throw new Error(JSON.stringify(approved.refusal));
    // The outbox is delivered work by the time of the sweep: the sweep's own work is what is measured.
    claims.push(approved.claim);
    await services.claims.removeFromOutbox(
      partner.orgId,
      id,
      (approved.claim.outbox ?? []).map((e) => e.id),
    );
  };
  for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, k) => approveOne(i + k)));
  return claims;
}

type Container = Awaited<ReturnType<typeof openServices>>['cosmos']['containers']['claims'];

/**
 * The rest of the database, written in bulk: closed claims (no timers) and, one in twenty, claims still
 * under way with a timer that is not due. Copies of a real claim with their own ids, organisations and tenants.
 */
async function seedPopulation(claims: Container, timers: Container, template: Claim, count: number): Promise<number> {
  let timerCount = 0;
  const future = '2027-06-01T00:00:00.000Z';
  for (let start = 0; start < count; start += 100) {
    const claimOps: { operationType: 'Create'; resourceBody: Record<string, unknown> }[] = [];
    const timerOps: { operationType: 'Create'; resourceBody: Record<string, unknown> }[] = [];
    for (let i = start; i < Math.min(count, start + 100); i++) {
      const id = `CL-P${String(i).padStart(7, '0')}`;
      const orgId = `org-${i % 200}`;
      const open = i % Math.round(1 / OPEN_SHARE) === 0;
      const fields = {
        ...template.fields,
        customerDomain: `c${i}.example`,
        customerTenantId: `99999999-0000-4000-8000-${String(i).padStart(12, '0')}`,
        claimName: `Claim ${i}`,
      };
      // Compact (the first events of the history only): 100,000 claims are kept in the embedded server's memory.
      claimOps.push({
        operationType: 'Create',
        resourceBody: {
          ...template,
          id,
          orgId,
          fields,
          history: template.history.slice(0, 2),
          comments: [],
          status: open ? 'UnderReview' : 'RejectedFinal',
          outbox: [],
          deadlines: open ? { reviewDecision: future } : {},
          nextDueAt: open ? future : null,
        },
      });
      if (open) {
        const doc: TimerDoc = {
          id: `${id}|reviewDecision1bd`,
          claimId: id,
          orgId,
          firesAt: future,
          dueAt: future,
          purpose: { type: 'reminder', reminder: 'reviewDecision1bd', key: `reviewDecision1bd@${future}` },
        };
        timerOps.push({ operationType: 'Create', resourceBody: { ...doc } });
      }
    }
    await bulk(claims, claimOps);
    if (timerOps.length) await bulk(timers, timerOps);
    timerCount += timerOps.length;
  }
  return timerCount;
}

async function bulk(container: Container, operations: { operationType: 'Create'; resourceBody: Record<string, unknown> }[]): Promise<void> {
  const results = await container.items.bulk(operations as never);
  const failed = results.filter((r) => r.statusCode >= 300);
  if (failed.length) throw new Error(`Seeding failed: ${failed.length} of ${operations.length} (HTTP ${failed[0].statusCode})`);
}

export function printSweepTable(rows: SweepRow[]): void {
  const base = rows[0];
  printGrid(
    ['one sweep, 100 due timers', 'timers', 'fired', 'sweep s', 'Cosmos requests', 'time vs smallest', 'target', 'met'],
    rows.map((r) => {
      const flat = r.requests <= base.requests * 1.05 && r.seconds <= base.seconds * 1.5 && r.fired === DUE;
      return [
        `among ${r.claims.toLocaleString('en-US')} claims`,
        String(r.timers),
        String(r.fired),
        r.seconds.toFixed(2),
        String(r.requests),
        `${(r.seconds / base.seconds).toFixed(2)}x`,
        'flat as claims grow',
        flat ? 'yes' : 'NO',
      ];
    }),
  );
}
