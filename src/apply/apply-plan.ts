import { PlanFileError } from '../plan/plan-file.js';
import { checkPlanTarget } from '../plan/plan-checks.js';
import type {
  ActionKind,
  PlanAction,
  SetPhotoAction,
  SetSignatureAction,
  UpdateProfileAction,
} from '../plan/plan-model.js';
import type { PlanSource } from '../plan/plan-source.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import type { RunOutcome, StateStore } from '../ports/state-store.js';
import { failureOf } from './action-outcome.js';
import {
  createApplyExecution,
  type ApplyExecution,
  type ApplyLogger,
  type WriteListener,
} from './apply-execution.js';
import { appliedTotal, runCounts, runOutcome, type ActionRef, type ApplyResult } from './apply-result.js';
import { checkAppliedMarks } from './applied-marks.js';
import { writeIntents } from './write-intents.js';
import { runPhotos, runProfiles, runSignatures, type MarkCheck } from './run-writers.js';
import type { SecretFinder } from './secret-guard.js';

export type { ApplyLogger, WriteListener } from './apply-execution.js';

/** The ports apply writes through, and where it journals. */
export interface ApplyDeps {
  directory: DirectoryPort;
  photos: PhotosPort;
  signatures: SignaturesPort;
  photoFetcher: PhotoFetcher;
  store: StateStore;
  logger?: ApplyLogger;
  /** The clock for `appliedAt` (default: the system clock). */
  now?: () => Date;
  /** Names a known secret in a value about to be written: that write fails instead (see `secret-guard.ts`). */
  findSecret?: SecretFinder;
}

/**
 * Workers in flight. The adapters' limiters pace the real request rates; these only bound how
 * much work is queued at once.
 */
export interface ApplyConcurrency {
  /** `$batch`es of 20 profile actions in flight (default 2). */
  profileBatches?: number;
  /** Photo downloads + uploads in flight (default 8). */
  photos?: number;
  /** Signature writes in flight (default 8). */
  signatures?: number;
}

/** Which run the writes belong to, against which target, and how. */
export interface ApplyOptions {
  /** The run the journal rows belong to (recorded by the caller, see `src/runs/`). */
  runId: string;
  tenantId: string;
  configRevision: string;
  /** SIGINT/SIGTERM: stop starting new writes, let those in flight finish and be journaled. */
  signal?: AbortSignal;
  concurrency?: ApplyConcurrency;
  /** Told of every action's outcome as it is journaled. */
  onWrite?: WriteListener;
}

/** What an apply did, with the run outcome and the error that ended it early, if one did. */
export interface ExecutedPlan extends Omit<ApplyResult, 'runId' | 'planHash'> {
  /** Why the run is `failed`/`partial` beyond its actions: the journal or the plan gave out. */
  error?: string;
  /** The error to raise once the run is recorded (a journal that cannot be written, an unreadable plan). */
  fatal?: unknown;
}

const KIND_ORDER: Record<ActionKind, number> = { 'update-profile': 0, 'set-photo': 1, 'set-signature': 2 };

/** Plan order: by employee (the key up to its `#aspect`), then profile, photo, signature. */
function sortInPlanOrder<T extends ActionRef>(list: T[]): void {
  const decorated = list.map((ref) => ({ employee: ref.key.slice(0, ref.key.lastIndexOf('#')), ref }));
  decorated.sort((x, y) =>
    x.employee < y.employee
      ? -1
      : x.employee > y.employee
        ? 1
        : KIND_ORDER[x.ref.kind] - KIND_ORDER[y.ref.kind],
  );
  decorated.forEach((d, i) => (list[i] = d.ref));
}

/** A plan source's actions of one kind; a source that cannot be read on stops new writes. */
async function* readable<A extends PlanAction>(
  execution: ApplyExecution,
  actions: AsyncIterable<PlanAction>,
): AsyncGenerator<A> {
  try {
    for await (const action of actions) yield action as A;
  } catch (error) {
    execution.unreadable ??= error;
    execution.stop();
  }
}

/**
 * Executes a plan for a run the caller recorded: refuses another tenant's or revision's plan,
 * then writes profiles (batched), photos and signatures side by side, each after a fresh stale
 * check, journaling every outcome (and the last-applied state of each successful write, in the
 * same statement). One action's failure never stops the others. Guardrails and the run record
 * are the caller's (`src/runs/apply-run.ts`).
 */
export async function applyPlan(
  source: PlanSource,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<ExecutedPlan> {
  checkPlanTarget(source.head, options);
  const now = deps.now ?? (() => new Date());
  const execution = createApplyExecution({
    runId: options.runId,
    store: deps.store,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.findSecret ? { findSecret: deps.findSecret } : {}),
    ...(options.onWrite ? { onWrite: options.onWrite } : {}),
  });
  const width = options.concurrency ?? {};
  const checkMarks: MarkCheck = (actions) => checkAppliedMarks(actions, deps.store, options.tenantId);
  const intents = writeIntents(deps.store, options.tenantId, options.runId);
  // Profiles (Graph identity), photos (Graph, Outlook-backed) and signatures (Exchange) draw on
  // separate budgets: run them side by side so the slowest, usually Exchange, starts at once.
  await Promise.all([
    runProfiles(
      execution,
      readable<UpdateProfileAction>(execution, source.actions('update-profile')),
      deps.directory,
      width.profileBatches ?? 2,
      now,
    ),
    runPhotos(
      execution,
      readable<SetPhotoAction>(execution, source.actions('set-photo')),
      deps,
      width.photos ?? 8,
      now,
      checkMarks,
      intents,
    ),
    runSignatures(
      execution,
      readable<SetSignatureAction>(execution, source.actions('set-signature')),
      deps.signatures,
      width.signatures ?? 8,
      now,
      checkMarks,
      intents,
    ),
  ]);
  return summarize(execution, options.signal);
}

function summarize(execution: ApplyExecution, signal: AbortSignal | undefined): ExecutedPlan {
  const { applied, skippedStale, failed, notStarted, fatal, unreadable } = execution;
  // The three kinds ran side by side: report in plan order, whatever order they finished in.
  for (const list of [skippedStale, failed, notStarted]) sortInPlanOrder(list);
  const interrupted = signal?.aborted === true && notStarted.length > 0;
  const partial = { applied, skippedStale, failed, notStarted };
  const outcome: RunOutcome =
    fatal !== undefined
      ? 'failed'
      : unreadable !== undefined
        ? appliedTotal(applied) > 0
          ? 'partial'
          : 'failed'
        : runOutcome(partial);
  const error =
    fatal !== undefined
      ? `the state store failed: ${failureOf(fatal).message}`
      : unreadable !== undefined
        ? `the plan could not be read on: ${unreadable instanceof Error ? unreadable.message : String(unreadable)}`
        : interrupted
          ? 'interrupted: stopped starting new writes'
          : undefined;
  const raised =
    fatal ??
    (unreadable !== undefined
      ? new PlanFileError(
          `${error}; the run is recorded as ${outcome} (${appliedTotal(applied)} applied, journaled) — plan again`,
        )
      : undefined);
  return {
    outcome,
    ...partial,
    interrupted,
    counts: runCounts(partial),
    ...(error !== undefined ? { error } : {}),
    ...(raised !== undefined ? { fatal: raised } : {}),
  };
}
