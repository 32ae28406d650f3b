import type { ApplyConcurrency, ApplyDeps } from '../apply/apply-plan.js';
import type { ApplyResult } from '../apply/apply-result.js';
import type { WriteListener } from '../apply/apply-execution.js';
import type { EmployeeSummary } from '../plan/employee-summary.js';
import type { PlanSource } from '../plan/plan-source.js';
import type { PlanAction, PlanHead } from '../plan/plan-model.js';
import type { ApplyLock } from '../ports/apply-lock.js';
import type { TenantDomain } from '../ports/tenant-access.js';
import type { RunKind, RunOutcome } from '../ports/state-store.js';
import type { PlanDeps, PlanProgress, StreamedPlanRun } from '../reconcile/make-plan.js';

export type { PlanProgress } from '../reconcile/make-plan.js';

/** Everything a run reads from and writes through (the composition root's runtime fits). */
export type RunDeps = PlanDeps &
  Pick<ApplyDeps, 'photoFetcher' | 'logger' | 'findSecret'> & {
    /** One writer per tenant (see `ports/apply-lock.ts`). */
    applyLock?: ApplyLock;
    /**
     * The tenant's domains (`GET /domains`), read only when no employee matched a tenant user,
     * to name the likely cause in the plan's `no-match` warning.
     */
    tenantDomains?: () => Promise<readonly TenantDomain[]>;
  };

interface RequestBase {
  /** Journaled as the run's actor. */
  actor: string;
  /** Only these employees (emails; resolved once, case-insensitively, by `run`). */
  only?: readonly string[];
  /** Stops an apply from starting new writes (SIGINT/SIGTERM, controller shutdown). */
  signal?: AbortSignal;
}

/** How the tenant is read before planning. */
export interface ObserveOptions {
  /** `auto`: photos and signatures on the configured cadence; `force`: read back every one now. */
  deepCheck?: 'auto' | 'force';
  /** List every user instead of continuing from the last delta. */
  fullResync?: boolean;
  /**
   * The moment the desired signatures are of (which campaigns run); default: when planning
   * starts. The controller plans a `finishBy` boundary ahead of time with it.
   */
  at?: Date;
  /** Who reviews the plan's campaign switches (`PlanRunOptions.review`); the controller's: `recorded`. */
  review?: 'this-plan' | 'recorded';
}

/** Plan only: nothing is written to the tenant. The plan reaches the caller through `events.action`. */
export interface PlanRequest extends RequestBase, ObserveOptions {
  kind: 'plan';
}

/** What an apply does when its plan turns out to hold nothing to write. */
export type WhenNothingToApply = 'record-as-plan' | 'record-as-apply' | 'discard';

/** Apply a saved plan, or plan now and apply. */
export interface ApplyRequest extends RequestBase, ObserveOptions {
  kind: 'apply';
  /** A saved plan, read action by action (opened by the caller, which closes it). */
  plan?: PlanSource;
  /** Overrides the max-changes guardrail; the other guardrails stay. */
  allowLargeChange?: boolean;
  /** Asked after planning, before any write (the CLI's prompt); false cancels the run unrecorded. */
  confirm?: (head: PlanHead, actions: number) => Promise<boolean>;
  /** Default `discard`: a CLI apply with nothing to do leaves no run behind. */
  whenNothingToApply?: WhenNothingToApply;
  concurrency?: ApplyConcurrency;
  /** How long to wait while another apply of the tenant holds its apply lock (default 0: refuse). */
  lockTimeoutMs?: number;
}

/** Restore the journaled before-values of a run's profile writes (applied only with `apply`). */
export interface RollbackRequest extends RequestBase {
  kind: 'rollback';
  runId: string;
  apply: boolean;
  allowLargeChange?: boolean;
  confirm?: (head: PlanHead, actions: number) => Promise<boolean>;
  lockTimeoutMs?: number;
}

