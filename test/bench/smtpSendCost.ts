import { fork } from 'node:child_process';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { MAIL_SENDS_AT_ONCE, SmtpMailer, type MailMessage } from '../../src/services/notifications/mailer';

/**
 * What an e-mail costs the bot over SMTP: client-side CPU (`process.cpuUsage`, this process only; the mail
 * server runs in a child process) and wall time per e-mail, sent MAIL_SENDS_AT_ONCE at a time as the
 * dispatcher sends them, to a server that asks for STARTTLS and a login as a mail relay does. Two ways:
 * the product's `SmtpMailer` (sessions kept and reused) and, for reference, the same nodemailer options
 * with a new session per e-mail (how the mailer sent before session 15). Rounds alternate the two.
 *
 *   node --import tsx test/bench/smtpSendCost.ts [--n=400] [--rounds=4]
 */

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const N = Number(arg('n') ?? 400);
const ROUNDS = Number(arg('rounds') ?? 4);

/** The server: STARTTLS with smtp-server's own self-signed certificate, any login accepted, messages read and dropped. */
function serveMail(): void {
  const server = new SMTPServer({
    logger: false,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onData: (stream, _session, callback) => {
      stream.on('data', () => undefined);
      stream.on('end', () => callback());
    },
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.server.address() as { port: number }).port }));
}

/** A notice-sized e-mail: some 3 KB of text and 5 KB of HTML, as a partner notice in both languages is. */
function messageOf(i: number): MailMessage {
  return {
    id: `bench-${i}-${Date.now()}`,
    claimId: 'CL-BENCH',
    to: { name: `Partner ${i}`, address: `partner${i}@tailspin.example` },
    subject: 'Claim CL-BENCH: approved / 已批准',
    text: 'The claim was approved. '.repeat(120),
    html: `<p>${'The claim was <b>approved</b>. '.repeat(160)}</p>`,
  };
}

type Send = (message: MailMessage) => Promise<unknown>;

async function round(send: Send): Promise<{ cpuMs: number; wallMs: number }> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = Date.now();
  await Promise.all(
    Array.from({ length: MAIL_SENDS_AT_ONCE }, async () => {
      while (next < N) await send(messageOf(next++));
    }),
  );
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / N, wallMs: (Date.now() - started) / N };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  // The bench's server has a self-signed certificate; a deployment's relay has a real one.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const child = fork(__filename, ['--serve'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  const settings = { host: '127.0.0.1', port, secure: false, user: 'cpor', password: 'bench', from: 'CPOR <cpor@contoso.example>' };
  const kept = new SmtpMailer({ mode: 'smtp', ...settings });
  const perMail = createTransport({ host: '127.0.0.1', port, secure: false, auth: { user: 'cpor', pass: 'bench' }, requireTLS: true });
  const variants: { name: string; send: Send }[] = [
    { name: 'SmtpMailer: sessions kept', send: async (m) => assertSent(await kept.send(m)) },
    {
      name: 'a new session per e-mail (reference)',
      send: (m) => perMail.sendMail({ from: settings.from, to: m.to.address, subject: m.subject, text: m.text, html: m.html }),
    },
  ];
  try {
    for (const v of variants) await round(v.send); // warm-up, not counted
    const results = new Map<string, { cpuMs: number; wallMs: number }[]>(variants.map((v) => [v.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of r % 2 ? [...variants].reverse() : variants) results.get(v.name)!.push(await round(v.send));
    }
    console.log(`SMTP with STARTTLS and a login, ${N} e-mails per round, ${MAIL_SENDS_AT_ONCE} at a time, ${ROUNDS} rounds (median; each round)`);
    console.log('| way | bot CPU ms per e-mail | wall ms per e-mail |');
    console.log('|---|---|---|');
    for (const [name, rows] of results) {
      const cpu = rows.map((x) => x.cpuMs);
      const wall = rows.map((x) => x.wallMs);
      console.log(
        `| ${name} | ${median(cpu).toFixed(2)} (${cpu.map((x) => x.toFixed(2)).join(', ')}) | ${median(wall).toFixed(2)} (${wall.map((x) => x.toFixed(2)).join(', ')}) |`,
      );
    }
  } finally {
    kept.close();
    perMail.close();
    child.kill();
  }
}

function assertSent(outcome: Awaited<ReturnType<SmtpMailer['send']>>): void {
  if (!outcome.ok) throw new Error(`not sent: ${outcome.message}`);
}

if (process.argv.includes('--serve')) serveMail();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
