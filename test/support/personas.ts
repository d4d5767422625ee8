import type { Actor } from '../../src/domain/actors';
import { PARTNER_AAD, REVIEWER_AAD } from './activities';

/**
 * The people of the demo roster (data/demo-roster.json) as the claim service takes them: one definition
 * for every test. Their Teams ids and tenants are in ./activities.
 */
export const ROBIN_AAD = 'b2c3d4e5-0001-4000-8000-000000000001';

/** Global admin of Fabrikam Consulting: may create and manage claims. */
export const AVERY: Extract<Actor, { kind: 'partner' }> = {
  kind: 'partner',
  id: PARTNER_AAD,
  name: 'Avery Fabrikam',
  orgId: 'fabrikam-consulting',
  role: 'GlobalAdmin',
};
/** Billing admin of Tailspin Partners: another organisation, competing for the same customers. */
export const ROBIN: Extract<Actor, { kind: 'partner' }> = {
  kind: 'partner',
  id: ROBIN_AAD,
  name: 'Robin Tailspin',
  orgId: 'tailspin-partners',
  role: 'BillingAdmin',
};
/** A reviewer. */
export const RILEY: Extract<Actor, { kind: 'reviewer' }> = { kind: 'reviewer', id: REVIEWER_AAD, name: 'Riley Reviewer' };
