import { MAX_POE_FILES, type Claim } from '../../src/domain/claim';
import { claimHasDynamics365, type FieldError } from '../../src/domain/claimFields';
import { programOf } from '../../src/domain/incentivePrograms';
import { ACTIVITIES_BY_AREA, productCatalogue, SOLUTION_AREAS, type Activity, type SolutionArea } from '../../src/domain/productCatalogue';
import type { Organisation } from '../../src/domain/roster';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
import { literal, markdown, t } from '../../src/i18n/teamsMarkdown';

/**
 * The steps of "create a customer association" as card forms: which inputs each shows (prefilled with
 * what the draft holds, or with what the partner typed when it was refused), and how a card submit
 * becomes claim field changes. The rules themselves stay in the domain: this only maps inputs.
 */

export const FORM_STEPS = ['customer', 'area', 'revenue', 'products', 'subscriptions', 'contacts', 'poe', 'comment'] as const;
export type FormStepId = (typeof FORM_STEPS)[number];
export type StepId = FormStepId | 'summary' | 'cancel' | 'resume';

/** Sections of the summary, each with an Edit button that reopens its steps. */
export const SECTION_OF: Record<FormStepId, FormStepId> = {
  customer: 'customer',
  area: 'area',
  revenue: 'area',
  products: 'products',
  subscriptions: 'products',
  contacts: 'contacts',
  poe: 'poe',
  comment: 'comment',
};

export interface StepContext {
  locale: Locale;
  claim: Claim;
  organisation: Organisation;
  partnerUser: { name: string; email: string };
  /** Products of a subscription-keyed program of which the customer has several subscriptions (from the customer directory). */
  needsSubscriptionIds: string[];
  maxPoeMegabytes: number;
  /** Editing a submitted claim: only MPN ID, products/subscriptions and contacts may change (docs/claim-rules.md). */
  amend: boolean;
}

export interface FormField {
  kind: 'text' | 'choice' | 'heading' | 'note';
  id: string;
  label: string;
  value: string;
  placeholder: string;
  multiline: boolean;
  maxLength: number;
  multi: boolean;
  choices: { title: string; value: string }[];
  /** Teams blocks a submit that leaves it empty (the step's parse still checks, for other clients). */
  required: boolean;
}

export interface ParsedStep {
  /** Claim field changes as typed (valid or not; the domain validates them). */
  changes: Record<string, unknown>;
  /** Fields the step needs that were left empty. */
  missing: FieldError[];
  /** What the partner typed, kept to show again if something is refused. */
  raw: Record<string, string>;
}

export type RawInput = Record<string, string>;

/** The fields as they would be after a step's changes (null clears a field). */
export function withChanges<F extends object>(fields: F, changes: Record<string, unknown>): F {
  const merged = { ...fields } as Record<string, unknown>;
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged as F;
}

const label = (locale: Locale, key: string) => t(locale, `field.${key}` as MessageKey);

function text(id: string, labelText: string, value: string | undefined, options: Partial<FormField> = {}): FormField {
  return {
    kind: 'text',
    id,
    label: labelText,
    value: value ?? '',
    placeholder: '',
    multiline: false,
    maxLength: 200,
    multi: false,
    choices: [],
    required: true,
    ...options,
  };
}

function choice(id: string, labelText: string, value: string | undefined, choices: FormField['choices'], multi = false): FormField {
  return { kind: 'choice', id, label: labelText, value: value ?? '', placeholder: '', multiline: false, maxLength: 0, multi, choices, required: true };
}

function note(id: string, labelText: string, kind: 'note' | 'heading' = 'note'): FormField {
  return { kind, id, label: labelText, value: '', placeholder: '', multiline: false, maxLength: 0, multi: false, choices: [], required: false };
}

