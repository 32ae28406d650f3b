import { planHash } from '../../src/plan/plan-file.js';
import { planSourceOf } from '../../src/plan/plan-source.js';
import { run as runRoster } from '../../src/runs/run.js';
import { appliedTotal, type ApplyResult } from '../../src/apply/apply-result.js';
import { openRuntime, type Runtime } from '../../src/runtime/open-runtime.js';
import type { RunSummary } from '../../src/controller/status-model.js';
import { driftOf } from '../../src/controller/status-model.js';
import type { HrData } from '../../src/local/seed-hr.js';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createLogger } from '../../src/logging/logger.js';
import { lookAtEmployee } from '../../src/reconcile/look-at-employee.js';
import { readBackEmployee } from '../../src/reconcile/read-back-employee.js';
import { makePlan, type PlanRun } from '../../src/reconcile/make-plan.js';
import {
  createStatusApp,
  startStatusServer,
  type StatusServer,
} from '../../src/server/create-status-server.js';
import {
  buildDashboardView,
  employeeDetail,
  readBackComparison,
  type DashboardView,
} from '../../src/server/dashboard/build-dashboard-view.js';
import { createDashboardRouter } from '../../src/server/dashboard/create-dashboard-router.js';
import type {
  ApplyOutcome,
  ApplyProgress,
  BatchResult,
  DashboardOverview,
  DashboardSource,
} from '../../src/server/dashboard/dashboard-source.js';
import { createMetrics } from '../../src/server/metrics.js';
import { requireBearer } from '../../src/server/require-bearer.js';
import { FakeController } from '../server/fake-controller.js';
import { createTestWorld, usersFromDesired, type TestWorld } from '../support/roster-world.js';

export const DASHBOARD_TOKEN = 'dash-token-7c1e9b2a4f6d8e0c';

/** A `DashboardSource` over the real pipeline: `makePlan` for the views, a run applying each employee's actions. */
export interface WorldDashboardSource extends DashboardSource {
  refresh(): Promise<PlanRun>;
  view(): DashboardView;
  /** Progress events passed to `applyEmployees` callers, in order. */
  readonly progress: ApplyProgress[];
}

function outcomeOf(result: ApplyResult): { outcome: ApplyOutcome; message?: string } {
  const failed = result.failed[0];
  if (failed) return { outcome: 'failed', message: failed.message };
  if (result.notStarted[0]) return { outcome: 'failed', message: 'not started' };
  if (appliedTotal(result.applied) === 0 && result.skippedStale[0]) {
    return { outcome: 'skipped-stale', message: result.skippedStale[0].message };
  }
  return { outcome: 'applied' };
}

