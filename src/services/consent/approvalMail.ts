import type { Claim } from '../../domain/claim';
import type { OutboxEntry } from '../../domain/claimNotifications';
import type { BusinessCalendar } from '../../domain/businessCalendar';
import { deadlineParam, instantParam } from '../../domain/claimLifecycle';
import { productCatalogue } from '../../domain/productCatalogue';
import { formatDateTime, t, type InstantParam, type Locale, type MessageKey } from '../../i18n/locales';
import type { RosterStore } from '../../storage/rosterStore';
import type { ConsentLinks } from './consentTokens';
import type { MailMessage } from '../notifications/mailer';
import { escapeHtml } from '../../i18n/html';
import { colon, factsTable, LOCALES_IN_ORDER, mailHtml, TEXT_SECTION_SEPARATOR } from '../notifications/mailLayout';

/**
 * The e-mail a customer contact gets when a claim on their organisation is approved: who the partner
 * is, what was approved (products or subscriptions, domain, tenant), until when they may deny consent,
 * what denying means, and the consent link (no sign-in). The customer's language is unknown, so the
 * e-mail is written in English, then Chinese, each from the i18n catalogue. Every value from the claim
 * is escaped in the HTML part.
 */

const DAY_MS = 24 * 3600 * 1000;

export interface ApprovalMailDeps {
  rosters: Pick<RosterStore, 'organisation'>;
  calendar: BusinessCalendar;
  consentLinks: Pick<ConsentLinks, 'linkFor' | 'linkDays'>;
}

/** One fact line: a label (a catalogue key) and the claim's value, shown as is, or a catalogue word (the solution area), or an instant. */
interface Fact {
  label: MessageKey;
  value: string | string[] | { key: MessageKey } | InstantParam;
}

interface ApprovalFacts {
  contactName: string;
  partner: string;
  domain: string;
  facts: Fact[];
  /** Instants stay data here: each language's section writes them in its own locale. */
  consentEnds?: InstantParam;
  link: string;
  linkExpires: InstantParam;
}

/** A list as the language writes it; a catalogue word or an instant in the language; a claim value as it is. */
function factValue(locale: Locale, value: Fact['value']): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(locale === 'zh-CN' ? '、' : ', ');
  if ('instant' in value) return formatDateTime(locale, value);
  return t(locale, value.key);
}

export class ApprovalMail {
  constructor(private readonly deps: ApprovalMailDeps) {}

  /**
   * The approval e-mail for one outbox entry (the approve event). The link is signed from the entry's
   * time with the entry id as its nonce, so every try of this e-mail carries the same link.
   */
  async compose(claim: Claim, entry: OutboxEntry, id: string): Promise<MailMessage> {
    const contact = claim.fields.customerContact;
    if (!contact?.email) throw new Error(`Claim ${claim.id} has no customer contact e-mail`);
    const facts = await this.facts(claim, entry);
    const subject = LOCALES_IN_ORDER.map((locale) => t(locale, 'mail.approval.subject', { partner: facts.partner, domain: facts.domain })).join(' / ');
    return {
      id,
      claimId: claim.id,
      to: { name: contact.name, address: contact.email },
      subject,
      text: LOCALES_IN_ORDER.map((locale) => this.textPart(locale, facts)).join(TEXT_SECTION_SEPARATOR),
      html: this.html(subject, facts),
    };
  }

