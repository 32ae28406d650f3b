import type { RemoteService } from '../errors/roster-error.js';
import type { ActionKind, PlanAction } from '../plan/plan-model.js';
import type { RunCounts, RunOutcome } from '../ports/state-store.js';

/** Which action an outcome belongs to. */
export interface ActionRef {
  key: string;
  employee: string;
  kind: ActionKind;
}

/** An action that was not written because the tenant no longer held what the plan expected. */
export interface StaleAction extends ActionRef {
  message: string;
}

/** An action whose write failed, with its cause as the service reported it. */
export interface ApplyFailure extends ActionRef {
  service?: RemoteService;
  status?: number;
  code?: string;
  requestId?: string;
  message: string;
}

/** Applied actions per kind: counted, not listed (each is journaled with its before and after). */
export type AppliedCounts = Record<ActionKind, number>;

export function noneApplied(): AppliedCounts {
  return { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 };
}

/** All applied actions. */
export function appliedTotal(applied: AppliedCounts): number {
  return applied['update-profile'] + applied['set-photo'] + applied['set-signature'];
}

/**
 * What one apply did. `outcome` is `succeeded` when every action was applied or skipped as stale
 * (stale skips are reported, not failures: the next plan re-reads the tenant), `partial` when some
 * were applied and others failed or were not started, `failed` when none were applied but some
 * failed or were not started. Only the actions that need attention are listed; an apply of any size
 * keeps no reference to the ones applied.
 */
export interface ApplyResult {
  runId: string;
  outcome: RunOutcome;
  planHash: string;
  applied: AppliedCounts;
  skippedStale: StaleAction[];
  failed: ApplyFailure[];
  /** Actions never picked up because the run was interrupted (SIGINT/SIGTERM). */
  notStarted: ActionRef[];
  /** True when the run stopped early on an abort signal. */
  interrupted: boolean;
  counts: RunCounts;
}

export function actionRef(action: PlanAction): ActionRef {
  return { key: action.key, employee: action.employee, kind: action.kind };
}

/** The run's outcome from its per-action results (see `ApplyResult`). */
export function runOutcome(result: Pick<ApplyResult, 'applied' | 'failed' | 'notStarted'>): RunOutcome {
  const unfinished = result.failed.length + result.notStarted.length;
  if (unfinished === 0) return 'succeeded';
  return appliedTotal(result.applied) > 0 ? 'partial' : 'failed';
}

/** Counters stored with the run: totals per status, and per `kind:status`. */
export function runCounts(
  result: Pick<ApplyResult, 'applied' | 'skippedStale' | 'failed' | 'notStarted'>,
): RunCounts {
  const applied = appliedTotal(result.applied);
  const counts: RunCounts = {
    actions: applied + result.skippedStale.length + result.failed.length + result.notStarted.length,
    applied,
    'skipped-stale': result.skippedStale.length,
    failed: result.failed.length,
    'not-started': result.notStarted.length,
  };
  const add = (refs: ActionRef[], status: string) => {
    for (const r of refs) counts[`${r.kind}:${status}`] = (counts[`${r.kind}:${status}`] ?? 0) + 1;
  };
  for (const [kind, n] of Object.entries(result.applied)) if (n > 0) counts[`${kind}:applied`] = n;
  add(result.skippedStale, 'skipped-stale');
  add(result.failed, 'failed');
  add(result.notStarted, 'not-started');
  return counts;
}

/** `roster apply` exits non-zero when anything failed or was left undone. */
export function applyExitCode(result: ApplyResult): number {
  return result.failed.length > 0 || result.notStarted.length > 0 ? 1 : 0;
}

function cause(f: ApplyFailure): string {
  const parts = [
    f.service,
    f.status !== undefined ? `HTTP ${f.status}` : undefined,
    f.code,
    f.requestId !== undefined ? `request-id ${f.requestId}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

/** The human summary printed after an apply: counts, then each stale skip and failure with its cause. */
export function renderApplySummary(result: ApplyResult): string {
  const lines = [
    `Run ${result.runId}: ${result.outcome}${result.interrupted ? ' (interrupted)' : ''}`,
    `  applied: ${appliedTotal(result.applied)}, skipped (stale): ${result.skippedStale.length}, failed: ${result.failed.length}, not started: ${result.notStarted.length}`,
  ];
  if (result.skippedStale.length > 0) {
    lines.push('', 'Skipped because the tenant changed since the plan (run roster plan again):');
    for (const s of result.skippedStale) lines.push(`  ${s.key}: ${s.message}`);
  }
  if (result.failed.length > 0) {
    lines.push('', 'Failed:');
    for (const f of result.failed) lines.push(`  ${f.key}: ${f.message}${cause(f)}`);
  }
  if (result.notStarted.length > 0) {
    lines.push(
      '',
      `Not started (interrupted): ${result.notStarted.length} action(s); run roster plan and apply again`,
    );
    for (const n of result.notStarted.slice(0, 20)) lines.push(`  ${n.key}`);
    if (result.notStarted.length > 20) lines.push(`  … and ${result.notStarted.length - 20} more`);
  }
  return `${lines.join('\n')}\n`;
}
