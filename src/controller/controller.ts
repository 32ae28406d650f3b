import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { stateDatabaseConfig } from '../adapters/postgres/connect.js';
import { openRuntime as openRealRuntime, type Env, type Runtime } from '../cli/runtime.js';
import { loadDesiredConfig } from '../config/load-desired-config.js';
import type { DesiredConfig } from '../config/settings.js';
import { createSignatureMemo } from '../desired/signature-memo.js';
import { formatProblem } from '../errors/roster-error.js';
import type { Logger } from '../logging/logger.js';
import type { Plan } from '../plan/plan-model.js';
import type { EmployeeLook } from '../reconcile/make-plan.js';
import { lookAtEmployee } from '../reconcile/look-at-employee.js';
import type { RosterMetrics } from '../server/metrics.js';
import type { NotificationEvent, Notifier } from '../server/notify-webhook.js';
import type {
  ApplyNowOptions,
  ApplyResult,
  ControllerApi,
  PlanNowResult,
  Readiness,
  ReadinessCheck,
  RunRefusal,
} from './controller-api.js';
import { deriveConditions } from './derive-conditions.js';
import { createDatabasePing } from './database-ping.js';
import { createLeaderLock, type LeaderLock } from './leader-lock.js';
import { nextRunDelay } from './next-run-delay.js';
import {
  errorText,
  reconcileRun,
  type PlanOverview,
  type RunReport,
  type RunRequest,
} from './reconcile-run.js';
import {
  countActions,
  type Condition,
  type ControllerStatus,
  type DriftCounts,
  type RunSummary,
} from './status-model.js';

export interface ControllerOptions {
  /** Folder holding `desired-state/` and `templates/`; re-read before every run. */
  dir: string;
  env: Env;
  logger: Logger;
  metrics: RosterMetrics;
  notifier?: Notifier;
  /** This instance's id (default: host name, pid and a random suffix). */
  identity?: string;
  now?: () => Date;
  /** The composition root (default: `openRuntime` of `src/cli/runtime.ts`). */
  openRuntime?: typeof openRealRuntime;
  /** For jitter (default `Math.random`). */
  random?: () => number;
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
  runOnce(kind?: RunRequest['kind']): Promise<RunSummary | undefined>;
  /** The latest full plan run's employees and users (after an apply, what is left to do). */
  latestOverview(): PlanOverview | undefined;
  /**
   * One employee planned from the HR source and the stored user snapshot, calling no Microsoft
   * service (see `lookAtEmployee`); undefined before the first run or when the source has no row.
   */
  lookAtEmployee(email: string): Promise<EmployeeLook | undefined>;
  /** The configuration runs use now (the last good revision). */
  currentConfig(): DesiredConfig | undefined;
}

const NO_DRIFT: DriftCounts = { profile: 0, photo: 0, signature: 0, warnings: 0 };

