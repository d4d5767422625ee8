import { z } from 'zod';
import { ACTIVITIES_BY_AREA, ACTIVITIES, SOLUTION_AREAS, productCatalogue, type ProductCatalogue } from './productCatalogue';
import type { Message, MessageKey } from '../i18n/locales';
import { hasMessage, ref } from '../i18n/locales';
import { programOf } from './incentivePrograms';

/**
 * The fields of a claim (docs/claim-rules.md, "What a claim holds") and their rules: formats, combinations, and one
 * message per bad field. A draft may miss fields but never holds a bad value; a submitted claim is complete.
 */

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_PATTERN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MPN_PATTERN = /^\d{6,10}$/;
const EMAIL_PATTERN = /^[^\s@"<>()[\],;:\\]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

// zod messages here are error codes, turned into sentences by the i18n catalogue.
const text = (max: number) => z.string('text').trim().min(1, 'required').max(max, 'tooLong');
const email = z
  .string('text')
  .trim()
  .min(1, 'required')
  .max(254, 'tooLong')
  .regex(EMAIL_PATTERN, 'email')
  .transform((s) => s.toLowerCase());
const guid = z
  .string('text')
  .trim()
  .min(1, 'required')
  .regex(GUID_PATTERN, 'guid')
  .transform((s) => s.toLowerCase());

export const contactSchema = z.object({ name: text(100), title: text(100), email });
export const partnerContactSchema = z.object({ name: text(100), email });
export const revenueAssociationSchema = z.object({
  solutionSellerName: text(200),
  customerName: text(200),
  isvSolutionName: text(200),
});
export const subscriptionSchema = z.object({ productId: text(64), subscriptionId: guid });

/** One schema per field: the unit that a card step or an edit validates. */
export const FIELD_SCHEMAS = {
  mpnId: z.string('text').trim().min(1, 'required').regex(MPN_PATTERN, 'mpnFormat'),
  customerDomain: z
    .string('text')
    .trim()
    .min(1, 'required')
    .transform((s) => s.toLowerCase().replace(/\.$/, ''))
    .pipe(z.string().regex(DOMAIN_PATTERN, 'domain')),
  customerTenantId: guid,
  solutionArea: z.enum(SOLUTION_AREAS, 'oneOf'),
  activity: z.enum(ACTIVITIES as [string, ...string[]], 'oneOf'),
  claimName: text(100),
  products: z.array(text(64), 'atLeastOne').min(1, 'atLeastOne'),
  subscriptions: z.array(subscriptionSchema),
  customerContact: contactSchema,
  technicalContact: contactSchema,
  partnerContact: partnerContactSchema,
  revenueAssociation: revenueAssociationSchema,
} as const;

export type ClaimFieldName = keyof typeof FIELD_SCHEMAS;
export const CLAIM_FIELD_NAMES = Object.keys(FIELD_SCHEMAS) as ClaimFieldName[];
export type ClaimFields = { [K in ClaimFieldName]: z.output<(typeof FIELD_SCHEMAS)[K]> };
/** What a draft holds: any subset of valid fields. */
export type DraftFields = Partial<ClaimFields>;

export type SolutionAreaValue = ClaimFields['solutionArea'];

/** docs/claim-rules.md: after submission only these can be edited (in Submitted and Partner action required). */
export const FIELDS_EDITABLE_AFTER_SUBMIT: readonly ClaimFieldName[] = [
  'mpnId',
  'products',
  'subscriptions',
  'customerContact',
  'technicalContact',
  'partnerContact',
];

/** Fields required on every claim at submission; the conditional ones are checked by the combination rules. */
const ALWAYS_REQUIRED: readonly ClaimFieldName[] = [
  'mpnId',
  'customerDomain',
  'customerTenantId',
  'solutionArea',
  'activity',
  'claimName',
  'products',
  'customerContact',
  'partnerContact',
];

export interface FieldError {
  /** Dotted path such as "customerContact.email" or "products". */
  field: string;
  code: string;
  params?: Record<string, string | number | readonly string[]>;
}

export interface ValidationContext {
  /** The MPN IDs of the acting partner's organisation; absent when not known (e.g. reviewer-side checks). */
  organisationMpnIds?: readonly string[];
  catalogue?: ProductCatalogue;
}

export type FieldsResult = { ok: true; fields: DraftFields } | { ok: false; errors: FieldError[]; fields: DraftFields };

function issueToError(field: ClaimFieldName, issue: z.core.$ZodIssue, raw: unknown): FieldError {
  // Array indexes are dropped: "subscriptions.subscriptionId" names the column of the bad row.
  const path = [field, ...issue.path.filter((p): p is string => typeof p === 'string')].join('.');
  const valueAtPath = issue.path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), raw);
  const knownCodes = ['required', 'text', 'tooLong', 'email', 'guid', 'domain', 'mpnFormat', 'oneOf', 'atLeastOne'];
  let code = knownCodes.includes(issue.message) ? issue.message : 'text';
  if (valueAtPath === undefined || valueAtPath === null) code = field === 'products' && path === 'products' ? 'atLeastOne' : 'required';
  const params: Record<string, string | number | readonly string[]> = {};
  if (code === 'tooLong' && issue.code === 'too_big') params.max = Number(issue.maximum);
  if (code === 'oneOf') params.allowed = field === 'solutionArea' ? SOLUTION_AREAS.map((a) => ref(`area.${a}`)) : ACTIVITIES.map((a) => ref(`activity.${a}`));
  return { field: path, code, params };
}

