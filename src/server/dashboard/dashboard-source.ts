import type { ReadinessCheck } from '../../controller/controller-api.js';
import type { Condition, DriftCounts, RunSummary } from '../../controller/status-model.js';
import type { ActionKind } from '../../plan/plan-model.js';

/** How an employee row stands in the latest plan; a row can be drifted and carry warnings. */
export type EmployeeStatus = 'drift' | 'in-sync' | 'warning';

/** The table filter: `warning` matches every row with a warning, `drift` every row with an action. */
export type StatusFilter = EmployeeStatus | 'all';

/** The connection checks the overview shows, each with a short secret-free message. */
export interface ConnectionChecks {
  token: ReadinessCheck;
  graph: ReadinessCheck;
  exchange: ReadinessCheck;
  /** Roster's state database (`/readyz`'s check). */
  database: ReadinessCheck;
}

/** Everything above the employee table. */
export interface DashboardOverview {
  tenantId: string;
  checks: ConnectionChecks;
  /** `PostponeRoamingSignaturesUntilLater`; undefined when it was not read. */
  roamingSignaturesPostponed: boolean | undefined;
  leader: { isLeader: boolean; holder?: string };
  mode?: 'observe' | 'apply';
  /** The latest run of any kind (after a dashboard apply, the plan that followed it). */
  lastRun?: RunSummary;
  /** The last run that wrote (an apply or a rollback). */
  lastApply?: RunSummary;
  conditions: Condition[];
  drift: DriftCounts & { employees: number; drifted: number; inSync: number };
  /** ISO-8601 time of the plan the views come from. */
  plannedAt?: string;
}

/** One line of the employee table. */
export interface EmployeeRow {
  /** Lowercased email: the match key and the detail page's address. */
  email: string;
  displayName: string;
  jobTitle: string;
  office: string;
  status: EmployeeStatus;
  /** Pending actions, in plan order. */
  pending: ActionKind[];
  warnings: number;
  /** False when no tenant user matched (unmatched, ambiguous, or left out by an error). */
  matched: boolean;
}

export interface EmployeeQuery {
  search?: string;
  status?: StatusFilter;
  office?: string;
  /** 1-based; out-of-range pages are clamped. */
  page: number;
  pageSize: number;
}

export interface EmployeePage {
  rows: EmployeeRow[];
  /** Rows matching the filters (all pages). */
  total: number;
  /** The page actually served after clamping. */
  page: number;
  pageSize: number;
  /** Every office name in the view, sorted, for the filter. */
  offices: string[];
}

/** One managed field, current (tenant) against desired (HR + overrides). */
export interface FieldComparison {
  field: string;
  current: string | null;
  /** `undefined`: Roster leaves the tenant value alone (empty source value). */
  desired: string | null | undefined;
  differs: boolean;
}

export interface PhotoComparison {
  /** Undefined: not read back this run; null: the user has no photo. */
  currentEtag?: string | null;
  /** A same-origin URL serving the tenant photo, when the source can proxy it. */
  currentUrl?: string;
  desiredUrl?: string;
  /** Why a photo write is pending, when one is. */
  action?: string;
}

export interface SignatureComparison {
  template: string;
  desiredHtml: string;
  desiredText: string;
  currentHtml?: string;
  currentText?: string;
  /** Unified diffs, current → desired; empty when equal or when the current one was not read. */
  textDiff: string;
  htmlDiff: string;
}

/** A pending action as the detail page lists it. */
export interface PendingAction {
  kind: ActionKind;
  reason: string;
}

/** Everything the per-employee page shows. */
export interface EmployeeDetail {
  row: EmployeeRow;
  userPrincipalName?: string;
  fields: FieldComparison[];
  photo: PhotoComparison;
  signature?: SignatureComparison;
  actions: PendingAction[];
  warnings: string[];
}

/** What "Read back now" found in the tenant for one employee, beside the desired photo and signature. */
export interface ReadBackComparison {
  email: string;
  /** ISO-8601: when the tenant was read. */
  readAt: string;
  /** False when no tenant user matched: nothing could be read. */
  matched: boolean;
  /** Absent when photos are not managed or no user matched. */
  photo?: {
    /** The tenant photo's version; null when the user has none. */
    current?: {
      etag: string | null;
      contentType: string | null;
      width: number | null;
      height: number | null;
    } | null;
    error?: string;
    desiredUrl?: string;
    /** Why a photo write is pending in the stored plan, when one is. */
    pending?: string;
  };
  /** Absent when signatures are not managed or no user matched. */
  signature?: {
    error?: string;
    currentHtml?: string;
    currentText?: string;
    desiredHtml: string;
    desiredText: string;
    /** Unified diffs, current → desired; empty when equal. */
    textDiff: string;
    htmlDiff: string;
  };
}

/** `stopped`: a guardrail stopped the apply before any write (never "nothing to do"). */
export type ApplyOutcome = 'applied' | 'nothing-to-do' | 'skipped-stale' | 'failed' | 'stopped';

/** One employee finished in a batch apply. */
export interface ApplyProgress {
  done: number;
  total: number;
  email: string;
  outcome: ApplyOutcome;
  /** Short, secret-free explanation for `failed` and `skipped-stale`. */
  message?: string;
}

export interface BatchResult {
  total: number;
  applied: number;
  failed: number;
  /** Employees whose apply a guardrail stopped. */
  stopped: number;
  results: { email: string; outcome: ApplyOutcome; message?: string }[];
}

/**
 * What the dashboard reads and acts through. The controller implements it by keeping its latest
 * `makePlan` result in a `buildDashboardView` view; any method may answer synchronously.
 */
export interface DashboardSource {
  overview(): DashboardOverview | Promise<DashboardOverview>;
  employees(query: EmployeeQuery): EmployeePage | Promise<EmployeePage>;
  employee(email: string): EmployeeDetail | undefined | Promise<EmployeeDetail | undefined>;
  /**
   * Applies the pending actions of these employees, calling `onProgress` once per employee as it
   * finishes. Expected failures are outcomes; a rejection means the whole batch could not run.
   */
  applyEmployees(emails: string[], onProgress: (event: ApplyProgress) => void): Promise<BatchResult>;
  /**
   * Reads one employee's photo metadata and signature from Microsoft now ("Read back now");
   * undefined for an unknown employee. Absent where the tenant cannot be reached.
   */
  readBack?(email: string): Promise<ReadBackComparison | undefined>;
}
