import type { Plan, PlanAction, PlanHead } from '../plan/plan-model.js';
import type { RunEvents } from './run-request.js';

/** Collects a run's plan in memory (for text and markdown output, which show it whole). */
export function collectPlan(): RunEvents & { plan(): Plan | undefined } {
  const actions: PlanAction[] = [];
  let head: PlanHead | undefined;
  return {
    action: (action) => void actions.push(action),
    planned: (planned) => void (head = planned),
    plan: () => (head ? { ...head, actions } : undefined),
  };
}
