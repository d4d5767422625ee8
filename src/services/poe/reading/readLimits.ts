/**
 * Bounds on reading one PoE file. A reader runs in a child process with its own heap (`memoryMb`) and is
 * ended at `timeMs`; pages and characters past the caps are left unread (a PoE is a few pages: what
 * matters is near the start, and a 2,000-page PDF must not hold a reader for minutes).
 */
export interface PoeReadLimits {
  /** Wall-clock time for one file, from the moment its reading starts. */
  timeMs: number;
  /** Old-generation heap of the reader's process (`--max-old-space-size`), in MB. */
  memoryMb: number;
  /** Pages read from a PDF; the rest are left out. */
  maxPages: number;
  /** Characters of text kept for the whole file. */
  maxChars: number;
}

export const DEFAULT_POE_READ_LIMITS: PoeReadLimits = {
  timeMs: 20_000,
  memoryMb: 192,
  maxPages: 100,
  maxChars: 400_000,
};

/** What the readers read, by the kind intake judged from the bytes (poeFileIntake's PoeKind). */
export type PoeReadKind = 'pdf' | 'docx' | 'eml' | 'msg' | 'png' | 'jpeg';
