import { catalogue, LOCALES, wordings, type Message, type MessageKey } from '../i18n/locales';
import { firstWholeWordMatch, wholeWordPattern, type WholeWordPattern } from './wholeWords';
import type { PoeDocument, PoeUnreadableReason } from './poeDocument';
import { findDates, monthsBefore, type FoundDate, type NumericDateOrder } from './poeDates';
import { productAliases, type ProductAliases, type ProductMention } from './productAliases';
import { productCatalogue } from './productCatalogue';
import type { InfoRequestReason } from './reasons';

/**
 * The PoE pre-check: what a reviewer looks for first, done by the bot before the partner submits.
 * One check per "Partner action required" reason, each with a verdict (passed, to check by a
 * reviewer, missing), the evidence it rests on (file, page, the words quoted) and what to fix.
 * Pure: it takes what the readers got out of the files (PoeDocument) and the claim's facts. Each
 * document is read against the facts on its own (documentFindings) and the checklist joins them
 * (checklistOf), so a claim's files need not all be read again when one is added.
 */

export const PRECHECKS = ['related', 'acknowledged', 'dated', 'described', 'products'] as const;
export type PrecheckId = (typeof PRECHECKS)[number];

/** The one place a check meets its reason: a failed check pre-fills "Request information" with it. */
export const PRECHECK_REASON: Record<PrecheckId, InfoRequestReason> = {
  related: 'MissingAllPoe',
  acknowledged: 'MissingCustomerAcknowledgment',
  dated: 'MissingOrOldDates',
  described: 'MissingPartnerSolutionDescription',
  products: 'MissingProducts',
};

export type PrecheckVerdict = 'passed' | 'toCheck' | 'missing';

export interface PrecheckEvidence {
  fileName: string;
  /** PDF pages only; a Word document or an e-mail is one text. */
  page?: number;
  /** The words as the document has them (at most QUOTE_MAX characters, on one line). */
  quote: string;
}

export interface PrecheckResult {
  check: PrecheckId;
  reason: InfoRequestReason;
  verdict: PrecheckVerdict;
  /** What was found or is missing, and how to fix it: messages of the catalogue (precheck.*). */
  findings: Message[];
  evidence: PrecheckEvidence[];
}

export interface PoeChecklist {
  results: PrecheckResult[];
  /** Files whose text could not be read, and why: a reviewer looks at them. */
  /** Files nothing could be read from, and why (an e-mail's reason is told apart: its attachments are not opened). */
  unread: { fileName: string; reason: PoeUnreadableReason; email?: true }[];
}

/** What the claim says, to compare the documents with. */
export interface PrecheckFacts {
  customerDomain?: string;
  customerTenantId?: string;
  /** Names the customer goes by (a Revenue association's customer name, the directory's name). */
  customerNames?: string[];
  partnerNames: string[];
  mpnIds: string[];
  /** E-mail domains of the partner organisation's people. */
  partnerDomains?: string[];
  /** Catalogue product ids claimed. */
  products: string[];
  /** How an ambiguous 01/03/2026 is read (the partner's locale). */
  dateOrder?: NumericDateOrder;
}

/** SPEC: the customer's acknowledgment is dated within the 12 months before submission. */
export const DATED_WITHIN_MONTHS = 12;
/** A description shorter than this (words; a Chinese character counts half) is too thin to judge. */
export const DESCRIPTION_MIN_WORDS = 15;
export const QUOTE_MAX = 120;

// ---------------------------------------------------------------------------------------------------
// Text helpers

interface Located {
  doc: PoeDocument;
  page: number;
  text: string;
}

const pagesOf = (doc: PoeDocument): Located[] => (doc.readable ? doc.pages.map((p) => ({ doc, page: p.number, text: p.text })) : []);

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The line around a match, cut to QUOTE_MAX characters around it. */
export function quoteAround(text: string, index: number, length: number): string {
  const lineStart = text.lastIndexOf('\n', index) + 1;
  const nextBreak = text.indexOf('\n', index + length);
  const lineEnd = nextBreak < 0 ? text.length : nextBreak;
  let start = lineStart;
  let end = lineEnd;
  if (end - start > QUOTE_MAX) {
    const room = Math.max(0, Math.floor((QUOTE_MAX - length) / 2));
    start = Math.max(lineStart, index - room);
    end = Math.min(lineEnd, start + Math.max(QUOTE_MAX, length));
  }
  const quote = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return (start > lineStart ? '…' : '') + quote + (end < lineEnd ? '…' : '');
}

const evidenceAt = (at: Located, index: number, length: number): PrecheckEvidence => ({
  fileName: at.doc.fileName,
  ...(at.doc.kind === 'pdf' ? { page: at.page } : {}),
  quote: quoteAround(at.text, index, length),
});

