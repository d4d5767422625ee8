import { claimHasDynamics365 } from '../../src/domain/claimFields';
import { productCatalogue } from '../../src/domain/productCatalogue';
import { type MessageKey } from '../../src/i18n/locales';
import { literal, t } from '../../src/i18n/teamsMarkdown';
import { claimLabel } from '../claimFacts';
import { checklistCardData, type ChecklistCardData } from '../poeChecklistView';
import { contactLine, formatBytes, formStep, type FormStepId, type StepContext } from './claimFormSteps';

/** The summary card's data: every section of the draft with its Edit button, the PoE as links, and Submit. */
export function summaryCardData(input: {
  ctx: StepContext;
  links: string[];
  pendingComment?: string;
  competing: boolean;
  /** The PoE checklist (bot/poeChecklistView.ts): shown before Submit, never blocking it. */
  precheck?: ChecklistCardData;
  data: (action: string, extra?: Record<string, unknown>) => Record<string, unknown>;
}) {
  const { ctx, links } = input;
  const { locale, claim } = ctx;
  const f = claim.fields;
  const label = (key: string) => t(locale, `field.${key}` as MessageKey);
  const blank = t(locale, 'dialog.summary.missing');
  const value = (v: string | undefined) => (v && v.trim() ? literal(v) : blank);
  const contact = (c: { name: string; title?: string; email: string } | undefined) => contactLine(c, blank);
  const section = (id: FormStepId, title: string, facts: { title: string; value: string }[]) => ({
    title,
    editable: formStep(id).applies(ctx),
    editLabel: t(locale, `dialog.button.edit.${id}` as MessageKey),
    editData: input.data('edit', { section: id }),
    facts,
  });
  const products = (f.products ?? []).map((p) => productCatalogue.find(p)?.name ?? p);
  const sections = [
    section('customer', t(locale, 'dialog.customer.title'), [
      { title: label('mpnId'), value: value(f.mpnId) },
      { title: label('customerDomain'), value: value(f.customerDomain) },
      { title: label('customerTenantId'), value: value(f.customerTenantId) },
    ]),
    section('area', t(locale, 'dialog.area.title'), [
      { title: label('solutionArea'), value: f.solutionArea ? t(locale, `area.${f.solutionArea}`) : blank },
      { title: label('activity'), value: f.activity ? t(locale, `activity.${f.activity}` as MessageKey) : blank },
      ...(f.activity === 'RevenueAssociation'
        ? [
            { title: label('revenueAssociation.solutionSellerName'), value: value(f.revenueAssociation?.solutionSellerName) },
            { title: label('revenueAssociation.customerName'), value: value(f.revenueAssociation?.customerName) },
            { title: label('revenueAssociation.isvSolutionName'), value: value(f.revenueAssociation?.isvSolutionName) },
          ]
        : []),
    ]),
    section('products', t(locale, 'dialog.products.title'), [
      { title: label('products'), value: products.length ? literal(products.join(', ')) : blank },
      ...((f.subscriptions ?? []).length
        ? [{ title: label('subscriptions'), value: literal((f.subscriptions ?? []).map((s) => s.subscriptionId).join(', ')) }]
        : []),
    ]),
    section('contacts', t(locale, 'dialog.contacts.title'), [
      { title: label('customerContact'), value: contact(f.customerContact) },
      ...(claimHasDynamics365(f) ? [{ title: label('technicalContact'), value: contact(f.technicalContact) }] : []),
      { title: label('partnerContact'), value: contact(f.partnerContact) },
      { title: label('claimName'), value: value(f.claimName) },
    ]),
    section(
      'poe',
      label('poe'),
      claim.poe.length
        ? claim.poe.map((file, i) => ({
            title: String(i + 1),
            value: `[${literal(file.fileName.replace(/[[\]]/g, ''))}](${links[i]}) (${formatBytes(file.size)})`,
          }))
        : [{ title: label('poe'), value: blank }],
    ),
    section('comment', label('comment'), [
      { title: label('comment'), value: input.pendingComment ? literal(input.pendingComment) : t(locale, 'dialog.summary.noComment') },
    ]),
  ];
  return {
    title: t(locale, 'dialog.summary.title', { name: claimLabel(locale, { id: claim.id, claimName: f.claimName }) }),
    subtitle: t(locale, 'dialog.draftLabel', { claimId: claim.id }),
    notice: input.competing ? t(locale, 'dialog.arbitration') : '',
    sections,
    precheck: input.precheck ?? checklistCardData(locale, undefined, 'partner', true),
    actions: [
      { title: t(locale, 'dialog.button.submit'), style: 'positive', data: input.data('submit') },
      { title: t(locale, 'dialog.button.cancel'), style: 'default', data: input.data('cancel') },
    ],
  };
}
