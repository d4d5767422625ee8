import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '../../config/config';
import type { Logger } from '../../logger';
import { isConflict } from '../../storage/cosmosDatabase';

/**
 * Sending e-mail (the customers' approval e-mails): through SMTP with nodemailer when SMTP_HOST is set,
 * otherwise into the Cosmos DB `mail` container with one log line, so the embedded default works and an
 * operator still sees what would have gone out. Which e-mail goes out once is the dispatcher's business
 * (the delivery log over SMTP; the outbox keeps one copy per id by itself); a mailer sends what it is
 * given and says whether a failure is worth retrying.
 */

export interface MailAddress {
  name?: string;
  address: string;
}

export interface MailMessage {
  /** Stable per e-mail (its delivery id): a re-send after a crash is the same message (Message-ID, outbox document). */
  id: string;
  claimId: string;
  to: MailAddress;
  subject: string;
  text: string;
  html: string;
}

/**
 * A send's result. `permanent`: the recipient's side refused this message for good (an SMTP 5xx reply to
 * RCPT TO or DATA, a bounce); sending it again would fail again. Anything else (no connection, a 4xx
 * reply, a refused login or sender, which the operator must fix) is worth another try later.
 */
export type MailOutcome = { ok: true; messageId?: string } | { ok: false; permanent: boolean; status?: number; message: string };

export interface Mailer {
  /** 'smtp' or 'outbox', for start-up logs and tests. */
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<MailOutcome>;
  close(): Promise<void> | void;
}

/** "Name <address>" for logs and the stored outbox copy; the name is quoted by nodemailer when it sends. */
export function formatAddress(address: MailAddress): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

/** The domain of the sender address, for Message-IDs ("CPOR <cpor@contoso.com>" gives contoso.com). */
function senderDomain(from: string): string {
  return /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
}

/** The same Message-ID for every try of one e-mail, so a recipient's mail system can spot a duplicate. */
export function messageIdOf(message: MailMessage, from: string): string {
  return `<cpor.${createHash('sha256').update(message.id).digest('hex').slice(0, 32)}@${senderDomain(from)}>`;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
  response?: string;
  message?: string;
}

/** Replies that are about this recipient or this message, not about our own connection, login or sender. */
const RECIPIENT_COMMANDS = new Set(['RCPT TO', 'DATA']);

export function classifySmtpError(error: unknown): Extract<MailOutcome, { ok: false }> {
  const e = (error ?? {}) as SmtpError;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // 503 is "bad sequence of commands": a protocol hiccup, not a verdict on the address.
  const permanent = status !== undefined && status >= 500 && status < 600 && status !== 503 && RECIPIENT_COMMANDS.has(e.command ?? '');
  const message = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').trim().slice(0, 300);
  return {
    ok: false,
    permanent,
    ...(status !== undefined ? { status } : {}),
    message: `${e.code ?? 'error'}${e.command ? ` at ${e.command}` : ''}: ${message}`,
  };
}

/**
 * E-mails one instance sends at once (the dispatcher's bound over all claims), and so the SMTP sessions it
 * keeps open. An approval tells every partner user of the organisation, and a quiet moment after a burst of
 * approvals runs many claims' work together: without a bound, hundreds of sends started together. Measured
 * with the approval bench (600 approvals, 23 e-mails each, into the outbox): Cosmos DB
 * connections opened went from 560 to 76, and an approval's CPU with all of its work from 35-36 ms to 31-35.
 */
export const MAIL_SENDS_AT_ONCE = 8;

/**
 * SMTP through nodemailer, over a pool of at most MAIL_SENDS_AT_ONCE sessions, each reused for up to 20
 * e-mails (Exchange's receive connectors close a session after 20 messages by default) and closed after 20
 * seconds unused (before the 30-second socket timeout, and well before a server gives up on it). A new
 * session is a TCP connection, STARTTLS's handshake and a login: on loopback 6-7 ms of the bot's CPU per
 * e-mail against 1.5-2.7 ms over a kept session (test/bench/smtpSendCost.ts). Bounded waits at every step.
 */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly transport: Transporter;

  constructor(private readonly config: Extract<AppConfig['mail'], { mode: 'smtp' }>) {
    this.transport = createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      // A login never goes over a plain connection: without TLS from the start, STARTTLS is then required.
      ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' }, requireTLS: !config.secure } : {}),
      pool: true,
      maxConnections: MAIL_SENDS_AT_ONCE,
      maxMessages: 20,
      idleTimeout: 20_000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      dnsTimeout: 10_000,
    });
  }

  async send(message: MailMessage): Promise<MailOutcome> {
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to: message.to.name ? { name: message.to.name, address: message.to.address } : message.to.address,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdOf(message, this.config.from),
        headers: { 'Auto-Submitted': 'auto-generated', 'X-CPOR-Claim': message.claimId },
      });
      // One recipient: refused after the envelope (an LMTP server answers per recipient) is a failed send.
      const refused = (info as { rejectedErrors?: unknown[] }).rejectedErrors?.[0];
      if (refused) return classifySmtpError(refused);
      return { ok: true, ...(info.messageId ? { messageId: String(info.messageId) } : {}) };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** A stored e-mail in the `mail` container: what would have been sent, for an operator (or a test) to read. */
export interface StoredMail {
  id: string;
  claimId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  storedAt: string;
}

/** Without SMTP: the e-mail is kept in Cosmos DB (created under its id, so a re-send finds it there and stores nothing) and logged once. */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox' as const;

  constructor(
    private readonly container: Container,
    private readonly from: string,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  async send(message: MailMessage): Promise<MailOutcome> {
    const doc: StoredMail = {
      id: message.id,
      claimId: message.claimId,
      from: this.from,
      to: formatAddress(message.to),
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: messageIdOf(message, this.from),
      storedAt: this.now().toISOString(),
    };
    try {
      await this.container.items.create(doc);
    } catch (error) {
      // Kept already (a repeated dispatch of the same e-mail): the outbox holds it once, and says so once.
      if (isConflict(error)) return { ok: true, messageId: doc.messageId };
      return { ok: false, permanent: false, message: `the mail outbox could not be written: ${(error as Error).message}` };
    }
    this.log.info(
      `Mail outbox (no SMTP_HOST): e-mail to ${message.to.address} "${message.subject}" for claim ${message.claimId} kept in Cosmos DB container "mail" as ${message.id}`,
    );
    return { ok: true, messageId: doc.messageId };
  }

  close(): void {}
}

export function createMailer(config: AppConfig['mail'], outbox: Container, log: Logger, now: () => Date): Mailer {
  return config.mode === 'smtp' ? new SmtpMailer(config) : new OutboxMailer(outbox, config.from, log, now);
}
