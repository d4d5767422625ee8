import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder of the embedded stores (DATA_DIR): `cosmos/` holds the Cosmos DB server's journal and
 * snapshots, `blob/` Azurite's files. One bot at a time: two processes appending to one journal would
 * corrupt it, so a lock file names the bot that uses the folder; a lock left by a process that is gone
 * (kill -9) is taken over.
 */
export interface DataDirectory {
  path: string;
  cosmos: string;
  blob: string;
  release(): void;
}

export class DataDirectoryInUseError extends Error {}

const LOCK = 'bot.lock';

export function claimDataDirectory(path: string): DataDirectory {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const lock = join(path, LOCK);
  const mine = String(process.pid);
  try {
    writeFileSync(lock, mine, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lock, 'utf8').trim());
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new DataDirectoryInUseError(`The data folder ${path} is in use by another bot (process ${holder}). Stop it, or set DATA_DIR to another folder.`);
    }
    writeFileSync(lock, mine, { mode: 0o600 });
  }
  return {
    path,
    cosmos: join(path, 'cosmos'),
    blob: join(path, 'blob'),
    release: () => {
      try {
        if (readFileSync(lock, 'utf8').trim() === mine) unlinkSync(lock);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}

/**
 * The consent-link secret kept in the data folder when CONSENT_LINK_SECRET is not set: links in
 * approval e-mails keep working across restarts, as the claims they are for do. Readable by the owner only.
 */
export function storedConsentSecret(dir: DataDirectory): string {
  const file = join(dir.path, 'consent-secret');
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(48).toString('base64');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
