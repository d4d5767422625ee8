import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The demo roster plus one Incentives admin and one reviewer per simulated person, so each works on their own. */
export function benchRoster(count: number): { file: string; partners: string[]; reviewers: string[] } {
  const roster = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'demo-roster.json'), 'utf8'));
  const partners = Array.from({ length: count }, (_, i) => `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const reviewers = Array.from({ length: count }, (_, i) => `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`);
  roster.organisations[0].users.push(
    ...partners.map((aadObjectId, i) => ({ aadObjectId, name: `Bench Partner ${i}`, email: `bench${i}@fabrikam.example`, role: 'IncentivesAdmin' })),
  );
  roster.reviewers.push(
    ...reviewers.map((aadObjectId, i) => ({
      aadObjectId,
      tenantId: roster.reviewers[0].tenantId,
      name: `Bench Reviewer ${i}`,
      email: `reviewer${i}@reviews.example`,
    })),
  );
  const file = join(mkdtempSync(join(tmpdir(), 'bench-roster-')), 'roster.json');
  writeFileSync(file, JSON.stringify(roster));
  return { file, partners, reviewers };
}
