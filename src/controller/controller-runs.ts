import { randomUUID } from 'node:crypto';
import type { DesiredConfig } from '../config/settings.js';
import type { DoctorDeps } from '../doctor/run-doctor.js';
import { RemoteApiError } from '../errors/roster-error.js';
import { runLogger, type Logger } from '../logging/logger.js';
import type { Plan } from '../plan/plan-model.js';
import type { ControllerMetrics } from '../ports/metrics.js';
import { createSignatureMemo } from '../desired/signature-memo.js';
import { pendingOnly, type EmployeeSummary } from '../plan/employee-summary.js';
import type { EmployeeLook, StreamedPlanRun } from '../reconcile/make-plan.js';
import { lookAtEmployee } from '../reconcile/look-at-employee.js';
import { readBackEmployee, type EmployeeReadBack } from '../reconcile/read-back-employee.js';
import { run } from '../runs/run.js';
import { holdUntil, type SetTimer } from './hold-until.js';
import {
  combineEvents,
  type RunDeps,
  type RunEvents,
  type RunRequest,
  type RunResult,
} from '../runs/run-request.js';
import { runMetricsEvents } from '../runs/run-metrics.js';
import { errorText } from '../runs/run-result.js';
import { failedSummary, summarizeRun, type RunSummary } from '../runs/run-summary.js';
import { collectPlan } from '../runs/collect-plan.js';
import type { DriftCounts } from './status-model.js';

/**
 * How long a controller apply waits while another apply of the tenant (a CLI apply, say) holds
 * the apply lock, before its run fails with the holder named; the next tick tries again.
 */
export const CONTROLLER_LOCK_TIMEOUT_MS = 60_000;

/** What the controller's runs need beyond a run's ports, and what its preflight reads through. */
export type ControllerRuntime = RunDeps & {
  preflight: Required<Pick<DoctorDeps, 'credential' | 'tenant'>>;
  /** Exchange signature writes per second as learned: predicts how long a campaign switch takes. */
  exchangeWriteRate?: () => number | undefined;
  close(): Promise<void>;
};

/** The run a controller request makes. */
function runRequestOf(
  request: ControllerRunRequest,
  options: { actor: string; signal: AbortSignal; now(): Date; setTimer: SetTimer },
): RunRequest {
  return {
    kind: request.kind,
    actor: options.actor,
    signal: options.signal,
    deepCheck: 'auto',
    // Nobody reviews a controller's plan before it applies: its campaign switches are exempt from
    // maxChanges only within the audiences reviewed plans showed (docs/campaigns.md, "Safety").
    review: 'recorded',
    ...(request.only ? { only: request.only } : {}),
    ...(request.at ? { at: request.at } : {}),
    ...(request.kind === 'apply'
      ? {
          whenNothingToApply: request.alwaysApply
            ? ('record-as-apply' as const)
            : ('record-as-plan' as const),
        }
      : {}),
    // A finishBy switch planned ahead: its writes wait for their predicted start (shutdown cancels).
    // Its writes may not wait for the next regular run: it waits a while for an apply under way.
    ...(request.kind === 'apply' && request.holdWritesUntil
      ? {
          confirm: () => holdUntil(request.holdWritesUntil!, options, options.signal),
          lockTimeoutMs: CONTROLLER_LOCK_TIMEOUT_MS,
        }
      : {}),
  };
}

/** What one controller run is asked to do. */
export interface ControllerRunRequest {
  kind: 'plan' | 'apply';
  only?: string[];
  /** Record an apply even when there is nothing to write (an operator asked for one). */
  alwaysApply?: boolean;
  /** The moment to plan the signatures of (a campaign switch started ahead of its boundary). */
  at?: Date;
  /** An apply's writes start no earlier than this (a `finishBy` switch's predicted write start). */
  holdWritesUntil?: Date;
}

/**
 * What the dashboard shows of a full run: every employee summarized (after an apply, what is left
 * to do), and how the users were read.
 */
export type PlanOverview = Omit<StreamedPlanRun, 'head'> & { tenantId: string; employees: EmployeeSummary[] };

/** A finished controller run, with what the status and the dashboard show from it. */
export interface ControllerRunReport {
  summary: RunSummary;
  unknownEmployee?: boolean;
  /** A whole-tenant picture: the plan (before any write) and what is left to do after it. */
  latest?: { plan: Plan; overview: PlanOverview; drift: DriftCounts };
  /** False when the tenant could not be read; undefined when not known. */
  tenantReachable?: boolean;
  /** The run failed before `run` could start it (the runtime would not open): not recorded. */
  outsideRun?: boolean;
}

export interface RunExecutor {
  execute(request: ControllerRunRequest, config: DesiredConfig): Promise<ControllerRunReport>;
  /** The runtime of a revision (opened when needed): the run history is read through it. */
  runtime(config: DesiredConfig): Promise<ControllerRuntime>;
  /**
   * One employee planned from the HR source and the stored user snapshot, calling no Microsoft
   * service (see `lookAtEmployee`), through the runtime of the latest run; undefined before one.
   */
  lookAtEmployee(email: string): Promise<EmployeeLook | undefined>;
  /** The same look, with the employee's photo and signature read from the tenant now. */
  readBackEmployee(email: string): Promise<EmployeeReadBack | undefined>;
  close(): Promise<void>;
}

