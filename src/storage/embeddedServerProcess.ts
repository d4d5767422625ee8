import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * The embedded stand-ins for Azure (the Cosmos DB server, Azurite) run in child processes of the bot:
 * they take neither turns nor memory from the bot's own process, as the Azure services they replace
 * would not. A child is plain JavaScript (no TypeScript loader), listens on loopback, reports its port
 * over IPC, closes on request, and exits by itself when the bot's process goes away.
 */

/**
 * The embedded stand-ins are dev dependencies: a production install (`npm ci --omit=dev`) has none, and a
 * bot there that was not given its Azure settings says so in one line instead of a module-loading trace.
 */
export class EmbeddedStoreUnavailableError extends Error {}

/** What a child needs: the dev dependency it runs, and the setting that points the bot at Azure instead. */
export interface EmbeddedServerKind {
  script: string;
  name: string;
  devPackage: string;
  azureSetting: string;
}

export interface EmbeddedServerProcess {
  port: number;
  /** What the server reported when it was ready, beside its port (e.g. what it restored from disk). */
  ready: Record<string, unknown>;
  pid: number;
  /** Requests the server has answered so far (servers that count them). */
  requestsServed(): Promise<number>;
  close(): Promise<void>;
}

type ChildMessage =
  | { type: 'listening'; port: number; [detail: string]: unknown }
  | { type: 'error'; message: string }
  | { type: 'closed' }
  | { type: 'stats'; requests: number };

/** `dataDir`: the folder the server keeps its data in; none: in memory. */
export async function startEmbeddedServerProcess(kind: EmbeddedServerKind, port: number, dataDir?: string): Promise<EmbeddedServerProcess> {
  const { script, name } = kind;
  assertInstalled(kind);
  const child: ChildProcess = fork(join(__dirname, script), [String(port), ...(dataDir ? [dataDir] : [])], {
    // Not the bot's flags (a TypeScript loader, profilers): the child is plain JavaScript.
    execArgv: ['--disable-warning=DEP0111'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const listening = await new Promise<Extract<ChildMessage, { type: 'listening' }>>((resolve, reject) => {
    const failed = (error: Error) => {
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(new Error(`The embedded ${name} could not start: ${error.message}`));
    };
    child.once('error', failed);
    child.once('exit', (code) => failed(new Error(`its process exited with ${code}`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'listening') resolve(message);
      if (message.type === 'error') failed(new Error(message.message));
    });
  });
  child.removeAllListeners('exit');
  // The bot may exit while the child lives: it must not keep the bot's event loop alive, except while
  // waiting for the child's answer.
  const channel = (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
  child.unref();
  channel?.unref();
  const { type: _type, port: listeningPort, ...ready } = listening;
  return {
    port: listeningPort,
    ready,
    pid: child.pid!,
    requestsServed: () =>
      new Promise<number>((resolve) => {
        const answer = (message: ChildMessage) => {
          if (message.type !== 'stats') return;
          child.off('message', answer);
          channel?.unref();
          resolve(message.requests);
        };
        channel?.ref();
        child.on('message', answer);
        child.send('stats');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 2000);
        child.ref();
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send('close', (error) => {
          if (error) child.kill('SIGTERM');
        });
      }),
  };
}

function assertInstalled({ name, devPackage, azureSetting }: EmbeddedServerKind): void {
  try {
    require.resolve(`${devPackage}/package.json`);
  } catch {
    throw new EmbeddedStoreUnavailableError(
      `${azureSetting} is not set and the embedded ${name} (${devPackage}, a dev dependency) is not installed: set ${azureSetting} to use Azure, or run npm ci (with dev dependencies) for the local stand-in`,
    );
  }
}
