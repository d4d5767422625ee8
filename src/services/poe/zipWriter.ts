import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * ZIP archives (the Teams app package, Word documents in tests) through fflate. What this module adds:
 * entry names are checked (relative, "/"-separated, each once) and the output is deterministic, as
 * every entry carries the same fixed timestamp (1980-01-01 00:00, the earliest a ZIP can hold).
 */

export interface ZipEntry {
  name: string;
  data: Buffer | string;
}

/** Local time, because ZIP stores local DOS date fields: the same bytes in every time zone. */
const ZIP_FIXED_DATE = new Date(1980, 0, 1, 0, 0, 0);

function checkName(name: string): void {
  if (!name) throw new Error('A ZIP entry needs a name');
  if (name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..')) {
    throw new Error(`ZIP entry name ${JSON.stringify(name)} must be a relative path with "/" separators`);
  }
}

/** Builds a ZIP archive from the entries, in the given order, deflated at the highest level. */
export function zip(entries: ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    checkName(entry.name);
    if (entry.name in files) throw new Error(`ZIP entry ${JSON.stringify(entry.name)} is given twice`);
    files[entry.name] = typeof entry.data === 'string' ? strToU8(entry.data) : entry.data;
  }
  return Buffer.from(zipSync(files, { level: 9, mtime: ZIP_FIXED_DATE }));
}

/**
 * Reads every file of a ZIP archive (stored and deflated entries); directory entries (names ending in
 * "/") are left out. Throws "Not a readable ZIP archive: ..." on anything it can't read. For archives
 * we write or a test builds: a file from outside goes through poeContentChecks' checkZip first.
 */
export function unzip(data: Buffer): Map<string, Buffer> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(data, { filter: (file) => !file.name.endsWith('/') });
  } catch (error) {
    throw new Error(`Not a readable ZIP archive: ${(error as Error).message}`);
  }
  return new Map(Object.entries(files).map(([name, content]) => [name, Buffer.from(content)]));
}
