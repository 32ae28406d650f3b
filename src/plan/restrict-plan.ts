import type { Plan } from './plan-model.js';

/** The part of a plan that concerns the given employees (emails, case-insensitive). Pure. */
export function restrictPlan(plan: Plan, emails: readonly string[]): Plan {
  const wanted = new Set(emails.map((e) => e.toLowerCase()));
  const actions = plan.actions.filter((a) => wanted.has(a.employee.toLowerCase()));
  const count = (kind: string) => actions.filter((a) => a.kind === kind).length;
  return {
    ...plan,
    actions,
    warnings: plan.warnings.filter((w) => !w.employee || wanted.has(w.employee.toLowerCase())),
    summary: {
      ...plan.summary,
      updateProfile: count('update-profile'),
      setPhoto: count('set-photo'),
      setSignature: count('set-signature'),
    },
  };
}