function defaultIdentity(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function createController(options: ControllerOptions): Controller {
  const { dir, env, metrics } = options;
  const identity = options.identity ?? defaultIdentity();
  const logger = options.logger.child({ instance: identity });
  const now = options.now ?? (() => new Date());
  const open = options.openRuntime ?? openRealRuntime;
  const actor = `controller:${identity}`;
  const startedAt = now();
  // Signatures made by one run are reused by the next (the memo checks template, view and flags).
  const signatureMemo = createSignatureMemo();

  let config: DesiredConfig | undefined;
  let configErrors: string[] = [];
  let runtime: Runtime | undefined;
  let lock: LeaderLock | undefined;
  const ping = createDatabasePing();
  let isLeader = false;
  let holder: string | undefined;
  let leaderError: string | undefined;
  let leaderChecked = false;
  let busy = false;
  /** A run (not only a tick's config and lock check) is in progress. */
  let running = false;
  let current: Promise<unknown> | undefined;
  let lastRun: RunSummary | undefined;
  let lastTickStart: Date | undefined;
  let latestPlan: Plan | undefined;
  let latestOverview: PlanOverview | undefined;
  let drift: DriftCounts = NO_DRIFT;
  let tenantReachable: boolean | undefined;
  let conditions: Condition[] = [];
  let notifiedKeys = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  const shutdown = new AbortController();
  const pending = new Set<Promise<boolean>>();

  function refreshConditions(running: boolean): void {
    conditions = deriveConditions(
      conditions,
      {
        hasConfig: config !== undefined,
        configErrors,
        ...(config ? { revision: config.revision } : {}),
        ...(leaderError ? { leaderError } : {}),
        isLeader,
        ...(holder ? { holder } : {}),
        running,
        ...(lastRun ? { lastRun } : {}),
      },
      now(),
    );
  }

  async function refreshConfig(): Promise<void> {
    try {
      const loaded = await loadDesiredConfig(dir, env);
      const errors = loaded.problems.filter((p) => p.severity === 'error').map(formatProblem);
      if (loaded.config) {
        if (config?.revision !== loaded.config.revision) {
          logger.info({ revision: loaded.config.revision }, 'configuration revision loaded');
        }
        config = loaded.config;
        configErrors = [];
      } else {
        if (errors.join('\n') !== configErrors.join('\n')) {
          logger.warn({ problems: errors, using: config?.revision ?? null }, 'configuration is invalid');
        }
        configErrors = errors.length > 0 ? errors : ['the configuration could not be loaded'];
      }
    } catch (error) {
      configErrors = [`the configuration could not be read: ${errorText(error)}`];
    }
  }

  async function checkLeadership(): Promise<void> {
    const was = isLeader;
    const previousError = leaderError;
    try {
      lock ??= createLeaderLock({
        connection: stateDatabaseConfig(env, config?.settings.source.ssl),
        identity,
      });
      isLeader = await lock.tryAcquire();
      holder = isLeader ? identity : await lock.holder();
      leaderError = undefined;
    } catch (error) {
      isLeader = false;
      holder = undefined;
      leaderError = `cannot check the leader lock: ${errorText(error)}`;
      if (leaderError !== previousError) logger.warn({ err: error }, 'leader lock check failed');
    }
    leaderChecked = true;
    metrics.setLeader(isLeader);
    if (was !== isLeader) {
      logger.info({ isLeader, holder: holder ?? null }, isLeader ? 'became the leader' : 'standing by');
    }
  }

  async function ensureRuntime(cfg: DesiredConfig): Promise<Runtime> {
    if (runtime && runtime.config.revision === cfg.revision) return runtime;
    const old = runtime;
    runtime = undefined;
    await old?.close();
    runtime = await open({ dir, env, logger, metrics: metrics.api, config: cfg, signatureMemo });
    return runtime;
  }

  function notify(event: Omit<NotificationEvent, 'tenantId' | 'at'>): void {
    if (!options.notifier || !config) return;
    const sent = options.notifier.notify({
      ...event,
      tenantId: config.settings.tenant.id,
      at: now().toISOString(),
    });
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  }

  function afterRun(report: RunReport, request: RunRequest, previous: RunSummary | undefined): void {
    const run = report.summary;
    lastRun = run;
    if (report.tenantReachable !== undefined) tenantReachable = report.tenantReachable;
    // A run for one employee shows no whole-tenant picture: keep the last full plan and drift.
    if (!request.only && report.overview) latestOverview = report.overview;
    if (!request.only && report.plan) {
      latestPlan = report.plan;
      drift = report.drift ?? drift;
      metrics.setDrift(drift);
      const keys = new Set(report.plan.actions.map((a) => a.key));
      const fresh = [...keys].filter((k) => !notifiedKeys.has(k));
      notifiedKeys = keys;
      if (fresh.length > 0) {
        const c = countActions(report.plan);
        notify({
          type: 'drift-detected',
          runId: run.id,
          summary: `${c['update-profile']} profile update(s), ${c['set-photo']} photo(s), ${c['set-signature']} signature(s) pending`,
          message: `${fresh.length} new difference(s) between the tenant and the desired state; mode ${config?.settings.schedule.mode ?? 'observe'}`,
        });
      }
    }
    if (run.outcome === 'failed' && (previous?.outcome !== 'failed' || previous.error !== run.error)) {
      notify({
        type: 'run-failed',
        runId: run.id,
        summary: `${run.kind} run failed`,
        message: run.error ?? '',
      });
    }
    if (run.outcome === 'stopped' && previous?.outcome !== 'stopped') {
      notify({
        type: 'guardrail-tripped',
        runId: run.id,
        summary: `apply stopped by ${run.guardrailsTripped.join(', ')}`,
        message: run.error ?? '',
      });
    }
  }

  /** The run itself, inside the exclusive section. */
  async function execute(
    request: RunRequest,
    cfg: DesiredConfig,
  ): Promise<RunReport | { unknownEmployee: true }> {
    running = true;
    refreshConditions(true);
    const previous = lastRun;
    let report: RunReport | { unknownEmployee: true };
    try {
      const rt = await ensureRuntime(cfg);
      report = await reconcileRun(request, {
        runtime: rt,
        actor,
        logger,
        metrics,
        signal: shutdown.signal,
        now,
      });
    } catch (error) {
      // Only opening the runtime gets here (reconcileRun reports its own failures).
      const at = now();
      const message = `opening the database or tenant connections failed: ${errorText(error)}`;
      logger.error({ err: error }, 'run failed');
      metrics.recordRun({ kind: request.kind, outcome: 'failed', durationSeconds: 0, finishedAt: at });
      report = {
        summary: {
          id: randomUUID(),
          kind: request.kind,
          startedAt: at.toISOString(),
          finishedAt: at.toISOString(),
          durationSeconds: 0,
          outcome: 'failed',
          actions: countActions(undefined),
          results: { applied: 0, 'skipped-stale': 0, failed: 0 },
          warnings: 0,
          guardrailsTripped: [],
          error: message,
        },
      };
    }
    running = false;
    if ('summary' in report) afterRun(report, request, previous);
    refreshConditions(false);
    return report;
  }

  /** Runs `work` unless another run holds the controller; never two at once. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> | undefined {
    if (busy) return undefined;
    busy = true;
    const promise = work().finally(() => {
      busy = false;
      current = undefined;
    });
    current = promise;
    return promise;
  }

  type Prepared = { cfg: DesiredConfig } | { refusal: RunRefusal } | { none: true };

  async function prepare(): Promise<Prepared> {
    await refreshConfig();
    if (!config) {
      refreshConditions(false);
      return { none: true };
    }
    const cfg = config;
    await checkLeadership();
    refreshConditions(false);
    if (!isLeader) return { refusal: notLeaderRefusal() };
    return { cfg };
  }

  async function tick(kind?: RunRequest['kind']): Promise<RunSummary | undefined> {
    lastTickStart = now();
    const prepared = await prepare();
    if (!('cfg' in prepared) || shutdown.signal.aborted) return undefined;
    const mode = prepared.cfg.settings.schedule.mode;
    const report = await execute({ kind: kind ?? (mode === 'apply' ? 'apply' : 'plan') }, prepared.cfg);
    return 'summary' in report ? report.summary : undefined;
  }

  async function safeTick(): Promise<void> {
    const run = exclusive(() => tick());
    if (!run) {
      logger.info({}, 'scheduled run skipped: a run is still in progress');
      return;
    }
    try {
      await run;
    } catch (error) {
      // A bug must not end the loop; say so and carry on with the next slot.
      logger.error({ err: error }, 'controller tick failed (a bug in Roster)');
    }
  }

  function scheduleNext(): void {
    if (stopped) return;
    const delay = nextRunDelay(config?.settings.schedule, lastTickStart, now(), options.random);
    timer = setTimeout(() => {
      void safeTick().then(scheduleNext);
    }, delay);
  }

  function notLeaderRefusal(): RunRefusal {
    const who = holder
      ? `instance ${holder}`
      : leaderError
        ? 'unknown (the lock cannot be checked)'
        : 'another instance';
    return {
      accepted: false,
      reason: 'not-leader',
      message: `this instance is on standby; the leader is ${who}`,
    };
  }

  /** While a standby's tick only checks the lock, a request is refused as not-leader, not busy. */
  function busyRefusal(): RunRefusal {
    if (!running && leaderChecked && !isLeader) return notLeaderRefusal();
    return {
      accepted: false,
      reason: 'busy',
      message: 'a run is in progress; try again when it has finished',
    };
  }

  function noConfigRun(kind: RunRequest['kind']): RunSummary {
    const at = now().toISOString();
    return {
      id: randomUUID(),
      kind,
      startedAt: at,
      finishedAt: at,
      durationSeconds: 0,
      outcome: 'failed',
      actions: countActions(undefined),
      results: { applied: 0, 'skipped-stale': 0, failed: 0 },
      warnings: 0,
      guardrailsTripped: [],
      error: `no valid configuration: ${configErrors.join('; ')}`,
    };
  }

  async function storeOrThrow(): Promise<Runtime['store']> {
    if (runtime) return runtime.store;
    if (!config) throw new Error('no valid configuration: the run history is not available');
    return (await ensureRuntime(config)).store;
  }

  async function checkDatabase(): Promise<ReadinessCheck> {
    try {
      return await ping.check(stateDatabaseConfig(env, config?.settings.source.ssl));
    } catch (error) {
      return { ok: false, message: errorText(error) };
    }
  }

  return {
    latestOverview: () => latestOverview,
    async lookAtEmployee(email) {
      // The runtime of the latest run (a look never opens one of its own).
      return runtime ? lookAtEmployee(runtime, email) : undefined;
    },
    currentConfig: () => config,

    status(): ControllerStatus {
      return {
        instance: { id: identity, hostname: hostname(), startedAt: startedAt.toISOString() },
        leader: { isLeader, ...(holder ? { holder } : {}) },
        mode: config?.settings.schedule.mode ?? 'observe',
        ...(lastRun ? { lastRun } : {}),
        conditions,
        drift,
        config: {
          revision: config?.revision ?? '',
          valid: configErrors.length === 0 && !!config,
          errors: configErrors,
        },
      };
    },

    latestPlan: () => latestPlan,

    async readiness(): Promise<Readiness> {
      const checks: Record<string, ReadinessCheck> = {
        config: config
          ? configErrors.length > 0
            ? { ok: true, message: 'the latest revision is invalid; the last good one is in use' }
            : { ok: true }
          : { ok: false, message: 'no valid configuration' },
        database: await checkDatabase(),
        tenant:
          tenantReachable === false
            ? { ok: false, message: 'the last run could not reach the tenant' }
            : { ok: true, ...(tenantReachable === undefined ? { message: 'not checked yet' } : {}) },
        leader: !leaderChecked
          ? { ok: false, message: 'the leader lock has not been checked yet' }
          : leaderError
            ? { ok: false, message: leaderError }
            : { ok: true, message: isLeader ? 'leader' : `standby; the leader is ${holder ?? 'unknown'}` },
      };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },

    async planNow(): Promise<PlanNowResult> {
      const run = exclusive(async (): Promise<PlanNowResult> => {
        const prepared = await prepare();
        if ('none' in prepared) return { accepted: true, run: noConfigRun('plan') };
        if ('refusal' in prepared) return prepared.refusal;
        const report = await execute({ kind: 'plan' }, prepared.cfg);
        if (!('summary' in report)) throw new Error('a whole-tenant plan cannot name an unknown employee');
        return { accepted: true, run: report.summary, ...(report.plan ? { plan: report.plan } : {}) };
      });
      return run ?? busyRefusal();
    },

    async applyNow(request: ApplyNowOptions): Promise<ApplyResult> {
      const run = exclusive(async (): Promise<ApplyResult> => {
        const prepared = await prepare();
        if ('none' in prepared) return { accepted: true, run: noConfigRun('apply') };
        if ('refusal' in prepared) return prepared.refusal;
        const only = request.email ? [request.email.toLowerCase()] : undefined;
        const report = await execute(
          { kind: 'apply', alwaysApply: true, ...(only ? { only } : {}) },
          prepared.cfg,
        );
        if (!('summary' in report)) {
          return {
            accepted: false,
            reason: 'unknown-employee',
            message: 'no active employee has that email address',
          };
        }
        return { accepted: true, run: report.summary };
      });
      return run ?? busyRefusal();
    },

    async listRuns(limit: number) {
      const store = await storeOrThrow();
      return store.listRuns(limit, config?.settings.tenant.id);
    },

    async getRun(id: string) {
      const store = await storeOrThrow();
      const run = await store.getRun(id);
      return run && (!config || run.tenantId === config.settings.tenant.id) ? run : undefined;
    },

    async start() {
      if (!stopped) return;
      stopped = false;
      refreshConditions(false);
      logger.info({}, 'controller started');
      void safeTick().then(scheduleNext);
    },

    async stop() {
      stopped = true;
      clearTimeout(timer);
      shutdown.abort();
      await current?.catch(() => undefined);
      await Promise.allSettled([...pending]);
      await lock?.release();
      isLeader = false;
      metrics.setLeader(false);
      await runtime?.close();
      runtime = undefined;
      await ping.close();
      logger.info({}, 'controller stopped');
    },

    async runOnce(kind) {
      const run = exclusive(() => tick(kind));
      return run ? await run : undefined;
    },
  };
}