  private async facts(claim: Claim, entry: OutboxEntry): Promise<ApprovalFacts> {
    const f = claim.fields;
    const organisation = await this.deps.rosters.organisation(claim.orgId);
    const partner = organisation?.name ?? claim.orgId;
    const approvedAt = new Date(entry.at);
    const productName = (id: string) => productCatalogue.find(id)?.name ?? id;
    const facts: Fact[] = [
      { label: 'mail.approval.label.partner', value: partner },
      ...(f.mpnId ? [{ label: 'field.mpnId' as const, value: f.mpnId }] : []),
      ...(f.partnerContact ? [{ label: 'field.partnerContact' as const, value: `${f.partnerContact.name} <${f.partnerContact.email}>` }] : []),
      ...(f.solutionArea ? [{ label: 'field.solutionArea' as const, value: { key: `area.${f.solutionArea}` as MessageKey } }] : []),
      { label: 'field.products', value: f.products?.length ? f.products.map(productName) : '-' },
      ...(f.subscriptions?.length
        ? [{ label: 'field.subscriptions' as const, value: f.subscriptions.map((s) => `${productName(s.productId)}: ${s.subscriptionId}`) }]
        : []),
      { label: 'field.customerDomain', value: f.customerDomain ?? '-' },
      { label: 'field.customerTenantId', value: f.customerTenantId ?? '-' },
      { label: 'mail.approval.label.approvedAt', value: instantParam(this.deps, approvedAt.toISOString()) },
    ];
    // The consent period of this approval: on the claim while it runs, in the approval's history event after.
    const event = claim.history[entry.seq - 1];
    const consentEndsIso = claim.deadlines.consentEnds ?? (event?.changes.find((c) => c.field === 'deadlines.consentEnds')?.after as string | undefined);
    const consentEnds = consentEndsIso ? deadlineParam(this.deps, consentEndsIso) : undefined;
    if (consentEnds) facts.push({ label: 'mail.approval.label.consentEnds', value: consentEnds });
    facts.push({ label: 'mail.approval.label.claimId', value: claim.id });
    return {
      contactName: claim.fields.customerContact?.name || claim.fields.customerContact?.email || '',
      partner,
      domain: f.customerDomain ?? '-',
      facts,
      ...(consentEnds ? { consentEnds } : {}),
      link: this.deps.consentLinks.linkFor(claim.id, entry.id, approvedAt),
      linkExpires: instantParam(this.deps, new Date(approvedAt.getTime() + this.deps.consentLinks.linkDays * DAY_MS).toISOString()),
    };
  }

  /** The sentences of one language, in order; the facts and the link are laid out by the text and HTML parts. */
  private sentences(locale: Locale, facts: ApprovalFacts) {
    return {
      heading: t(locale, 'mail.approval.heading'),
      otherLanguage: t(locale, 'mail.approval.otherLanguage'),
      greeting: t(locale, 'mail.approval.greeting', { name: facts.contactName }),
      intro: t(locale, 'mail.approval.intro', { partner: facts.partner, domain: facts.domain }),
      factsHeading: t(locale, 'mail.approval.factsHeading'),
      facts: facts.facts.map((fact) => ({ label: t(locale, fact.label), value: factValue(locale, fact.value) })),
      decision: [
        t(locale, 'mail.approval.nothingToDo'),
        t(locale, 'mail.approval.deny', { partner: facts.partner, date: facts.consentEnds ?? '-' }),
        t(locale, 'mail.approval.denyMeans', { reason: '@reason.CustomerDecline' }),
      ],
      linkLabel: t(locale, 'mail.approval.linkLabel'),
      linkNote: t(locale, 'mail.approval.linkNote', { date: facts.linkExpires }),
      footer: t(locale, 'mail.approval.footer'),
    };
  }

  private textPart(locale: Locale, facts: ApprovalFacts): string {
    const s = this.sentences(locale, facts);
    return [
      s.heading,
      s.otherLanguage,
      '',
      s.greeting,
      '',
      s.intro,
      '',
      `${s.factsHeading}${colon(locale)}`,
      ...s.facts.map((f) => `- ${f.label}${colon(locale)}${f.value}`),
      '',
      ...s.decision,
      '',
      `${s.linkLabel}${colon(locale)}${facts.link}`,
      s.linkNote,
      '',
      s.footer,
    ].join('\n');
  }

  private html(subject: string, facts: ApprovalFacts): string {
    const e = escapeHtml;
    const sections = LOCALES_IN_ORDER.map((locale) => {
      const s = this.sentences(locale, facts);
      return [
        `<div lang="${locale}">`,
        `<h2 style="font-size:18px">${e(s.heading)}</h2>`,
        `<p style="color:#666"><em>${e(s.otherLanguage)}</em></p>`,
        `<p>${e(s.greeting)}</p>`,
        `<p>${e(s.intro)}</p>`,
        `<h3 style="font-size:15px">${e(s.factsHeading)}</h3>`,
        factsTable(s.facts),
        ...s.decision.map((line) => `<p>${e(line)}</p>`),
        `<p><a href="${e(facts.link)}" style="display:inline-block;padding:8px 16px;background:#0f6cbd;color:#fff;text-decoration:none;border-radius:4px">${e(s.linkLabel)}</a></p>`,
        `<p style="font-size:13px">${e(s.linkNote)}<br><span style="word-break:break-all;color:#666">${e(facts.link)}</span></p>`,
        `<p style="font-size:12px;color:#666">${e(s.footer)}</p>`,
        '</div>',
      ].join('\n');
    });
    return mailHtml(subject, sections);
  }
}
