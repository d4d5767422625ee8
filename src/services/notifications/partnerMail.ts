import type { Claim, ClaimDeadlines } from '../../domain/claim';
import type { ClaimHistoryEvent } from '../../domain/claimHistory';
import type { OutboxEntry } from '../../domain/claimNotifications';
import type { BusinessCalendar } from '../../domain/businessCalendar';
import { deadlineParam, instantParam } from '../../domain/claimLifecycle';
import { resolveLocale, t, type Locale, type MessageKey, type MessageParams } from '../../i18n/locales';
import type { ConversationStore } from '../../storage/conversationStore';
import type { RosterStore } from '../../storage/rosterStore';
import { escapeHtml } from '../../i18n/html';
import { LOCALES_IN_ORDER, mailHtml, TEXT_SECTION_SEPARATOR } from './mailLayout';
import type { ClaimService } from '../claims/claimService';
import { partnerNotice } from './partnerNotice';
import type { MailMessage } from './mailer';

/**
 * The e-mails to a claim's partner contact for the notices a partner must not miss, even one who never
 * opened the bot or whose chat Teams refuses: Rejected (the reason, where to read it, how and until when
 * to dispute), Partner action required (the reasons, the reviewer's comment, the deadline) and Approved
 * (what approval means). They tell the change as the outbox entry recorded it, not the claim's present.
 * Written in the partner contact's language when they are a partner user the bot has talked to, else in
 * English, then Chinese. Also any other partner notice Teams could not deliver to a partner user
 * (`noticeMails`), to their roster address. Every value typed by someone is escaped in the HTML part.
 */

export interface PartnerMailDeps {
  rosters: Pick<RosterStore, 'organisation' | 'partnerUsersOf'>;
  conversations: Pick<ConversationStore, 'forUser'>;
  calendar: BusinessCalendar;
  claimService: Pick<ClaimService, 'timeContext'>;
  config: { incentiveGuideUrl: string };
}

/** A partner user a notice is e-mailed to: their roster address, their Teams language if known, and why not Teams. */
export interface NoticeRecipient {
  name: string;
  email: string;
  locale?: string;
  why: 'noChat' | 'unreachable';
}

type MailedStatus = 'Rejected' | 'PartnerActionRequired' | 'Approved';

/** One line of the e-mail: a catalogue key and its parameters, written in each language. */
type Line = { key: MessageKey; params?: MessageParams };

/** Lines without parameters, one object each, so their texts are made once per notice (see LineTexts). */
const OTHER_LANGUAGE: Line = { key: 'mail.approval.otherLanguage' };
const FOOTER: Line = { key: 'mail.partner.footer' };
const NOTICE_FOOTER: Line = { key: 'mail.notice.footer' };
const WHY: Record<NoticeRecipient['why'], Line> = { noChat: { key: 'mail.notice.why.noChat' }, unreachable: { key: 'mail.notice.why.unreachable' } };

/**
 * Each line's text in a language and each paragraph's HTML, made once: a notice e-mailed to every
 * partner user Teams can't reach differs between them only in the greeting (and why it comes by e-mail),
 * so one notice's e-mails share one of these.
 */
class LineTexts {
  private readonly texts = new Map<Locale, Map<Line, string>>();
  private readonly paragraphs = new Map<string, string>();

  constructor(private readonly guideUrl: string) {}

  text(locale: Locale, line: Line): string {
    let texts = this.texts.get(locale);
    if (!texts) this.texts.set(locale, (texts = new Map()));
    let text = texts.get(line);
    if (text === undefined) texts.set(line, (text = t(locale, line.key, line.params)));
    return text;
  }

  /** The paragraph in the HTML part: escaped, with the incentive guide's address (configured, not typed by a person) as a link. */
  paragraph(text: string): string {
    let html = this.paragraphs.get(text);
    if (html === undefined) {
      const url = escapeHtml(this.guideUrl);
      html = `<p>${escapeHtml(text).split(url).join(`<a href="${url}">${url}</a>`)}</p>`;
      this.paragraphs.set(text, html);
    }
    return html;
  }
}

export class PartnerMail {
  constructor(private readonly deps: PartnerMailDeps) {}

  async compose(claim: Claim, entry: OutboxEntry, id: string): Promise<MailMessage> {
    const contact = claim.fields.partnerContact;
    if (!contact?.email) throw new Error(`Claim ${claim.id} has no partner contact e-mail`);
    const event = claim.history[entry.seq - 1];
    if (!event) throw new Error(`Claim ${claim.id} has no event ${entry.seq}`);
    const status = (entry.status ?? event.toStatus) as MailedStatus;
    const locales = await this.localesOf(claim, contact.email);
    const organisation = await this.deps.rosters.organisation(claim.orgId);
    const common = {
      name: claim.fields.claimName ?? claim.id,
      claimId: claim.id,
      partner: organisation?.name ?? claim.orgId,
      domain: claim.fields.customerDomain ?? '-',
    };
    const respondBy = this.deadline(claim, entry, event, 'partnerResponse');
    const subjectKey = `mail.partner.subject.${status}` as MessageKey;
    const subject = locales.map((locale) => t(locale, subjectKey, { ...common, date: respondBy ? deadlineParam(this.deps, respondBy) : '-' })).join(' / ');
    const lines = [
      { key: 'mail.partner.greeting', params: { name: contact.name || contact.email } },
      ...this.lines(claim, entry, event, status, common),
      { key: 'mail.partner.where', params: { claimId: claim.id } },
    ] as Line[];
    const texts = new LineTexts(this.deps.config.incentiveGuideUrl);
    return this.message(id, claim.id, { name: contact.name, address: contact.email }, locales, subject, lines, FOOTER, texts);
  }

