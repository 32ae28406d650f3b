import { UsageError } from '../errors/roster-error.js';
import { observeUsers } from '../observe/observe-users.js';
import { planHash } from '../plan/plan-file.js';
import { planSourceOf, type PlanSource } from '../plan/plan-source.js';
import { rollbackPlan } from '../plan/rollback-plan.js';
import type { RunDeps } from './run-request.js';

/**
 * The plan that undoes a run's profile writes (see `rollbackPlan`), against the tenant as it is
 * now: each field goes back to its journaled before-value only where it still holds the value the
 * run wrote.
 */
export async function rollbackSource(deps: RunDeps, runId: string): Promise<PlanSource> {
  const run = await deps.store.getRun(runId);
  if (!run) throw new UsageError(`no run ${runId}`);
  const { settings } = deps.config;
  const { scopeHash } = await observeUsers(deps, {
    tenantId: settings.tenant.id,
    domains: settings.scope.domains,
    now: deps.now,
  });
  // Only the users the run wrote to are read from the snapshot.
  const ids = [...new Set(run.journal.flatMap((j) => (j.userId ? [j.userId] : [])))];
  const users = await deps.cache.getUsers(settings.tenant.id, scopeHash, ids);
  const plan = rollbackPlan(run, users, {
    tenantId: settings.tenant.id,
    configRevision: deps.config.revision,
    guardrails: settings.guardrails,
  });
  return planSourceOf(plan, planHash(plan));
}
