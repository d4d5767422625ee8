import { z } from 'zod';
import { GUID_PATTERN } from './claimFields';
import { PARTNER_ROLES, type PartnerRole } from './actors';

/**
 * The roster file an operator maintains: partner organisations with their MPN IDs and partner users,
 * and the reviewers. People are known by their AAD object id (what Teams sends as from.aadObjectId)
 * and their tenant, never by display name.
 */

const guid = (what: string) =>
  z
    .string()
    .regex(GUID_PATTERN, `${what} must be a GUID`)
    .transform((s) => s.toLowerCase());

const rosterFileSchema = z.object({
  organisations: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'organisation id must be 2-63 lowercase letters, digits or hyphens'),
      name: z.string().trim().min(1, 'organisation name is required'),
      tenantId: guid('organisation tenantId'),
      mpnIds: z
        .array(z.object({ id: z.string().regex(/^\d{6,10}$/, 'MPN ID must be 6 to 10 digits'), location: z.string().trim().min(1) }))
        .min(1, 'an organisation needs at least one MPN ID'),
      users: z.array(
        z.object({
          aadObjectId: guid('user aadObjectId'),
          name: z.string().trim().min(1),
          email: z.email('user email must be an e-mail address'),
          role: z.enum(PARTNER_ROLES, `role must be one of ${PARTNER_ROLES.join(', ')}`),
        }),
      ),
    }),
  ),
  reviewers: z.array(
    z.object({
      aadObjectId: guid('reviewer aadObjectId'),
      tenantId: guid('reviewer tenantId'),
      name: z.string().trim().min(1),
      email: z.email('reviewer email must be an e-mail address'),
    }),
  ),
});

export type RosterFile = z.output<typeof rosterFileSchema>;

export interface Organisation {
  id: string;
  name: string;
  tenantId: string;
  mpnIds: { id: string; location: string }[];
}

export interface PartnerUser {
  aadObjectId: string;
  tenantId: string;
  orgId: string;
  name: string;
  email: string;
  role: PartnerRole;
}

export interface Reviewer {
  aadObjectId: string;
  tenantId: string;
  name: string;
  email: string;
}

export interface Roster {
  organisations: Organisation[];
  partnerUsers: PartnerUser[];
  reviewers: Reviewer[];
}

export type RosterParseResult = { ok: true; roster: Roster } | { ok: false; errors: string[] };

export function parseRoster(raw: unknown): RosterParseResult {
  const parsed = rosterFileSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'roster'}: ${i.message}`) };
  }
  const errors: string[] = [];
  const orgIds = new Set<string>();
  const mpnOwners = new Map<string, string>();
  const people = new Map<string, string>();
  const partnerUsers: PartnerUser[] = [];
  for (const org of parsed.data.organisations) {
    if (orgIds.has(org.id)) errors.push(`organisation ${org.id} is listed twice`);
    orgIds.add(org.id);
    for (const mpn of org.mpnIds) {
      const owner = mpnOwners.get(mpn.id);
      if (owner) errors.push(`MPN ID ${mpn.id} belongs to both ${owner} and ${org.id}`);
      mpnOwners.set(mpn.id, org.id);
    }
    for (const user of org.users) {
      const seen = people.get(user.aadObjectId);
      if (seen) errors.push(`user ${user.aadObjectId} is listed in both ${seen} and ${org.id}`);
      people.set(user.aadObjectId, org.id);
      partnerUsers.push({ ...user, tenantId: org.tenantId, orgId: org.id });
    }
  }
  for (const reviewer of parsed.data.reviewers) {
    const seen = people.get(reviewer.aadObjectId);
    // A reviewer deciding claims of their own organisation would be a conflict of interest.
    if (seen) errors.push(`reviewer ${reviewer.aadObjectId} is also listed as ${seen === 'reviewers' ? 'a reviewer' : `a partner user of ${seen}`}`);
    people.set(reviewer.aadObjectId, 'reviewers');
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    roster: {
      organisations: parsed.data.organisations.map(({ users: _users, ...org }) => org),
      partnerUsers,
      reviewers: parsed.data.reviewers,
    },
  };
}
