import http from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, createSecretKey } from 'node:crypto';
import { CosmosClient, CosmosDbDiagnosticLevel, type Container, type CosmosClientOptions, type ItemDefinition } from '@azure/cosmos';
import { startEmbeddedCosmos } from '../../src/storage/embeddedCosmos';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';

/**
 * What the Cosmos DB SDK costs the bot per request, on its own: client-side CPU (`process.cpuUsage`, this
 * process only; the embedded server runs in a child process) per point read, create and replace with
 * IfMatch, one request at a time, for several ways of building the client and calling it. Rounds
 * alternate the variants (the order rotates each round) so that load from other work spreads over all
 * of them; the table has each round's figure and the median.
 *
 *   node --disable-warning=DEP0111 --import tsx test/bench/cosmosRequestCost.ts [--n=2000] [--rounds=5] [--only=a,b]
 *
 * `--cpu-prof` on the same command profiles it (add `--only=product` to profile one variant).
 */

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const N = Number(arg('n') ?? 2000);
const ROUNDS = Number(arg('rounds') ?? 5);
const BLOCK = 100;
const DOCS = 100;

/** `--ops=read,create,replace`: which operations (all by default). */
const OPS = (['read', 'create', 'replace'] as const).filter((op) => !arg('ops') || arg('ops')!.split(',').includes(op));

type Op = 'read' | 'create' | 'replace';

/** One way of calling the store: an operation on the i-th document. */
interface Variant {
  name: string;
  note: string;
  ops: Partial<Record<Op, (i: number) => Promise<unknown>>>;
}

/** A claim-sized document (some 2 KB: a status card's read brings back a claim with its history). */
function documentOf(id: string, orgId: string, n = 0): ItemDefinition {
  return {
    id,
    orgId,
    n,
    status: 'underReview',
    customer: { tenantId: '00000000-0000-0000-0000-000000000001', name: 'Contoso Ltd', domain: 'contoso.example' },
    history: Array.from({ length: 8 }, (_, k) => ({
      at: new Date(1_700_000_000_000 + k * 60_000).toISOString(),
      kind: 'edited',
      by: `user-${k}`,
      note: 'x'.repeat(120),
    })),
  };
}

async function main(): Promise<void> {
  const cosmos = await startEmbeddedCosmos(0);
  const db = await CosmosDatabase.open({ endpoint: cosmos.endpoint, key: cosmos.key, database: 'requestcost', embedded: true });
  const only = arg('only')?.split(',');
  try {
    const variants = (await buildVariants(db, cosmos.endpoint, cosmos.key)).filter((v) => !only || only.includes(v.name));
    const results = new Map<string, number[]>();
    // Round 0 is a warm-up of every variant (the JIT, the server's first documents), not recorded. Within
    // a round the variants take turns in blocks of BLOCK operations, so that load from other processes
    // falls on all of them alike; each round's figure is a variant's CPU over its N operations.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const op of OPS) {
        const running = variants.filter((v) => v.ops[op]);
        const used = new Map<Variant, number>(running.map((v) => [v, 0]));
        for (let done = 0; done < N; done += BLOCK) {
          const turn = done / BLOCK + round;
          for (let k = 0; k < running.length; k++) {
            const variant = running[(k + turn) % running.length];
            const run = variant.ops[op]!;
            const before = process.cpuUsage();
            for (let i = done; i < done + BLOCK; i++) await run(i);
            const { user, system } = process.cpuUsage(before);
            used.set(variant, used.get(variant)! + user + system);
          }
        }
        if (round === 0) continue;
        for (const [variant, micros] of used) {
          const key = `${variant.name}\t${op}`;
          results.set(key, [...(results.get(key) ?? []), micros / 1000 / N]);
        }
      }
      process.stderr.write(round === 0 ? 'warm-up round done\n' : `round ${round} of ${ROUNDS} done\n`);
    }
    printTable(variants, results);
  } finally {
    db.close();
    await cosmos.close();
  }
}

