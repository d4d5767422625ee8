import type { Claim, ClaimHistoryEvent, FieldChange, MailedPartner } from './claim';

// The record types live with the claim (claim.ts); named here too, where history is written.
export type { ClaimHistoryEvent, FieldChange, MailedPartner };

/** What history compares between two versions of a claim: every field, and the lifecycle state. */
const TRACKED_TOP_LEVEL = ['status', 'reviewer', 'infoRequest', 'rejection', 'approval', 'dispute', 'disputeWindowClosedAt', 'submittedAt'] as const;

export function diffClaims(beforeClaim: Claim, afterClaim: Claim): FieldChange[] {
  // Compared generically, field by field: a new field of a claim is tracked without changing this code.
  const before = beforeClaim as unknown as Record<string, unknown> & { fields: Record<string, unknown>; deadlines: Record<string, unknown>; poe: Claim['poe'] };
  const after = afterClaim as unknown as typeof before;
  const changes: FieldChange[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const fieldNames = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  for (const name of fieldNames) {
    if (!same(before.fields[name], after.fields[name])) {
      changes.push({ field: `fields.${name}`, before: before.fields[name] ?? null, after: after.fields[name] ?? null });
    }
  }
  for (const key of TRACKED_TOP_LEVEL) {
    if (!same(before[key], after[key])) changes.push({ field: key, before: before[key] ?? null, after: after[key] ?? null });
  }
  const deadlineNames = new Set([...Object.keys(before.deadlines), ...Object.keys(after.deadlines)]);
  for (const name of deadlineNames) {
    if (!same(before.deadlines[name], after.deadlines[name])) {
      changes.push({ field: `deadlines.${name}`, before: before.deadlines[name] ?? null, after: after.deadlines[name] ?? null });
    }
  }
  const poeNames = (files: Claim['poe']) => files.map((f) => f.fileName);
  if (
    !same(
      before.poe.map((f) => f.id),
      after.poe.map((f) => f.id),
    )
  ) {
    changes.push({ field: 'poe', before: poeNames(before.poe), after: poeNames(after.poe) });
  }
  return changes;
}
