import { planHash } from '../plan/plan-file.js';
import { planSourceOf, type PlanSource } from '../plan/plan-source.js';
import type { PlanAction, PlanHead } from '../plan/plan-model.js';
import { noEmployeeMatched } from '../plan/plan-counts.js';
import { noMatchWarning, withLeadingWarning, type TenantDomainsRead } from '../plan/no-match.js';
import { streamPlan, type StreamedPlanRun } from '../reconcile/make-plan.js';
import { errorText } from './run-result.js';
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
  options: ObserveOptions & { only?: string[]; keep: boolean },
  events: RunEvents,
): Promise<MadePlan> {
  const kept: PlanAction[] = [];
  const { head: planned, ...observation } = await streamPlan(
    deps,
    {
      ...(options.only ? { only: options.only } : {}),
      deepCheck: options.deepCheck ?? 'auto',
      fullResync: options.fullResync ?? false,
      ...(options.at ? { at: options.at } : {}),
      ...(options.review ? { review: options.review } : {}),
    },
    {
      async action(action) {
        if (options.keep) kept.push(action);
        await events.action?.(action);
      },
      ...(events.employees ? { employees: events.employees } : {}),
      ...(events.planning ? { progress: events.planning } : {}),
    },
  );
  const head = noEmployeeMatched(planned) ? await explainNoMatch(deps, planned) : planned;
  if (!options.keep) return { head, observation };
  const plan = { ...head, actions: kept };
  return { head, observation, source: planSourceOf(plan, planHash(plan)) };
}

/**
 * A plan in which no employee matched says why, with the tenant's domains beside `scope.domains`.
 * Read here, after planning and only then, so the planner stays pure and an in-sync tenant costs
 * no extra request. A failed read is named in the warning; it never fails the plan.
 */
async function explainNoMatch(deps: RunDeps, head: PlanHead): Promise<PlanHead> {
  let tenant: TenantDomainsRead = { error: 'not available here' };
  if (deps.tenantDomains) {
    try {
      tenant = { domains: await deps.tenantDomains() };
    } catch (error) {
      tenant = { error: errorText(error) };
    }
  }
  return withLeadingWarning(head, noMatchWarning(head, deps.config.settings.scope.domains, tenant));
}
