import { PlanFileError } from './plan-file.js';
import type { GuardrailResult, PlanHead } from './plan-model.js';

/** Refuses a plan made for another tenant or another configuration revision. */
export function checkPlanTarget(
  plan: Pick<PlanHead, 'tenantId' | 'configRevision'>,
  target: { tenantId: string; configRevision: string },
): void {
  if (plan.tenantId !== target.tenantId) {
    throw new PlanFileError(
      `the plan was made for tenant ${plan.tenantId}, not the configured tenant ${target.tenantId}; run roster plan against this tenant`,
    );
  }
  if (plan.configRevision !== target.configRevision) {
    throw new PlanFileError(
      `the plan was made from configuration revision ${plan.configRevision}, but the configuration is now at ${target.configRevision}; run roster plan again and review the new plan`,
    );
  }
}

/** The guardrails that stop this apply (max-changes does not when `allowLargeChange`). */
export function trippedGuardrails(
  plan: Pick<PlanHead, 'guardrails'>,
  allowLargeChange = false,
): GuardrailResult[] {
  return plan.guardrails.filter((g) => g.tripped && !(g.name === 'max-changes' && allowLargeChange));
}

/**
 * Refuses a saved plan whose signatures no longer hold at `now`: a campaign started or ended
 * since its moment (or, for a plan made for a later moment with `plan --at`, has not yet). The
 * boundary is named, so the reader knows what changed.
 */
export function checkPlanMoment(plan: Pick<PlanHead, 'campaigns'>, now: Date): void {
  const c = plan.campaigns;
  if (!c) return;
  const t = now.getTime();
  const boundary = (iso: string) =>
    c.upcoming.find((u) => u.at === iso) ?? { campaign: 'a campaign', kind: 'start', local: iso };
  if (c.validUntil !== undefined && t >= Date.parse(c.validUntil)) {
    const b = boundary(c.validUntil);
    throw new PlanFileError(
      `the plan is stale: it shows the signatures of ${c.at}, and campaign ${b.campaign} ${b.kind === 'start' ? 'started' : 'ended'} since (${b.local}); run roster plan again and review the new plan`,
    );
  }
  if (c.validFrom !== undefined && t < Date.parse(c.validFrom)) {
    throw new PlanFileError(
      `the plan shows the signatures of ${c.at}, after a campaign boundary that has not come yet (${c.validFrom}); apply it from then on, or run roster plan for now`,
    );
  }
}