async function buildVariants(db: CosmosDatabase, endpoint: string, key: string): Promise<Variant[]> {
  const claims = db.containers.claims;
  const orgId = 'org-1';
  const ids = Array.from({ length: DOCS }, (_, k) => `doc-${k}`);
  const etags = new Map<string, string>();
  for (const id of ids) etags.set(id, (await claims.items.upsert(documentOf(id, orgId))).etag);
  let created = 0;
  const newId = () => `new-${process.pid}-${++created}`;
  const docId = (i: number) => ids[i % DOCS];

  /** The product's calls, on a given container (the product's client, or another one). */
  const productCalls = (container: Container, reuseItems: boolean): Variant['ops'] => {
    const items = new Map(ids.map((id) => [id, container.item(id, orgId)]));
    const item = (id: string) => (reuseItems ? items.get(id)! : container.item(id, orgId));
    return {
      read: async (i) => (await item(docId(i)).read()).resource,
      create: async () => (await container.items.create(documentOf(newId(), orgId))).resource,
      replace: async (i) => {
        const id = docId(i);
        const { etag } = await item(id).replace(documentOf(id, orgId, i), { accessCondition: { type: 'IfMatch', condition: etags.get(id)! } });
        etags.set(id, etag);
      },
    };
  };

  /** The same container through a client of its own, built as the product builds it plus `extra`. */
  const containerOf = (extra: Partial<CosmosClientOptions>, patch?: (client: CosmosClient) => void): Container => {
    const client = new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: false }, ...extra });
    patch?.(client);
    return client.database(claims.database.id).container(claims.id);
  };
  /** Private fields of the SDK, for reference rows only (what a part costs), never for the product. */
  const internals = (client: CosmosClient) => (client as unknown as { clientContext: Record<string, unknown> }).clientContext;

  const variants: Variant[] = [
    { name: 'product', note: 'the client as CosmosDatabase.open builds it; container.item() per call', ops: productCalls(claims, false) },
    { name: 'items-kept', note: 'the same client; container.item() objects kept and reused', ops: productCalls(claims, true) },
    {
      name: 'key-kept',
      note: 'public `tokenProvider` option: the master-key signature (byte for byte as the SDK signs; the embedded server does not check it) with the key decoded once (a KeyObject) instead of per request',
      ops: productCalls(containerOf({ key: undefined, tokenProvider: masterKeySigner(key) }), false),
    },
    {
      name: 'in-log-context',
      note: "the product's calls inside an AsyncLocalStorage context, as every turn runs (src/observability/logContext.ts): Node 20's promise hooks then run for each of the SDK's promises",
      ops: inLogContext(productCalls(claims, false)),
    },
    {
      name: 'lean-http',
      note: 'public `httpClient` option: a minimal transport on Node http (the SDK keeps its retries, signing, sessions above it)',
      ops: productCalls(containerOf({ httpClient: leanHttpClient() }), false),
    },
    {
      name: 'diag-debug',
      note: 'public `diagnosticLevel: debug` (the default, and lowest, is `info`): what fuller diagnostics would add',
      ops: productCalls(containerOf({ diagnosticLevel: CosmosDbDiagnosticLevel.debug }), false),
    },
    {
      name: 'no-diag-json',
      note: "reference (private field): the diagnostics formatter replaced by a no-op (the SDK writes each request's diagnostics as JSON)",
      ops: productCalls(
        containerOf({}, (c) => {
          internals(c).diagnosticFormatter = { format: () => '' };
        }),
        false,
      ),
    },
    {
      name: 'bare-http',
      note: 'reference, not a candidate: Node http.request GET of the same document with the SDK headers',
      ops: { read: await bareHttpRead(claims, endpoint, key, orgId, docId) },
    },
  ];
  return variants;
}

/**
 * The master-key authorization the SDK computes per request (HMAC-SHA256 over verb, resource type, resource
 * id and x-ms-date), with the key decoded once. The SDK URI-encodes what this returns.
 */
function masterKeySigner(key: string): NonNullable<CosmosClientOptions['tokenProvider']> {
  const secret = createSecretKey(Buffer.from(key, 'base64'));
  return ({ verb, resourceId, resourceType, headers }) => {
    const id = resourceType === 'offers' ? (resourceId ?? '').toLowerCase() : (resourceId ?? '');
    const text = `${verb.toLowerCase()}\n${resourceType.toLowerCase()}\n${id}\n${String(headers['x-ms-date']).toLowerCase()}\n\n`;
    return Promise.resolve(`type=master&ver=1.0&sig=${createHmac('sha256', secret).update(text).digest('base64')}`);
  };
}

/**
 * Each call inside an AsyncLocalStorage context, the storage disabled again after it so that the other
 * variants run without Node's async hooks (they are process-wide while any storage is enabled).
 */
