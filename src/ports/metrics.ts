import type { ApiMetrics } from '../http/api-metrics.js';
import type { ActionKind } from '../plan/plan-model.js';
import type { JournalEntry, RunKind, RunOutcome } from './state-store.js';

/** A write's result, or `planned` for an action a plan (observe mode) only reported. */
export type ActionMetricOutcome = Exclude<JournalEntry['status'], 'interrupted'> | 'planned';

/** A finished run as the metrics see it. */
export interface RunObservation {
  kind: RunKind;
  outcome: RunOutcome;
  durationSeconds: number;
  finishedAt: Date;
}

/** Pending actions per aspect and plan warnings, as the drift gauge shows them. */
export type DriftGauge = Record<'profile' | 'photo' | 'signature' | 'warnings', number>;

/** What the controller and its runs report to monitoring (Prometheus in `src/server/metrics.ts`). */
export interface ControllerMetrics {
  /** Feeds the per-request API metrics from the HTTP client and batch runner. */
  api: ApiMetrics;
  recordRun(run: RunObservation): void;
  recordActions(kind: ActionKind, outcome: ActionMetricOutcome, count?: number): void;
  setDrift(drift: DriftGauge): void;
  setLeader(isLeader: boolean): void;
}
