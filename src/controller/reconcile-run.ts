import { randomUUID } from 'node:crypto';
import { applyPlan, trippedGuardrails } from '../apply/apply-plan.js';
import { appliedTotal, type ApplyResult as ApplyRunResult } from '../apply/apply-result.js';
import type { Runtime } from '../cli/runtime.js';
import { GuardrailError, RemoteApiError, RosterError } from '../errors/roster-error.js';
import { runLogger, type Logger } from '../logging/logger.js';
import type { ActionKind, Plan } from '../plan/plan-model.js';
import type { RunKind, RunOutcome } from '../ports/state-store.js';
import { pendingOnly } from '../plan/employee-summary.js';
import { makePlan, type PlanRun } from '../reconcile/make-plan.js';
import type { RosterMetrics } from '../server/metrics.js';
import { countActions, driftOf, type DriftCounts, type RunSummary } from './status-model.js';

/** What one run is asked to do. */
export interface RunRequest {
  kind: 'plan' | 'apply';
  /** Plan (and apply) only these employees. */
  only?: string[];
  /**
   * Record an apply run even when the plan is empty (an operator asked for one). Scheduled apply
   * ticks with nothing to do are recorded as plan runs, so the history is not flooded.
   */
  alwaysApply?: boolean;
}

export interface RunContext {
  runtime: Runtime;
  /** Journaled as the run's actor: `controller:<instance id>`. */
  actor: string;
  logger: Logger;
  metrics: RosterMetrics;
  /** Stops an apply from starting new writes (shutdown). */
  signal?: AbortSignal;
  now: () => Date;
}

/** What the dashboard shows of a full run: every employee summarized, and how the users were read. */
export type PlanOverview = Omit<PlanRun, 'plan'> & { tenantId: string };

/** A finished run, with what the controller shows and notifies about. */
export interface RunReport {
  summary: RunSummary;
  plan?: Plan;
  /** The run's employees (after an apply, what is left to do), for the dashboard. */
  overview?: PlanOverview;
  /** Drift left after the run: the plan's, minus what an apply wrote. */
  drift?: DriftCounts;
  /** False when the tenant could not be read (readiness); undefined when not known. */
  tenantReachable?: boolean;
}

/** `only` named nobody known: nothing ran and nothing was recorded. */
export interface UnknownEmployee {
  unknownEmployee: true;
}

const MAX_ERROR = 500;

