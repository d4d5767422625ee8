import { readFileSync } from 'node:fs';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_CERT, LOOPBACK_KEY } from './entraStubs';

/**
 * A stand-in for Application Insights' ingestion and live-metrics endpoints, on loopback, so a test or the
 * bench (`BENCH_BOT_TELEMETRY=1`) can run the bot as it runs on Azure, with APPLICATIONINSIGHTS_CONNECTION_STRING
 * set. It accepts every batch (the answer the exporter expects), keeps the dependencies it receives, and says
 * no one is watching live metrics.
 */

/** A RemoteDependencyData item as the exporter sends it (the fields a test reads). */
export interface ReceivedDependency {
  name: string;
  type?: string;
  target?: string;
  data?: string;
  resultCode?: string;
  success?: boolean;
}

export interface TelemetrySink {
  /** The settings that point a bot process at the sink. */
  botEnv: Record<string, string>;
  /** Batches posted so far. */
  received(): { batches: number };
  /** The dependencies received so far. */
  dependencies(): ReceivedDependency[];
}

let sink: Promise<TelemetrySink> | undefined;

/** One sink per process, started on first use. */
export function telemetrySink(): Promise<TelemetrySink> {
  sink ??= new Promise((resolve, reject) => {
    let batches = 0;
    const dependencies: ReceivedDependency[] = [];
    // The exporter speaks HTTPS only: the embedded Cosmos DB package's self-signed certificate serves.
    const server = https.createServer({ cert: readFileSync(LOOPBACK_CERT), key: readFileSync(LOOPBACK_KEY) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url?.includes('QuickPulseService')) {
          // Not chained: restify, loaded by other tests in the same worker, patches writeHead to return nothing.
          res.writeHead(200, { 'x-ms-qps-subscribed': 'false', 'content-type': 'application/json' });
          res.end('{}');
          return;
        }
        batches++;
        keepDependencies(Buffer.concat(chunks), req.headers['content-encoding'], dependencies);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: 0, itemsAccepted: 0, errors: [] }));
      });
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      resolve({
        botEnv: {
          APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=${url};LiveEndpoint=${url}`,
          // The SDK's own usage reports would go to Microsoft over the internet.
          APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
          // The certificate names no IP address; the bot process runs on loopback only, against stand-ins.
          NODE_TLS_REJECT_UNAUTHORIZED: '0',
        },
        received: () => ({ batches }),
        dependencies: () => dependencies,
      });
    });
  });
  return sink;
}

type Envelope = { data?: { baseType?: string; baseData?: ReceivedDependency } };

function keepDependencies(body: Buffer, encoding: string | string[] | undefined, into: ReceivedDependency[]): void {
  try {
    const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    const envelopes = (
      text.trim().startsWith('[')
        ? JSON.parse(text)
        : text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
    ) as Envelope[];
    for (const e of envelopes) if (e.data?.baseType === 'RemoteDependencyData' && e.data.baseData) into.push(e.data.baseData);
  } catch {
    // Not telemetry we can read: counted, not kept.
  }
}
