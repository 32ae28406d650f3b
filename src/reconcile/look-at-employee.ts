import { streamPlan, type EmployeeLook, type PlanDeps } from './make-plan.js';

/**
 * One employee planned from the HR source and the stored user snapshot, calling no Microsoft
 * service (a dashboard's detail page): desired against current fields, the desired photo and
 * signature, the actions such a plan finds. Undefined when the source has no row for `email`.
 */
export async function lookAtEmployee(deps: PlanDeps, email: string): Promise<EmployeeLook | undefined> {
  const key = email.toLowerCase();
  let found: EmployeeLook | undefined;
  await streamPlan(
    deps,
    { only: [key], storedOnly: true },
    {
      action: () => undefined,
      look: (look) => {
        if (look.summary.email === key) found = look;
      },
    },
  );
  return found;
}