export function createWorldDashboardSource(runtime: Runtime): WorldDashboardSource {
  let run: PlanRun | undefined;
  let view: DashboardView | undefined;
  let plannedAt: string | undefined;
  let lastRun: RunSummary | undefined;
  let lastApply: RunSummary | undefined;
  const progress: ApplyProgress[] = [];
  const current = () => {
    if (!run || !view) throw new Error('refresh() first');
    return { run, view };
  };

  async function refresh(): Promise<PlanRun> {
    run = await makePlan(runtime, { deepCheck: 'force' });
    view = buildDashboardView(run.employees);
    plannedAt = runtime.now().toISOString();
    return run;
  }

  return {
    progress,
    refresh,
    view: () => current().view,
    overview(): DashboardOverview {
      const { run, view } = current();
      const exchangeOk = run.roamingSignaturesPostponed !== undefined;
      const drifted = view.rows.filter((r) => r.status === 'drift').length;
      return {
        tenantId: run.plan.tenantId,
        checks: {
          token: { ok: true, message: 'tokens issued for Graph and Exchange' },
          graph: { ok: true, message: `${run.users.users} users read via ${run.users.via}` },
          exchange: exchangeOk
            ? { ok: true, message: 'organization config read' }
            : { ok: false, message: 'not read' },
          database: { ok: true, message: 'state database reachable' },
        },
        roamingSignaturesPostponed: run.roamingSignaturesPostponed,
        leader: { isLeader: true, holder: 'dashboard-test' },
        mode: 'observe',
        ...(lastRun ? { lastRun } : {}),
        ...(lastApply ? { lastApply } : {}),
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'RunSucceeded',
            message: 'last plan succeeded',
            lastTransitionTime: plannedAt ?? '',
          },
        ],
        drift: {
          ...driftOf(run.plan),
          employees: view.rows.length,
          drifted,
          inSync: view.rows.filter((r) => r.status === 'in-sync').length,
        },
        ...(plannedAt ? { plannedAt } : {}),
      };
    },
    employees: (query) => current().view.query(query),
    employee: async (email) =>
      employeeDetail(await lookAtEmployee(runtime, email), current().view.summary(email)),
    readBack: async (email) => readBackComparison(await readBackEmployee(runtime, email), runtime.now()),
    async applyEmployees(emails, onProgress) {
      const { run } = current();
      const startedAt = runtime.now();
      const results: BatchResult['results'] = [];
      let applied = 0;
      for (const [i, email] of emails.entries()) {
        const actions = run.plan.actions.filter((a) => a.employee.toLowerCase() === email);
        let result: { outcome: ApplyOutcome; message?: string } = { outcome: 'nothing-to-do' };
        if (actions.length > 0) {
          const subset = { ...run.plan, actions };
          const ran = await runRoster(runtime, {
            kind: 'apply',
            actor: 'dashboard',
            plan: planSourceOf(subset, planHash(subset)),
            whenNothingToApply: 'record-as-apply',
          });
          if (ran.failure !== undefined) throw ran.failure;
          const applyResult = ran.apply!;
          applied += appliedTotal(applyResult.applied);
          result = outcomeOf(applyResult);
        }
        results.push({ email, ...result });
        const event = { done: i + 1, total: emails.length, email, ...result };
        progress.push(event);
        onProgress(event);
      }
      await refresh();
      const failed = results.filter((r) => r.outcome === 'failed').length;
      // As the controller does: the apply, then the plan that shows what is left.
      lastRun = {
        id: '00000000-0000-4000-8000-000000000001',
        kind: 'plan',
        startedAt: runtime.now().toISOString(),
        finishedAt: runtime.now().toISOString(),
        durationSeconds: 0,
        outcome: 'succeeded',
        actions: { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 },
        results: { applied: 0, 'skipped-stale': 0, failed: 0 },
        warnings: 0,
        guardrailsTripped: [],
      };
      lastApply = {
        id: '00000000-0000-4000-8000-000000000000',
        kind: 'apply',
        startedAt: startedAt.toISOString(),
        finishedAt: runtime.now().toISOString(),
        durationSeconds: (runtime.now().getTime() - startedAt.getTime()) / 1000,
        outcome: failed > 0 ? 'partial' : 'succeeded',
        actions: { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 },
        results: { applied, 'skipped-stale': 0, failed },
        warnings: 0,
        guardrailsTripped: [],
      };
      return { total: emails.length, applied: results.length - failed, failed, stopped: 0, results };
    },
  };
}

/** A drifted tenant, the real runtime, and a status server with the dashboard mounted. */
export interface DashboardWorld extends AsyncDisposable {
  world: TestWorld;
  runtime: Runtime;
  source: WorldDashboardSource;
  server: StatusServer;
}

export interface DashboardWorldOptions {
  hr?: HrData;
  /** Out-of-band changes made in the tenant before the first plan: upn → patch. */
  drift?: Record<string, Record<string, unknown>>;
}

export async function startDashboardWorld(options: DashboardWorldOptions = {}): Promise<DashboardWorld> {
  const world = await createTestWorld({
    hr: options.hr ?? smallHrFixture(),
    settings: { guardrails: { maxChanges: 1000, maxSourceShrinkPercent: 20 } },
    users: async ({ desired }) => usersFromDesired(await desired()),
  });
  for (const [upn, patch] of Object.entries(options.drift ?? {})) world.sim.patchUser(upn, patch);
  const runtime = await openRuntime({ dir: world.dir, env: world.env });
  const source = createWorldDashboardSource(runtime);
  await source.refresh();
  const app = createStatusApp({
    api: new FakeController(),
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger({ level: 'silent' }),
    apiToken: DASHBOARD_TOKEN,
    dashboard: createDashboardRouter({
      source,
      apiTokenCheck: requireBearer(DASHBOARD_TOKEN),
      liveIntervalMs: 200,
    }),
  });
  const server = await startStatusServer({ app, port: 0 });
  return {
    world,
    runtime,
    source,
    server,
    async [Symbol.asyncDispose]() {
      await server.close();
      await runtime.close();
      await world[Symbol.asyncDispose]();
    },
  };
}
