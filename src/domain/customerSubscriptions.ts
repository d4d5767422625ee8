import type { DraftFields, FieldError } from './claimFields';
import { programOf } from './incentivePrograms';
import { productCatalogue, type ProductCatalogue } from './productCatalogue';

/**
 * The rules a claim meets against what the customer directory knows of its customer (docs/association-rule.md: the domain
 * and tenant belong together; a claimed subscription is on the tenant, of the product, not CSP and
 * provisioned; subscription IDs are given where the customer has more than one subscription of a
 * product of a subscription-keyed program). Pure: the lookups are made by src/services/claims/customerDirectory.ts.
 * What the directory does not know is "can't tell", never an error: reviewers check by hand.
 */

export interface CustomerSubscription {
  subscriptionId: string;
  productId: string;
  csp: boolean;
  provisioned: boolean;
  /** The day the subscription ends (YYYY-MM-DD), where the directory knows it. */
  endsOn?: string;
}

/** What the customer directory said about a claim's customer. */
export interface DirectoryFacts {
  /** The tenant the directory gives for the claim's domain; undefined when it does not know the domain. */
  tenantOfDomain?: string;
  /** The tenant's subscriptions; undefined when it does not know the tenant. */
  subscriptions?: readonly CustomerSubscription[];
}

/** The customer's subscriptions of a product that can carry an association: not CSP, provisioned. */
export function claimableSubscriptions(subscriptions: readonly CustomerSubscription[], productId: string): CustomerSubscription[] {
  return subscriptions.filter((s) => s.productId === productId && !s.csp && s.provisioned);
}

export function domainTenantErrors(fields: DraftFields, facts: DirectoryFacts): FieldError[] {
  if (!fields.customerDomain || !fields.customerTenantId || !facts.tenantOfDomain) return [];
  if (facts.tenantOfDomain.toLowerCase() === fields.customerTenantId.toLowerCase()) return [];
  return [{ field: 'customerTenantId', code: 'tenantDomainMismatch', params: { domain: fields.customerDomain } }];
}

/** Products of a subscription-keyed program of which the customer has more than one claimable subscription. */
export function productsNeedingSubscriptionIds(fields: DraftFields, subscriptions: readonly CustomerSubscription[] | undefined): string[] {
  if (!subscriptions || programOf(fields)?.unit !== 'subscription') return [];
  return (fields.products ?? []).filter((p) => claimableSubscriptions(subscriptions, p).length > 1);
}

/**
 * The subscriptions the claim names, and the products it claims without naming one: each must be
 * something the customer has and that can be claimed. Checked only where the directory knows the tenant.
 */
export function subscriptionErrors(
  fields: DraftFields,
  subscriptions: readonly CustomerSubscription[] | undefined,
  catalogue: ProductCatalogue = productCatalogue,
): FieldError[] {
  if (!subscriptions || programOf(fields)?.unit !== 'subscription') return [];
  const name = (productId: string) => catalogue.find(productId)?.name ?? productId;
  const errors: FieldError[] = [];
  const named = fields.subscriptions ?? [];
  for (const { productId, subscriptionId } of named) {
    const found = subscriptions.find((s) => s.subscriptionId === subscriptionId.toLowerCase());
    const params = { value: subscriptionId, product: name(productId) };
    if (!found) errors.push({ field: 'subscriptions', code: 'subscriptionNotOnTenant', params });
    else if (found.productId !== productId) errors.push({ field: 'subscriptions', code: 'subscriptionOtherProduct', params });
    else if (found.csp) errors.push({ field: 'subscriptions', code: 'subscriptionIsCsp', params });
    else if (!found.provisioned) errors.push({ field: 'subscriptions', code: 'subscriptionNotProvisioned', params });
  }
  for (const productId of fields.products ?? []) {
    if (named.some((s) => s.productId === productId)) continue;
    const all = subscriptions.filter((s) => s.productId === productId);
    const claimable = claimableSubscriptions(subscriptions, productId);
    const params = { product: name(productId) };
    if (claimable.length > 1) errors.push({ field: 'subscriptions', code: 'subscriptionsRequired', params });
    else if (claimable.length === 1) continue;
    else if (!all.length) errors.push({ field: 'products', code: 'productNotOnTenant', params });
    else if (all.some((s) => !s.csp)) errors.push({ field: 'products', code: 'productNotProvisioned', params });
    else errors.push({ field: 'products', code: 'productOnlyCsp', params });
  }
  return errors;
}

/** Every directory rule at once: what submission, resubmission and a change after submission must pass. */
export function directoryErrors(fields: DraftFields, facts: DirectoryFacts, catalogue: ProductCatalogue = productCatalogue): FieldError[] {
  return [...domainTenantErrors(fields, facts), ...subscriptionErrors(fields, facts.subscriptions, catalogue)];
}

/** Fields whose change can break a directory rule. */
const DIRECTORY_FIELDS: readonly string[] = ['customerDomain', 'customerTenantId', 'solutionArea', 'activity', 'products', 'subscriptions'];

/**
 * Which directory rules a change must pass before it is written. Submission and resubmission: all of
 * them. A change after submission (Submitted, Partner action required) to the products or
 * subscriptions: the subscription rules (the customer can't change then). A draft is checked step by
 * step by the claim form and in full at submission, so it may be incomplete meanwhile.
 */
export function directoryChecksFor(status: string, action: { type: string; changes?: Record<string, unknown> }): 'all' | 'subscriptions' | 'none' {
  if (action.type === 'submit' || action.type === 'resubmit') return 'all';
  if (action.type !== 'edit' || status === 'Editing') return 'none';
  return Object.keys(action.changes ?? {}).some((field) => DIRECTORY_FIELDS.includes(field)) ? 'subscriptions' : 'none';
}
