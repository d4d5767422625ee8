import { systemClock } from '../../src/clock';
import type { Actor } from '../../src/domain/actors';
import { BusinessCalendar } from '../../src/domain/businessCalendar';
import type { Claim } from '../../src/domain/claim';
import { DEFAULT_DEADLINE_POLICY } from '../../src/domain/deadlinePolicy';
import { ClaimService } from '../../src/services/claims/claimService';
import { AssociationStore } from '../../src/storage/associationStore';
import { ClaimStore } from '../../src/storage/claimStore';
import type { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { RosterStore } from '../../src/storage/rosterStore';
import { TenantClaimIndex } from '../../src/storage/tenantClaimIndex';
import { AVERY } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';
import { makePdf } from '../support/poeDocuments';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { PoeDocument } from '../../src/domain/poeDocument';
import { keptReading, readingBlobName } from '../../src/services/poe/poeReadings';
import { PoeBlobStore } from '../../src/storage/poeBlobStore';

/** Claims the benchmarks seed through the core: the demo roster's Fabrikam Global admin submits them. */

export const BENCH_PARTNER: Extract<Actor, { kind: 'partner' }> = AVERY;

/** A claim service straight on the bot's database (seeding happens outside the measured turns). */
export function benchClaimService(db: CosmosDatabase): ClaimService {
  return new ClaimService({
    claims: new ClaimStore(db.containers.claims),
    associations: new AssociationStore(db.containers.associations),
    rosters: new RosterStore(db.containers.rosters),
    tenantIndex: new TenantClaimIndex(db.containers.tenantIndex),
    clock: systemClock,
    calendar: new BusinessCalendar({ timeZone: 'UTC', holidays: [] }),
    policy: DEFAULT_DEADLINE_POLICY,
  });
}

/**
 * The seeded claims' PoE files in the bot's blob storage, each with its reading kept beside it, as a file
 * sent through the bot has (it is read when accepted): an instance drawing a claim's card for the first
 * time reads the kept reading, as in use. Without them, each first card of a seeded claim looked for a
 * reading and then for the file, found neither, and logged a warning.
 */
export class BenchPoeFiles {
  private pdf?: Promise<Buffer>;

  private constructor(
    private readonly files: ContainerClient,
    private readonly readings: PoeBlobStore,
  ) {}

  static async open(storage: { connectionString: string; container: string }): Promise<BenchPoeFiles> {
    const files = BlobServiceClient.fromConnectionString(storage.connectionString).getContainerClient(storage.container);
    return new BenchPoeFiles(files, await PoeBlobStore.open(storage.connectionString, storage.container));
  }

  async keep(claim: Claim): Promise<void> {
    const f = claim.fields;
    const text = [
      `Statement of work: ${f.claimName}`,
      `Fabrikam Global (MPN ID ${f.mpnId}) and ${f.customerDomain} (tenant ${f.customerTenantId}) agree on Microsoft Teams and Exchange Online usage.`,
      `Customer contact: ${f.customerContact?.name}, ${f.customerContact?.title}, ${f.customerContact?.email}.`,
    ].join('\n');
    const signature = { signer: f.customerContact?.name ?? 'Dana', signedAt: claim.createdAt };
    // One PDF for every claim (only its link is shown); each reading names its own claim's customer.
    const pdf = await (this.pdf ??= makePdf({ pages: [text], signature }));
    for (const file of claim.poe) {
      const document: PoeDocument = {
        fileName: file.fileName,
        kind: 'pdf',
        readable: true,
        pages: [{ number: 1, text }],
        signatures: [signature],
        formFields: [],
      };
      // The file under the name the claim gives it; the reading as the bot keeps one (PoeReadings).
      await Promise.all([
        this.files.getBlockBlobClient(file.blobName).uploadData(pdf, { blobHTTPHeaders: { blobContentType: file.contentType } }),
        this.readings.putJson(readingBlobName(file), keptReading(document, new Date())),
      ]);
    }
  }
}

/**
 * A Microsoft 365 usage claim with one PoE file, submitted; `fields` names the customer and the claim.
 * `asHistory`: its changes leave no notices to deliver (as if they had been delivered when they happened).
 * `poeFiles`: the bot's blob storage, where the file and its reading are kept (without it the file is named only).
 */
export async function submittedClaim(
  service: ClaimService,
  fields: { customerDomain: string; customerTenantId: string; claimName: string; products?: string[] },
  uploadedAt = new Date().toISOString(),
  { asHistory = false, poeFiles }: { asHistory?: boolean; poeFiles?: BenchPoeFiles } = {},
): Promise<Claim> {
  const partner = BENCH_PARTNER;
  const draft = await service.createDraft(partner, {
    mpnId: '4412345',
    solutionArea: 'Microsoft365',
    activity: 'Usage',
    products: ['teams', 'exchange-online'],
    customerContact: { name: 'Dana', title: 'CIO', email: 'dana@bench.example' },
    partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
    ...fields,
  });
  if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
  const id = draft.claim.id;
  const file = poeRecordFor(id, partner, uploadedAt);
  await service.act(id, { type: 'addPoe', files: [file] }, partner, {}, partner.orgId);
  const submitted = await service.act(id, { type: 'submit' }, partner, { asHistory }, partner.orgId);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.refusal));
  await poeFiles?.keep(submitted.claim);
  return submitted.claim;
}