/** A term as a whole word (Latin) or as written (CJK), case-insensitive, any run of white-space between its words. */
function termPattern(term: string): WholeWordPattern {
  return wholeWordPattern(new RegExp(term.trim().split(/\s+/).map(escapeRegex).join('\\s+'), 'giu'), term);
}

function firstMention(doc: PoeDocument, terms: string[]): PrecheckEvidence | undefined {
  const patterns = terms.filter((term) => term.trim().length >= 3).map(termPattern);
  for (const at of pagesOf(doc)) {
    for (const pattern of patterns) {
      const found = firstWholeWordMatch(pattern, at.text);
      if (found) return evidenceAt(at, found.index, found.quote.length);
    }
  }
  return undefined;
}

/** The domain of an address as a message writes it: "jane@contoso.com", "Jane <jane@contoso.com>". */
const domainOf = (address: string | undefined) => {
  const all = [...(address ?? '').matchAll(/[^\s<>@"]+@([^\s<>@"]+)/g)];
  return all.length ? all[all.length - 1][1].toLowerCase().replace(/[.>]+$/, '') : undefined;
};
const isDomainOf = (host: string | undefined, domain: string | undefined) =>
  Boolean(host && domain && (host === domain.toLowerCase() || host.endsWith(`.${domain.toLowerCase()}`)));

/** Legal forms left out when a name is looked for ("Fabrikam Consulting Ltd." is named as "Fabrikam Consulting"). */
const LEGAL_FORMS = /[,.\s]+(ltd|limited|inc|incorporated|llc|plc|corp|corporation|co|company|gmbh|ag|sa|bv|pty|pte)\.?$|有限公司$|股份有限公司$/i;
const GENERIC_DOMAIN_LABELS = new Set(['mail', 'www', 'corp', 'group', 'global', 'online', 'cloud']);

/** Names the customer is known by: its domain, the domain's first label ("contoso"), its tenant ID, given names. */
function customerTerms(facts: PrecheckFacts): string[] {
  const terms = [...(facts.customerNames ?? [])];
  const domain = facts.customerDomain?.trim().toLowerCase();
  if (domain) {
    terms.push(domain);
    const label = domain.split('.')[0];
    if (label.length >= 4 && !GENERIC_DOMAIN_LABELS.has(label)) terms.push(label);
  }
  if (facts.customerTenantId) terms.push(facts.customerTenantId);
  return terms;
}

function partnerTerms(facts: PrecheckFacts): string[] {
  const names = facts.partnerNames.flatMap((n) => [n, n.replace(LEGAL_FORMS, '')]).filter((n) => n.trim().length >= 4);
  return [...new Set([...names, ...facts.mpnIds, ...(facts.partnerDomains ?? [])])];
}

// ---------------------------------------------------------------------------------------------------
// Template boilerplate: the PoE template's own instructions are no description of services.

/** The longest run of fixed words of each of the template's sentences, in both languages. */
const BOILERPLATE: string[] = LOCALES.flatMap((locale) =>
  (
    [
      'template.title',
      'template.instructions',
      'template.servicesHeading',
      'template.servicesHint',
      'template.customerStatement',
      'template.footer',
    ] as MessageKey[]
  )
    .map((key) =>
      wordings(catalogue(locale)[key]).map((text) =>
        text
          .split(/\{\w+\}/)
          .reduce((a, b) => (b.trim().length > a.length ? b.trim() : a), '')
          .toLowerCase(),
      ),
    )
    .flat(),
).filter((fragment) => fragment.length >= 6);

const isBoilerplate = (sentence: string) => {
  const lower = sentence.toLowerCase();
  return BOILERPLATE.some((fragment) => lower.includes(fragment) || (lower.length >= 12 && fragment.includes(lower)));
};

// ---------------------------------------------------------------------------------------------------
// related: the documents name the customer and the partner

/** Where one document names the customer and the partner: in its text, or by its e-mail addresses (read even when its body is not). */
interface RelatedFindings {
  customerNamed?: PrecheckEvidence;
  partnerNamed?: PrecheckEvidence;
  customerAddress?: PrecheckEvidence;
  partnerAddress?: PrecheckEvidence;
}

function relatedFindings(doc: PoeDocument, facts: PrecheckFacts): RelatedFindings {
  const found: RelatedFindings = {};
  if (doc.readable) {
    const customerNamed = firstMention(doc, customerTerms(facts));
    const partnerNamed = firstMention(doc, partnerTerms(facts));
    if (customerNamed) found.customerNamed = customerNamed;
    if (partnerNamed) found.partnerNamed = partnerNamed;
  }
  const email = doc.email;
  if (email) {
    const addresses = [email.fromAddress, ...email.to].filter((a): a is string => Boolean(a));
    const customerAddress = addresses.find((a) => isDomainOf(domainOf(a), facts.customerDomain));
    if (customerAddress) found.customerAddress = { fileName: doc.fileName, quote: customerAddress };
    const partnerAddress = addresses.find((a) => (facts.partnerDomains ?? []).some((d) => isDomainOf(domainOf(a), d)));
    if (partnerAddress) found.partnerAddress = { fileName: doc.fileName, quote: partnerAddress };
  }
  return found;
}

