import type { DraftFields } from './claimFields';

/**
 * SPEC's association rule: one partner per customer tenant and workload (Microsoft 365) or
 * subscription (Business Applications). A Business Applications product claimed without subscription
 * IDs stands for the customer's only subscription of that product, so it is keyed by product.
 */
export function associationKeys(fields: DraftFields): string[] {
  const products = fields.products ?? [];
  if (fields.solutionArea === 'Microsoft365') return products.map((p) => `workload:${p}`);
  const keys: string[] = [];
  for (const productId of products) {
    const subscriptions = (fields.subscriptions ?? []).filter((s) => s.productId === productId);
    if (subscriptions.length) keys.push(...subscriptions.map((s) => `subscription:${s.subscriptionId}`));
    else keys.push(`product:${productId}`);
  }
  return keys;
}
