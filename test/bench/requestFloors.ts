import { randomUUID } from 'node:crypto';
import type { ItemDefinition, OperationInput } from '@azure/cosmos';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { LIST_PAGE_SIZE } from '../../bot/commands/chatCommandHandler';
import { CosmosBotStorage } from '../../bot/cosmosBotStorage';
import { ClaimListings } from '../../src/storage/claimListings';
import { ProcessedActivities } from '../../src/storage/processedActivities';
import { TimerStore, dispatchTimerId } from '../../src/storage/timerStore';
import { BENCH_PARTNER, benchClaimService, submittedClaim } from './benchClaims';

/**
 * What a hot path costs before any of the product's own code runs: the product's adapter answering an
 * echo, after the Cosmos DB requests the path makes (the ones `test/bot/requestsPerTurn.test.ts` counts),
 * sent through the product's client (`CosmosDatabase.open`) on documents of the product's sizes, as many at
 * once as their dependencies allow. No identity, policy, dialog, card or log context: beside the path's
 * own row, what is left above this one is the product's code, and a target below this one can't be met
 * without giving up one of the path's requests.
 *
 * The documents are the bench's (a submitted claim of some 5 KB, a draft of some 2 KB) or written by the
 * product's own stores (the activity record, the dialog state, the dispatch timer) or, for the associations,
 * in the shape the bot writes them; one set per connection, so that no two turns in flight write the same
 * document. The list's page is the newest 10 of
 * the 20 claims seeded, where the bench's list row finds some 640 in its partition: more work for the
 * embedded server, which scans them, not for the bot, which gets 10 rows either way.
 */

export const FLOOR_PATHS = ['adapter', 'status', 'list', 'dialog', 'approve'] as const;
export type FloorPath = (typeof FLOOR_PATHS)[number];

export const FLOOR_ROW_NAMES: Record<FloorPath, string> = {
  adapter: "floor: the product's adapter, echo, no requests",
  status: "floor: the status turn's 2 Cosmos DB requests, echo",
  list: "floor: the list turn's 2 Cosmos DB requests, echo",
  dialog: "floor: the dialog step's 4.5 Cosmos DB requests, echo",
  approve: "floor: the Approve invoke's 5 Cosmos DB requests, echo",
};

/** One turn's requests for the connection that sent it (`hello <connection>`). */
export type FloorTurn = (connection: number) => Promise<void>;

type Doc = ItemDefinition & { _etag?: string };

export async function floorTurn(db: CosmosDatabase, path: FloorPath, connections: number): Promise<FloorTurn> {
  if (path === 'adapter') return async () => {};
  const c = db.containers;
  const service = benchClaimService(db);
  const dialogState = new CosmosBotStorage(c.botState);
  const perConnection = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const fields = {
        customerDomain: `floor${i}.example`,
        customerTenantId: `ffffffff-0000-4000-8000-${String(i).padStart(12, '0')}`,
        claimName: `Floor ${i}`,
      };
      if (path === 'dialog') {
        const draft = await service.createDraft(BENCH_PARTNER, { mpnId: '4412345', ...fields });
        if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
        const stateKey = `msteams/conversations/a:floor-${i}/`;
        await dialogState.write({ [stateKey]: { ...dialogStateOf(draft.claim.id), eTag: '*' } });
        return { claimId: draft.claim.id, orgId: draft.claim.orgId, tenantId: fields.customerTenantId, stateKey, steps: 0 };
      }
      const claim = await submittedClaim(service, fields);
      // The approval's card reads the tenant's competing claims: the floor reads a document that is there, as the bot does.
      if (!(await c.tenantIndex.item(fields.customerTenantId, fields.customerTenantId).read()).resource)
        throw new Error('The floor claim is not in the tenant index');
      return { claimId: claim.id, orgId: claim.orgId, tenantId: fields.customerTenantId, stateKey: '', steps: 0 };
    }),
  );
  // The record each message writes (a new activity each turn), as the bot writes it.
  const records = new ProcessedActivities(c.activities, () => new Date());
  const activity = (i: number) => records.claim(`a:floor-${i}`, randomUUID());
  const timers = new TimerStore(c.timers);
  if (path === 'status') {
    return async (i) => {
      const own = perConnection[i % connections];
      await Promise.all([c.claims.item(own.claimId, own.orgId).read(), activity(i)]);
    };
  }
  if (path === 'list') {
    // The query exactly as "my claims" sends it: the organisation's partition, newest first, one page.
    const listings = new ClaimListings(c.claims);
    return async (i) => {
      await Promise.all([
        listings.list({ kind: 'all' }, { orgId: BENCH_PARTNER.orgId }, { key: 'created', direction: 'desc' }, { pageSize: LIST_PAGE_SIZE }),
        activity(i),
      ]);
    };
  }
  if (path === 'dialog') {
    let dialogTurns = 0;
    return async (i) => {
      const own = perConnection[i % connections];
      // A step forward writes the draft; a step back only moves the dialog: every other turn, as in the bench's row
      // (counted over all turns, so that any even number of them has exactly half).
      const forward = dialogTurns++ % 2 === 0;
      const [, state, draft] = await Promise.all([activity(i), dialogState.read([own.stateKey]), c.claims.item(own.claimId, own.orgId).read<Doc>()]);
      await Promise.all([
        // Written as the dialog's state is at the end of a turn (eTag "*": an upsert).
        dialogState.write({ [own.stateKey]: { ...state[own.stateKey], eTag: '*' } }),
        ...(forward
          ? [
              c.claims
                .item(own.claimId, own.orgId)
                .replace({ ...draft.resource!, n: dialogTurns }, { accessCondition: { type: 'IfMatch', condition: draft.resource!._etag! } }),
            ]
          : []),
      ]);
    };
  }
  return async (i) => {
    const own = perConnection[i % connections];
    const [claim] = await Promise.all([c.claims.item(own.claimId, own.orgId).read<Doc>(), c.tenantIndex.item(own.tenantId, own.tenantId).read()]);
    const n = own.steps++;
    await Promise.all([
      c.claims.item(own.claimId, own.orgId).replace({ ...claim.resource!, n }, { accessCondition: { type: 'IfMatch', condition: claim.resource!._etag! } }),
      c.associations.items.batch(associationsOf(own, n), own.tenantId),
      timers.put({ id: dispatchTimerId(own.claimId), claimId: own.claimId, orgId: own.orgId, firesAt: now(), dueAt: now(), purpose: { type: 'dispatch' } }),
    ]);
  };
}

/** A claim form's dialog state as the bot keeps it (some 500 bytes with its document's envelope). */
function dialogStateOf(claimId: string): Record<string, unknown> {
  return {
    dialogState: {
      dialogStack: [
        {
          id: 'claimDialog',
          state: { dialogs: { dialogStack: [{ id: 'claimFlow', state: { step: 'customer', raw: {}, errors: [], claimId, formId: 'bf90895cd959' } }] } },
          version: '1100180110',
        },
      ],
    },
  };
}

const now = () => new Date().toISOString();

/** The approval's two associations (one per workload), new each turn, created in one batch as the bot does. */
function associationsOf(own: { claimId: string; orgId: string; tenantId: string }, n: number): OperationInput[] {
  return ['teams', 'exchange-online'].map((workload) => ({
    operationType: 'Create',
    resourceBody: {
      id: `osu-m365:workload:${workload}:${n}`,
      tenantId: own.tenantId,
      claimId: own.claimId,
      orgId: own.orgId,
      state: 'pending',
      createdAt: now(),
    },
  }));
}