function checkRelated(docs: DocumentFindings[], facts: PrecheckFacts): Omit<PrecheckResult, 'check' | 'reason'> {
  const readable = docs.filter((d) => d.readable);
  // Named in a text first; an e-mail address only where no text names them.
  const customer = readable.find((d) => d.customerNamed)?.customerNamed ?? docs.find((d) => d.customerAddress)?.customerAddress;
  const partner = readable.find((d) => d.partnerNamed)?.partnerNamed ?? docs.find((d) => d.partnerAddress)?.partnerAddress;
  const evidence = [customer, partner].filter((e): e is PrecheckEvidence => Boolean(e));
  if (customer && partner) return { verdict: 'passed', findings: [{ key: 'precheck.related.passed' }], evidence };
  if (!readable.length && !evidence.length) return notRead(docs);
  if (customer)
    return {
      verdict: 'toCheck',
      findings: [{ key: 'precheck.related.partnerNotNamed', params: { partner: facts.partnerNames[0] ?? '', mpnId: facts.mpnIds[0] ?? '' } }],
      evidence,
    };
  if (partner)
    return { verdict: 'toCheck', findings: [{ key: 'precheck.related.customerNotNamed', params: { domain: facts.customerDomain ?? '' } }], evidence };
  if (docs.some((d) => !d.readable)) return { verdict: 'toCheck', findings: [{ key: 'precheck.related.unrelated' }, { key: 'precheck.notRead' }], evidence };
  return { verdict: 'missing', findings: [{ key: 'precheck.related.unrelated' }], evidence };
}

function notRead(docs: DocumentFindings[]): Omit<PrecheckResult, 'check' | 'reason'> {
  if (!docs.length) return { verdict: 'missing', findings: [{ key: 'precheck.noPoe' }], evidence: [] };
  return { verdict: 'toCheck', findings: [{ key: 'precheck.notRead' }], evidence: [] };
}

// ---------------------------------------------------------------------------------------------------
// acknowledged: the customer signed (digitally or in a filled block with name and date) or approved by e-mail

type BlockLabel = 'signature' | 'name' | 'date' | 'title';

/** Labels of a signature block, tried in this order ("Signed on" is a date, "签署人" a name). */
const LABELS: { label: BlockLabel; regex: RegExp }[] = [
  { label: 'date', regex: /^(date(\s+signed)?|signed\s+on|signing\s+date)(?![\p{L}])|^(日期|签署日期|签字日期)/iu },
  { label: 'name', regex: /^((customer|printed|full|signatory|partner\s+representative)\s+)?name(?![\p{L}])|^(客户)?姓名|^签署人|^合作伙伴代表姓名/iu },
  { label: 'signature', regex: /^(signature|signed(\s+by)?|sign\s+here|authori[sz]ed\s+signature)(?![\p{L}])|^(签名|签字|签章|盖章|签署)/iu },
  { label: 'title', regex: /^(title|position|job\s+title)(?![\p{L}])|^(职务|职位)/iu },
];
const SEPARATORS = /^[\s:：_.\-–—=]*/;
const FILLED = /[\p{L}\p{N}]{2,}|[\u3400-\u9fff]/u;
/**
 * Words that open one party's block: "Customer acknowledgment", "Customer name", "Partner signature",
 * "合作伙伴代表". Narrow on purpose: a customer whose title is "Partner Manager" is still the customer.
 */
const PARTY_WORDS =
  /((?:customer|client)(?:'s)?\s+(?:acknowledg|approv|confirm|sign|name|representative|contact)|客户(?:确认|签|姓名|代表|盖章))|((?:partner|supplier|vendor)(?:'s)?\s+(?:sign|representative|name|confirm)|合作伙伴(?:签|代表|确认)|供应商(?:签|代表))/gi;

interface BlockValue {
  label: BlockLabel;
  value: string;
  at: Located;
  index: number;
  length: number;
  party: 'customer' | 'partner';
}

function labelOf(line: string): { label: BlockLabel; rest: string } | undefined {
  const trimmed = line.trim();
  for (const { label, regex } of LABELS) {
    const m = regex.exec(trimmed);
    if (m)
      return {
        label,
        rest: trimmed
          .slice(m[0].length)
          .replace(SEPARATORS, '')
          .replace(/[_\s]+$/, ''),
      };
  }
  return undefined;
}

/** Whose block a label is in: the party word closest before it (on its line or in the 400 characters above). */
function partyBefore(text: string, index: number, line: string): 'customer' | 'partner' {
  const window = `${text.slice(Math.max(0, index - 400), index)}\n${line}`;
  let party: 'customer' | 'partner' = 'customer';
  for (const m of window.matchAll(PARTY_WORDS)) party = m[1] ? 'customer' : 'partner';
  return party;
}

