import type { LastAppliedRecord } from '../observe/model.js';
import type { PlanAction } from '../plan/plan-model.js';
import type { JournalEntry, StateStore } from '../ports/state-store.js';
import { failureOf, type ActionOutcome } from './action-outcome.js';
import {
  actionRef,
  noneApplied,
  type ActionRef,
  type AppliedCounts,
  type ApplyFailure,
  type StaleAction,
} from './apply-result.js';
import { refuseSecrets, type SecretFinder } from './secret-guard.js';

/** Structured log sink (a pino logger fits). */
export interface ApplyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What a write reports as it finishes: for progress displays and batch feedback. */
export type WriteListener = (action: PlanAction, outcome: ActionOutcome['status']) => void;

/**
 * One apply's shared state: where outcomes are journaled and collected, and the signal that stops
 * new writes (the caller's, or the execution's own when the journal or the plan fails). Every
 * writer of the apply (profiles, photos, signatures) goes through `record` and `attempt`.
 */
export interface ApplyExecution {
  readonly runId: string;
  readonly signal: AbortSignal;
  /** Applied actions per kind: counted, not listed (each is journaled with its before and after). */
  readonly applied: AppliedCounts;
  readonly skippedStale: StaleAction[];
  readonly failed: ApplyFailure[];
  readonly notStarted: ActionRef[];
  /** The state store failed: no further write may start. */
  fatal: unknown;
  /** The plan could not be read to its end. */
  unreadable: unknown;
  /** Journals one outcome (and its last-applied record when applied) and collects it. */
  record(action: PlanAction, outcome: ActionOutcome): Promise<void>;
  /** Runs `work` and journals its outcome; a bug in one action is that action's failure. */
  attempt(action: PlanAction, work: () => Promise<ActionOutcome>): Promise<void>;
  /** Journals as failed the actions whose values hold a secret; returns their keys. */
  refuseSecrets(actions: readonly PlanAction[]): Promise<Set<string>>;
  /** Stops new writes. */
  stop(): void;
}

export interface ApplyExecutionOptions {
  runId: string;
  store: StateStore;
  signal?: AbortSignal;
  logger?: ApplyLogger;
  findSecret?: SecretFinder;
  onWrite?: WriteListener;
}

function aspectOf(action: PlanAction): JournalEntry['aspect'] {
  return action.kind === 'update-profile' ? 'profile' : action.kind === 'set-photo' ? 'photo' : 'signature';
}

function journalEntry(action: PlanAction, outcome: ActionOutcome): JournalEntry {
  return {
    actionKey: action.key,
    userId: action.userId,
    employeeEmail: action.employee,
    aspect: aspectOf(action),
    before: outcome.before,
    after: outcome.after,
    status: outcome.status,
    ...(outcome.status === 'failed' && { error: outcome.failure }),
    requestId:
      outcome.status === 'failed'
        ? (outcome.failure.requestId ?? null)
        : outcome.status === 'applied'
          ? (outcome.requestId ?? null)
          : null,
  };
}

export function createApplyExecution(options: ApplyExecutionOptions): ApplyExecution {
  const stopper = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopper.signal]) : stopper.signal;
  const execution: ApplyExecution = {
    runId: options.runId,
    signal,
    applied: noneApplied(),
    skippedStale: [],
    failed: [],
    notStarted: [],
    fatal: undefined,
    unreadable: undefined,
    stop: () => stopper.abort(),
    async record(action, outcome) {
      const lastApplied: LastAppliedRecord | undefined =
        outcome.status === 'applied' ? outcome.lastApplied : undefined;
      try {
        await options.store.recordWrite(options.runId, journalEntry(action, outcome), lastApplied);
      } catch (error) {
        // Without a journal no further write may start; the ones in flight still finish.
        execution.fatal ??= error;
        stopper.abort();
      }
      collect(execution, action, outcome, options.logger);
      options.onWrite?.(action, outcome.status);
    },
    async attempt(action, work) {
      let outcome: ActionOutcome;
      try {
        outcome = await work();
      } catch (error) {
        outcome = { status: 'failed', before: null, after: null, failure: failureOf(error) };
      }
      await execution.record(action, outcome);
    },
    async refuseSecrets(actions) {
      const refused = new Set<string>();
      for (const action of actions) {
        const outcome = refuseSecrets(action, options.findSecret);
        if (!outcome) continue;
        refused.add(action.key);
        await execution.record(action, outcome);
      }
      return refused;
    },
  };
  return execution;
}

function collect(
  execution: ApplyExecution,
  action: PlanAction,
  outcome: ActionOutcome,
  logger: ApplyLogger | undefined,
): void {
  if (outcome.status === 'applied') {
    execution.applied[action.kind]++;
    return;
  }
  const ref = actionRef(action);
  if (outcome.status === 'skipped-stale') execution.skippedStale.push({ ...ref, message: outcome.message });
  else {
    execution.failed.push({ ...ref, ...outcome.failure });
    logger?.warn({ runId: execution.runId, key: action.key, ...outcome.failure }, 'action failed');
  }
}

/** The outcome of every action of `actions` when a whole check or write failed at once. */
export function failedAll<A extends PlanAction>(
  actions: readonly A[],
  error: unknown,
): Map<string, ActionOutcome> {
  return new Map(
    actions.map((a) => [a.key, { status: 'failed', before: null, after: null, failure: failureOf(error) }]),
  );
}
