import { createTwoFilesPatch } from 'diff';
import type { DesiredEmployee, DesiredSignature, DesiredState } from '../../desired/model.js';
import type { SignatureText } from '../../desired/signature-renderer.js';
import type { ObservedState, ObservedUser } from '../../observe/model.js';
import { indexUsers, matchEmployees } from '../../plan/match-employees.js';
import type { Plan, PlanAction } from '../../plan/plan-model.js';
import type {
  EmployeeDetail,
  EmployeePage,
  EmployeeQuery,
  EmployeeRow,
  EmployeeStatus,
  FieldComparison,
  SignatureComparison,
} from './dashboard-source.js';

/** The three results of one `makePlan` run the dashboard reads. */
export interface PlanRunView {
  plan: Plan;
  desired: DesiredState;
  observed: ObservedState;
}

export interface DashboardViewOptions {
  /** `scope.domains`: the planner's own matching is repeated to find in-sync employees' users. */
  scopeDomains: string[];
  /** Renders a desired signature for the detail page (a `SignatureRenderer`'s `renderDesired`). */
  renderSignature: (signature: DesiredSignature) => SignatureText;
}

/** Rows and details of one plan run; `query` and `detail` are pure reads of it. */
export interface DashboardView {
  rows: EmployeeRow[];
  offices: string[];
  query(query: EmployeeQuery): EmployeePage;
  detail(email: string): EmployeeDetail | undefined;
}

interface Entry {
  row: EmployeeRow;
  employee?: DesiredEmployee;
  user?: ObservedUser;
  actions: PlanAction[];
  warnings: string[];
}