/** Label/value pairs of signature blocks: "Signature: Jane Doe", or the label on one line and the value on the next. */
function signatureBlocks(at: Located): BlockValue[] {
  const values: BlockValue[] = [];
  const lines = at.text.split('\n');
  let offset = 0;
  for (let i = 0; i < lines.length; offset += lines[i].length + 1, i += 1) {
    const line = lines[i];
    // Only short lines are labels: a sentence mentioning "signature" is not a signature block.
    if (line.trim().length > 80) continue;
    const found = labelOf(line);
    if (!found) continue;
    let value = found.rest;
    let valueLine = line;
    let valueOffset = offset;
    if (!FILLED.test(value)) {
      value = '';
      // The value may be in the next non-empty line (a table cell), unless that line is another label.
      let j = i + 1;
      let next = offset + line.length + 1;
      while (j < lines.length && !lines[j].replace(/[_\s]/g, '') && j <= i + 2) {
        next += lines[j].length + 1;
        j += 1;
      }
      if (j < lines.length && j <= i + 2 && !labelOf(lines[j]) && lines[j].trim().length <= 80) {
        const candidate = lines[j].trim().replace(/^[_\s]+|[_\s]+$/g, '');
        if (FILLED.test(candidate)) {
          value = candidate;
          valueLine = lines[j];
          valueOffset = next;
        }
      }
    }
    const index = valueOffset + Math.max(0, valueLine.indexOf(value || line.trim()));
    values.push({ label: found.label, value, at, index, length: (value || line.trim()).length, party: partyBefore(at.text, offset, line) });
  }
  return values;
}

interface Acknowledgment {
  verdict: PrecheckVerdict;
  findings: Message[];
  evidence: PrecheckEvidence[];
  /** The acknowledgment's dates, for the dated check. */
  dates: DatedEvidence[];
}

/** A date with where it was written; `alternative` is the other reading of an ambiguous 01/03/2026. */
interface DatedEvidence {
  iso: string;
  alternative?: string;
  evidence: PrecheckEvidence;
}

const APPROVAL_WORDS =
  /\b(approve[sd]?|approval|confirm(s|ed)?|agree[sd]?|acknowledge[sd]?|accept(s|ed)?|sign(s|ed)?\s+off|authori[sz]e[sd]?)\b|同意|确认|批准|认可|核准|授权/i;

function emailAcknowledgment(doc: PoeDocument, facts: PrecheckFacts): Acknowledgment | undefined {
  const email = doc.email;
  if (!email) return undefined;
  const fromCustomer = isDomainOf(domainOf(email.fromAddress), facts.customerDomain);
  const body = doc.pages.map((p) => p.text).join('\n');
  const approval = APPROVAL_WORDS.exec(body);
  const sender = `${email.fromName ? `${email.fromName} ` : ''}<${email.fromAddress ?? ''}>`;
  if (fromCustomer && approval) {
    const at: Located = { doc, page: 1, text: body };
    const evidence = [{ fileName: doc.fileName, quote: sender }, evidenceAt(at, approval.index, approval[0].length)];
    const dates = email.sentAt ? [{ iso: email.sentAt.slice(0, 10), evidence: { fileName: doc.fileName, quote: email.sentAt } }] : [];
    return { verdict: 'passed', findings: [{ key: 'precheck.acknowledged.email', params: { sender: email.fromAddress ?? '' } }], evidence, dates };
  }
  if (fromCustomer)
    return {
      verdict: 'toCheck',
      findings: [{ key: 'precheck.acknowledged.emailNoApproval', params: { sender: email.fromAddress ?? '' } }],
      evidence: [{ fileName: doc.fileName, quote: sender }],
      dates: [],
    };
  return {
    verdict: 'missing',
    findings: [{ key: 'precheck.acknowledged.emailNotFromCustomer', params: { sender: email.fromAddress ?? '', domain: facts.customerDomain ?? '' } }],
    evidence: [{ fileName: doc.fileName, quote: sender }],
    dates: [],
  };
}

