import { describe, expect, it } from 'vitest';
import { openRuntime } from '../../runtime/open-runtime.js';
import { smallHrFixture } from '../../local/seed-hr.js';
import { planChanges } from '../../plan/plan-changes.js';
import { summarizeEmployees } from '../../plan/employee-summary.js';
import { indexUsers, matchEmployees } from '../../plan/match-employees.js';
import { desiredState, employee, observedState, planOptions, user } from '../../plan/test-builders.js';
import { lookAtEmployee } from '../../reconcile/look-at-employee.js';
import { makePlan } from '../../reconcile/make-plan.js';
import { createTestWorld, usersFromDesired } from '../../../test/support/roster-world.js';
import { buildDashboardView, employeeDetail } from './build-dashboard-view.js';
import { renderEmployeePage } from './render-employee-page.js';
import { renderOverviewPage } from './render-overview-page.js';

const SOREN = 'soren.aero@example.no';
const GORIL = 'goril.strom@example.no';

describe('buildDashboardView from a real makePlan run, details planned on demand', () => {
  it('rows, filters, search and field-by-field details agree with the plan; HTML is escaped', async () => {
    const hr = smallHrFixture();
    const goril = hr.employees.find((e) => e.email === GORIL)!;
    goril.title = '<script>alert("x")</script> & Co';
    await using world = await createTestWorld({
      hr,
      settings: {
        guardrails: { maxChanges: 1000, maxSourceShrinkPercent: 20 },
        signatures: { enabled: false },
      },
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    world.sim.patchUser(SOREN, { jobTitle: 'Gammel tittel' });
    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      const run = await makePlan(runtime, { deepCheck: 'force' });
      const view = buildDashboardView(run.employees);

      const drifted = view.rows.filter((r) => r.status === 'drift');
      expect(drifted.map((r) => `${r.email} ${r.pending.join(',')}`)).toEqual([`${SOREN} update-profile`]);
      expect(view.rows.find((r) => r.email === SOREN)).toMatchObject({
        displayName: 'Søren Ærø',
        office: 'Oslo Sentrum',
        matched: true,
      });
      // Employees the plan only warns about (a duplicate email left out by an error) still get a row.
      expect(view.rows.find((r) => r.email === 'ola.nordmann@example.no')).toMatchObject({
        status: 'warning',
        matched: false,
        warnings: 2,
      });
      expect(view.rows.length).toBe(run.plan.summary.employees + 1);
      expect(view.offices).toEqual(['Bergen Bryggen', 'Oslo Sentrum', 'Tromsø Sentrum']);

      const emails = (q: Parameters<typeof view.query>[0]) => view.query(q).rows.map((r) => r.email);
      expect(emails({ status: 'drift', page: 1, pageSize: 50 })).toEqual([SOREN]);
      expect(emails({ status: 'warning', page: 1, pageSize: 50 })).toEqual(['ola.nordmann@example.no']);
      expect(emails({ search: 'ÆRØ', page: 1, pageSize: 50 })).toEqual([SOREN]);
      expect(emails({ office: 'Bergen Bryggen', status: 'in-sync', page: 1, pageSize: 50 })).toEqual([
        'bjorn.okland@example.no',
        'froydis.odegard@example.no',
        'oystein.lovas@example.no',
      ]);

      // A detail page plans its one employee from the HR source and the stored snapshot, calling
      // no Microsoft service; it agrees with the full plan.
      world.sim.resetStats();
      const detailOf = async (email: string) =>
        employeeDetail(await lookAtEmployee(runtime, email), view.summary(email));
      const detail = (await detailOf(SOREN.toUpperCase()))!;
      expect(world.sim.statsSnapshot().requests).toEqual({});
      expect(detail.fields.find((f) => f.field === 'jobTitle')).toEqual({
        field: 'jobTitle',
        current: 'Gammel tittel',
        desired: 'Kontorsjef Oslo',
        differs: true,
      });
      expect(detail.fields.filter((f) => f.differs)).toHaveLength(1);
      expect(detail.actions).toEqual([
        { kind: 'update-profile', reason: '1 field differs from the HR source' },
      ]);
      expect(detail.row).toEqual(view.rows.find((r) => r.email === SOREN));
      expect(detail.userPrincipalName).toBe(SOREN);
      expect(await detailOf('nobody@example.no')).toBeUndefined();
      // From its own plan alone, when the run's summary is not at hand.
      expect(employeeDetail(await lookAtEmployee(runtime, SOREN), undefined)).toEqual(detail);

      const page = renderEmployeePage((await detailOf(GORIL))!);
      expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
      expect(page).not.toContain('<script>alert');
      const overview = renderOverviewPage(
        {
          tenantId: run.plan.tenantId,
          checks: {
            token: { ok: true },
            graph: { ok: true },
            exchange: { ok: false, message: '<b>down</b>' },
            database: { ok: true },
          },
          roamingSignaturesPostponed: undefined,
          leader: { isLeader: false, holder: 'pod-"b"' },
          conditions: [],
          drift: { profile: 1, photo: 0, signature: 0, warnings: 2, employees: 9, drifted: 1, inSync: 7 },
        },
        view.query({ search: 'strom', page: 1, pageSize: 50 }),
        { search: '"><script>', status: 'all', office: '' },
      );
      expect(overview).toContain('&lt;script&gt;alert');
      expect(overview).toContain('value="&quot;&gt;&lt;script&gt;"');
      expect(overview).toContain('&lt;b&gt;down&lt;/b&gt;');
      expect(overview).toContain('Standby: leader is pod-&quot;b&quot;');
      // Only the page's own script tags.
      expect(overview.match(/<script[^>]*>/g)).toEqual([
        '<script src="/static/live.js" defer>',
        '<script src="/static/dashboard.js" defer>',
      ]);
    } finally {
      await runtime.close();
    }
  });
});

describe('buildDashboardView over 3,000 employees', () => {
  const emails = Array.from({ length: 3000 }, (_, i) => `e${String(i).padStart(4, '0')}@example.no`);
  const employees = emails.map((e, i) => employee(e, { officeName: i % 2 ? 'Bergen' : 'Oslo' }));
  const users = emails.map((e, i) => user(e, i % 3 === 0 ? { fields: { jobTitle: 'Gammel' } } : {}));
  const plan = planChanges(
    desiredState(employees),
    observedState(users),
    new Map(),
    planOptions({
      signatures: false,
      photos: false,
      guardrails: { maxChanges: { absolute: 5000 }, maxSourceShrinkPercent: 20 },
    }),
  );
  const { matches } = matchEmployees(employees, indexUsers(users), ['example.no']);
  const view = buildDashboardView(
    summarizeEmployees({ employees, matches, actions: plan.actions, warnings: plan.warnings }),
  );

  it('paginates in pages of 50, clamps out-of-range pages and filters before paging', () => {
    const first = view.query({ page: 1, pageSize: 50 });
    expect([first.total, first.rows.length, first.rows[0]?.email]).toEqual([3000, 50, 'e0000@example.no']);
    const last = view.query({ page: 60, pageSize: 50 });
    expect(last.rows.map((r) => r.email).slice(-1)).toEqual(['e2999@example.no']);
    expect(view.query({ page: 61, pageSize: 50 })).toMatchObject({ page: 60 });
    expect(view.query({ page: 0, pageSize: 50 })).toMatchObject({ page: 1 });
    const drift = view.query({ status: 'drift', page: 2, pageSize: 50 });
    expect([drift.total, drift.rows[0]?.email]).toEqual([1000, 'e0150@example.no']);
    expect(view.query({ status: 'drift', office: 'Bergen', page: 1, pageSize: 50 }).total).toBe(500);
  });
});
