import type { DesiredConfig } from '../config/settings.js';
import { formatProblem } from '../errors/roster-error.js';
import type { PlanWarning } from '../plan/plan-model.js';

/**
 * What a plan says about its campaign files beyond their audiences: each one left out for an
 * error (its banner shows nowhere; every other update goes on), and each warning (a banner image
 * that could not be checked this run: the campaign stays).
 */
export function campaignWarnings(config: Pick<DesiredConfig, 'campaignProblems'>): PlanWarning[] {
  return (config.campaignProblems ?? []).map((p) => ({
    kind: 'campaign' as const,
    message: p.severity === 'error' ? `campaign left out: ${formatProblem(p)}` : formatProblem(p),
  }));
}
