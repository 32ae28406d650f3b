import { applyPlan, type ApplyDeps } from '../apply/apply-plan.js';
import { closeOrphanedRuns } from '../apply/orphaned-runs.js';
import { GuardrailError } from '../errors/roster-error.js';
import { checkPlanTarget, trippedGuardrails } from '../plan/plan-checks.js';
import type { PlanSource } from '../plan/plan-source.js';
import type { RunResult, RunEvents, WhenNothingToApply } from './run-request.js';
import { failedRun, planCounts, resultOf, type RunContext } from './run-result.js';

/** What applying writes through, and the tenant and revision a plan must have been made for. */
export type ApplyStepDeps = Omit<ApplyDeps, 'now'> & { target: { tenantId: string; configRevision: string } };

/** How a plan in hand is applied. */
export interface ApplyStepOptions {
  kind: 'apply' | 'rollback';
  allowLargeChange?: boolean;
  confirm?: (head: PlanSource['head'], actions: number) => Promise<boolean>;
  whenNothingToApply: WhenNothingToApply;
  signal?: AbortSignal;
  concurrency?: Parameters<typeof applyPlan>[2]['concurrency'];
}

/**
 * Applies a plan within its guardrails: a tripped guardrail stops the run before any write (and
 * is recorded as `stopped`, even when the plan writes nothing: a source that shrank to nothing must
 * not pass as "in sync"); an empty plan records what `whenNothingToApply` says; a confirmation
 * that says no cancels unrecorded. Then the writes, and the run's record.
 */
export async function applyStep(
  deps: ApplyStepDeps,
  ctx: RunContext,
  source: PlanSource,
  options: ApplyStepOptions,
  events: RunEvents,
): Promise<RunResult> {
  const { head } = source;
  try {
    checkPlanTarget(head, deps.target);
  } catch (error) {
    // Another tenant's or revision's plan is refused before anything is recorded.
    return resultOf(ctx, options.kind, 'failed', head, {
      failure: error,
      stage: 'applying',
      recorded: false,
    });
  }
  const tripped = trippedGuardrails(head, options.allowLargeChange ?? false);
  if (tripped.length > 0) return stopped(ctx, source, options, tripped);
  if (source.actionCount === 0 && options.whenNothingToApply !== 'record-as-apply') {
    if (options.whenNothingToApply === 'discard')
      return resultOf(ctx, options.kind, 'succeeded', head, { recorded: false });
    await ctx.handle.finish({ kind: 'plan', outcome: 'succeeded', counts: planCounts(head), planHash: null });
    return resultOf(ctx, 'plan', 'succeeded', head);
  }
  if (options.confirm && !(await options.confirm(head, source.actionCount))) {
    return resultOf(ctx, options.kind, 'succeeded', head, { cancelled: true, recorded: false });
  }
  const { tenantId, configRevision } = deps.target;
  const closed = await closeOrphanedRuns(deps.store, tenantId);
  if (closed.length > 0)
    deps.logger?.warn({ runs: closed }, 'closed runs whose process ended before they finished');
  const sourceCount = options.kind === 'apply' ? head.sourceCount : undefined;
  await ctx.handle.persist(options.kind, {
    planHash: source.hash,
    ...(sourceCount !== undefined ? { sourceCount } : {}),
  });
  deps.logger?.info(
    { runId: ctx.handle.id, actions: source.actionCount, planHash: source.hash },
    'apply started',
  );
  const executed = await applyPlan(
    source,
    { ...deps, now: () => ctx.now() },
    {
      runId: ctx.handle.id,
      tenantId,
      configRevision,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(events.wrote ? { onWrite: events.wrote } : {}),
    },
  );
  const { fatal, error, ...result } = executed;
  let failure = fatal;
  try {
    await ctx.handle.finish({
      kind: options.kind,
      outcome: result.outcome,
      counts: result.counts,
      ...(error !== undefined ? { error } : {}),
      planHash: source.hash,
      ...(sourceCount !== undefined ? { sourceCount } : {}),
    });
  } catch (finishError) {
    failure ??= finishError;
  }
  deps.logger?.info({ runId: ctx.handle.id, outcome: result.outcome, ...result.counts }, 'apply finished');
  return resultOf(ctx, options.kind, result.outcome, head, {
    apply: { ...result, runId: ctx.handle.id, planHash: source.hash },
    ...(failure !== undefined ? { failure, stage: 'applying' as const } : {}),
  });
}

async function stopped(
  ctx: RunContext,
  source: PlanSource,
  options: ApplyStepOptions,
  tripped: ReturnType<typeof trippedGuardrails>,
): Promise<RunResult> {
  const message = tripped.map((g) => `${g.name}: ${g.message}`).join('\n');
  const failure = new GuardrailError(
    tripped[0]!.name,
    `apply stopped before any write by a guardrail:\n${message}`,
  );
  try {
    await ctx.handle.finish({
      kind: options.kind,
      outcome: 'stopped',
      counts: { actions: source.actionCount },
      error: message,
      planHash: source.hash,
    });
  } catch (error) {
    return failedRun(ctx, options.kind, 'recording', error, source.head);
  }
  return resultOf(ctx, options.kind, 'stopped', source.head, {
    failure,
    guardrailsTripped: tripped.map((g) => g.name),
  });
}
