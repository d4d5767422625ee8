import type { DraftFields } from './claimFields';
import { claimableSubscriptions, type CustomerSubscription } from './customerSubscriptions';
import { programById, programOf, type ProgramId } from './incentivePrograms';
import { productCatalogue, type ProductCatalogue } from './productCatalogue';

/**
 * The association rule (docs/association-rule.md) as document keys: one partner per customer tenant (the documents'
 * partition) and key. A key names its incentive program, so claims of different programs never meet:
 *
 *   `<program>:workload:<product>`        OSU-Microsoft 365
 *   `<program>:subscription:<id>`         the subscription-keyed programs
 *   `<program>:product:<product>`         a subscription-keyed product the customer directory could not
 *                                         resolve to one subscription (customer not known): "not verified"
 *
 * A product claimed without a subscription ID stands for the customer's only claimable subscription of
 * it, so the directory resolves it to that ID: the same subscription has the same key whether or not the
 * partner typed its ID.
 */

export type KeyUnit = 'workload' | 'subscription' | 'product';

export interface AssociationKey {
  program: ProgramId;
  unit: KeyUnit;
  value: string;
}

const UNITS: readonly KeyUnit[] = ['workload', 'subscription', 'product'];

export function formatKey(key: AssociationKey): string {
  return `${key.program}:${key.unit}:${key.value}`;
}

/** The parts of a key; undefined for anything else (a key written before keys named their program). */
export function parseKey(id: string): AssociationKey | undefined {
  const [program, unit, value, ...rest] = id.split(':');
  if (rest.length || !value || !programById(program) || !UNITS.includes(unit as KeyUnit)) return undefined;
  return { program: program as ProgramId, unit: unit as KeyUnit, value };
}

/** Keys as the code before issue 17 wrote them: `workload:<product>`, `subscription:<id>`, `product:<product>`. */
export const LEGACY_KEY_PREFIXES = ['workload:', 'subscription:', 'product:'] as const;

export function isLegacyKey(id: string): boolean {
  return LEGACY_KEY_PREFIXES.some((p) => id.startsWith(p)) && id.split(':').length === 2;
}

/**
 * The keys a claim holds. `subscriptions`: the customer's subscriptions as the directory knows them,
 * undefined when it does not know the customer.
 */
export function associationKeys(fields: DraftFields, subscriptions?: readonly CustomerSubscription[]): string[] {
  const keys = (fields.products ?? []).flatMap((productId) => productKeys(fields, productId, subscriptions));
  return [...new Set(keys)];
}

/** The keys one claimed product stands for. */
export function productKeys(fields: DraftFields, productId: string, subscriptions?: readonly CustomerSubscription[]): string[] {
  const program = programOf(fields);
  if (!program) return [];
  if (program.unit === 'workload') return [formatKey({ program: program.id, unit: 'workload', value: productId })];
  const named = (fields.subscriptions ?? []).filter((s) => s.productId === productId).map((s) => s.subscriptionId.toLowerCase());
  const resolved = named.length ? named : onlySubscription(subscriptions, productId);
  if (resolved.length) return resolved.map((value) => formatKey({ program: program.id, unit: 'subscription', value }));
  return [formatKey({ program: program.id, unit: 'product', value: productId })];
}

function onlySubscription(subscriptions: readonly CustomerSubscription[] | undefined, productId: string): string[] {
  const claimable = subscriptions ? claimableSubscriptions(subscriptions, productId) : [];
  return claimable.length === 1 ? [claimable[0].subscriptionId.toLowerCase()] : [];
}

/**
 * What a legacy key becomes for the claim that holds it: its program's key for the same subscription,
 * or the keys its product stands for now. Undefined when the claim has no program (it can't be told).
 */
export function migratedKeys(legacyId: string, fields: DraftFields, subscriptions?: readonly CustomerSubscription[]): string[] | undefined {
  const program = programOf(fields);
  if (!program || !isLegacyKey(legacyId)) return undefined;
  const [unit, value] = legacyId.split(':');
  if (unit === 'subscription') {
    // Only Business Applications claims had subscription keys, and their programs are subscription-keyed.
    return program.unit === 'subscription' ? [formatKey({ program: program.id, unit: 'subscription', value: value.toLowerCase() })] : undefined;
  }
  return productKeys(fields, value, subscriptions);
}

/** A key as people read it: its program, and the product or subscription it holds. */
export function describeKey(id: string, catalogue: ProductCatalogue = productCatalogue): { program?: ProgramId; label: string; verified: boolean } {
  const key = parseKey(id);
  if (!key) return { label: id, verified: true };
  const label = key.unit === 'subscription' ? key.value : (catalogue.find(key.value)?.name ?? key.value);
  return { program: key.program, label, verified: key.unit !== 'product' };
}

/**
 * The end days, as the directory knows them, of the subscriptions a claim's keys hold: what an approval
 * records for the reminder before a subscription ends. Subscriptions without a known end are left out.
 */
export function subscriptionEndsOf(
  keys: readonly string[],
  subscriptions: readonly CustomerSubscription[] | undefined,
): { subscriptionId: string; productId: string; endsOn: string }[] {
  const held = new Set(
    keys
      .map(parseKey)
      .filter((k) => k?.unit === 'subscription')
      .map((k) => k!.value.toLowerCase()),
  );
  return (subscriptions ?? []).flatMap((s) =>
    held.has(s.subscriptionId.toLowerCase()) && s.endsOn ? [{ subscriptionId: s.subscriptionId, productId: s.productId, endsOn: s.endsOn }] : [],
  );
}
