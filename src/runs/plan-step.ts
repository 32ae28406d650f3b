import { planHash } from '../plan/plan-file.js';
import { planSourceOf, type PlanSource } from '../plan/plan-source.js';
import type { PlanAction, PlanHead } from '../plan/plan-model.js';
import { streamPlan, type StreamedPlanRun } from '../reconcile/make-plan.js';
import type { ObserveOptions, RunDeps, RunEvents } from './run-request.js';

/** A plan made now: its head, what planning read, and (when kept) the plan to apply. */
export interface MadePlan {
  head: PlanHead;
  observation: Omit<StreamedPlanRun, 'head'>;
  /** Present when the caller asked to keep the actions (to apply them). */
  source?: PlanSource;
}

/**
 * Observes the tenant and plans, handing each action to `events.action` as the planner finds it
 * (a plan file written this way is never whole in memory); with `keep`, the actions are also
 * collected to be applied.
 */
export async function makePlanStep(
  deps: RunDeps,
  options: ObserveOptions & { only?: string[]; writtenOut?: boolean; keep: boolean },
  events: RunEvents,
): Promise<MadePlan> {
  const kept: PlanAction[] = [];
  const { head, ...observation } = await streamPlan(
    deps,
    {
      ...(options.only ? { only: options.only } : {}),
      deepCheck: options.deepCheck ?? 'auto',
      fullResync: options.fullResync ?? false,
      ...(options.writtenOut ? { writtenOut: true } : {}),
    },
    async (action) => {
      if (options.keep) kept.push(action);
      await events.action?.(action);
    },
  );
  if (!options.keep) return { head, observation };
  const plan = { ...head, actions: kept };
  return { head, observation, source: planSourceOf(plan, planHash(plan)) };
}
