import type { Claim, PoeFile, PoeFileEmail } from '../src/domain/claim';
import { formatInstant } from '../src/domain/claimLifecycle';
import { productCatalogue } from '../src/domain/productCatalogue';
import type { Locale, MessageKey } from '../src/i18n/locales';
import { literal, markdown, t, type Markdown } from '../src/i18n/teamsMarkdown';
import type { AppServices } from '../src/services/services';
import { contactLine, formatBytes, kindLabel } from './claimDialog/claimFormSteps';

/**
 * What a partner submitted, drawn the same way on the reviewers' card and on the claim's status card
 * (both only ever shown to reviewers and to the owning organisation): the customer, the program and
 * products, subscriptions, revenue-association details, contacts, the PoE files as short-lived links,
 * and the latest comments. Everything typed is shown literally.
 */

export interface Fact {
  title: string;
  value: string;
}

/**
 * A claim's name as people read it (shown literally), or "Untitled draft (CL-…)" while the partner has
 * not named it: in lists, on status cards, in history and confirmations alike. The id is never stored
 * or shown as if it were the name. As Markdown, to pass to t() without escaping it twice.
 */
export function claimLabel(locale: Locale, claim: { id: string; claimName?: string | undefined }): Markdown {
  const name = claim.claimName?.trim();
  return markdown(name ? literal(name) : t(locale, 'claim.untitled', { claimId: claim.id }));
}

/** The latest comments a card shows; the rest are in the claim's history. */
export const COMMENTS_ON_A_CARD = 5;

export function submittedFacts(claim: Claim, locale: Locale): Fact[] {
  const f = claim.fields;
  const products = (f.products ?? []).map((p) => productCatalogue.find(p)?.name ?? p);
  return [
    { title: t(locale, 'field.customerDomain'), value: literal(f.customerDomain ?? '-') },
    { title: t(locale, 'field.customerTenantId'), value: literal(f.customerTenantId ?? '-') },
    {
      title: t(locale, 'field.solutionArea'),
      value: f.solutionArea && f.activity ? `${t(locale, `area.${f.solutionArea}`)} · ${t(locale, `activity.${f.activity}` as MessageKey)}` : '-',
    },
    { title: t(locale, 'field.products'), value: literal(products.join(', ') || '-') },
    ...((f.subscriptions ?? []).length
      ? [{ title: t(locale, 'field.subscriptions'), value: literal((f.subscriptions ?? []).map((s) => s.subscriptionId).join(', ')) }]
      : []),
    ...(f.revenueAssociation
      ? [
          {
            title: t(locale, 'field.revenueAssociation'),
            value: [f.revenueAssociation.solutionSellerName, f.revenueAssociation.customerName, f.revenueAssociation.isvSolutionName].map(literal).join(' · '),
          },
        ]
      : []),
    { title: t(locale, 'field.customerContact'), value: contactLine(f.customerContact) },
    ...(f.technicalContact ? [{ title: t(locale, 'field.technicalContact'), value: contactLine(f.technicalContact) }] : []),
    { title: t(locale, 'field.partnerContact'), value: contactLine(f.partnerContact) },
  ];
}

/** Each PoE file as a read-only link that expires (POE_LINK_TTL_MINUTES), with its kind and size. */
export async function poeLinkLines(services: Pick<AppServices, 'calendar' | 'clock' | 'config' | 'poe'>, files: PoeFile[], locale: Locale): Promise<string[]> {
  const ttlMinutes = services.config.poeLinkTtlMinutes;
  const now = services.clock.now();
  return Promise.all(
    files.map(async (file) => {
      const url = await services.poe.readLink(file.blobName, { now, ttlMinutes }).catch(() => undefined);
      // Brackets would end the link's text early: the name is shown without them, the rest literally.
      const name = file.fileName.replace(/[[\]]/g, '');
      const line = url
        ? `[${literal(name)}](${url}) · ${kindLabel(file.contentType)} · ${formatBytes(file.size)}`
        : t(locale, 'review.poeUnavailable', { name });
      return file.email ? `${line}\n\n${emailLine(services, file.email, locale)}` : line;
    }),
  );
}

/**
 * A customer e-mail's sender, date and subject, as the message gives them (shown literally: the sender
 * typed them). Passed as markdown once made literal, so that a subject like "@status.Approved" is not
 * read as a catalogue reference either.
 */
export function emailLine(services: Pick<AppServices, 'calendar' | 'clock' | 'config' | 'poe'>, email: PoeFileEmail, locale: Locale): string {
  const unknown = t(locale, 'review.poeEmailUnknown');
  const from = email.fromName && email.fromAddress ? `${email.fromName} <${email.fromAddress}>` : (email.fromAddress ?? email.fromName);
  return t(locale, 'review.poeEmail', {
    from: markdown(from ? literal(from) : unknown),
    at: markdown(email.sentAt ? formatInstant(services, email.sentAt, locale) : unknown),
    subject: markdown(email.subject ? `“${literal(email.subject)}”` : unknown),
  });
}

/** The latest comments, oldest first, each with its author, role and time. */
export function commentLines(services: Pick<AppServices, 'calendar' | 'clock' | 'config' | 'poe'>, claim: Claim, locale: Locale): string[] {
  return claim.comments
    .slice(-COMMENTS_ON_A_CARD)
    .map((c) =>
      t(locale, 'review.commentLine', { name: c.author.name, role: `@role.${c.author.kind}`, at: formatInstant(services, c.at, locale), text: c.text }),
    );
}
