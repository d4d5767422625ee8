import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The embedded Cosmos DB (NoSQL API) server on loopback, on a worker thread of the bot's process. It
 * keeps everything in memory: a restart loses all data, which the start-up log says.
 */

/** The published key of the Cosmos DB emulator; the embedded server does not check keys. */
export const EMBEDDED_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface EmbeddedCosmos {
  endpoint: string;
  key: string;
  close(): Promise<void>;
}

export async function startEmbeddedCosmos(port = 0): Promise<EmbeddedCosmos> {
  const worker = new Worker(join(__dirname, 'embeddedCosmosWorker.js'), { workerData: { port } });
  const listening = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { type: string; port?: number; message?: string }) => {
      if (message.type === 'listening') resolve(message.port!);
      if (message.type === 'error') reject(new Error(`The embedded Cosmos DB server could not start: ${message.message}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${listening}/`,
    key: EMBEDDED_COSMOS_KEY,
    close: async () => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        worker.on('message', (message: { type: string }) => {
          if (message.type === 'closed') {
            clearTimeout(timer);
            resolve();
          }
        });
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}
