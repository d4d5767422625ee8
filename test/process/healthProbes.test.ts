import { startHttpServer, type HttpServerHandle } from '../../src/server/httpServer';
import { MemoryLogger } from '../../src/logger';

/** The probes an orchestrator calls: liveness never touches the stores, readiness asks them. */
describe('health probes', () => {
  let server: HttpServerHandle;
  let storeChecks = 0;
  let storesOk = true;
  beforeAll(async () => {
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log: new MemoryLogger(),
      messages: async (_req, res) => void res.send(200),
      instanceId: 'instance-probe',
      health: async () => {
        storeChecks += 1;
        return { ok: storesOk, components: { cosmos: { ok: storesOk } } };
      },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    storeChecks = 0;
    storesOk = true;
  });

  test('/healthz/live answers from the process alone, whatever the stores say', async () => {
    storesOk = false;
    const response = await fetch(`${server.url}/healthz/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', instance: 'instance-probe' });
    expect(storeChecks).toBe(0);
  });

  test('/healthz/ready asks the stores: 200 when they answer, 503 when one does not', async () => {
    expect((await fetch(`${server.url}/healthz/ready`)).status).toBe(200);
    storesOk = false;
    const refused = await fetch(`${server.url}/healthz/ready`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ status: 'degraded', components: { cosmos: { ok: false } } });
    expect(storeChecks).toBe(2);
  });

  test("/healthz keeps answering as before (the stores' reachability)", async () => {
    storesOk = false;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    expect(storeChecks).toBe(1);
  });
});
