import type { DesiredConfig } from '../config/settings.js';
import type { Logger } from '../logging/logger.js';
import type { LeaderLock } from '../ports/leader-lock.js';
import type { ControllerMetrics } from '../ports/metrics.js';
import type { Notifier } from '../ports/notifier.js';
import type { ReadinessCheck } from '../ports/readiness.js';
import type { EmployeeLook } from '../reconcile/make-plan.js';
import type { EmployeeReadBack } from '../reconcile/read-back-employee.js';
import type { ControllerApi } from './controller-api.js';
import type { ControllerRuntime, PlanOverview } from './controller-runs.js';
import type { LoadConfig } from './config-source.js';
import type { RunSummary } from './status-model.js';

/** What a controller is made of: its configuration, its ports, its clock. */
export interface ControllerOptions {
  /** Re-reads `desired-state/` and `templates/`; called before every run. */
  loadConfig: LoadConfig;
  /** The ports a run needs, for one configuration revision (the composition root's runtime). */
  openRuntime(config: DesiredConfig): Promise<ControllerRuntime>;
  /** The leader lock, made when first needed (from the configuration's database settings). */
  leaderLock(config: DesiredConfig | undefined, identity: string): LeaderLock;
  /** `/readyz`'s database check. */
  databasePing: { check(config: DesiredConfig | undefined): Promise<ReadinessCheck>; close(): Promise<void> };
  logger: Logger;
  metrics: ControllerMetrics;
  notifier?: Notifier;
  /** This instance's id (default: host name, pid and a random suffix). */
  identity?: string;
  now?: () => Date;
  /** For jitter (default `Math.random`). */
  random?: () => number;
  /**
   * Calls back after `ms` of the `now` clock (default `setTimeout`): a clock that runs faster than
   * the wall (the benchmark's) schedules the next run on its own time.
   */
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
}

/** The reconcile loop: schedule, leader election, config reload, and the status server's API. */
export interface Controller extends ControllerApi {
  /** Runs once now, then on the schedule. Resolves at once; runs go on in the background. */
  start(): Promise<void>;
  /** Stops the schedule, lets a run in progress finish (an apply starts no new write), frees the lock. */
  stop(): Promise<void>;
  /**
   * One tick now: re-read the configuration, check leadership, run (`kind` defaults to the mode's).
   * Undefined when no run happened: busy, standby, or no valid configuration (`status()` says which).
   */
  runOnce(kind?: 'plan' | 'apply'): Promise<RunSummary | undefined>;
  /** The latest full plan run's employees and users (after an apply, what is left to do). */
  latestOverview(): PlanOverview | undefined;
  /**
   * One employee planned from the HR source and the stored user snapshot, calling no Microsoft
   * service (see `lookAtEmployee`); undefined before the first run or when the source has no row.
   */
  lookAtEmployee(email: string): Promise<EmployeeLook | undefined>;
  /**
   * The same look with the employee's current photo metadata and signature read from Microsoft
   * now, through the ports of the latest run's runtime (see `readBackEmployee`).
   */
  readBackEmployee(email: string): Promise<EmployeeReadBack | undefined>;
  /** The configuration runs use now (the last good revision). */
  currentConfig(): DesiredConfig | undefined;
  /** The last apply or rollback run (the last run may be the plan that followed it). */
  lastApply(): RunSummary | undefined;
}
