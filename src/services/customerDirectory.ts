import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GUID_PATTERN, type DraftFields, type FieldError } from '../domain/claimFields';
import { productCatalogue, type ProductCatalogue } from '../domain/productCatalogue';

/**
 * What the bot can learn about a customer: which tenant a domain belongs to, and which Business
 * Applications subscriptions a tenant has. Both are pluggable; the default reads a data file
 * (data/customer-directory.json). An unknown domain or tenant is "can't tell", not an error.
 */

export interface CustomerSubscription {
  subscriptionId: string;
  productId: string;
  csp: boolean;
  provisioned: boolean;
}

export interface CustomerDirectory {
  /** The tenant a domain belongs to, or undefined when the directory does not know the domain. */
  tenantOfDomain(domain: string): Promise<string | undefined>;
  /** The tenant's subscriptions, or undefined when the directory does not know the tenant. */
  subscriptionsOf(tenantId: string): Promise<CustomerSubscription[] | undefined>;
}

const fileSchema = z.object({
  tenants: z.array(
    z.object({
      tenantId: z.string().regex(GUID_PATTERN),
      domains: z.array(z.string().min(3)),
      subscriptions: z.array(z.object({ subscriptionId: z.string().regex(GUID_PATTERN), productId: z.string(), csp: z.boolean(), provisioned: z.boolean() })),
    }),
  ),
});

export class DataFileCustomerDirectory implements CustomerDirectory {
  private readonly domains = new Map<string, string>();
  private readonly subscriptions = new Map<string, CustomerSubscription[]>();

  constructor(raw: unknown) {
    const file = fileSchema.parse(raw);
    for (const tenant of file.tenants) {
      const id = tenant.tenantId.toLowerCase();
      for (const domain of tenant.domains) this.domains.set(domain.toLowerCase(), id);
      this.subscriptions.set(id, tenant.subscriptions.map((s) => ({ ...s, subscriptionId: s.subscriptionId.toLowerCase() })));
    }
  }

  static fromFile(path: string): DataFileCustomerDirectory {
    return new DataFileCustomerDirectory(JSON.parse(readFileSync(path, 'utf8')));
  }

  async tenantOfDomain(domain: string): Promise<string | undefined> {
    return this.domains.get(domain.toLowerCase());
  }

  async subscriptionsOf(tenantId: string): Promise<CustomerSubscription[] | undefined> {
    return this.subscriptions.get(tenantId.toLowerCase());
  }
}

/** Subscriptions that can carry an association (SPEC: on the tenant, not CSP, provisioned). */
function eligible(subscriptions: CustomerSubscription[], productId: string): CustomerSubscription[] {
  return subscriptions.filter((s) => s.productId === productId && !s.csp && s.provisioned);
}

/**
 * Checks of a claim against the customer directory, as field errors: the domain and tenant belong
 * together, each subscription ID is the customer's, eligible and of the product, and subscription IDs
 * are given where the customer has more than one subscription of a Dynamics 365 product.
 */
export class CustomerChecks {
  constructor(private readonly directory: CustomerDirectory, private readonly catalogue: ProductCatalogue = productCatalogue) {}

  async domainAndTenant(fields: DraftFields): Promise<FieldError[]> {
    if (!fields.customerDomain || !fields.customerTenantId) return [];
    const owner = await this.directory.tenantOfDomain(fields.customerDomain);
    if (!owner || owner === fields.customerTenantId.toLowerCase()) return [];
    return [{ field: 'customerTenantId', code: 'tenantDomainMismatch', params: { domain: fields.customerDomain } }];
  }

  /** Dynamics 365 products of the claim for which the customer has more than one eligible subscription. */
  async productsNeedingSubscriptionIds(fields: DraftFields): Promise<string[]> {
    if (!fields.customerTenantId) return [];
    const known = await this.directory.subscriptionsOf(fields.customerTenantId);
    if (!known) return [];
    return (fields.products ?? []).filter((p) => this.catalogue.isDynamics365(p) && eligible(known, p).length > 1);
  }

  async subscriptions(fields: DraftFields): Promise<FieldError[]> {
    if (!fields.customerTenantId) return [];
    const known = await this.directory.subscriptionsOf(fields.customerTenantId);
    const errors: FieldError[] = [];
    for (const { productId, subscriptionId } of fields.subscriptions ?? []) {
      const found = known?.find((s) => s.subscriptionId === subscriptionId.toLowerCase());
      const params = { value: subscriptionId, product: this.catalogue.find(productId)?.name ?? productId };
      if (!known) continue; // the directory does not know this tenant: reviewers check by hand
      if (!found) errors.push({ field: 'subscriptions', code: 'subscriptionNotOnTenant', params });
      else if (found.productId !== productId) errors.push({ field: 'subscriptions', code: 'subscriptionOtherProduct', params });
      else if (found.csp) errors.push({ field: 'subscriptions', code: 'subscriptionIsCsp', params });
      else if (!found.provisioned) errors.push({ field: 'subscriptions', code: 'subscriptionNotProvisioned', params });
    }
    for (const productId of await this.productsNeedingSubscriptionIds(fields)) {
      if (!(fields.subscriptions ?? []).some((s) => s.productId === productId)) {
        errors.push({ field: 'subscriptions', code: 'subscriptionsRequired', params: { product: this.catalogue.find(productId)?.name ?? productId } });
      }
    }
    return errors;
  }

  async all(fields: DraftFields): Promise<FieldError[]> {
    return [...(await this.domainAndTenant(fields)), ...(await this.subscriptions(fields))];
  }
}