function documentAcknowledgment(doc: PoeDocument, facts: PrecheckFacts): Acknowledgment | undefined {
  const fromEmail = emailAcknowledgment(doc, facts);
  if (fromEmail?.verdict === 'passed') return fromEmail;
  const digital = doc.signatures.filter((s) => s.signer || s.signedAt || s.field);
  if (digital.length) {
    const evidence = digital.map((s) => ({
      fileName: doc.fileName,
      ...(s.page ? { page: s.page } : {}),
      quote: [s.signer, s.signedAt].filter(Boolean).join(', ') || s.field || '',
    }));
    const dates = digital.filter((s) => s.signedAt).map((s, i) => ({ iso: s.signedAt!.slice(0, 10), evidence: evidence[i] }));
    return {
      verdict: 'passed',
      findings: [{ key: 'precheck.acknowledged.digital', params: { signers: digital.map((s) => s.signer ?? s.field ?? '').filter(Boolean) } }],
      evidence,
      dates,
    };
  }
  // Form fields (a fillable PDF) read like a block: field name as label, value as value.
  const fieldText = doc.formFields
    .filter((f) => f.value.trim())
    .map((f) => `${f.name}: ${f.value}`)
    .join('\n');
  const located = [...pagesOf(doc), ...(fieldText ? [{ doc, page: doc.formFields[0]?.page ?? 1, text: fieldText }] : [])];
  const block = located.flatMap(signatureBlocks).filter((v) => v.party === 'customer');
  if (!block.length) return fromEmail;
  const filled = (label: BlockLabel) => block.find((v) => v.label === label && v.value);
  const signature = filled('signature');
  const name = filled('name');
  const dateValues = block
    .filter((v) => (v.label === 'date' || v.label === 'signature') && v.value)
    .flatMap((v) => findDates(v.value, facts.dateOrder).map((d) => ({ d, v })));
  const evidenceOf = (v: BlockValue) => evidenceAt(v.at, v.index, v.length);
  const dates = dateValues.map(({ d, v }) => ({ iso: d.iso, ...(d.alternative ? { alternative: d.alternative } : {}), evidence: evidenceOf(v) }));
  const evidence = [signature, name, dateValues[0]?.v].filter((v): v is BlockValue => Boolean(v)).map(evidenceOf);
  // A typed signature is a name too: "Signature: Jane Doe" with a date is a filled block.
  const signatureNames = Boolean(
    signature && /\p{L}{2,}|[\u3400-\u9fff]/u.test(findDates(signature.value, facts.dateOrder).reduce((v, d) => v.replace(d.quote, ''), signature.value)),
  );
  if (signature && dates.length && (name || signatureNames)) {
    return { verdict: 'passed', findings: [{ key: 'precheck.acknowledged.signed' }], evidence, dates };
  }
  if (signature || (name && dates.length)) {
    const missing = [...(signature ? [] : ['signature']), ...(name || signature ? [] : ['name']), ...(dates.length ? [] : ['date'])];
    return {
      verdict: 'toCheck',
      findings: [{ key: 'precheck.acknowledged.incomplete', params: { missing: missing.map((m) => `@precheck.part.${m}`) } }],
      evidence,
      dates,
    };
  }
  return {
    verdict: 'missing',
    findings: [{ key: 'precheck.acknowledged.blank' }],
    evidence: block
      .filter((v) => v.label === 'signature')
      .slice(0, 1)
      .map(evidenceOf),
    dates: [],
  };
}

function checkAcknowledged(docs: DocumentFindings[]): Acknowledgment {
  const readable = docs.filter((d) => d.readable);
  const found = readable.map((d) => d.acknowledgment).filter((a): a is Acknowledgment => Boolean(a));
  // The documents that gave this verdict, their findings, evidence and dates together.
  const joined = (verdict: 'passed' | 'toCheck'): Acknowledgment | undefined => {
    const those = found.filter((a) => a.verdict === verdict);
    if (!those.length) return undefined;
    return { verdict, findings: those.flatMap((a) => a.findings), evidence: those.flatMap((a) => a.evidence), dates: those.flatMap((a) => a.dates) };
  };
  const passed = joined('passed');
  if (passed) return passed;
  const partial = joined('toCheck');
  if (partial) return partial;
  const unread = docs.some((d) => !d.readable);
  if (!readable.length) return { ...notRead(docs), dates: [] };
  const findings: Message[] = found.length ? found.flatMap((a) => a.findings) : [{ key: 'precheck.acknowledged.none' }];
  if (unread) return { verdict: 'toCheck', findings: [...findings, { key: 'precheck.notRead' }], evidence: found.flatMap((a) => a.evidence), dates: [] };
  return { verdict: 'missing', findings, evidence: found.flatMap((a) => a.evidence), dates: [] };
}

// ---------------------------------------------------------------------------------------------------
// dated: the latest acknowledgment is within the 12 months before submission

