import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_CERT, LOOPBACK_KEY } from './entraStubs';

/**
 * A stand-in for Application Insights' ingestion and live-metrics endpoints, on loopback, so a test or the
 * bench (`BENCH_BOT_TELEMETRY=1`) can run the bot as it runs on Azure, with APPLICATIONINSIGHTS_CONNECTION_STRING
 * set. It accepts every batch (the answer the exporter expects) and says no one is watching live metrics.
 */
export interface TelemetrySink {
  /** The settings that point a bot process at the sink. */
  botEnv: Record<string, string>;
  /** Batches posted so far, and their bytes (as sent, gzip). */
  received(): { batches: number; bytes: number };
}

let sink: Promise<TelemetrySink> | undefined;

export function telemetrySink(): Promise<TelemetrySink> {
  sink ??= new Promise((resolve, reject) => {
    let batches = 0;
    let bytes = 0;
    // The exporter speaks HTTPS only: the embedded Cosmos DB package's self-signed certificate serves.
    const server = https.createServer({ cert: readFileSync(LOOPBACK_CERT), key: readFileSync(LOOPBACK_KEY) }, (req, res) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => (size += chunk.length));
      req.on('end', () => {
        if (req.url?.includes('QuickPulseService')) {
          res.writeHead(200, { 'x-ms-qps-subscribed': 'false', 'content-type': 'application/json' }).end('{}');
          return;
        }
        batches++;
        bytes += size;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: 0, itemsAccepted: 0, errors: [] }));
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
        received: () => ({ batches, bytes }),
      });
    });
  });
  return sink;
}
