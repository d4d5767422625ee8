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
 * (`composeNotice`), to their roster address. Every value typed by someone is escaped in the HTML part.
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
    return this.message(id, claim.id, { name: contact.name, address: contact.email }, locales, subject, lines, 'mail.partner.footer');
  }

  /**
   * A partner notice Teams could not deliver to a partner user (no chat with the bot yet, or the chat
   * answered 403/404), e-mailed to their roster address instead: what the Teams notice says
   * (partnerNotice.ts), why it comes by e-mail, and where to act. In the language of their Teams client
   * when the bot has seen it, else English, then Chinese.
   */
  composeNotice(claim: Claim, entry: OutboxEntry, recipient: NoticeRecipient, id: string): MailMessage {
    const event = claim.history[entry.seq - 1];
    if (!event) throw new Error(`Claim ${claim.id} has no event ${entry.seq}`);
    const locales = recipient.locale ? [resolveLocale(recipient.locale)] : LOCALES_IN_ORDER;
    const notice = partnerNotice(this.deps.claimService.timeContext(), claim, event, this.deps.config.incentiveGuideUrl, entry);
    const subject = locales.map((locale) => t(locale, notice.title.key, notice.title.params)).join(' / ');
    const lines: Line[] = [
      { key: 'mail.partner.greeting', params: { name: recipient.name || recipient.email } },
      { key: `mail.notice.why.${recipient.why}` },
      ...notice.lines,
      ...(event.comment ? [{ key: 'mail.partner.comment' as const, params: { actor: event.actor.name, comment: event.comment } }] : []),
      { key: 'mail.partner.where', params: { claimId: claim.id } },
    ];
    return this.message(id, claim.id, { name: recipient.name, address: recipient.email }, locales, subject, lines, 'mail.notice.footer');
  }

  /** The e-mail: one section per language, in the text part and, escaped, in the HTML part. */
  private message(
    id: string,
    claimId: string,
    to: MailMessage['to'],
    locales: readonly Locale[],
    subject: string,
    lines: Line[],
    footer: MessageKey,
  ): MailMessage {
    const sections = locales.map((locale) => [
      ...(locales.length > 1 ? [t(locale, 'mail.approval.otherLanguage')] : []),
      ...lines.map((line) => t(locale, line.key, line.params)),
      t(locale, footer),
    ]);
    return {
      id,
      claimId,
      to,
      subject,
      text: sections.map((s) => s.join('\n\n')).join(TEXT_SECTION_SEPARATOR),
      html: mailHtml(
        subject,
        sections.map((s, i) => [`<div lang="${locales[i]}">`, ...s.map((p) => `<p>${this.linkGuide(escapeHtml(p))}</p>`), '</div>'].join('\n')),
      ),
    };
  }

  /** The incentive guide's address (configured, not typed by a person) as a link in the HTML part. */
  private linkGuide(html: string): string {
    const url = escapeHtml(this.deps.config.incentiveGuideUrl);
    return html.split(url).join(`<a href="${url}">${url}</a>`);
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