/**
 * Runs for the controller: a runtime per configuration revision (reopened when it changes), the
 * run itself through `run`, and its result translated for the status, the dashboard and the
 * notifications (which subscribe through `events`).
 */
export function createRunExecutor(options: {
  open(config: DesiredConfig): Promise<ControllerRuntime>;
  actor: string;
  logger: Logger;
  metrics: ControllerMetrics;
  events: RunEvents;
  signal: AbortSignal;
  now(): Date;
  /** Default `setTimeout`. */
  setTimer?: SetTimer;
}): RunExecutor {
  let runtime: { revision: string; deps: ControllerRuntime } | undefined;
  // Signatures made by one run are reused by the next (the memo checks template, view and flags).
  const signatureMemo = createSignatureMemo();

  async function ensure(config: DesiredConfig): Promise<ControllerRuntime> {
    if (runtime?.revision === config.revision) return runtime.deps;
    const old = runtime;
    runtime = undefined;
    await old?.deps.close();
    runtime = { revision: config.revision, deps: await options.open(config) };
    return runtime.deps;
  }

  async function execute(request: ControllerRunRequest, config: DesiredConfig): Promise<ControllerRunReport> {
    let deps: ControllerRuntime;
    try {
      deps = await ensure(config);
    } catch (error) {
      const message = `opening the database or tenant connections failed: ${errorText(error)}`;
      options.logger.error({ err: error }, 'run failed');
      const at = options.now();
      options.metrics.recordRun({
        kind: request.kind,
        outcome: 'failed',
        durationSeconds: 0,
        finishedAt: at,
      });
      return { summary: failedSummary(randomUUID(), request.kind, at, message), outsideRun: true };
    }
    const collected = request.only ? undefined : collectPlan();
    const employees: EmployeeSummary[] = [];
    const summaries: RunEvents | undefined = collected
      ? { employees: (found) => void employees.push(...found) }
      : undefined;
    const result = await run(
      { ...deps, signatureMemo, logger: options.logger, now: options.now },
      runRequestOf(request, { ...options, setTimer: options.setTimer ?? setTimeout }),
      combineEvents(
        logEvents(options.logger),
        collected,
        summaries,
        runMetricsEvents(options.metrics),
        options.events,
      ),
    );
    return report(result, collected?.plan(), employees);
  }

  return {
    execute,
    runtime: ensure,
    // The runtime of the latest run: a look never opens one of its own.
    lookAtEmployee: async (email) =>
      runtime && lookAtEmployee({ ...runtime.deps, signatureMemo, now: options.now }, email),
    readBackEmployee: async (email) =>
      runtime && readBackEmployee({ ...runtime.deps, signatureMemo, now: options.now }, email),
    async close() {
      await runtime?.deps.close();
      runtime = undefined;
    },
  };
}

function logEvents(logger: Logger): RunEvents {
  let log = logger;
  return {
    started(r) {
      log = runLogger(logger, r.id);
      log.info({ kind: r.kind }, 'run started');
    },
    finished(result) {
      if (result.failure !== undefined && result.outcome === 'failed') {
        log.error({ err: result.failure, stage: result.stage }, 'run failed');
      } else if (!result.apply && result.head) log.info({ ...result.head.summary }, 'plan run finished');
    },
  };
}

function report(
  result: RunResult,
  plan: Plan | undefined,
  employees: EmployeeSummary[],
): ControllerRunReport {
  const summary = summarizeRun(result);
  const base: ControllerRunReport = {
    summary,
    ...(result.unknownEmployee ? { unknownEmployee: true } : {}),
    ...(result.failure instanceof RemoteApiError && !result.head
      ? { tenantReachable: false }
      : result.head
        ? { tenantReachable: true }
        : {}),
  };
  if (!plan || !result.observation) return base;
  // Every action was applied, skipped as stale, failed or not started: what is left is the last three.
  const apply = result.apply;
  const leftKeys = apply
    ? new Set([...apply.skippedStale, ...apply.failed, ...apply.notStarted].map((r) => r.key))
    : new Set(plan.actions.map((a) => a.key));
  const left = plan.actions.filter((a) => leftKeys.has(a.key));
  const count = (kind: string) => left.filter((a) => a.kind === kind).length;
  return {
    ...base,
    latest: {
      plan,
      // What is left to do after the writes: the dashboard shows that, not the drift just healed.
      overview: {
        ...result.observation,
        tenantId: plan.tenantId,
        employees: apply ? pendingOnly(employees, leftKeys) : employees,
      },
      drift: {
        profile: count('update-profile'),
        photo: count('set-photo'),
        signature: count('set-signature'),
        warnings: plan.summary.warnings,
      },
    },
  };
}
