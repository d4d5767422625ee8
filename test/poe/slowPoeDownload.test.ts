import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { demoPdf } from '../../app/demo/demoSeed';
import { PARTNER_AAD, PARTNER_TENANT, personalMessage, postActivity } from '../support/activities';
import { StubConnector } from '../support/stubConnector';
import { TEST_DELIVERY, testConfig, uniqueName } from '../support/testStorage';
import { claimThrough } from '../support/seededClaims';
import { partnerChat, teamsFile } from '../support/partnerChat';

/**
 * A PoE file whose download is slow does not hold the turn past Teams' patience: the partner is told
 * at once that the file is being received, and the result is posted to the chat when it is known; the
 * draft gets the file once.
 */

const connector = new StubConnector();
let app: BotApp;
let slowFiles: Server;
let slowUrl = '';
const releases: (() => void)[] = [];
const release = () => releases.splice(0).forEach((r) => r());

beforeAll(async () => {
  await connector.start();
  // Answers only when the test says so: a download that takes longer than the turn may wait.
  slowFiles = createServer((_req, res) => {
    const pdf = demoPdf('slow sow');
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
    res.write(pdf.subarray(0, 10));
    releases.push(() => res.end(pdf.subarray(10)));
  });
  await new Promise<void>((resolve) => slowFiles.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slowFiles.address() as AddressInfo).port}/sow.pdf`;
  app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger, delivery: TEST_DELIVERY, turnBudgetMs: 300 });
});
afterAll(async () => {
  release();
  await app.close();
  slowFiles.closeAllConnections();
  await new Promise<void>((resolve) => slowFiles.close(() => resolve()));
  await connector.stop();
});

test('a slow download is acknowledged at once and its result posted when it is known', async () => {
  const { conversation, send, newDraft } = partnerChat(app, connector, 'slow-');
  const claimId = await newDraft();

  const attachment = teamsFile('sow.pdf', slowUrl);
  const acknowledged = await send({ text: '', attachments: [attachment] });
  expect(acknowledged).toContain('Receiving sow.pdf');
  expect((await app.services.claimService.get(claimId))!.poe).toEqual([]);

  release();
  await app.bot.budget.settle();
  const posted = JSON.stringify(connector.to(conversation.id).map((c) => c.activity));
  expect(posted).toContain('Added sow.pdf');
  const claim = (await app.services.claimService.get(claimId))!;
  expect(claim.poe.map((f) => f.fileName)).toEqual(['sow.pdf']);
});

test('a slow file for a dispute is acknowledged at once and joins the dispute when it arrives', async () => {
  const svc = app.services.claimService;
  const id = (await claimThrough(app.services, 'Rejected', 'slow-dispute', 1)).id;

  const conversation = { id: `a:${uniqueName('slow-dispute-')}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
  const send = async (extra: Record<string, unknown>) => {
    const { body } = await postActivity(app.url, { ...personalMessage('', { aadObjectId: PARTNER_AAD }), serviceUrl: connector.url, conversation, ...extra });
    return JSON.stringify(body?.activities ?? []);
  };
  expect(await send({ text: `dispute ${id}` })).toContain('Send dispute');
  const attachment = {
    contentType: 'application/vnd.microsoft.teams.file.download.info',
    name: 'signed.pdf',
    content: { downloadUrl: slowUrl, uniqueId: 'u-2', fileType: 'pdf' },
  };
  expect(await send({ text: '', attachments: [attachment] })).toContain('Receiving signed.pdf');
  release();
  await app.bot.budget.settle();
  expect(JSON.stringify(connector.to(conversation.id).map((c) => c.activity))).toContain('Added signed.pdf');

  expect(await send({ text: undefined, value: { action: 'form.dispute', claimId: id, button: 'submit', justification: 'Signed now.' } })).toContain(
    'Dispute sent',
  );
  const disputed = (await svc.get(id))!;
  expect(disputed.poe.map((f) => f.fileName)).toEqual(['first.pdf', 'signed.pdf']);
});
