import type { RunCounts, RunKind, RunOutcome } from './state-store.js';

/** What is known of a run when it begins. */
export interface RunBegin {
  tenantId: string;
  /** Who started it: a user name, `controller:<instance>`, `github:<actor>`. */
  actor: string;
  configRevision?: string | null;
}

/** How a run ended, as the history keeps it. */
export interface RunEnd {
  /** A scheduled apply that found nothing to do ends as a `plan` run (the history is not flooded). */
  kind: RunKind;
  outcome: RunOutcome;
  counts: RunCounts;
  error?: string;
  planHash?: string | null;
  /** Recorded for apply runs: the shrink guardrail compares the next run's source with it. */
  sourceCount?: number;
}

/** One run being recorded. Its id exists from the start, whether or not anything is stored yet. */
export interface RunHandle {
  readonly id: string;
  /**
   * Stores the run as started, before its first write: a process that dies mid-run leaves it
   * unfinished, for the next apply to close. Calling it again does nothing.
   */
  persist(kind: RunKind, details?: { planHash?: string | null; sourceCount?: number }): Promise<void>;
  /** Stores how the run ended (persisting it first when that has not happened). */
  finish(end: RunEnd): Promise<void>;
}

/**
 * Where runs are recorded (the state store's `runs` table). `begin` creates the run's id up front,
 * so logs, events and the caller know it from the first moment; a run that turns out to be nothing
 * (no such employee, cancelled at the prompt) is never stored.
 */
export interface RunRecorder {
  begin(run: RunBegin): RunHandle;
}
