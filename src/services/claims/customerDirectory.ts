import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GUID_PATTERN, type DraftFields, type FieldError } from '../../domain/claimFields';
import { associationKeys } from '../../domain/associationKeys';
import {
  directoryErrors,
  domainTenantErrors,
  productsNeedingSubscriptionIds,
  subscriptionErrors,
  type CustomerSubscription,
  type DirectoryFacts,
} from '../../domain/customerSubscriptions';
import { productCatalogue, type ProductCatalogue } from '../../domain/productCatalogue';

export type { CustomerSubscription } from '../../domain/customerSubscriptions';

/**
 * What the bot can learn about a customer: which tenant a domain belongs to, and which subscriptions
 * (Microsoft 365 and Business Applications) a tenant has. Both are pluggable; the default reads a data
 * file (data/customer-directory.json). An unknown domain or tenant is "can't tell", not an error. The
 * rules themselves are in src/domain/customerSubscriptions.ts; this module only looks things up.
 */

export interface CustomerDirectory {
  /** The tenant a domain belongs to, or undefined when the directory does not know the domain. */
  tenantOfDomain(domain: string): Promise<string | undefined>;
  /** The tenant's subscriptions, or undefined when the directory does not know the tenant. */
  subscriptionsOf(tenantId: string): Promise<CustomerSubscription[] | undefined>;
}

const DAY_PATTERN = /^\d{4}-\d\d-\d\d$/;

function fileSchema(catalogue: ProductCatalogue) {
  return z.object({
    tenants: z.array(
      z.object({
        tenantId: z.string().regex(GUID_PATTERN),
        domains: z.array(z.string().min(3)),
        subscriptions: z.array(
          z.object({
            subscriptionId: z.string().regex(GUID_PATTERN),
            // A product the catalogue does not list would never match a claim: a typo, refused at start.
            productId: z.string().refine((id) => catalogue.find(id) !== undefined, { message: 'not a product of the catalogue' }),
            csp: z.boolean(),
            provisioned: z.boolean(),
            endsOn: z.string().regex(DAY_PATTERN).optional(),
          }),
        ),
      }),
    ),
  });
}

export class DataFileCustomerDirectory implements CustomerDirectory {
  private readonly domains = new Map<string, string>();
  private readonly subscriptions = new Map<string, CustomerSubscription[]>();

  constructor(raw: unknown, catalogue: ProductCatalogue = productCatalogue) {
    const file = fileSchema(catalogue).parse(raw);
    for (const tenant of file.tenants) {
      const id = tenant.tenantId.toLowerCase();
      for (const domain of tenant.domains) this.domains.set(domain.toLowerCase(), id);
      this.subscriptions.set(
        id,
        tenant.subscriptions.map((s) => ({ ...s, subscriptionId: s.subscriptionId.toLowerCase() })),
      );
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

/**
 * A claim's checks against the customer directory, as field errors, and its association keys as the
 * directory resolves them: the lookups here, the rules in the domain.
 */
export class CustomerChecks {
  constructor(
    private readonly directory: CustomerDirectory,
    private readonly catalogue: ProductCatalogue = productCatalogue,
  ) {}

  private async subscriptionsOf(fields: DraftFields): Promise<CustomerSubscription[] | undefined> {
    return fields.customerTenantId ? this.directory.subscriptionsOf(fields.customerTenantId) : undefined;
  }

  async facts(fields: DraftFields): Promise<DirectoryFacts> {
    const [tenantOfDomain, subscriptions] = await Promise.all([
      fields.customerDomain ? this.directory.tenantOfDomain(fields.customerDomain) : undefined,
      this.subscriptionsOf(fields),
    ]);
    return { ...(tenantOfDomain ? { tenantOfDomain } : {}), ...(subscriptions ? { subscriptions } : {}) };
  }

  async domainAndTenant(fields: DraftFields): Promise<FieldError[]> {
    return domainTenantErrors(fields, await this.facts(fields));
  }

  /** Products of the claim for which the customer has more than one claimable subscription (any subscription-keyed program). */
  async productsNeedingSubscriptionIds(fields: DraftFields): Promise<string[]> {
    return productsNeedingSubscriptionIds(fields, await this.subscriptionsOf(fields));
  }

  /** The claimed products and subscriptions against the customer's subscriptions. */
  async subscriptions(fields: DraftFields): Promise<FieldError[]> {
    return subscriptionErrors(fields, await this.subscriptionsOf(fields), this.catalogue);
  }

  async all(fields: DraftFields): Promise<FieldError[]> {
    return directoryErrors(fields, await this.facts(fields), this.catalogue);
  }

  /** The claim's association keys, with products claimed without an ID resolved to the customer's only subscription. */
  async associationKeys(fields: DraftFields): Promise<string[]> {
    return associationKeys(fields, await this.subscriptionsOf(fields));
  }

  /** The customer's subscriptions, for resolving keys of stored associations (the migration). */
  async tenantSubscriptions(tenantId: string): Promise<CustomerSubscription[] | undefined> {
    return this.directory.subscriptionsOf(tenantId);
  }
}