/** A submitted input as a trimmed string ("" when absent). */
export function inputString(value: Record<string, unknown>, id: string): string {
  const v = value[id];
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

const AREA_ACTIVITY_SEPARATOR = '|';

/** The valid solution area + activity combinations, as one choice each: an invalid combination can't be picked. */
export function areaActivityChoices(locale: Locale): FormField['choices'] {
  return SOLUTION_AREAS.flatMap((area) =>
    (ACTIVITIES_BY_AREA[area] as readonly Activity[]).map((activity) => ({
      title: `${t(locale, `area.${area}`)} · ${t(locale, `activity.${activity}`)}`,
      value: `${area}${AREA_ACTIVITY_SEPARATOR}${activity}`,
    })),
  );
}

const contactParts = { customerContact: ['name', 'title', 'email'], technicalContact: ['name', 'title', 'email'], partnerContact: ['name', 'email'] } as const;

export interface FormStep {
  id: FormStepId;
  applies(ctx: StepContext): boolean;
  fields(ctx: StepContext, raw: RawInput): FormField[];
  parse(value: Record<string, unknown>, ctx: StepContext): ParsedStep;
}

function missingIfEmpty(raw: RawInput, ids: [string, string][]): FieldError[] {
  return ids.filter(([inputId]) => !raw[inputId]).map(([, field]) => ({ field, code: 'required' }));
}

const STEP_DEFINITIONS: Record<FormStepId, FormStep> = {
  customer: {
    id: 'customer',
    applies: () => true,
    fields(ctx, raw) {
      const f = ctx.claim.fields;
      const mpn = choice(
        'mpnId',
        label(ctx.locale, 'mpnId'),
        raw.mpnId ?? f.mpnId ?? (ctx.organisation.mpnIds.length === 1 ? ctx.organisation.mpnIds[0].id : ''),
        ctx.organisation.mpnIds.map((m) => ({ title: `${m.id} · ${m.location}`, value: m.id })),
      );
      if (ctx.amend) {
        return [
          mpn,
          note('customerFixed', t(ctx.locale, 'dialog.amend.customerFixed', { domain: f.customerDomain ?? '-', tenant: f.customerTenantId ?? '-' })),
        ];
      }
      return [
        mpn,
        text('customerDomain', label(ctx.locale, 'customerDomain'), raw.customerDomain ?? f.customerDomain, {
          placeholder: 'contoso.onmicrosoft.com',
          maxLength: 253,
        }),
        text('customerTenantId', label(ctx.locale, 'customerTenantId'), raw.customerTenantId ?? f.customerTenantId, {
          placeholder: '00000000-0000-0000-0000-000000000000',
          maxLength: 36,
        }),
        note('tenantHelp', t(ctx.locale, 'dialog.customer.tenantHelp')),
      ];
    },
    parse(value, ctx) {
      if (ctx.amend) {
        const raw = { mpnId: inputString(value, 'mpnId') };
        return { changes: raw.mpnId ? raw : {}, raw, missing: missingIfEmpty(raw, [['mpnId', 'mpnId']]) };
      }
      const raw = {
        mpnId: inputString(value, 'mpnId'),
        customerDomain: inputString(value, 'customerDomain'),
        customerTenantId: inputString(value, 'customerTenantId'),
      };
      const changes = Object.fromEntries(Object.entries(raw).filter(([, v]) => v));
      return {
        changes,
        raw,
        missing: missingIfEmpty(raw, [
          ['mpnId', 'mpnId'],
          ['customerDomain', 'customerDomain'],
          ['customerTenantId', 'customerTenantId'],
        ]),
      };
    },
  },

  area: {
    id: 'area',
    applies: (ctx) => !ctx.amend,
    fields(ctx, raw) {
      const f = ctx.claim.fields;
      const current = f.solutionArea && f.activity ? `${f.solutionArea}${AREA_ACTIVITY_SEPARATOR}${f.activity}` : '';
      return [
        choice(
          'areaActivity',
          `${label(ctx.locale, 'solutionArea')} · ${label(ctx.locale, 'activity')}`,
          raw.areaActivity ?? current,
          areaActivityChoices(ctx.locale),
        ),
      ];
    },
    parse(value, ctx) {
      const raw = { areaActivity: inputString(value, 'areaActivity') };
      if (!raw.areaActivity) return { changes: {}, raw, missing: [{ field: 'solutionArea', code: 'required' }] };
      const [solutionArea, activity] = raw.areaActivity.split(AREA_ACTIVITY_SEPARATOR);
      const f = ctx.claim.fields;
      const changes: Record<string, unknown> = { solutionArea, activity };
      // Products, subscriptions and revenue details belong to the area and activity: changing those clears them.
      if (f.solutionArea && f.solutionArea !== solutionArea) {
        if (f.products) changes.products = null;
        if (f.subscriptions) changes.subscriptions = null;
      }
      if (f.revenueAssociation && activity !== 'RevenueAssociation') changes.revenueAssociation = null;
      // A program held per workload takes no subscription IDs (Microsoft 365 Pre-sales -> Usage).
      if (f.subscriptions && !changes.subscriptions && programOf({ solutionArea, activity })?.unit === 'workload') changes.subscriptions = null;
      return { changes, raw, missing: [] };
    },
  },

  revenue: {
    id: 'revenue',
    applies: (ctx) => !ctx.amend && ctx.claim.fields.activity === 'RevenueAssociation',
    fields(ctx, raw) {
      const r = ctx.claim.fields.revenueAssociation;
      return [
        note('revenueHelp', t(ctx.locale, 'dialog.revenue.help')),
        text('solutionSellerName', label(ctx.locale, 'revenueAssociation.solutionSellerName'), raw.solutionSellerName ?? r?.solutionSellerName),
        text('customerName', label(ctx.locale, 'revenueAssociation.customerName'), raw.customerName ?? r?.customerName),
        text('isvSolutionName', label(ctx.locale, 'revenueAssociation.isvSolutionName'), raw.isvSolutionName ?? r?.isvSolutionName),
      ];
    },
    parse(value) {
      const raw = {
        solutionSellerName: inputString(value, 'solutionSellerName'),
        customerName: inputString(value, 'customerName'),
        isvSolutionName: inputString(value, 'isvSolutionName'),
      };
      const missing = missingIfEmpty(
        raw,
        Object.keys(raw).map((k) => [k, `revenueAssociation.${k}`]),
      );
      return { changes: missing.length ? {} : { revenueAssociation: raw }, raw, missing };
    },
  },

  products: {
    id: 'products',
    applies: () => true,
    fields(ctx, raw) {
      const area = ctx.claim.fields.solutionArea as SolutionArea;
      const choices = productCatalogue.products(area).map((p) => ({ title: p.name, value: p.id }));
      return [choice('products', label(ctx.locale, 'products'), raw.products ?? (ctx.claim.fields.products ?? []).join(','), choices, true)];
    },
    parse(value, ctx) {
      const raw = { products: inputString(value, 'products') };
      const products = raw.products
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (!products.length) return { changes: {}, raw, missing: [{ field: 'products', code: 'atLeastOne' }] };
      const changes: Record<string, unknown> = { products };
      // Subscription IDs of products no longer claimed go with them.
      const subs = ctx.claim.fields.subscriptions;
      if (subs && subs.some((s) => !products.includes(s.productId))) {
        const kept = subs.filter((s) => products.includes(s.productId));
        changes.subscriptions = kept.length ? kept : null;
      }
      return { changes, raw, missing: [] };
    },
  },

  subscriptions: {
    id: 'subscriptions',
    applies: (ctx) => ctx.needsSubscriptionIds.length > 0,
    fields(ctx, raw) {
      return [
        note('subscriptionsHelp', t(ctx.locale, 'dialog.subscriptions.help')),
        ...ctx.needsSubscriptionIds.map((productId) => {
          const current = (ctx.claim.fields.subscriptions ?? [])
            .filter((s) => s.productId === productId)
            .map((s) => s.subscriptionId)
            .join(', ');
          const name = productCatalogue.find(productId)?.name ?? productId;
          return text(`sub_${productId}`, t(ctx.locale, 'dialog.subscriptions.label', { product: name }), raw[`sub_${productId}`] ?? current, {
            placeholder: '00000000-0000-0000-0000-000000000000',
            maxLength: 400,
          });
        }),
      ];
    },
    parse(value, ctx) {
      const raw: RawInput = {};
      const subscriptions: { productId: string; subscriptionId: string }[] = [];
      const missing: FieldError[] = [];
      for (const productId of ctx.needsSubscriptionIds) {
        const typed = inputString(value, `sub_${productId}`);
        raw[`sub_${productId}`] = typed;
        const ids = typed.split(/[\s,;]+/).filter(Boolean);
        if (!ids.length)
          missing.push({ field: 'subscriptions', code: 'subscriptionsRequired', params: { product: productCatalogue.find(productId)?.name ?? productId } });
        for (const subscriptionId of ids) subscriptions.push({ productId, subscriptionId });
      }
      const others = (ctx.claim.fields.subscriptions ?? []).filter((s) => !ctx.needsSubscriptionIds.includes(s.productId));
      return { changes: { subscriptions: [...others, ...subscriptions] }, raw, missing };
    },
  },

  contacts: {
    id: 'contacts',
    applies: () => true,
    fields(ctx, raw) {
      const f = ctx.claim.fields;
      const withTechnical = claimHasDynamics365(f);
      const contactFields = (contact: keyof typeof contactParts, current: Record<string, string> | undefined, defaults: Record<string, string> = {}) =>
        contactParts[contact].map((part) =>
          text(`${contact}_${part}`, label(ctx.locale, `${contact}.${part}`), raw[`${contact}_${part}`] ?? current?.[part] ?? defaults[part], {
            maxLength: part === 'email' ? 254 : 100,
            ...(part === 'email' ? { placeholder: 'name@contoso.com' } : {}),
          }),
        );
      return [
        note('customerContactHeading', label(ctx.locale, 'customerContact'), 'heading'),
        ...contactFields('customerContact', f.customerContact),
        ...(withTechnical
          ? [
              note('technicalContactHeading', label(ctx.locale, 'technicalContact'), 'heading'),
              note('technicalHelp', t(ctx.locale, 'dialog.contacts.technicalHelp')),
              ...contactFields('technicalContact', f.technicalContact),
            ]
          : []),
        note('partnerContactHeading', label(ctx.locale, 'partnerContact'), 'heading'),
        ...contactFields('partnerContact', f.partnerContact, { name: ctx.partnerUser.name, email: ctx.partnerUser.email }),
        // The claim name can't change after submission.
        ...(ctx.amend
          ? []
          : [
              note('claimNameHeading', label(ctx.locale, 'claimName'), 'heading'),
              text('claimName', label(ctx.locale, 'claimName'), raw.claimName ?? f.claimName, {
                maxLength: 100,
                placeholder: t(ctx.locale, 'dialog.contacts.claimNamePlaceholder'),
              }),
            ]),
      ];
    },
    parse(value, ctx) {
      const withTechnical = claimHasDynamics365(ctx.claim.fields);
      const raw: RawInput = {};
      const changes: Record<string, unknown> = {};
      const missing: FieldError[] = [];
      const contacts: (keyof typeof contactParts)[] = ['customerContact', ...(withTechnical ? (['technicalContact'] as const) : []), 'partnerContact'];
      for (const contact of contacts) {
        const parts: Record<string, string> = {};
        for (const part of contactParts[contact]) {
          const typed = inputString(value, `${contact}_${part}`);
          raw[`${contact}_${part}`] = typed;
          parts[part] = typed;
          if (!typed) missing.push({ field: `${contact}.${part}`, code: 'required' });
        }
        if (Object.values(parts).some(Boolean)) changes[contact] = parts;
      }
      if (!ctx.amend) {
        raw.claimName = inputString(value, 'claimName');
        if (raw.claimName) changes.claimName = raw.claimName;
        else missing.push({ field: 'claimName', code: 'required' });
      }
      // A part left empty is reported once as "required", not again as a format error.
      for (const m of missing) {
        const [contact] = m.field.split('.');
        if (m.field.includes('.') && changes[contact]) delete changes[contact];
      }
      return { changes, raw, missing };
    },
  },

  poe: {
    id: 'poe',
    applies: () => true,
    fields(ctx) {
      const files = ctx.claim.poe;
      return [
        note('poeHelp', t(ctx.locale, 'dialog.poe.help', { max: ctx.maxPoeMegabytes })),
        note('poeLimit', t(ctx.locale, 'dialog.poe.limit', { max: MAX_POE_FILES })),
        note('poeListHeading', files.length ? t(ctx.locale, 'dialog.poe.listHeading', { count: files.length }) : t(ctx.locale, 'dialog.poe.none'), 'heading'),
        ...files.map((file, i) => note(`poe_${i}`, `${i + 1}. ${literal(file.fileName)} · ${kindLabel(file.contentType)} · ${formatBytes(file.size)}`)),
      ];
    },
    parse: () => ({ changes: {}, raw: {}, missing: [] }),
  },

  comment: {
    id: 'comment',
    applies: () => true,
    fields(ctx, raw) {
      return [
        text('comment', label(ctx.locale, 'comment'), raw.comment ?? '', {
          multiline: true,
          maxLength: 2000,
          placeholder: t(ctx.locale, 'dialog.comment.placeholder'),
          required: false,
        }),
      ];
    },
    parse(value) {
      const raw = { comment: inputString(value, 'comment') };
      return { changes: {}, raw, missing: [] };
    },
  },
};

/** The fields as the claim form card shows them: every required input says what it needs, so Teams blocks an incomplete submit before a round trip. */
export function withErrorMessages(fields: FormField[], locale: Locale): (FormField & { errorMessage: string })[] {
  return fields.map((f) => ({
    ...f,
    errorMessage: f.required ? t(locale, f.kind === 'choice' ? 'dialog.input.choose' : 'dialog.input.required', { field: markdown(f.label) }) : '',
  }));
}

export function formStep(id: FormStepId): FormStep {
  return STEP_DEFINITIONS[id];
}

/** The next step that applies after `current`, or the summary. */
export function nextStep(current: FormStepId, ctx: StepContext, editOnly?: FormStepId): StepId {
  for (let i = FORM_STEPS.indexOf(current) + 1; i < FORM_STEPS.length; i++) {
    const candidate = FORM_STEPS[i];
    if (editOnly && SECTION_OF[candidate] !== editOnly) continue;
    if (STEP_DEFINITIONS[candidate].applies(ctx)) return candidate;
  }
  return 'summary';
}

export function previousStep(current: FormStepId, ctx: StepContext): FormStepId | undefined {
  for (let i = FORM_STEPS.indexOf(current) - 1; i >= 0; i--) {
    const candidate = FORM_STEPS[i];
    if (STEP_DEFINITIONS[candidate].applies(ctx)) return candidate;
  }
  return undefined;
}

/** "Step 3 of 7": counted over the steps that apply to this claim. */
export function stepPosition(current: FormStepId, ctx: StepContext): { index: number; total: number } {
  // Counted by section, whose steps apply whatever is answered later (only the path, draft or amend, decides):
  // a step shown because of an answer (revenue, subscriptions) is part of its section's step, so the
  // total known on the first card stays the total ("Step 3 of 7" never becomes "Step 5 of 8").
  const sections = FORM_STEPS.filter((s) => SECTION_OF[s] === s && STEP_DEFINITIONS[s].applies(ctx));
  return { index: sections.indexOf(SECTION_OF[current]) + 1, total: sections.length };
}

export function kindLabel(contentType: string): string {
  if (contentType === 'application/pdf') return 'PDF';
  if (contentType.includes('wordprocessingml')) return 'Word';
  if (contentType === 'image/png') return 'PNG';
  if (contentType === 'image/jpeg') return 'JPEG';
  if (contentType === 'message/rfc822') return 'E-mail (.eml)';
  if (contentType === 'application/vnd.ms-outlook') return 'Outlook (.msg)';
  return contentType;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** A contact as cards show it: name, title (customer contacts) and e-mail, each as typed. */
export function contactLine(contact: { name: string; title?: string; email: string } | undefined, blank = '-'): string {
  return contact
    ? [contact.name, contact.title, contact.email]
        .filter((part): part is string => Boolean(part))
        .map(literal)
        .join(' · ')
    : blank;
}
