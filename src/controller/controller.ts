import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DesiredConfig } from '../config/settings.js';
import type { Logger } from '../logging/logger.js';
import type { Plan } from '../plan/plan-model.js';
import type { Readiness, ReadinessCheck } from '../ports/readiness.js';
import type { RunDetail, RunRecord } from '../ports/state-store.js';
import type { EmployeeLook } from '../reconcile/make-plan.js';
import type { EmployeeReadBack } from '../reconcile/read-back-employee.js';
import { failedSummary } from '../runs/run-summary.js';
import type { ApplyNowOptions, ApplyNowResult, PlanNowResult, RunRefusal } from './controller-api.js';
import {
  createRunExecutor,
  type ControllerRunReport,
  type ControllerRunRequest,
  type ControllerRuntime,
  type PlanOverview,
  type RunExecutor,
} from './controller-runs.js';
import { readinessOf, statusOf, type ControllerView } from './controller-status.js';
import { watchConfig, type ConfigSource } from './config-source.js';
import { deriveConditions } from './derive-conditions.js';
import { holderOf, isLeader, trackLeadership, type LeadershipTracker } from './leadership.js';
import { busyRefusal, notLeaderRefusal } from './run-refusals.js';
import type { Controller, ControllerOptions } from './controller-options.js';
import { nextRunDelay, withCampaignDelay } from './next-run-delay.js';
import { createCampaignTimer, type TimerInputs } from './campaign-timer.js';
import { createPreflight, type Preflight } from './preflight.js';
import { runNotifications } from './run-notifications.js';
import type { ControllerStatus, DriftCounts, RunSummary } from './status-model.js';

export type { Controller, ControllerOptions } from './controller-options.js';

const NO_DRIFT: DriftCounts = { profile: 0, photo: 0, signature: 0, warnings: 0 };

/**
 * The exclusive section's state: `idle`, `preparing` (configuration and leadership checks before a
 * run) or `running`. At most one run at a time; a request meanwhile is refused as busy.
 */
type WorkState = 'idle' | 'preparing' | 'running';

/** Whether the schedule is on (`start`) or off (`stop`, and before `start`). */
type LoopState = { state: 'stopped' } | { state: 'scheduled'; timer?: NodeJS.Timeout };

type Prepared = { config: DesiredConfig } | { refusal: RunRefusal } | { none: true };

export function createController(options: ControllerOptions): Controller {
  return new ReconcileController(options);
}

/**
 * The controller's state is three explicit machines (the schedule `LoopState`, the exclusive
 * section `WorkState`, and `Leadership`) plus what the last runs left (`ControllerView`, latest
 * plan); every method below reads or moves one of them.
 */
class ReconcileController implements Controller {
  readonly #options: ControllerOptions;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #config: ConfigSource;
  readonly #leadership: LeadershipTracker;
  readonly #executor: RunExecutor;
  readonly #notifications: ReturnType<typeof runNotifications>;
  readonly #shutdown = new AbortController();
  readonly #pending = new Set<Promise<boolean>>();
  readonly #view: ControllerView;
  readonly #latest: { plan?: Plan; overview?: PlanOverview } = {};
  readonly #preflight: Preflight;
  #work: WorkState = 'idle';
  #current: Promise<unknown> | undefined;
  #loop: LoopState = { state: 'stopped' };
  #lastTickStart: Date | undefined;
  readonly #campaigns = createCampaignTimer();
  /** Signature writes per second achieved, as the last run left it (predicts campaign switches). */
  #writesPerSecond: number | undefined;
  /** How long the latest run that wrote nothing took: a switch's run plans before it writes. */
  #planSeconds: number | undefined;

