import type { Plan } from '../plan/plan-model.js';
import type { RunDetail, RunRecord } from '../ports/state-store.js';
import type { Readiness } from '../ports/readiness.js';
import type { ControllerStatus, RunSummary } from './status-model.js';

export type { Readiness, ReadinessCheck } from '../ports/readiness.js';

/**
 * Why the controller did not start a requested run. The server maps `busy` and `not-leader` to
 * 409 and `unknown-employee` to 404; `message` is shown to the caller, so it holds no secrets.
 */
export interface RunRefusal {
  accepted: false;
  reason: 'busy' | 'not-leader' | 'unknown-employee';
  message: string;
}

/**
 * The result of `POST /plan`: the finished plan run, and the plan when one was produced (a run
 * that failed reading the source or tenant has none).
 */
export type PlanNowResult = { accepted: true; run: RunSummary; plan?: Plan } | RunRefusal;

/** The result of `POST /apply`: the finished apply run (its `results` count the writes). */
export type ApplyNowResult = { accepted: true; run: RunSummary } | RunRefusal;

export interface ApplyNowOptions {
  /** Apply only this employee's actions (matched case-insensitively by the controller). */
  email?: string;
}

/**
 * What the status server needs from the reconcile loop. The controller implements it; the server
 * never reaches into the loop's internals. `planNow` and `applyNow` resolve when the run ends;
 * expected refusals are data, unexpected failures reject (the server answers 500 without detail).
 */
export interface ControllerApi {
  status(): ControllerStatus;
  latestPlan(): Plan | undefined;
  readiness(): Promise<Readiness>;
  planNow(): Promise<PlanNowResult>;
  applyNow(options: ApplyNowOptions): Promise<ApplyNowResult>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunDetail | undefined>;
}