  /**
   * A partner notice Teams could not deliver to partner users (no chat with the bot yet, or the chat
   * answered 403/404), e-mailed to each one's roster address instead: what the Teams notice says
   * (partnerNotice.ts), why it comes by e-mail, and where to act. In the language of their Teams client
   * when the bot has seen it, else English, then Chinese. What all of them read (the notice, its subject,
   * every shared line in each language) is made once; each e-mail adds its greeting.
   */
  noticeMails(claim: Claim, entry: OutboxEntry): (recipient: NoticeRecipient, id: string) => MailMessage {
    const event = claim.history[entry.seq - 1];
    if (!event) throw new Error(`Claim ${claim.id} has no event ${entry.seq}`);
    const notice = partnerNotice(this.deps.claimService.timeContext(), claim, event, this.deps.config.incentiveGuideUrl, entry);
    const shared: Line[] = [
      ...notice.lines,
      ...(event.comment ? [{ key: 'mail.partner.comment' as const, params: { actor: event.actor.name, comment: event.comment } }] : []),
      { key: 'mail.partner.where', params: { claimId: claim.id } },
    ];
    const texts = new LineTexts(this.deps.config.incentiveGuideUrl);
    const title: Line = notice.title;
    return (recipient, id) => {
      const locales = recipient.locale ? [resolveLocale(recipient.locale)] : LOCALES_IN_ORDER;
      const subject = locales.map((locale) => texts.text(locale, title)).join(' / ');
      const lines: Line[] = [{ key: 'mail.partner.greeting', params: { name: recipient.name || recipient.email } }, WHY[recipient.why], ...shared];
      return this.message(id, claim.id, { name: recipient.name, address: recipient.email }, locales, subject, lines, NOTICE_FOOTER, texts);
    };
  }

  /** The e-mail: one section per language, in the text part and, escaped, in the HTML part. */
  private message(
    id: string,
    claimId: string,
    to: MailMessage['to'],
    locales: readonly Locale[],
    subject: string,
    lines: Line[],
    footer: Line,
    texts: LineTexts,
  ): MailMessage {
    const sections = locales.map((locale) => [...(locales.length > 1 ? [OTHER_LANGUAGE] : []), ...lines, footer].map((line) => texts.text(locale, line)));
    return {
      id,
      claimId,
      to,
      subject,
      text: sections.map((s) => s.join('\n\n')).join(TEXT_SECTION_SEPARATOR),
      html: mailHtml(
        subject,
        sections.map((s, i) => [`<div lang="${locales[i]}">`, ...s.map((p) => texts.paragraph(p)), '</div>'].join('\n')),
      ),
    };
  }

  /** What the e-mail says of the change, by the status it left the claim in. */
  private lines(claim: Claim, entry: OutboxEntry, event: ClaimHistoryEvent, status: MailedStatus, common: MessageParams): Line[] {
    const at = instantParam(this.deps, event.at);
    const comment: Line[] = event.comment ? [{ key: 'mail.partner.comment', params: { actor: event.actor.name, comment: event.comment } }] : [];
    if (status === 'PartnerActionRequired') {
      const respondBy = this.deadline(claim, entry, event, 'partnerResponse');
      return [
        { key: 'mail.partner.intro.PartnerActionRequired', params: { ...common, actor: event.actor.name } },
        ...(event.reasons?.length ? [{ key: 'mail.partner.reasons' as const, params: { reasons: event.reasons.map((r) => `@infoReason.${r}`) } }] : []),
        ...comment,
        ...(respondBy ? [{ key: 'mail.partner.respondBy' as const, params: { date: deadlineParam(this.deps, respondBy) } }] : []),
      ];
    }
    if (status === 'Rejected') {
      const disputeBy = this.deadline(claim, entry, event, 'disputeWindowEnds');
      return [
        { key: 'mail.partner.intro.Rejected', params: { ...common, date: at } },
        ...(event.reason ? [{ key: 'mail.partner.reason' as const, params: { reason: `@reason.${event.reason}` } }] : []),
        ...comment,
        disputeBy
          ? { key: 'mail.partner.disputeBy', params: { date: deadlineParam(this.deps, disputeBy), claimId: claim.id } }
          : { key: 'mail.partner.noDispute' },
      ];
    }
    return [
      { key: 'mail.partner.intro.Approved', params: { ...common, date: at } },
      ...comment,
      { key: 'partner.approvalMeaning', params: { url: this.deps.config.incentiveGuideUrl } },
    ];
  }

  /** A deadline the change set: the entry's next deadline, else the value the change wrote (a later change may have cleared it). */
  private deadline(claim: Claim, entry: OutboxEntry, event: ClaimHistoryEvent, name: keyof ClaimDeadlines): string | undefined {
    if (entry.next?.name === name) return entry.next.due;
    const written = event.changes.find((c) => c.field === `deadlines.${name}`)?.after;
    return typeof written === 'string' ? written : entry.status ? undefined : claim.deadlines[name];
  }

  /** The partner contact's language when they are a partner user of the claim's organisation the bot has talked to; else both. */
  private async localesOf(claim: Claim, email: string): Promise<readonly Locale[]> {
    const user = (await this.deps.rosters.partnerUsersOf(claim.orgId)).find((u) => u.email.toLowerCase() === email.toLowerCase());
    const stored = user && (await this.deps.conversations.forUser(user.tenantId, user.aadObjectId));
    const raw = stored?.reference.locale;
    return typeof raw === 'string' && raw ? [resolveLocale(raw)] : LOCALES_IN_ORDER;
  }
}
