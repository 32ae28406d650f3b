import { createTwoFilesPatch } from 'diff';
import type { EmployeeSummary } from '../../plan/employee-summary.js';
import type { EmployeeLook } from '../../reconcile/make-plan.js';
import type { EmployeeReadBack } from '../../reconcile/read-back-employee.js';
import { errorText } from '../../runs/run-result.js';
import type {
  EmployeeDetail,
  EmployeePage,
  EmployeeQuery,
  EmployeeRow,
  EmployeeStatus,
  FieldComparison,
  ReadBackComparison,
  SignatureComparison,
} from './dashboard-source.js';

/** Rows of one plan run's employees; `query` and `summary` are pure reads of them. */
export interface DashboardView {
  rows: EmployeeRow[];
  offices: string[];
  query(query: EmployeeQuery): EmployeePage;
  /** The run's summary of one employee (case-insensitive email). */
  summary(email: string): EmployeeSummary | undefined;
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

function statusOf(summary: EmployeeSummary): EmployeeStatus {
  if (summary.pending.length > 0) return 'drift';
  return summary.warnings.length > 0 ? 'warning' : 'in-sync';
}

/** An employee's table row, from the plan's summary of it. */
export function rowOf(summary: EmployeeSummary): EmployeeRow {
  return {
    email: summary.email,
    displayName: summary.displayName,
    jobTitle: summary.jobTitle,
    office: summary.office,
    status: statusOf(summary),
    pending: summary.pending.map((p) => p.kind),
    warnings: summary.warnings.length,
    matched: summary.matched,
  };
}

/**
 * The dashboard's view of a plan run: one row per employee the plan summarized (desired ones, and
 * those it only warns about), so the table never disagrees with `roster plan`.
 */
export function buildDashboardView(employees: readonly EmployeeSummary[]): DashboardView {
  const byEmail = new Map(employees.map((s) => [s.email, s]));
  const rows = [...byEmail.values()].map(rowOf).sort((a, b) => (a.email < b.email ? -1 : 1));
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

  return { rows, offices, query, summary: (email) => byEmail.get(email.toLowerCase()) };
}

/**
 * One employee's page: its row, actions and warnings from the run's `summary` (as the table shows
 * them) when there is one, else from `look`; fields, photo and signature compared from `look`, a
 * plan of that one employee from the HR source and the stored snapshot (see `lookAtEmployee`):
 * the current photo and signature are not read back there, so they are shown as not known.
 */
export function employeeDetail(
  look: EmployeeLook | undefined,
  summary: EmployeeSummary | undefined,
): EmployeeDetail | undefined {
  const shown = summary ?? look?.summary;
  if (!shown) return undefined;
  return {
    row: rowOf(shown),
    ...(look?.user ? { userPrincipalName: look.user.userPrincipalName } : {}),
    fields: look ? fieldsOf(look) : [],
    photo: photoOf(look),
    ...signatureOf(look),
    actions: shown.pending.map((p) => ({ kind: p.kind, reason: p.reason })),
    warnings: shown.warnings,
  };
}

function fieldsOf(look: EmployeeLook): FieldComparison[] {
  const changes = new Map(
    look.actions.flatMap((a) =>
      a.kind === 'update-profile' ? a.changes.map((c) => [c.field, c] as const) : [],
    ),
  );
  const desiredFields = look.employee?.fields as
    Record<string, string | string[] | null | undefined> | undefined;
  const currentFields = look.user?.fields as Record<string, string | string[] | null | undefined> | undefined;
  const names = new Set([...Object.keys(desiredFields ?? {}), ...changes.keys()]);
  return [...names].sort().map((field) => {
    const change = changes.get(field as never);
    const raw = desiredFields?.[field];
    return {
      field,
      current: change ? text(change.before) : text(currentFields?.[field]),
      desired: change ? text(change.after) : raw === undefined ? undefined : text(raw),
      differs: change !== undefined,
    };
  });
}

function photoOf(look: EmployeeLook | undefined): EmployeeDetail['photo'] {
  const action = look?.actions.find((a) => a.kind === 'set-photo');
  return {
    ...(look?.employee?.photoUrl ? { desiredUrl: look.employee.photoUrl } : {}),
    ...(action?.kind === 'set-photo' ? { action: `${action.photoReason}: ${action.reason}` } : {}),
  };
}

/** "Read back now": the tenant's photo and signature as just read, against the desired ones. */
export function readBackComparison(
  readBack: EmployeeReadBack | undefined,
  readAt: Date,
): ReadBackComparison | undefined {
  if (!readBack) return undefined;
  const { look, photo, signature } = readBack;
  const desired = look.signature;
  const pendingPhoto = photoOf(look).action;
  return {
    email: look.summary.email,
    readAt: readAt.toISOString(),
    matched: look.user !== undefined,
    ...(photo
      ? {
          photo: {
            ...(photo.ok ? { current: photo.value } : { error: errorText(photo.error) }),
            ...(look.employee?.photoUrl ? { desiredUrl: look.employee.photoUrl } : {}),
            ...(pendingPhoto ? { pending: pendingPhoto } : {}),
          },
        }
      : {}),
    ...(signature && desired
      ? {
          signature: {
            desiredHtml: desired.html,
            desiredText: desired.text,
            ...(signature.ok
              ? {
                  currentHtml: signature.value.html,
                  currentText: signature.value.text,
                  textDiff: diffOf(signature.value.text, desired.text),
                  htmlDiff: diffOf(signature.value.html, desired.html),
                }
              : { error: errorText(signature.error), textDiff: '', htmlDiff: '' }),
          },
        }
      : {}),
  };
}

function signatureOf(look: EmployeeLook | undefined): { signature?: SignatureComparison } {
  const template = look?.employee?.signature?.template;
  const wanted = look?.signature;
  if (!template || !wanted) return {};
  const action = look.actions.find((a) => a.kind === 'set-signature');
  const currentHtml = action?.kind === 'set-signature' ? action.currentHtml : undefined;
  const currentText = action?.kind === 'set-signature' ? action.currentText : undefined;
  return {
    signature: {
      template,
      desiredHtml: wanted.html,
      desiredText: wanted.text,
      ...(currentHtml !== undefined ? { currentHtml } : {}),
      ...(currentText !== undefined ? { currentText } : {}),
      textDiff: diffOf(currentText, wanted.text),
      htmlDiff: diffOf(currentHtml, wanted.html),
    },
  };
}
