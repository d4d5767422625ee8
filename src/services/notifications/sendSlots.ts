/**
 * At most `size` tasks at once; the others wait their turn, in order. Notification work runs for many
 * claims together (a quiet moment after a burst of approvals), and each claim sends its e-mails all at
 * once: without a bound, hundreds of sends started together (a Cosmos DB write or an SMTP session each,
 * and for SMTP a delivery record too), opening as many connections as there were e-mails.
 */
export class SendSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`SendSlots: size must be a whole number of at least 1, got ${size}`);
    this.free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so nobody can overtake those already waiting.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