export type RunRequest = PlanRequest | ApplyRequest | RollbackRequest;

/** Where a run failed, for messages such as "planning failed: …". */
export type RunStage = 'planning' | 'recording' | 'applying';

/** What one run did. Failures are data: `failure` holds the error, `stage` where it happened. */
export interface RunResult {
  id: string;
  /** As recorded: a plan run, an apply, a rollback (an apply that wrote nothing may be a plan run). */
  kind: RunKind;
  outcome: RunOutcome;
  startedAt: Date;
  finishedAt: Date;
  /** The plan's head, when a plan was made or read. */
  head?: PlanHead;
  /** Actions in the plan (before any write). */
  actionCount: number;
  /** Actions per kind in the plan. */
  actions: Record<PlanAction['kind'], number>;
  /** What an apply did. */
  apply?: ApplyResult;
  /** The error that failed or stopped the run (a GuardrailError for `stopped`). */
  failure?: unknown;
  stage?: RunStage;
  /** The guardrails that stopped the run. */
  guardrailsTripped: string[];
  /** The employees the run was restricted to (resolved: lowercased, unique). */
  only?: string[];
  /** `only` named no employee the source has: nothing ran and nothing was recorded. */
  unknownEmployee?: boolean;
  /** The caller's confirmation said no: nothing was written or recorded. */
  cancelled?: boolean;
  /** False when the run could not be recorded (the state database was unreachable). */
  recorded: boolean;
  /** What planning read, for views of the latest plan (the controller's dashboard). */
  observation?: Omit<StreamedPlanRun, 'head'>;
}

/**
 * What a run tells its subscribers as it goes: the plan's actions as they are found (a plan file
 * writer, a collector), the finished plan, each write, and the result. Metrics and notifications
 * subscribe here, not in the run.
 */
export interface RunEvents {
  started?(run: { id: string; kind: RunRequest['kind']; actor: string }): void;
  action?(action: PlanAction): void | Promise<void>;
  /**
   * One summary per planned employee, slice by slice in key order (see `summarizeEmployees`); the
   * planner makes them only when someone subscribes (the controller's dashboard).
   */
  employees?(summaries: EmployeeSummary[]): void;
  /** How far planning is: once the HR rows are counted, then after each slice (a progress display). */
  planning?(progress: PlanProgress): void;
  /** The plan is complete (its summary counts the actions per kind), before any write. */
  planned?(head: PlanHead): void | Promise<void>;
  wrote?: WriteListener;
  finished?(result: RunResult): void;
}

/** Several subscribers as one; each hook runs in order. */
export function combineEvents(...all: (RunEvents | undefined)[]): RunEvents {
  const subscribers = all.filter((e): e is RunEvents => e !== undefined);
  return {
    started: (run) => subscribers.forEach((s) => s.started?.(run)),
    async action(action) {
      for (const s of subscribers) await s.action?.(action);
    },
    ...(subscribers.some((s) => s.employees)
      ? { employees: (summaries: EmployeeSummary[]) => subscribers.forEach((s) => s.employees?.(summaries)) }
      : {}),
    ...(subscribers.some((s) => s.planning)
      ? { planning: (progress: PlanProgress) => subscribers.forEach((s) => s.planning?.(progress)) }
      : {}),
    async planned(head) {
      for (const s of subscribers) await s.planned?.(head);
    },
    wrote: (action, outcome) => subscribers.forEach((s) => s.wrote?.(action, outcome)),
    finished: (result) => subscribers.forEach((s) => s.finished?.(result)),
  };
}

/** `only` as one normalized list: lowercased, trimmed, without repeats; undefined when empty. */
export function resolveOnly(only: readonly string[] | undefined): string[] | undefined {
  if (!only) return undefined;
  const emails = [...new Set(only.map((e) => e.trim().toLowerCase()).filter((e) => e !== ''))];
  return emails.length > 0 ? emails : undefined;
}
