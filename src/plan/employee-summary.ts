import type { DesiredEmployee } from '../desired/model.js';
import type { ObservedUser } from '../observe/model.js';
import type { Match } from './match-employees.js';
import type { ActionKind, PlanAction, PlanWarning } from './plan-model.js';

/** A pending action as an overview lists it. */
export interface PendingAction {
  kind: ActionKind;
  reason: string;
}

/**
 * One employee as a plan left it, in a few hundred bytes: what an overview of every employee (the
 * controller's dashboard) keeps instead of the desired state, the users and the plan.
 */
export interface EmployeeSummary {
  /** Lowercased email: the match key (or how a row without a valid email is named). */
  email: string;
  displayName: string;
  jobTitle: string;
  office: string;
  /** A tenant user was matched (not unmatched, ambiguous, or left out by an error). */
  matched: boolean;
  /** The plan's actions for the employee, in plan order. */
  pending: PendingAction[];
  /** The plan's warnings about the employee, in the order found. */
  warnings: string[];
}

function text(value: string | string[] | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * A summary for every employee of a slice and for every one its warnings name (left out by an
 * error, unmatched), sorted by email.
 */
export function summarizeEmployees(slice: {
  employees: readonly DesiredEmployee[];
  matches: readonly Match[];
  actions: readonly PlanAction[];
  warnings: readonly PlanWarning[];
}): EmployeeSummary[] {
  const userOf = new Map<string, ObservedUser>(slice.matches.map((m) => [m.employee.key, m.user]));
  const summaries = new Map<string, EmployeeSummary>();
  const summary = (email: string, employee?: DesiredEmployee): EmployeeSummary => {
    const key = email.toLowerCase();
    let found = summaries.get(key);
    if (!found) {
      const user = userOf.get(key);
      found = {
        email: key,
        displayName: text(employee?.fields.displayName) ?? text(user?.fields.displayName) ?? '',
        jobTitle: text(employee?.fields.jobTitle) ?? '',
        office: employee?.officeName ?? '',
        matched: user !== undefined,
        pending: [],
        warnings: [],
      };
      summaries.set(key, found);
    }
    return found;
  };
  for (const employee of slice.employees) summary(employee.email, employee);
  for (const action of slice.actions) {
    summary(action.employee).pending.push({ kind: action.kind, reason: action.reason });
  }
  for (const warning of slice.warnings) {
    if (warning.employee) summary(warning.employee).warnings.push(warning.message);
  }
  return [...summaries.values()].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

/** Summaries with only the actions of `left` (action keys, e.g. those an apply did not write) pending. */
export function pendingOnly(
  summaries: readonly EmployeeSummary[],
  left: ReadonlySet<string>,
): EmployeeSummary[] {
  const aspect = { 'update-profile': 'profile', 'set-photo': 'photo', 'set-signature': 'signature' } as const;
  return summaries.map((s) => {
    const pending = s.pending.filter((p) => left.has(`${s.email}#${aspect[p.kind]}`));
    return pending.length === s.pending.length ? s : { ...s, pending };
  });
}
