import type { DesiredConfig } from '../config/settings.js';
import { formatProblem } from '../errors/roster-error.js';
import type { PlanWarning } from '../plan/plan-model.js';

/**
 * What a plan says about its campaign files beyond their audiences: each one left out for an
 * error (its banner shows nowhere; every other update goes on).
 */
export function campaignWarnings(config: Pick<DesiredConfig, 'campaignProblems'>): PlanWarning[] {
  const left = (config.campaignProblems ?? [])
    .filter((p) => p.severity === 'error')
    .map((p) => ({ kind: 'campaign' as const, message: `campaign left out: ${formatProblem(p)}` }));
  return left;
}
