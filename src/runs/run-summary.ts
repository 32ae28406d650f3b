import type { JournalEntry, RunKind, RunOutcome } from '../ports/state-store.js';
import type { ActionKind } from '../plan/plan-model.js';
import { appliedTotal } from '../apply/apply-result.js';
import type { RunResult } from './run-request.js';
import { errorText, failureText } from './run-result.js';

/** What the last (or current) run did, as the status API and notifications show it. */
export interface RunSummary {
  id: string;
  kind: RunKind;
  /** ISO-8601. */
  startedAt: string;
  /** ISO-8601; absent while running. */
  finishedAt?: string;
  durationSeconds?: number;
  outcome: RunOutcome | 'running';
  /** Planned actions per kind. */
  actions: Record<ActionKind, number>;
  /** Write results of an apply run (all zero for a plan run). */
  results: Record<Exclude<JournalEntry['status'], 'interrupted'>, number>;
  warnings: number;
  /** Names of the guardrails that stopped the run. */
  guardrailsTripped: string[];
  /** Short, secret-free error text of a failed run. */
  error?: string;
}

function errorOf(result: RunResult): string | undefined {
  if (result.outcome === 'stopped' && result.failure !== undefined) return errorText(result.failure);
  if (result.failure !== undefined) return failureText(result.stage ?? 'planning', result.failure);
  const apply = result.apply;
  if (!apply) return undefined;
  if (apply.interrupted) return 'interrupted: stopped starting new writes';
  if (result.outcome === 'failed' || result.outcome === 'partial') {
    return `${apply.failed.length + apply.notStarted.length} action(s) failed or were not started`;
  }
  return undefined;
}

/** A run result as the status API shows it. */
export function summarizeRun(result: RunResult): RunSummary {
  const error = errorOf(result);
  return {
    id: result.id,
    kind: result.kind,
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    durationSeconds: (result.finishedAt.getTime() - result.startedAt.getTime()) / 1000,
    outcome: result.outcome,
    actions: result.actions,
    results: {
      applied: result.apply ? appliedTotal(result.apply.applied) : 0,
      'skipped-stale': result.apply?.skippedStale.length ?? 0,
      failed: result.apply?.failed.length ?? 0,
    },
    warnings: result.head?.summary.warnings ?? 0,
    guardrailsTripped: result.guardrailsTripped,
    ...(error !== undefined ? { error } : {}),
  };
}

/** A run that failed before it could start (no configuration, the runtime would not open). */
export function failedSummary(id: string, kind: RunKind, at: Date, error: string): RunSummary {
  const iso = at.toISOString();
  return {
    id,
    kind,
    startedAt: iso,
    finishedAt: iso,
    durationSeconds: 0,
    outcome: 'failed',
    actions: { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 },
    results: { applied: 0, 'skipped-stale': 0, failed: 0 },
    warnings: 0,
    guardrailsTripped: [],
    error,
  };
}