/** A short, secret-free error text: Roster's own errors are written for people; others are bugs. */
export function errorText(error: unknown): string {
  const text =
    error instanceof RosterError
      ? error.message
      : error instanceof Error
        ? `internal error: ${error.name}: ${error.message}`
        : 'internal error';
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}…` : text;
}

function zeroResults(): RunSummary['results'] {
  return { applied: 0, 'skipped-stale': 0, failed: 0 };
}

/**
 * One run: plan through `makePlan` (the whole plan is made before anything is written, so a
 * source that fails mid-read never leads to a write), then in `apply` runs apply within the
 * guardrails. Every run is recorded in the state store when it can be; a failure is a run
 * outcome, never an exception.
 */
export async function reconcileRun(
  request: RunRequest,
  ctx: RunContext,
): Promise<RunReport | UnknownEmployee> {
  const id = randomUUID();
  const started = ctx.now();
  const log = runLogger(ctx.logger, id);
  const { store, config } = ctx.runtime;
  const tenantId = config.settings.tenant.id;
  const base = { id, startedAt: started.toISOString(), warnings: 0, guardrailsTripped: [] as string[] };

  const finish = (kind: RunKind, outcome: RunOutcome, rest: Partial<RunSummary> = {}): RunSummary => {
    const finishedAt = ctx.now();
    const durationSeconds = (finishedAt.getTime() - started.getTime()) / 1000;
    ctx.metrics.recordRun({ kind, outcome, durationSeconds, finishedAt });
    return {
      ...base,
      kind,
      outcome,
      finishedAt: finishedAt.toISOString(),
      durationSeconds,
      actions: countActions(undefined),
      results: zeroResults(),
      ...rest,
    };
  };

  const failed = async (error: unknown, stage: string): Promise<RunReport> => {
    const message = `${stage}: ${errorText(error)}`;
    log.error({ err: error, stage }, 'run failed');
    // Best effort: with the database gone the run cannot be recorded, and that is no new news.
    try {
      await store.startRun({
        id,
        kind: request.kind,
        tenantId,
        actor: ctx.actor,
        configRevision: config.revision,
      });
      await store.finishRun(id, 'failed', {}, message);
    } catch {
      log.warn({ stage }, 'could not record the failed run');
    }
    return {
      summary: finish(request.kind, 'failed', { error: message }),
      ...(error instanceof RemoteApiError ? { tenantReachable: false } : {}),
    };
  };

  log.info({ kind: request.kind, only: request.only?.length ?? 0 }, 'run started');
  let planned: PlanRun;
  try {
    planned = await makePlan(ctx.runtime, {
      deepCheck: 'auto',
      ...(request.only ? { only: request.only } : {}),
    });
  } catch (error) {
    return failed(error, 'planning failed');
  }
  const { plan, ...rest } = planned;
  const overview: PlanOverview = { ...rest, tenantId: plan.tenantId };
  // `only` named no employee the source has (the plan of those is then empty).
  if (request.only && plan.actions.length === 0 && plan.summary.employees === 0)
    return { unknownEmployee: true };
  const actions = countActions(plan);
  const drift = driftOf(plan);
  const common = { actions, warnings: plan.summary.warnings };
  const apply =
    request.kind === 'apply' &&
    (request.alwaysApply === true || plan.actions.length > 0 || trippedGuardrails(plan).length > 0);

  if (!apply) {
    try {
      await store.startRun({
        id,
        kind: 'plan',
        tenantId,
        actor: ctx.actor,
        planHash: null,
        configRevision: plan.configRevision,
      });
      await store.finishRun(id, 'succeeded', {
        updateProfile: plan.summary.updateProfile,
        setPhoto: plan.summary.setPhoto,
        setSignature: plan.summary.setSignature,
        warnings: plan.summary.warnings,
      });
    } catch (error) {
      return {
        ...(await failed(error, 'recording the run failed')),
        plan,
        overview,
        drift,
        tenantReachable: true,
      };
    }
    for (const [kind, count] of Object.entries(actions))
      ctx.metrics.recordActions(kind as ActionKind, 'planned', count);
    log.info({ ...plan.summary }, 'plan run finished');
    return {
      summary: { ...finish('plan', 'succeeded', common) },
      plan,
      overview,
      drift,
      tenantReachable: true,
    };
  }

  let result: ApplyRunResult;
  try {
    result = await applyPlan(
      plan,
      {
        ...ctx.runtime.microsoft,
        photoFetcher: ctx.runtime.photoFetcher,
        store,
        logger: log,
        now: ctx.now,
        findSecret: ctx.runtime.scrubber.find,
      },
      {
        tenantId,
        configRevision: config.revision,
        actor: ctx.actor,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof GuardrailError)) {
      const report = await failed(error, 'apply failed');
      return { ...report, plan, overview, drift, tenantReachable: true };
    }
    const tripped = trippedGuardrails(plan).map((g) => g.name);
    // applyPlan recorded the stopped run under its own id; show that one.
    const recorded = await store
      .listRuns(5, tenantId)
      .then((runs) => runs.find((r) => r.actor === ctx.actor && r.outcome === 'stopped')?.id)
      .catch(() => undefined);
    const summary = finish('apply', 'stopped', {
      ...common,
      guardrailsTripped: tripped,
      error: errorText(error),
      ...(recorded ? { id: recorded } : {}),
    });
    return { summary, plan, overview, drift, tenantReachable: true };
  }

  // Every action was applied, skipped as stale, failed or not started: what is left is the last three.
  const leftKeys = new Set(
    [...result.skippedStale, ...result.failed, ...result.notStarted].map((r) => r.key),
  );
  const left = plan.actions.filter((a) => leftKeys.has(a.key));
  const remaining = countActions({ ...plan, actions: left });
  for (const [kind, count] of Object.entries(result.applied)) {
    ctx.metrics.recordActions(kind as ActionKind, 'applied', count);
  }
  for (const [outcome, refs] of [
    ['skipped-stale', result.skippedStale],
    ['failed', result.failed],
  ] as const) {
    const byKind: Record<ActionKind, number> = { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 };
    for (const r of refs) byKind[r.kind]++;
    for (const [kind, count] of Object.entries(byKind))
      ctx.metrics.recordActions(kind as ActionKind, outcome, count);
  }
  const summary = finish('apply', result.outcome, {
    ...common,
    id: result.runId,
    results: {
      applied: appliedTotal(result.applied),
      'skipped-stale': result.skippedStale.length,
      failed: result.failed.length,
    },
    ...(result.interrupted ? { error: 'interrupted: stopped starting new writes' } : {}),
    ...(result.outcome === 'failed' || result.outcome === 'partial'
      ? { error: `${result.failed.length + result.notStarted.length} action(s) failed or were not started` }
      : {}),
  });
  return {
    summary,
    plan,
    // What is left to do after the writes: the dashboard shows that, not the drift just healed.
    overview: { ...overview, employees: pendingOnly(overview.employees, leftKeys) },
    drift: {
      profile: remaining['update-profile'],
      photo: remaining['set-photo'],
      signature: remaining['set-signature'],
      warnings: drift.warnings,
    },
    tenantReachable: true,
  };
}