function inLogContext(ops: Variant['ops']): Variant['ops'] {
  const storage = new AsyncLocalStorage<{ turn: number }>();
  const wrapped: Variant['ops'] = {};
  for (const [op, run] of Object.entries(ops) as [Op, (i: number) => Promise<unknown>][]) {
    wrapped[op] = async (i) => {
      try {
        return await storage.run({ turn: i }, () => run(i));
      } finally {
        storage.disable();
      }
    };
  }
  return wrapped;
}

type HttpClient = NonNullable<CosmosClientOptions['httpClient']>;
type PipelineResponse = Awaited<ReturnType<HttpClient['sendRequest']>>;

/** The transport at its smallest: the request as given, the whole body read as text (reference for the bench). */
function leanHttpClient(): HttpClient {
  const agent = new http.Agent({ keepAlive: true });
  return {
    sendRequest: (request) =>
      new Promise<PipelineResponse>((resolve, reject) => {
        const url = new URL(request.url);
        const body = typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : undefined;
        const headers = request.headers.toJSON();
        const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: request.method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const h = new Map<string, string>();
            for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) h.set(name, Array.isArray(value) ? value.join(', ') : value);
            resolve({
              request,
              status: res.statusCode ?? 0,
              bodyAsText: Buffer.concat(chunks).toString('utf8'),
              headers: {
                get: (name: string) => h.get(name.toLowerCase()),
                has: (name: string) => h.has(name.toLowerCase()),
                set: (name: string, value: string | number | boolean) => void h.set(name.toLowerCase(), String(value)),
                delete: (name: string) => void h.delete(name.toLowerCase()),
                toJSON: () => Object.fromEntries(h),
                [Symbol.iterator]: () => h.entries(),
              },
            });
          });
        });
        const onAbort = () => req.destroy(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }));
        request.abortSignal?.addEventListener('abort', onAbort, { once: true });
        req.on('error', reject);
        req.on('close', () => request.abortSignal?.removeEventListener('abort', onAbort));
        req.end(body);
      }),
  };
}

/**
 * A GET of the same document through Node's http with the headers the SDK sends (signed once: the
 * embedded server does not check them). What a request costs without the SDK's work.
 */
async function bareHttpRead(
  container: Container,
  endpoint: string,
  _key: string,
  orgId: string,
  docId: (i: number) => string,
): Promise<(i: number) => Promise<unknown>> {
  const agent = new http.Agent({ keepAlive: true });
  const url = new URL(endpoint);
  const base = `/dbs/${container.database.id}/colls/${container.id}/docs/`;
  const headers = {
    accept: 'application/json',
    authorization: 'type%3Dmaster%26ver%3D1.0%26sig%3Dunchecked',
    'x-ms-date': new Date().toUTCString(),
    'x-ms-version': '2020-07-15',
    'x-ms-documentdb-partitionkey': JSON.stringify([orgId]),
    'x-ms-documentdb-responsecontinuationtokenlimitinkb': '1',
    'x-ms-documentdb-query-enablecrosspartition': 'true',
    'x-ms-cosmos-sdk-supportedcapabilities': '1',
    'user-agent': 'bare-http',
    'x-ms-consistency-level': 'Session',
    'cache-control': 'no-cache',
    'x-ms-session-token': '',
    'content-type': 'application/json',
  };
  return (i) =>
    new Promise((resolve, reject) => {
      const request = http.request({ host: url.hostname, port: url.port, path: base + docId(i), method: 'GET', agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });
}

function printTable(variants: Variant[], results: Map<string, number[]>): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const product = (op: Op) => results.get(`product\t${op}`) ?? [];
  console.log(
    `client CPU ms per operation: ${N} operations one at a time per variant and round, variants taking turns in blocks of ${BLOCK}; ${ROUNDS} rounds after a warm-up round`,
  );
  console.log("| variant | operation | median ms/op | vs product (median of the rounds' ratios) | each round |");
  console.log('|---|---|---|---|---|');
  for (const variant of variants) {
    for (const op of OPS) {
      const xs = results.get(`${variant.name}\t${op}`);
      if (!xs) continue;
      const m = median(xs);
      const ratios = xs.map((x, r) => x / product(op)[r] - 1);
      const vs = variant.name === 'product' ? '-' : `${ratios.length && product(op).length ? `${(median(ratios) * 100).toFixed(0)}%` : '?'}`;
      console.log(`| ${variant.name} | ${op} | ${m.toFixed(3)} | ${vs} | ${xs.map((x) => x.toFixed(3)).join(', ')} |`);
    }
  }
  for (const variant of variants) console.log(`${variant.name}: ${variant.note}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
