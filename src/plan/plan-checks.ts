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
