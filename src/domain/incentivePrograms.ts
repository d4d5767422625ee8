import type { Activity, SolutionArea } from './productCatalogue';

/**
 * The association rule (docs/association-rule.md, "Programs"): the incentive program a claim's solution area and activity stand for, and
 * the unit that program holds one partner per (within one customer tenant). A claim competes only with
 * claims and associations of its own program. `id` is stored in association keys: never rename one.
 */

export type HeldUnit = 'workload' | 'subscription';

export interface IncentiveProgram {
  id: 'osu-m365' | 'osa-sell' | 'osu-osa-bizapps' | 'revenue-association';
  area: SolutionArea;
  activity: Activity;
  /** One partner per customer tenant + this. */
  unit: HeldUnit;
}
export type ProgramId = IncentiveProgram['id'];

export const INCENTIVE_PROGRAMS: readonly IncentiveProgram[] = [
  { id: 'osu-m365', area: 'Microsoft365', activity: 'Usage', unit: 'workload' },
  { id: 'osa-sell', area: 'Microsoft365', activity: 'PreSales', unit: 'subscription' },
  { id: 'osu-osa-bizapps', area: 'BusinessApplications', activity: 'UsageAndOrPreSales', unit: 'subscription' },
  { id: 'revenue-association', area: 'BusinessApplications', activity: 'RevenueAssociation', unit: 'subscription' },
];

export const PROGRAM_IDS: readonly ProgramId[] = INCENTIVE_PROGRAMS.map((p) => p.id);

/** The program of a claim's area and activity; undefined until both are chosen (or for a combination no program has). */
export function programOf(fields: { solutionArea?: string; activity?: string }): IncentiveProgram | undefined {
  return INCENTIVE_PROGRAMS.find((p) => p.area === fields.solutionArea && p.activity === fields.activity);
}

export function programById(id: string): IncentiveProgram | undefined {
  return INCENTIVE_PROGRAMS.find((p) => p.id === id);
}
