import {
  buildDashboardView,
  employeeDetail,
  readBackComparison,
  type DashboardView,
} from './build-dashboard-view.js';
import type {
  ApplyOutcome,
  BatchResult,
  DashboardOverview,
  DashboardSource,
  EmployeePage,
} from './dashboard-source.js';
import type { Controller } from '../../controller/controller.js';
import type { PlanOverview } from '../../controller/controller-runs.js';

const EMPTY_PAGE = (page: number, pageSize: number): EmployeePage => ({
  rows: [],
  total: 0,
  page,
  pageSize,
  offices: [],
});

/**
 * The dashboard's data from the running controller: the table from its latest run's employee
 * summaries (the view rebuilt only when that run changes), an employee's page planned on demand
 * from the HR source and the stored snapshot, actions through `applyNow` one employee at a time,
 * then a fresh plan so the page shows what is left.
 */
export function createControllerDashboardSource(controller: Controller): DashboardSource {
  let cached: { overview: PlanOverview; view: DashboardView } | undefined;
  const view = (): DashboardView | undefined => {
    const overview = controller.latestOverview();
    if (!overview) return undefined;
    if (cached?.overview === overview) return cached.view;
    cached = { overview, view: buildDashboardView(overview.employees) };
    return cached.view;
  };

  return {
    async overview(): Promise<DashboardOverview> {
      const status = controller.status();
      const readiness = await controller.readiness();
      const run = controller.latestOverview();
      const rows = view()?.rows ?? [];
      const tenant = readiness.checks['tenant'] ?? { ok: false, message: 'not checked yet' };
      const database = readiness.checks['database'] ?? { ok: false, message: 'not checked yet' };
      const lastApply = controller.lastApply();
      return {
        tenantId: run?.tenantId ?? controller.currentConfig()?.settings.tenant.id ?? '',
        checks: {
          token: tenant.ok ? { ok: true, message: 'tokens issued for Graph and Exchange' } : tenant,
          graph: run ? { ok: true, message: `${run.users.users} users read (${run.users.via})` } : tenant,
          exchange:
            run?.roamingSignaturesPostponed !== undefined
              ? { ok: true, message: 'organization config read' }
              : { ok: false, message: run ? 'organization config not read' : 'not checked yet' },
          database: database.ok ? { ok: true, message: database.message ?? 'reachable' } : database,
        },
        roamingSignaturesPostponed: run?.roamingSignaturesPostponed,
        leader: status.leader,
        mode: status.mode,
        ...(status.lastRun ? { lastRun: status.lastRun } : {}),
        ...(lastApply ? { lastApply } : {}),
        conditions: status.conditions,
        drift: {
          ...status.drift,
          employees: rows.length,
          drifted: rows.filter((r) => r.status === 'drift').length,
          inSync: rows.filter((r) => r.status === 'in-sync').length,
        },
        ...(status.lastRun?.finishedAt ? { plannedAt: status.lastRun.finishedAt } : {}),
      };
    },
    employees: (query) => view()?.query(query) ?? EMPTY_PAGE(query.page, query.pageSize),
    async employee(email) {
      const summary = view()?.summary(email);
      return employeeDetail(await controller.lookAtEmployee(email), summary);
    },
    async readBack(email) {
      return readBackComparison(await controller.readBackEmployee(email), new Date());
    },
    async applyEmployees(emails, onProgress): Promise<BatchResult> {
      const results: BatchResult['results'] = [];
      for (const [i, email] of emails.entries()) {
        const answer = await controller.applyNow({ email });
        let outcome: ApplyOutcome;
        let message: string | undefined;
        if (!answer.accepted) {
          outcome = answer.reason === 'unknown-employee' ? 'nothing-to-do' : 'failed';
          message = answer.message;
        } else {
          const r = answer.run.results;
          outcome =
            answer.run.outcome === 'stopped'
              ? 'stopped'
              : r.failed > 0 || answer.run.outcome === 'failed'
                ? 'failed'
                : r.applied > 0
                  ? 'applied'
                  : r['skipped-stale'] > 0
                    ? 'skipped-stale'
                    : 'nothing-to-do';
          if (answer.run.error) message = answer.run.error;
        }
        results.push({ email, outcome, ...(message ? { message } : {}) });
        onProgress({ done: i + 1, total: emails.length, email, outcome, ...(message ? { message } : {}) });
      }
      await controller.planNow();
      const failed = results.filter((r) => r.outcome === 'failed').length;
      return {
        total: emails.length,
        applied: results.filter((r) => r.outcome === 'applied').length,
        failed,
        stopped: results.filter((r) => r.outcome === 'stopped').length,
        results,
      };
    },
  };
}