function text(value: string | string[] | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function diffOf(current: string | undefined, desired: string): string {
  if (current === undefined || current === desired) return '';
  const eol = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return createTwoFilesPatch('current', 'desired', eol(current), eol(desired), '', '', { context: 3 })
    .split('\n')
    .slice(1)
    .join('\n');
}

function statusOf(actions: PlanAction[], warnings: string[]): EmployeeStatus {
  if (actions.length > 0) return 'drift';
  return warnings.length > 0 ? 'warning' : 'in-sync';
}

/**
 * The dashboard's view of a `makePlan` result: one row per desired employee and per employee the
 * plan warns about (unmatched, left out by an error), with the plan's actions deciding what
 * differs, so the page never disagrees with `roster plan`.
 */
export function buildDashboardView(run: PlanRunView, options: DashboardViewOptions): DashboardView {
  const { plan, desired, observed } = run;
  const { matches } = matchEmployees(desired.employees, indexUsers(observed.users), options.scopeDomains);
  const userOf = new Map(matches.map((m) => [m.employee.key, m.user]));
  const entries = new Map<string, Entry>();
  const entry = (email: string, employee?: DesiredEmployee): Entry => {
    const key = email.toLowerCase();
    let found = entries.get(key);
    if (!found) {
      const user = userOf.get(key);
      const name = text(employee?.fields.displayName) ?? text(user?.fields.displayName) ?? '';
      found = {
        row: {
          email: key,
          displayName: name,
          jobTitle: text(employee?.fields.jobTitle) ?? '',
          office: employee?.officeName ?? '',
          status: 'in-sync',
          pending: [],
          warnings: 0,
          matched: user !== undefined,
        },
        ...(employee ? { employee } : {}),
        ...(user ? { user } : {}),
        actions: [],
        warnings: [],
      };
      entries.set(key, found);
    }
    return found;
  };
  for (const employee of desired.employees) entry(employee.email, employee);
  for (const action of plan.actions) entry(action.employee).actions.push(action);
  for (const warning of plan.warnings)
    if (warning.employee) entry(warning.employee).warnings.push(warning.message);
  for (const e of entries.values()) {
    e.row.pending = e.actions.map((a) => a.kind);
    e.row.warnings = e.warnings.length;
    e.row.status = statusOf(e.actions, e.warnings);
  }
  const rows = [...entries.values()].map((e) => e.row).sort((a, b) => (a.email < b.email ? -1 : 1));
  const offices = [...new Set(rows.map((r) => r.office).filter((o) => o !== ''))].sort((a, b) =>
    a.localeCompare(b),
  );

  function query(q: EmployeeQuery): EmployeePage {
    const search = q.search?.trim().toLowerCase() ?? '';
    const status = q.status ?? 'all';
    const matching = rows.filter(
      (r) =>
        (status === 'all' || (status === 'warning' ? r.warnings > 0 : r.status === status)) &&
        (!q.office || r.office === q.office) &&
        (!search ||
          [r.email, r.displayName, r.jobTitle, r.office].some((v) => v.toLowerCase().includes(search))),
    );
    const pageSize = Math.max(1, Math.min(500, Math.floor(q.pageSize) || 50));
    const pages = Math.max(1, Math.ceil(matching.length / pageSize));
    const page = Math.min(pages, Math.max(1, Math.floor(q.page) || 1));
    return {
      rows: matching.slice((page - 1) * pageSize, page * pageSize),
      total: matching.length,
      page,
      pageSize,
      offices,
    };
  }

  function detail(email: string): EmployeeDetail | undefined {
    const e = entries.get(email.toLowerCase());
    if (!e) return undefined;
    return {
      row: e.row,
      ...(e.user ? { userPrincipalName: e.user.userPrincipalName } : {}),
      fields: fieldsOf(e),
      photo: photoOf(e, observed),
      ...signatureOf(e, observed, options.renderSignature),
      actions: e.actions.map((a) => ({ kind: a.kind, reason: a.reason })),
      warnings: e.warnings,
    };
  }

  return { rows, offices, query, detail };
}

function fieldsOf(e: Entry): FieldComparison[] {
  const changes = new Map(
    e.actions.flatMap((a) =>
      a.kind === 'update-profile' ? a.changes.map((c) => [c.field, c] as const) : [],
    ),
  );
  const names = new Set([...Object.keys(e.employee?.fields ?? {}), ...changes.keys()]);
  return [...names].sort().map((field) => {
    const change = changes.get(field as never);
    const desiredFields = e.employee?.fields as
      Record<string, string | string[] | null | undefined> | undefined;
    const raw = desiredFields?.[field];
    return {
      field,
      current: change ? text(change.before) : text((e.user?.fields as Record<string, never>)?.[field]),
      desired: change ? text(change.after) : raw === undefined ? undefined : text(raw),
      differs: change !== undefined,
    };
  });
}

function photoOf(e: Entry, observed: ObservedState): EmployeeDetail['photo'] {
  const action = e.actions.find((a) => a.kind === 'set-photo');
  const meta = e.user ? observed.photos.get(e.user.id) : undefined;
  return {
    ...(meta !== undefined ? { currentEtag: meta?.etag ?? null } : {}),
    ...(e.employee?.photoUrl ? { desiredUrl: e.employee.photoUrl } : {}),
    ...(action?.kind === 'set-photo' ? { action: `${action.photoReason}: ${action.reason}` } : {}),
  };
}

function signatureOf(
  e: Entry,
  observed: ObservedState,
  render: DashboardViewOptions['renderSignature'],
): { signature?: SignatureComparison } {
  const signature = e.employee?.signature;
  if (!signature) return {};
  const wanted = { template: signature.template, ...render(signature) };
  const action = e.actions.find((a) => a.kind === 'set-signature');
  const seen = e.user ? observed.signatures.get(e.user.id) : undefined;
  const currentHtml =
    action?.kind === 'set-signature' && action.currentHtml !== undefined ? action.currentHtml : seen?.html;
  const currentText =
    action?.kind === 'set-signature' && action.currentText !== undefined ? action.currentText : seen?.text;
  return {
    signature: {
      template: wanted.template,
      desiredHtml: wanted.html,
      desiredText: wanted.text,
      ...(currentHtml !== undefined ? { currentHtml } : {}),
      ...(currentText !== undefined ? { currentText } : {}),
      textDiff: diffOf(currentText, wanted.text),
      htmlDiff: diffOf(currentHtml, wanted.html),
    },
  };
}