function checkDated(docs: DocumentFindings[], ack: Acknowledgment, submittedDay: string): Omit<PrecheckResult, 'check' | 'reason'> {
  const from = monthsBefore(submittedDay, DATED_WITHIN_MONTHS);
  const latestAllowed = dayAfter(submittedDay);
  const window = { from, to: submittedDay };
  const judge = (latest: DatedEvidence, kind: 'acknowledgment' | 'document'): Omit<PrecheckResult, 'check' | 'reason'> => {
    const params = { date: latest.iso, ...window };
    // 01/03/2026 read the other way round may be judged otherwise: then a person decides.
    if (
      latest.alternative &&
      judge({ iso: latest.alternative, evidence: latest.evidence }, kind).verdict !== judge({ iso: latest.iso, evidence: latest.evidence }, kind).verdict
    ) {
      return {
        verdict: 'toCheck',
        findings: [{ key: 'precheck.dated.ambiguous', params: { ...params, other: latest.alternative } }],
        evidence: [latest.evidence],
      };
    }
    if (latest.iso < from) return { verdict: 'missing', findings: [{ key: 'precheck.dated.old', params }], evidence: [latest.evidence] };
    if (latest.iso > latestAllowed) return { verdict: 'toCheck', findings: [{ key: 'precheck.dated.future', params }], evidence: [latest.evidence] };
    if (kind === 'document') return { verdict: 'toCheck', findings: [{ key: 'precheck.dated.notAcknowledgment', params }], evidence: [latest.evidence] };
    return { verdict: 'passed', findings: [{ key: 'precheck.dated.passed', params }], evidence: [latest.evidence] };
  };
  const latestOf = <T extends { iso: string }>(dates: T[]) => dates.reduce<T | undefined>((a, b) => (!a || b.iso > a.iso ? b : a), undefined);
  const acknowledged = latestOf(ack.dates);
  if (acknowledged) return judge(acknowledged, 'acknowledgment');
  const readable = docs.filter((d) => d.readable);
  if (!readable.length) return notRead(docs);
  const written = readable.flatMap((d) => d.written);
  const latest = latestOf(written.filter((d) => d.iso <= latestAllowed)) ?? latestOf(written);
  if (latest) return judge(latest, 'document');
  if (docs.some((d) => !d.readable))
    return { verdict: 'toCheck', findings: [{ key: 'precheck.dated.none', params: window }, { key: 'precheck.notRead' }], evidence: [] };
  return { verdict: 'missing', findings: [{ key: 'precheck.dated.none', params: window }], evidence: [] };
}

/** Every date one document has written, and its e-mail's date: judged when no acknowledgment is dated. */
function writtenDates(doc: PoeDocument, facts: PrecheckFacts): DatedEvidence[] {
  const written: DatedEvidence[] = [];
  for (const at of pagesOf(doc)) {
    for (const d of findDates(at.text, facts.dateOrder))
      written.push({ iso: d.iso, ...(d.alternative ? { alternative: d.alternative } : {}), evidence: evidenceAt(at, d.index, d.quote.length) });
  }
  if (doc.email?.sentAt) written.push({ iso: doc.email.sentAt.slice(0, 10), evidence: { fileName: doc.fileName, quote: doc.email.sentAt } });
  return written;
}

