import type { PlanSource } from '../plan/plan-source.js';
import { applyStep, type ApplyStepDeps, type ApplyStepOptions } from './apply-step.js';
import { createRunRecorder } from './run-recorder.js';
import type { RunEvents, RunResult } from './run-request.js';
import { failedRun, type RunContext } from './run-result.js';

/**
 * A plan in hand applied as a run of its own: recorded, within its guardrails, journaled. `run`
 * does the same after planning; this is the entry for a caller that already holds the plan and
 * the ports (tests of the writers, embedding).
 */
export async function applyRun(
  deps: ApplyStepDeps & { now?: () => Date },
  source: PlanSource,
  options: Partial<ApplyStepOptions> & { actor: string },
  events: RunEvents = {},
): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const kind = options.kind ?? 'apply';
  const handle = createRunRecorder(deps.store).begin({
    tenantId: deps.target.tenantId,
    actor: options.actor,
    configRevision: deps.target.configRevision,
  });
  const ctx: RunContext = { handle, actor: options.actor, startedAt: now(), now };
  events.started?.({ id: handle.id, kind, actor: options.actor });
  let result: RunResult;
  try {
    result = await applyStep(
      deps,
      ctx,
      source,
      { whenNothingToApply: 'record-as-apply', ...options, kind },
      events,
    );
  } catch (error) {
    result = await failedRun(ctx, kind, 'applying', error, source.head);
  }
  events.finished?.(result);
  return result;
}
