import { SendSlots } from '../../src/services/notifications/sendSlots';

/** The bound on e-mails sent at once (MAIL_SENDS_AT_ONCE in mailer.ts, used by notificationDispatcher.ts): never more at once, nobody overtaken, a failure frees its slot. */
describe('send slots', () => {
  const later = () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    return { done, release };
  };

  test('never more tasks at once than slots, and the waiting ones start in the order they came', async () => {
    const slots = new SendSlots(2);
    const gates = Array.from({ length: 5 }, later);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const all = gates.map((gate, i) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await gate.done;
        running--;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[1].release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.release();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  test('a task that fails gives its slot to the next one, and its caller gets the failure', async () => {
    const slots = new SendSlots(1);
    const failing = slots.run(async () => {
      throw new Error('mail server gone');
    });
    const next = slots.run(async () => 'sent');
    await expect(failing).rejects.toThrow('mail server gone');
    await expect(next).resolves.toBe('sent');
  });

  test('a size below one is refused', () => {
    expect(() => new SendSlots(0)).toThrow(/at least 1/);
  });
});
