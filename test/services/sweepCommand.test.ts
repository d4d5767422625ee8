import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock';
import { silentLogger } from '../../src/logger';
import { openServices } from '../../app/appServices';
import type { AppServices } from '../../src/services/services';
import { userReferenceKey } from '../../src/storage/conversationStore';
import { PARTNER_AAD, PARTNER_TENANT } from '../support/activities';
import { StubConnector } from '../support/stubConnector';
import { sharedServers, testConfig, uniqueName } from '../support/testStorage';
import { AVERY as avery, RILEY as reviewer } from '../support/personas';
import { poeRecordFor } from '../support/claimFixtures';

/** `npm run sweep` as an operator's scheduler runs it: its own process, against the bot's Cosmos DB. */

const ROOT = join(__dirname, '..', '..');

function runSweep(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', 'app/cli/sweep.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTENV_CONFIG_PATH: join(ROOT, 'no-such.env'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run sweep', () => {
  const connector = new StubConnector();
  let services: AppServices;
  const database = uniqueName('sweep-');
  beforeAll(() => connector.start());
  afterAll(async () => {
    await services?.close();
    await connector.stop();
  });

  test('applies a deadline that passed while no bot swept, tells the partner once, and a second run does nothing', async () => {
    // The claim's history happened a month ago, and nobody swept since.
    const clock = new ManualClock(new Date(Date.now() - 30 * 86_400_000));
    services = await openServices(testConfig({ COSMOS_DATABASE: database, DEMO_DATA: 'false' }), { log: silentLogger, clock });
    const { claimService } = services;
    await services.conversations.save({
      id: userReferenceKey(PARTNER_TENANT, PARTNER_AAD),
      kind: 'user',
      tenantId: PARTNER_TENANT,
      aadObjectId: PARTNER_AAD,
      conversationType: 'personal',
      reference: {
        serviceUrl: connector.url,
        channelId: 'msteams',
        conversation: { id: 'a:avery-dm', conversationType: 'personal', tenantId: PARTNER_TENANT },
        user: { id: `29:${PARTNER_AAD}`, name: 'Avery' },
        bot: { id: '28:cpor-bot', name: 'CPOR' },
        locale: 'en-US',
      },
    });
    const draft = await claimService.createDraft(avery, {
      mpnId: '4412345',
      customerDomain: 'fourthcoffee.example',
      customerTenantId: '66666666-0000-4000-8000-000000000001',
      solutionArea: 'Microsoft365',
      activity: 'Usage',
      products: ['teams'],
      customerContact: { name: 'Dana', title: 'CIO', email: 'dana@fourthcoffee.example' },
      partnerContact: { name: 'Avery', email: 'avery@fabrikam.example' },
      claimName: 'Sweep claim',
    });
    if (!draft.ok) throw new Error(JSON.stringify(draft.refusal));
    const id = draft.claim.id;
    const file = poeRecordFor(id, avery, clock.now());
    await claimService.act(id, { type: 'addPoe', files: [file] }, avery);
    await claimService.act(id, { type: 'submit' }, avery);
    await claimService.act(id, { type: 'startReview' }, reviewer);
    const par = await claimService.act(id, { type: 'requestInfo', reasons: ['MissingAllPoe'], comment: 'No PoE.' }, reviewer);
    expect(par.ok && par.claim.status).toBe('PartnerActionRequired');

    const { cosmosEndpoint, cosmosKey, blobConnectionString } = sharedServers();
    const env = {
      COSMOS_ENDPOINT: cosmosEndpoint,
      COSMOS_KEY: cosmosKey,
      COSMOS_DATABASE: database,
      AZURE_STORAGE_CONNECTION_STRING: blobConnectionString,
      CONSENT_LINK_SECRET: 'sweep-test-secret-0123456789-abcdefghijkl',
    };
    const first = await runSweep(env);
    expect(first.output).toMatch(/Sweep: \d+ due, \d+ fired/);
    expect(first.code).toBe(0);
    const after = (await claimService.get(id, avery.orgId))!;
    expect(after.status).toBe('Rejected');
    expect(after.rejection?.reason).toBe('NoPartnerResponse');
    const told = () => connector.to('a:avery-dm').filter((c) => c.method === 'POST' && JSON.stringify(c.activity).includes('is Rejected'));
    expect(told()).toHaveLength(1);

    const second = await runSweep(env);
    expect(second.code).toBe(0);
    expect(told()).toHaveLength(1);
    expect((await claimService.get(id, avery.orgId))!.history.filter((e) => e.action === 'noPartnerResponse')).toHaveLength(1);
  }, 60_000);

  test('without COSMOS_ENDPOINT it explains that the bot sweeps its embedded store itself', async () => {
    const result = await runSweep({});
    expect(result.code).toBe(2);
    expect(result.output).toContain('the embedded store lives inside the running bot');
  }, 30_000);
});