/**
 * Validates the fields present in `input` (unknown keys are errors), then the combination rules that
 * the present fields allow. Valid fields are returned even when others are bad, so nothing valid is lost.
 */
export function validateFields(input: Record<string, unknown>, context: ValidationContext = {}): FieldsResult {
  const errors: FieldError[] = [];
  const fields: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (!(key in FIELD_SCHEMAS)) {
      errors.push({ field: key, code: 'unknownField' });
      continue;
    }
    if (raw === undefined) continue;
    const name = key as ClaimFieldName;
    const parsed = FIELD_SCHEMAS[name].safeParse(raw);
    if (parsed.success) fields[name] = parsed.data;
    else {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const e = issueToError(name, issue, raw);
        const k = `${e.field}:${e.code}`;
        if (!seen.has(k)) errors.push(e);
        seen.add(k);
      }
    }
  }
  const draft = fields as DraftFields;
  errors.push(...combinationErrors(draft, context));
  const bad = new Set(errors.map((e) => e.field.split('.')[0]));
  for (const f of bad) delete (draft as Record<string, unknown>)[f];
  return errors.length ? { ok: false, errors, fields: draft } : { ok: true, fields: draft };
}

/** Rules between fields, checked only where the fields they need are present. */
function combinationErrors(f: DraftFields, context: ValidationContext): FieldError[] {
  const catalogue = context.catalogue ?? productCatalogue;
  const errors: FieldError[] = [];
  if (f.mpnId !== undefined && context.organisationMpnIds && !context.organisationMpnIds.includes(f.mpnId)) {
    errors.push({ field: 'mpnId', code: 'mpnNotInOrganisation', params: { value: f.mpnId, allowed: context.organisationMpnIds.join(', ') } });
  }
  if (f.solutionArea && f.activity) {
    const allowed: readonly string[] = ACTIVITIES_BY_AREA[f.solutionArea];
    if (!allowed.includes(f.activity)) {
      errors.push({
        field: 'activity',
        code: 'activityNotInArea',
        params: { area: ref(`area.${f.solutionArea}`), allowed: allowed.map((a) => ref(`activity.${a}` as MessageKey)) },
      });
    }
  }
  if (f.products) {
    const seen = new Set<string>();
    for (const id of f.products) {
      if (seen.has(id)) errors.push({ field: 'products', code: 'productDuplicate', params: { value: id } });
      seen.add(id);
      const product = catalogue.find(id);
      if (!product) errors.push({ field: 'products', code: 'productUnknown', params: { value: id } });
      else if (f.solutionArea && catalogue.areaOf(id) !== f.solutionArea) {
        errors.push({ field: 'products', code: 'productNotInArea', params: { value: product.name, area: ref(`area.${f.solutionArea}`) } });
      }
    }
  }
  if (f.subscriptions) {
    const seen = new Set<string>();
    for (const s of f.subscriptions) {
      if (seen.has(s.subscriptionId)) errors.push({ field: 'subscriptions', code: 'subscriptionDuplicate', params: { value: s.subscriptionId } });
      seen.add(s.subscriptionId);
      if (f.products && !f.products.includes(s.productId)) {
        errors.push({ field: 'subscriptions', code: 'subscriptionProductNotClaimed', params: { value: s.productId } });
      }
    }
    // Subscription IDs belong to the programs held per subscription (any of their products, not only Dynamics 365).
    if (f.subscriptions.length && programOf(f)?.unit === 'workload') {
      errors.push({ field: 'subscriptions', code: 'subscriptionsNotForWorkloads', params: { program: ref(`program.${programOf(f)!.id}`) } });
    }
  }
  if (f.revenueAssociation && f.activity && f.activity !== 'RevenueAssociation') {
    errors.push({ field: 'revenueAssociation', code: 'revenueFieldsNotAllowed' });
  }
  return errors;
}

export function claimHasDynamics365(fields: DraftFields, catalogue: ProductCatalogue = productCatalogue): boolean {
  return (fields.products ?? []).some((id) => catalogue.isDynamics365(id));
}

/** What submission adds to the field rules: every required field present, and the conditional ones. */
export function validateComplete(fields: DraftFields, context: ValidationContext = {}): FieldError[] {
  const result = validateFields(fields as Record<string, unknown>, context);
  const errors = result.ok ? [] : [...result.errors];
  const missing = (field: string, code = 'required') => errors.push({ field, code });
  for (const name of ALWAYS_REQUIRED) if (fields[name] === undefined) missing(name, name === 'products' ? 'atLeastOne' : 'required');
  if (claimHasDynamics365(fields, context.catalogue) && !fields.technicalContact) missing('technicalContact', 'technicalContactRequired');
  if (fields.activity === 'RevenueAssociation' && !fields.revenueAssociation) missing('revenueAssociation', 'revenueFieldsRequired');
  return errors;
}

/** Field errors as messages: "<field label>: <what is expected>". */
export function fieldErrorMessage(error: FieldError): Message {
  const labelKey = `field.${error.field}`;
  return {
    key: `fieldError.${error.code}` as MessageKey,
    params: { ...error.params, field: hasMessage(labelKey) ? ref(labelKey) : error.field },
  };
}