function dayAfter(isoDay: string): string {
  const next = new Date(`${isoDay}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------
// described: a description of the partner's services of reasonable length

/** Words that describe delivered work, in English and Chinese. */
const SERVICE_WORDS =
  /\b(deploy|migrat|implement|configur|install|roll(ed)?[\s-]?out|set\s?up|train|onboard|integrat|design|assess|pilot|adopt|enabl|upgrad|provision|buil[dt]|develop|automat|consult|workshop|deliver|manag|support|optimi[sz]|secur|licens)\w*|部署|迁移|实施|配置|安装|上线|培训|集成|设计|评估|试点|开发|自动化|咨询|交付|运维|支持|优化|升级|推广|搭建/i;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * Words (runs of letters and digits, Latin and other scripts) plus half the CJK characters: 15 "words" is a
 * sentence or two in either language. A CJK character ends a word. One pass, the usual letters and digits
 * told without a pattern: every sentence of every page is counted.
 */
export function wordCount(text: string): number {
  let words = 0;
  let cjk = 0;
  let inWord = false;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0x3400 && code <= 0x9fff) {
      cjk += 1;
      inWord = false;
      continue;
    }
    const wordChar = code < 0x80 ? (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) : LETTER_OR_DIGIT.test(char);
    if (wordChar && !inWord) words += 1;
    inWord = wordChar;
  }
  return words + cjk / 2;
}

/** How much of one document describes work done, and its first sentences that do. */
interface DescribedFindings {
  words: number;
  /** At most two sentences. */
  evidence: PrecheckEvidence[];
}

function describedFindings(doc: PoeDocument, facts: PrecheckFacts, aliases: ProductAliases): DescribedFindings {
  // Names are no description: "Fabrikam Consulting" or "Supply Chain Management" says nothing of work done.
  const names = [...partnerTerms(facts), ...(facts.customerNames ?? [])]
    .filter((n) => n.trim().length >= 3)
    .map((n) => new RegExp(escapeRegex(n.trim()), 'gi'));
  /** The text with every product and party name blanked out (same length, so indexes still match). */
  const withoutNames = (text: string, products: ProductMention[]) => {
    const parts: string[] = [];
    let at = 0;
    for (const mention of products) {
      parts.push(text.slice(at, mention.index), ' '.repeat(mention.quote.length));
      at = mention.index + mention.quote.length;
    }
    parts.push(text.slice(at));
    return names.reduce((t, n) => t.replace(n, (found) => ' '.repeat(found.length)), parts.join(''));
  };
  let words = 0;
  const evidence: PrecheckEvidence[] = [];
  for (const at of pagesOf(doc)) {
    const text = joinWrappedLines(at.text);
    // Joining wrapped lines keeps every index, and a product name matches across a line break as across
    // a space: the page's mentions, found once for the products check too, fit this text.
    const masked = withoutNames(text, aliases.mentions(at.text));
    for (const m of text.matchAll(/[^.!?。！？；;\n]+[.!?。！？；;]?/g)) {
      const sentence = m[0].trim();
      if (!SERVICE_WORDS.test(masked.slice(m.index, m.index + m[0].length))) continue;
      const count = wordCount(sentence);
      if (count < 4 || isBoilerplate(sentence)) continue;
      words += count;
      if (evidence.length < 2) evidence.push(evidenceAt({ ...at, text }, m.index + m[0].indexOf(sentence), sentence.length));
    }
  }
  return { words, evidence };
}

/** A line at least this long that ends without punctuation was wrapped by the layout. */
const WRAPPED_LINE_MIN = 50;
const SENTENCE_ENDS = new Set([...'.!?。！？；;:：']);

/**
 * The page's text with each line the layout wrapped joined to the next by a space, so that sentences end at
 * . ! ? 。！？; or after a short line (a heading, a label, a table cell, a list item), and a long line that ends
 * without punctuation goes on (unless the next line is empty or starts with a space). Same length as the text.
 * One pass over the lines: a pattern that said the same cost some 35 times as much (it tried every position of
 * every line), about 0.16 ms on each page of every document read against new facts.
 */
export function joinWrappedLines(text: string): string {
  const lines = text.split('\n');
  let joined = lines[0];
  for (let i = 1; i < lines.length; i++) {
    const before = lines[i - 1];
    const wrapped = before.length >= WRAPPED_LINE_MIN && !SENTENCE_ENDS.has(before[before.length - 1]) && /^\S/.test(lines[i]);
    joined += (wrapped ? ' ' : '\n') + lines[i];
  }
  return joined;
}

function checkDescribed(docs: DocumentFindings[]): Omit<PrecheckResult, 'check' | 'reason'> {
  const readable = docs.filter((d) => d.readable);
  if (!readable.length) return notRead(docs);
  const words = readable.reduce((sum, d) => sum + d.described.words, 0);
  const evidence = readable.flatMap((d) => d.described.evidence).slice(0, 2);
  const params = { words: Math.floor(words), min: DESCRIPTION_MIN_WORDS };
  if (words >= DESCRIPTION_MIN_WORDS) return { verdict: 'passed', findings: [{ key: 'precheck.described.passed', params }], evidence };
  if (words > 0) return { verdict: 'toCheck', findings: [{ key: 'precheck.described.short', params }], evidence };
  if (docs.some((d) => !d.readable)) return { verdict: 'toCheck', findings: [{ key: 'precheck.described.none' }, { key: 'precheck.notRead' }], evidence };
  return { verdict: 'missing', findings: [{ key: 'precheck.described.none' }], evidence };
}

// ---------------------------------------------------------------------------------------------------
// products: every claimed product is named (catalogue name or an alias)

/** Every product one document names, with its first mention: whatever the claim claims, so that changing the products reads nothing again. */
function productsNamed(doc: PoeDocument, aliases: ProductAliases): [string, PrecheckEvidence][] {
  const named = new Map<string, PrecheckEvidence>();
  for (const at of pagesOf(doc)) {
    for (const mention of aliases.mentions(at.text)) {
      if (!named.has(mention.productId)) named.set(mention.productId, evidenceAt(at, mention.index, mention.quote.length));
    }
  }
  return [...named];
}

function checkProducts(docs: DocumentFindings[], facts: PrecheckFacts, aliases: ProductAliases): Omit<PrecheckResult, 'check' | 'reason'> {
  const readable = docs.filter((d) => d.readable);
  if (!readable.length) return notRead(docs);
  const named = new Map<string, PrecheckEvidence>();
  for (const doc of readable) {
    for (const [productId, evidence] of doc.products) if (!named.has(productId)) named.set(productId, evidence);
  }
  const claimed = [...new Set(facts.products)];
  const nameOf = (id: string) => productCatalogue.find(id)?.name ?? id;
  const missing = claimed.filter((id) => !named.has(id));
  const evidence = claimed.filter((id) => named.has(id)).map((id) => named.get(id)!);
  if (!claimed.length) return { verdict: 'toCheck', findings: [{ key: 'precheck.products.noneClaimed' }], evidence: [] };
  if (!missing.length) return { verdict: 'passed', findings: [{ key: 'precheck.products.passed', params: { products: claimed.map(nameOf) } }], evidence };
  const finding: Message = {
    key: 'precheck.products.notNamed',
    params: { products: missing.map(nameOf), aliases: missing.map((id) => aliases.namesOf(id).slice(0, 3).join(' / ')) },
  };
  if (docs.some((d) => !d.readable)) return { verdict: 'toCheck', findings: [finding, { key: 'precheck.notRead' }], evidence };
  return { verdict: 'missing', findings: [finding], evidence };
}

// ---------------------------------------------------------------------------------------------------
// One document at a time, then the checklist

/**
 * What the rules learn from one document against the claim's facts. The checklist joins these, so a
 * file added to a claim is the only one read again (PoePrecheckService keeps them per file); they do not
 * depend on which products are claimed or when, so those can change without reading anything again.
 */
export interface DocumentFindings extends RelatedFindings {
  readable: boolean;
  unread?: PoeChecklist['unread'][number];
  acknowledgment?: Acknowledgment;
  written: DatedEvidence[];
  described: DescribedFindings;
  products: [string, PrecheckEvidence][];
}

/** The facts a document's findings depend on, as one string: the same key, the same findings (products and submission time aside). */
export function findingsKey(facts: PrecheckFacts): string {
  const { products: _products, ...rest } = facts;
  return JSON.stringify(rest);
}

export function documentFindings(document: PoeDocument, facts: PrecheckFacts, aliases: ProductAliases = productAliases): DocumentFindings {
  // An e-mail's subject is part of what it says ("Re: Teams rollout - approved").
  const doc =
    document.email?.subject && document.readable
      ? { ...document, pages: [{ number: 1, text: `${document.email.subject}\n${document.pages.map((p) => p.text).join('\n')}` }] }
      : document;
  const related = relatedFindings(doc, facts);
  if (!doc.readable)
    return {
      ...related,
      readable: false,
      unread: { fileName: doc.fileName, reason: doc.unreadable ?? 'unsupported', ...(doc.kind === 'email' ? { email: true as const } : {}) },
      written: [],
      described: { words: 0, evidence: [] },
      products: [],
    };
  const acknowledgment = documentAcknowledgment(doc, facts);
  return {
    ...related,
    readable: true,
    ...(acknowledgment ? { acknowledgment } : {}),
    written: writtenDates(doc, facts),
    described: describedFindings(doc, facts, aliases),
    products: productsNamed(doc, aliases),
  };
}

/** The checklist of a claim's documents, each already read against the facts (documentFindings), for a claim submitted (or to be) at `submittedAt`. */
export function checklistOf(
  documents: DocumentFindings[],
  facts: PrecheckFacts,
  submittedAt: Date | string,
  aliases: ProductAliases = productAliases,
): PoeChecklist {
  const submittedDay = (typeof submittedAt === 'string' ? submittedAt : submittedAt.toISOString()).slice(0, 10);
  const ack = checkAcknowledged(documents);
  const { dates: _dates, ...acknowledged } = ack;
  const results: Record<PrecheckId, Omit<PrecheckResult, 'check' | 'reason'>> = {
    related: checkRelated(documents, facts),
    acknowledged,
    dated: checkDated(documents, ack, submittedDay),
    described: checkDescribed(documents),
    products: checkProducts(documents, facts, aliases),
  };
  return {
    results: PRECHECKS.map((check) => ({ check, reason: PRECHECK_REASON[check], ...results[check] })),
    unread: documents.flatMap((d) => (d.unread ? [d.unread] : [])),
  };
}

/** The checklist of a claim's PoE documents against its facts, for a claim submitted (or to be submitted) at `submittedAt`. */
export function precheckPoe(
  documents: PoeDocument[],
  facts: PrecheckFacts,
  submittedAt: Date | string,
  aliases: ProductAliases = productAliases,
): PoeChecklist {
  return checklistOf(
    documents.map((d) => documentFindings(d, facts, aliases)),
    facts,
    submittedAt,
    aliases,
  );
}

/** The reasons whose checks did not pass: what "Request information" starts with. */
export function failedReasons(checklist: PoeChecklist): InfoRequestReason[] {
  return checklist.results.filter((r) => r.verdict !== 'passed').map((r) => r.reason);
}

/** The checklist as a decision's history keeps it: the verdict per check and the files not read, or "still reading". */
export type ChecklistShown = { verdicts: Record<PrecheckId, PrecheckVerdict>; unread: string[] } | { pending: true };

export function checklistShown(checklist: PoeChecklist | undefined): ChecklistShown {
  if (!checklist) return { pending: true };
  return {
    verdicts: Object.fromEntries(checklist.results.map((r) => [r.check, r.verdict])) as Record<PrecheckId, PrecheckVerdict>,
    unread: checklist.unread.map((u) => u.fileName),
  };
}

export type { FoundDate };
