import { applyPlan, type ApplyDeps } from '../apply/apply-plan.js';
import { closeOrphanedRuns } from '../apply/orphaned-runs.js';
import { ApplyLockedError, GuardrailError } from '../errors/roster-error.js';
import { guardrailText } from '../plan/guardrails.js';
import { checkPlanMoment, checkPlanTarget, trippedGuardrails } from '../plan/plan-checks.js';
import type { PlanSource } from '../plan/plan-source.js';
import type { ApplyLock, ApplyLockHolder } from '../ports/apply-lock.js';
import type { RunResult, RunEvents, WhenNothingToApply } from './run-request.js';
import { failedRun, planCounts, resultOf, type RunContext } from './run-result.js';

/** What applying writes through, and the tenant and revision a plan must have been made for. */
export type ApplyStepDeps = Omit<ApplyDeps, 'now'> & {
  target: { tenantId: string; configRevision: string };
  /** One writer per tenant; absent only where nothing else can write (unit tests of the writers). */
  applyLock?: ApplyLock;
};

/** How a plan in hand is applied. */
export interface ApplyStepOptions {
  kind: 'apply' | 'rollback';
  allowLargeChange?: boolean;
  confirm?: (head: PlanSource['head'], actions: number) => Promise<boolean>;
  whenNothingToApply: WhenNothingToApply;
  signal?: AbortSignal;
  concurrency?: Parameters<typeof applyPlan>[2]['concurrency'];
  /** How long to wait for another apply of the tenant to finish (default 0: refuse at once). */
  lockTimeoutMs?: number;
  /**
   * A saved plan: refused when a campaign boundary it does not cover has passed (`checkPlanMoment`).
   * A plan made by this run is of its own moment (or, in the controller, of a boundary it is timed for).
   */
  saved?: boolean;
}

/**
 * Applies a plan within its guardrails: a tripped guardrail stops the run before any write (and
 * is recorded as `stopped`, even when the plan writes nothing: a source that shrank to nothing must
 * not pass as "in sync"); an empty plan records what `whenNothingToApply` says; a confirmation
 * that says no cancels unrecorded; another apply of the tenant in progress refuses it (after
 * `lockTimeoutMs`), naming the holder. Then the writes, under the tenant's apply lock.
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
    if (options.saved) checkPlanMoment(head, ctx.now());
  } catch (error) {
    // Another tenant's, revision's or moment's plan is refused before anything is recorded.
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
  const lock = await deps.applyLock?.acquire(
    deps.target.tenantId,
    { runId: ctx.handle.id, actor: ctx.actor },
    { timeoutMs: options.lockTimeoutMs ?? 0, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (lock && !lock.acquired) {
    const failure = new ApplyLockedError(lockedMessage(lock.holder, options.lockTimeoutMs ?? 0));
    return resultOf(ctx, options.kind, 'failed', head, { failure, stage: 'applying', recorded: false });
  }
  try {
    return await write(deps, ctx, source, options, events);
  } finally {
    await lock?.release();
  }
}

function lockedMessage(holder: ApplyLockHolder | undefined, waitedMs: number): string {
  const who = holder
    ? `run ${holder.runId} by ${holder.actor} on ${holder.host} (pid ${holder.pid}), since ${holder.since}`
    : 'another apply (it has just started)';
  const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : '';
  return `another apply of this tenant is in progress: ${who}; nothing was written${waited}. Wait for it to finish, or pass --lock-timeout to wait`;
}

/** The writes themselves, with the tenant's apply lock held. */
async function write(
  deps: ApplyStepDeps,
  ctx: RunContext,
  source: PlanSource,
  options: ApplyStepOptions,
  events: RunEvents,
): Promise<RunResult> {
  const { tenantId, configRevision } = deps.target;
  // Safe only while the lock is held: no other apply of the tenant can be running now.
  const closed = await closeOrphanedRuns(deps.store, tenantId);
  if (closed.length > 0)
    deps.logger?.warn({ runs: closed }, 'closed runs whose process ended before they finished');
  const sourceCount = options.kind === 'apply' ? source.head.sourceCount : undefined;
  const recorded = { planHash: source.hash, ...(sourceCount !== undefined ? { sourceCount } : {}) };
  await ctx.handle.persist(options.kind, recorded);
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
    const end = { kind: options.kind, outcome: result.outcome, counts: result.counts, ...recorded };
    await ctx.handle.finish({ ...end, ...(error !== undefined ? { error } : {}) });
  } catch (finishError) {
    failure ??= finishError;
  }
  deps.logger?.info({ runId: ctx.handle.id, outcome: result.outcome, ...result.counts }, 'apply finished');
  return resultOf(ctx, options.kind, result.outcome, source.head, {
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
  const message = tripped.map((g) => `${g.name}: ${guardrailText(g, 'stopped')}`).join('\n');
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