  constructor(options: ControllerOptions) {
    this.#options = options;
    const identity = options.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#logger = options.logger.child({ instance: identity });
    this.#now = options.now ?? (() => new Date());
    this.#config = watchConfig(options.loadConfig, this.#logger);
    this.#leadership = trackLeadership({
      identity,
      lock: () => options.leaderLock(this.#config.current(), identity),
      logger: this.#logger,
      onChange: (leader) => options.metrics.setLeader(leader),
    });
    this.#notifications = runNotifications(
      (event) => this.#notify(event),
      () => this.#config.current()?.settings.schedule.mode ?? 'observe',
    );
    this.#executor = createRunExecutor({
      open: options.openRuntime,
      actor: `controller:${identity}`,
      logger: this.#logger,
      metrics: options.metrics,
      events: this.#notifications,
      signal: this.#shutdown.signal,
      now: this.#now,
      ...(options.setTimer ? { setTimer: options.setTimer } : {}),
    });
    this.#preflight = createPreflight({ now: this.#now, logger: this.#logger });
    this.#view = {
      instance: { id: identity, hostname: hostname(), startedAt: this.#now().toISOString() },
      config: this.#config,
      leadership: this.#leadership.current(),
      conditions: [],
      drift: NO_DRIFT,
    };
  }

  latestOverview(): PlanOverview | undefined {
    return this.#latest.overview;
  }

  lookAtEmployee(email: string): Promise<EmployeeLook | undefined> {
    return this.#executor.lookAtEmployee(email);
  }

  readBackEmployee(email: string): Promise<EmployeeReadBack | undefined> {
    return this.#executor.readBackEmployee(email);
  }

  latestPlan(): Plan | undefined {
    return this.#latest.plan;
  }

  currentConfig(): DesiredConfig | undefined {
    return this.#config.current();
  }

  lastApply(): RunSummary | undefined {
    return this.#view.lastApply;
  }

  status(): ControllerStatus {
    const campaigns = this.#campaigns.status(this.#timerInputs());
    return { ...statusOf(this.#view), ...(campaigns ? { campaigns } : {}) };
  }

  #timerInputs(): TimerInputs {
    return {
      campaigns: this.#config.current()?.campaigns,
      now: this.#now(),
      since: new Date(this.#view.instance.startedAt),
      latest: this.#latest.plan,
      writesPerSecond: this.#writesPerSecond,
      ...(this.#planSeconds !== undefined ? { planSeconds: this.#planSeconds } : {}),
    };
  }

  async readiness(): Promise<Readiness> {
    let database: ReadinessCheck;
    try {
      database = await this.#options.databasePing.check(this.#config.current());
    } catch (error) {
      database = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    return readinessOf(this.#view, database);
  }

  async planNow(): Promise<PlanNowResult> {
    const ran = this.#exclusive(async (): Promise<PlanNowResult> => {
      const prepared = await this.#prepare();
      if ('none' in prepared) return { accepted: true, run: this.#noConfigRun('plan') };
      if ('refusal' in prepared) return prepared.refusal;
      const report = await this.#execute({ kind: 'plan' }, prepared.config);
      return { accepted: true, run: report.summary, ...(report.latest ? { plan: report.latest.plan } : {}) };
    });
    return ran ?? this.#busyRefusal();
  }

  async applyNow(request: ApplyNowOptions): Promise<ApplyNowResult> {
    const ran = this.#exclusive(async (): Promise<ApplyNowResult> => {
      const prepared = await this.#prepare();
      if ('none' in prepared) return { accepted: true, run: this.#noConfigRun('apply') };
      if ('refusal' in prepared) return prepared.refusal;
      const only = request.email ? [request.email.toLowerCase()] : undefined;
      const report = await this.#execute(
        { kind: 'apply', alwaysApply: true, ...(only ? { only } : {}) },
        prepared.config,
      );
      if (report.unknownEmployee) {
        return {
          accepted: false,
          reason: 'unknown-employee',
          message: 'no active employee has that email address',
        };
      }
      return { accepted: true, run: report.summary };
    });
    return ran ?? this.#busyRefusal();
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    return (await this.#store()).listRuns(limit, this.#config.current()?.settings.tenant.id);
  }

  async getRun(id: string): Promise<RunDetail | undefined> {
    const found = await (await this.#store()).getRun(id);
    const config = this.#config.current();
    return found && (!config || found.tenantId === config.settings.tenant.id) ? found : undefined;
  }

  async start(): Promise<void> {
    if (this.#loop.state === 'scheduled') return;
    this.#loop = { state: 'scheduled' };
    this.#refreshConditions();
    this.#logger.info({}, 'controller started');
    void this.#scheduledTick().then(() => this.#scheduleNext());
  }

  async stop(): Promise<void> {
    if (this.#loop.state === 'scheduled') clearTimeout(this.#loop.timer);
    this.#loop = { state: 'stopped' };
    this.#shutdown.abort();
    await this.#current?.catch(() => undefined);
    await Promise.allSettled([...this.#pending]);
    await this.#leadership.release();
    this.#view.leadership = this.#leadership.current();
    await this.#executor.close();
    await this.#options.databasePing.close();
    this.#logger.info({}, 'controller stopped');
  }

  async runOnce(kind?: 'plan' | 'apply'): Promise<RunSummary | undefined> {
    const ran = this.#exclusive(() => this.#tick(kind));
    return ran ? await ran : undefined;
  }

  #notify(event: Parameters<Parameters<typeof runNotifications>[0]>[0]): void {
    const tenantId = this.#config.current()?.settings.tenant.id;
    if (!this.#options.notifier || !tenantId) return;
    const sent = this.#options.notifier.notify({ ...event, tenantId, at: this.#now().toISOString() });
    this.#pending.add(sent);
    void sent.finally(() => this.#pending.delete(sent));
  }

  #refreshConditions(): void {
    const l = this.#view.leadership;
    const config = this.#config.current();
    const holder = holderOf(l);
    this.#view.conditions = deriveConditions(
      this.#view.conditions,
      {
        hasConfig: config !== undefined,
        configErrors: this.#config.errors(),
        ...(config ? { revision: config.revision } : {}),
        ...(l.state === 'unknown' ? { leaderError: l.error } : {}),
        isLeader: isLeader(l),
        ...(holder ? { holder } : {}),
        running: this.#work === 'running',
        ...(this.#view.lastRun ? { lastRun: this.#view.lastRun } : {}),
        ...(this.#view.preflight ? { preflight: this.#view.preflight } : {}),
      },
      this.#now(),
    );
  }

  async #execute(request: ControllerRunRequest, config: DesiredConfig): Promise<ControllerRunReport> {
    this.#work = 'running';
    this.#refreshConditions();
    const report = await this.#executor.execute(request, config);
    this.#work = 'preparing';
    if (!report.unknownEmployee) {
      this.#view.lastRun = report.summary;
      if (report.summary.kind !== 'plan') this.#view.lastApply = report.summary;
      if (report.tenantReachable !== undefined) this.#view.tenantReachable = report.tenantReachable;
      // A run for one employee shows no whole-tenant picture: keep the last full plan and drift.
      if (!request.only && report.latest) {
        this.#latest.plan = report.latest.plan;
        this.#latest.overview = report.latest.overview;
        this.#view.drift = report.latest.drift;
        this.#options.metrics.setDrift(this.#view.drift);
      }
    }
    if (report.outsideRun) this.#notifications.failedOutside(report.summary);
    this.#refreshConditions();
    return report;
  }

  /** Runs `task` unless another holds the controller; never two at once. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.#work !== 'idle') return undefined;
    this.#work = 'preparing';
    const promise = task().finally(() => {
      this.#work = 'idle';
      this.#current = undefined;
    });
    this.#current = promise;
    return promise;
  }

  async #prepare(): Promise<Prepared> {
    await this.#config.refresh();
    const config = this.#config.current();
    if (!config) {
      this.#refreshConditions();
      return { none: true };
    }
    this.#view.leadership = await this.#leadership.check();
    this.#refreshConditions();
    if (!isLeader(this.#view.leadership)) return { refusal: this.#notLeaderRefusal() };
    return { config };
  }

  async #tick(kind?: 'plan' | 'apply'): Promise<RunSummary | undefined> {
    this.#lastTickStart = this.#now();
    const prepared = await this.#prepare();
    if (!('config' in prepared) || this.#shutdown.signal.aborted) return undefined;
    await this.#runPreflight(prepared.config);
    if (this.#shutdown.signal.aborted) return undefined;
    const mode = prepared.config.settings.schedule.mode;
    const runKind = kind ?? (mode === 'apply' ? 'apply' : 'plan');
    // Each campaign switch due now is made by this run, once (catching up after downtime too).
    const switching = this.#campaigns.begin(this.#timerInputs());
    const report = await this.#execute(
      {
        kind: runKind,
        ...(switching.at ? { at: switching.at } : {}),
        ...(switching.writesFrom ? { holdWritesUntil: switching.writesFrom } : {}),
      },
      prepared.config,
    );
    this.#campaigns.finish(switching.due, report.summary, runKind === 'apply' ? 'apply' : 'observe');
    if (switching.due.length > 0) {
      this.#logger.info({ campaignSwitch: this.status().campaigns?.lastSwitch }, 'campaign switch run');
    }
    const { results, outcome, durationSeconds } = report.summary;
    if (outcome === 'succeeded' && results.applied === 0 && durationSeconds !== undefined)
      this.#planSeconds = durationSeconds;
    this.#writesPerSecond = await this.#executor
      .runtime(prepared.config)
      .then((runtime) => runtime.exchangeWriteRate?.())
      .catch(() => this.#writesPerSecond);
    return report.summary;
  }

  /**
   * The preflight checks of this cycle, before its run (`preflight.ts`): they only read, and their
   * findings never stop the run; they show as the Preflight condition and in readiness.
   */
  async #runPreflight(config: DesiredConfig): Promise<void> {
    try {
      await this.#preflight.run(await this.#executor.runtime(config), config);
    } catch (error) {
      // The runtime would not open: the run that follows fails and says so.
      this.#logger.warn({ err: error }, 'preflight checks could not run');
    }
    this.#view.preflight = this.#preflight.current();
    this.#refreshConditions();
  }

  async #scheduledTick(): Promise<void> {
    const ran = this.#exclusive(() => this.#tick());
    if (!ran) {
      this.#logger.info({}, 'scheduled run skipped: a run is still in progress');
      return;
    }
    try {
      await ran;
    } catch (error) {
      // A bug must not end the loop; say so and carry on with the next slot.
      this.#logger.error({ err: error }, 'controller tick failed (a bug in Roster)');
    }
  }

  #scheduleNext(): void {
    const loop = this.#loop;
    if (loop.state !== 'scheduled') return;
    const schedule = this.#config.current()?.settings.schedule;
    const regular = nextRunDelay(schedule, this.#lastTickStart, this.#now(), this.#options.random);
    // A campaign switch is on time: its run comes at its moment, whatever the interval says.
    const delay = withCampaignDelay(regular, this.#campaigns.delay(this.#timerInputs()));
    const setTimer = this.#options.setTimer ?? setTimeout;
    loop.timer = setTimer(() => void this.#scheduledTick().then(() => this.#scheduleNext()), delay);
  }

  #notLeaderRefusal(): RunRefusal {
    return notLeaderRefusal(this.#view.leadership);
  }

  #busyRefusal(): RunRefusal {
    return busyRefusal(this.#work === 'preparing', this.#view.leadership);
  }

  #noConfigRun(kind: 'plan' | 'apply'): RunSummary {
    return failedSummary(
      randomUUID(),
      kind,
      this.#now(),
      `no valid configuration: ${this.#config.errors().join('; ')}`,
    );
  }

  async #store(): Promise<ControllerRuntime['store']> {
    const config = this.#config.current();
    if (!config) throw new Error('no valid configuration: the run history is not available');
    return (await this.#executor.runtime(config)).store;
  }
}
