import { planHash } from '../plan/plan-file.js';
import { planSourceOf, type PlanSource } from '../plan/plan-source.js';
import type { Plan, PlanAction } from '../plan/plan-model.js';
import { restrictPlan } from '../plan/restrict-plan.js';
import { applyStep, type ApplyStepDeps } from './apply-step.js';
import { makePlanStep } from './plan-step.js';
import { rollbackSource } from './rollback-step.js';
import { createRunRecorder } from './run-recorder.js';
import {
  resolveOnly,
  type ApplyRequest,
  type PlanRequest,
  type RollbackRequest,
  type RunDeps,
  type RunEvents,
  type RunRequest,
  type RunResult,
  type RunStage,
} from './run-request.js';
import { failedRun, planCounts, resultOf, type RunContext } from './run-result.js';

/**
 * The one run use case: plan, apply (a saved plan, or one made now) or roll back, recorded in the
 * run history under an id known from the start. The CLI, the controller, the dashboard, the
 * benchmark and the demo only translate their requests into this and its result back; metrics and
 * notifications subscribe to `events`. Never throws for a failed run: the result says what failed
 * (`failure`, `stage`) and the run is recorded when it can be.
 */
export async function run(deps: RunDeps, request: RunRequest, events: RunEvents = {}): Promise<RunResult> {
  const handle = createRunRecorder(deps.store).begin({
    tenantId: deps.config.settings.tenant.id,
    actor: request.actor,
    configRevision: deps.config.revision,
  });
  const ctx: RunContext = { handle, actor: request.actor, startedAt: deps.now(), now: deps.now };
  events.started?.({ id: handle.id, kind: request.kind, actor: request.actor });
  const stage: { current: RunStage } = { current: 'planning' };
  let result: RunResult;
  try {
    result = await dispatch(deps, ctx, { ...request, only: resolveOnly(request.only) }, events, stage);
  } catch (error) {
    result = await failedRun(
      ctx,
      request.kind === 'rollback' ? 'rollback' : request.kind,
      stage.current,
      error,
    );
  }
  events.finished?.(result);
  return result;
}

type Resolved<R> = R extends unknown ? Omit<R, 'only'> & { only: string[] | undefined } : never;

function dispatch(
  deps: RunDeps,
  ctx: RunContext,
  request: Resolved<RunRequest>,
  events: RunEvents,
  stage: { current: RunStage },
): Promise<RunResult> {
  switch (request.kind) {
    case 'plan':
      return planRun(deps, ctx, request, events);
    case 'apply':
      return applyRun(deps, ctx, request, events, stage);
    case 'rollback':
      return rollbackRun(deps, ctx, request, events, stage);
  }
}

async function planRun(
  deps: RunDeps,
  ctx: RunContext,
  request: Resolved<PlanRequest>,
  events: RunEvents,
): Promise<RunResult> {
  const made = await makePlanStep(deps, { ...request, keep: false }, events);
  await events.planned?.(made.head);
  if (request.only && made.head.summary.employees === 0) {
    return resultOf(ctx, 'plan', 'succeeded', made.head, { unknownEmployee: true, recorded: false });
  }
  try {
    await ctx.handle.finish({
      kind: 'plan',
      outcome: 'succeeded',
      counts: planCounts(made.head),
      planHash: null,
    });
  } catch (error) {
    return {
      ...(await failedRun(ctx, 'plan', 'recording', error, made.head)),
      observation: made.observation,
    };
  }
  return resultOf(ctx, 'plan', 'succeeded', made.head, { observation: made.observation });
}

async function applyRun(
  deps: RunDeps,
  ctx: RunContext,
  request: Resolved<ApplyRequest>,
  events: RunEvents,
  stage: { current: RunStage },
): Promise<RunResult> {
  let source: PlanSource;
  let observation: RunResult['observation'];
  if (request.plan) {
    source = request.only ? await restricted(request.plan, request.only) : request.plan;
  } else {
    const made = await makePlanStep(deps, { ...request, keep: true }, events);
    if (request.only && made.head.summary.employees === 0) {
      return resultOf(ctx, 'apply', 'succeeded', made.head, { unknownEmployee: true, recorded: false });
    }
    source = made.source!;
    observation = made.observation;
  }
  await events.planned?.(source.head);
  stage.current = 'applying';
  const result = await applyStep(
    applyDeps(deps),
    ctx,
    source,
    {
      kind: 'apply',
      whenNothingToApply: request.whenNothingToApply ?? 'discard',
      ...(request.plan ? { saved: true } : {}),
      ...(request.allowLargeChange ? { allowLargeChange: true } : {}),
      ...(request.confirm ? { confirm: request.confirm } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.concurrency ? { concurrency: request.concurrency } : {}),
      ...(request.lockTimeoutMs !== undefined ? { lockTimeoutMs: request.lockTimeoutMs } : {}),
    },
    events,
  );
  return observation ? { ...result, observation } : result;
}

async function rollbackRun(
  deps: RunDeps,
  ctx: RunContext,
  request: Resolved<RollbackRequest>,
  events: RunEvents,
  stage: { current: RunStage },
): Promise<RunResult> {
  const source = await rollbackSource(deps, request.runId);
  for await (const action of source.actions()) await events.action?.(action);
  await events.planned?.(source.head);
  if (!request.apply) return resultOf(ctx, 'rollback', 'succeeded', source.head, { recorded: false });
  stage.current = 'applying';
  return applyStep(
    applyDeps(deps),
    ctx,
    source,
    {
      kind: 'rollback',
      whenNothingToApply: 'discard',
      ...(request.allowLargeChange ? { allowLargeChange: true } : {}),
      ...(request.confirm ? { confirm: request.confirm } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.lockTimeoutMs !== undefined ? { lockTimeoutMs: request.lockTimeoutMs } : {}),
    },
    events,
  );
}

function applyDeps(deps: RunDeps): ApplyStepDeps {
  return {
    ...deps,
    target: { tenantId: deps.config.settings.tenant.id, configRevision: deps.config.revision },
  };
}

/** The part of a saved plan for these employees (few actions, so kept in memory). */
async function restricted(source: PlanSource, only: string[]): Promise<PlanSource> {
  const wanted = new Set(only);
  const actions: PlanAction[] = [];
  for await (const action of source.actions())
    if (wanted.has(action.employee.toLowerCase())) actions.push(action);
  const plan: Plan = restrictPlan({ ...source.head, actions }, only);
  return planSourceOf(plan, planHash(plan));
}
