import { createSignatureRenderer } from '../desired/signature-renderer.js';
import type { PlanRun } from '../reconcile/make-plan.js';
import { buildDashboardView, type DashboardView } from '../server/dashboard/build-dashboard-view.js';
import type {
  ApplyOutcome,
  BatchResult,
  DashboardOverview,
  DashboardSource,
  EmployeePage,
} from '../server/dashboard/dashboard-source.js';
import type { Controller } from './controller.js';

const EMPTY_PAGE = (page: number, pageSize: number): EmployeePage => ({
  rows: [],
  total: 0,
  page,
  pageSize,
  offices: [],
});

/**
 * The dashboard's data from the running controller: views built from its latest plan run (rebuilt
 * only when that run changes), actions through `applyNow`, one employee at a time, then a fresh plan
 * so the page shows what is left.
 */
export function createControllerDashboardSource(controller: Controller): DashboardSource {
  const scopeDomains = () => controller.currentConfig()?.settings.scope.domains ?? [];
  let cached: { run: PlanRun; view: DashboardView } | undefined;
  const view = (): DashboardView | undefined => {
    const run = controller.latestPlanRun();
    if (!run) return undefined;
    if (cached?.run !== run) {
      const renderer = createSignatureRenderer(controller.currentConfig()?.templates ?? new Map());
      cached = {
        run,
        view: buildDashboardView(run, {
          scopeDomains: scopeDomains(),
          renderSignature: renderer.renderDesired,
        }),
      };
    }
    return cached.view;
  };

  return {
    async overview(): Promise<DashboardOverview> {
      const status = controller.status();
      const readiness = await controller.readiness();
      const run = controller.latestPlanRun();
      const rows = view()?.rows ?? [];
      const tenant = readiness.checks['tenant'] ?? { ok: false, message: 'not checked yet' };
      return {
        tenantId: run?.plan.tenantId ?? controller.currentConfig()?.settings.tenant.id ?? '',
        checks: {
          token: tenant.ok ? { ok: true, message: 'tokens issued for Graph and Exchange' } : tenant,
          graph: run ? { ok: true, message: `${run.users.users} users read (${run.users.via})` } : tenant,
          exchange:
            run?.observed.roamingSignaturesPostponed !== undefined
              ? { ok: true, message: 'organization config read' }
              : { ok: false, message: run ? 'organization config not read' : 'not checked yet' },
        },
        roamingSignaturesPostponed: run?.observed.roamingSignaturesPostponed,
        leader: status.leader,
        mode: status.mode,
        ...(status.lastRun ? { lastRun: status.lastRun } : {}),
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
    employee: (email) => view()?.detail(email),
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
            r.failed > 0
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
        results,
      };
    },
  };
}
