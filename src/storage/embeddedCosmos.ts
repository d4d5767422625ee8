import type { Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

/**
 * The embedded Cosmos DB (NoSQL API) server, in-process on loopback. It keeps everything in memory:
 * a restart loses all data, which the start-up log says.
 */

/** The published key of the Cosmos DB emulator; the embedded server does not check keys. */
export const EMBEDDED_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface EmbeddedCosmos {
  endpoint: string;
  key: string;
  close(): Promise<void>;
}

export async function startEmbeddedCosmos(port = 0): Promise<EmbeddedCosmos> {
  // keepAlive: without it the server answers "Connection: close" and every request pays a TLS handshake.
  const server: Server = createHttpsServer({ keepAlive: true } as never);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${address.port}/`,
    key: EMBEDDED_COSMOS_KEY,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets would hold the process open for seconds: close them with the server.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
