import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docxtemplater from 'docxtemplater';
import type PizZip from 'pizzip';
import { PROJECT_ROOT } from '../../config/projectPaths';
import type { DraftFields } from '../../domain/claimFields';
import { productCatalogue, type ProductCatalogue } from '../../domain/productCatalogue';
import { hasMessage, t, type Locale } from '../../i18n/locales';
import { POE_CONTENT_TYPES } from './poeFileIntake';
import { zip } from './zipWriter';

/**
 * A proof-of-execution (PoE) template for one claim, as a .docx: the Word document of the claim's
 * language (assets/poe-template.<locale>.docx, edited in Word: docs/poe-files.md) with its
 * {placeholders} filled from the claim by docxtemplater. The partner fills in the services delivered,
 * the customer signs and dates it, and the signed copy is attached to the claim. A missing value prints
 * as a blank to fill in, never as "undefined"; docxtemplater escapes every value and never reads one
 * as a placeholder.
 */

export interface PoeTemplateInput {
  locale: Locale;
  partnerName: string;
  /** Used when the claim has no MPN ID yet; the claim's own MPN ID wins (the PoE must match the claim). */
  mpnId?: string;
  claim: { id: string; fields: DraftFields };
}

export const DOCX_CONTENT_TYPE = POE_CONTENT_TYPES.docx;
const CONTENT_TYPES_PART = '[Content_Types].xml';
/** What a missing value prints as. */
export const BLANK = '________';

export const poeTemplatePath = (locale: Locale): string => join(PROJECT_ROOT, 'assets', `poe-template.${locale}.docx`);

// Loaded on the first template asked for, not at start-up: most turns never need them.
let libraries: { Docxtemplater: typeof Docxtemplater; PizZip: typeof PizZip } | undefined;
/* eslint-disable @typescript-eslint/no-require-imports */
const templateLibraries = () => (libraries ??= { Docxtemplater: require('docxtemplater') as typeof Docxtemplater, PizZip: require('pizzip') as typeof PizZip });
/* eslint-enable @typescript-eslint/no-require-imports */

// Read once per locale: the files ship with the bot and don't change while it runs.
const templates = new Map<Locale, Buffer>();
function templateBytes(locale: Locale): Buffer {
  let bytes = templates.get(locale);
  if (!bytes) templates.set(locale, (bytes = readFileSync(poeTemplatePath(locale))));
  return bytes;
}

// Characters XML 1.0 does not allow at all (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function orBlank(value: string | undefined | null): string {
  const text = typeof value === 'string' ? value.replace(INVALID_XML_CHARS, '').trim() : '';
  return text || BLANK;
}

const label = (locale: Locale, key: string): string => (hasMessage(key) ? t(locale, key) : BLANK);

/** The values the template's placeholders name (the list is in docs/poe-files.md). */
export function poeTemplateData(input: PoeTemplateInput, catalogue: ProductCatalogue = productCatalogue): Record<string, unknown> {
  const { locale } = input;
  const f = input.claim.fields;
  const productName = (id: string) => orBlank(catalogue.find(id)?.name ?? id);
  const contact = f.customerContact;
  return {
    claimId: orBlank(input.claim.id),
    claimName: orBlank(f.claimName),
    partnerName: orBlank(input.partnerName),
    mpnId: orBlank(f.mpnId?.trim() ? f.mpnId : input.mpnId),
    customerDomain: orBlank(f.customerDomain),
    customerTenantId: orBlank(f.customerTenantId),
    solutionArea: f.solutionArea ? label(locale, `area.${f.solutionArea}`) : BLANK,
    activity: f.activity ? label(locale, `activity.${f.activity}`) : BLANK,
    products: f.products?.length ? f.products.map(productName) : [BLANK],
    subscriptions: (f.subscriptions ?? []).map((s) => ({ product: productName(s.productId), subscriptionId: orBlank(s.subscriptionId) })),
    // The subscriptions row is left out when the claim names none.
    subscriptionRow: Boolean(f.subscriptions?.length),
    contact: contact ? { name: orBlank(contact.name), title: orBlank(contact.title), email: orBlank(contact.email) } : false,
    blank: BLANK,
  };
}

/** The file name to offer for a claim's template, e.g. "PoE-CL-0001.docx" (safe on every file system). */
export function poeTemplateFileName(claimId: string): string {
  return `PoE-${claimId.replace(/[^A-Za-z0-9._-]+/g, '_') || 'claim'}.docx`;
}

/** Builds the PoE template of one claim as a .docx, in the given locale. */
export function poeTemplateDocx(input: PoeTemplateInput, catalogue: ProductCatalogue = productCatalogue): Buffer {
  const { Docxtemplater, PizZip } = templateLibraries();
  const doc = new Docxtemplater(new PizZip(templateBytes(input.locale)), {
    paragraphLoop: true,
    linebreaks: true,
    // A placeholder the data doesn't have (say, one added in Word with a typo) prints as a blank.
    nullGetter: () => BLANK,
  });
  doc.render(poeTemplateData(input, catalogue));
  // Re-packed by our ZIP writer: the same claim gives the same bytes (docxtemplater stamps the parts it
  // rewrote with the time), with no folder entries, and [Content_Types].xml first as Word writes it.
  const parts = Object.values(doc.getZip().files).filter((file) => !file.dir);
  parts.sort((a, b) => Number(b.name === CONTENT_TYPES_PART) - Number(a.name === CONTENT_TYPES_PART));
  return zip(parts.map((file) => ({ name: file.name, data: Buffer.from(file.asUint8Array()) })));
}
