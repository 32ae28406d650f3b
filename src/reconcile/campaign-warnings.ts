import type { DesiredConfig } from '../config/settings.js';
import { formatProblem } from '../errors/roster-error.js';
import type { PlanWarning } from '../plan/plan-model.js';

/**
 * What a plan says about its campaigns beyond their audiences: each campaign file left out for
 * an error (its banner shows nowhere; every other update goes on), and each group target, whose
 * members Roster does not read yet (only offices, titles and employees select).
 */
export function campaignWarnings(
  config: Pick<DesiredConfig, 'campaigns' | 'campaignProblems'>,
): PlanWarning[] {
  const left = (config.campaignProblems ?? [])
    .filter((p) => p.severity === 'error')
    .map((p) => ({ kind: 'campaign' as const, message: `campaign left out: ${formatProblem(p)}` }));
  const groups = (config.campaigns ?? [])
    .filter((c) => c.target.group !== undefined)
    .map((c) => ({
      kind: 'campaign' as const,
      message: `campaign ${c.id}: target.group is not read yet, so the group's members get the banner only through offices, titles or employees (${c.file})`,
    }));
  return [...left, ...groups];
}
