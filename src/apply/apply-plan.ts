import { GuardrailError } from '../errors/roster-error.js';
import type { LastAppliedRecord } from '../observe/model.js';
import { PlanFileError, planHash } from '../plan/plan-file.js';
import { planSourceOf, type PlanSource } from '../plan/plan-file-stream.js';
import type {
  ActionKind,
  GuardrailResult,
  Plan,
  PlanAction,
  PlanHead,
  SetPhotoAction,
  SetSignatureAction,
  UpdateProfileAction,
} from '../plan/plan-model.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { PhotoFetcher } from '../ports/photo-fetcher.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import type { JournalEntry, RunKind, StateStore } from '../ports/state-store.js';
import { failureOf, type ActionOutcome } from './action-outcome.js';
import {
  actionRef,
  appliedTotal,
  noneApplied,
  runCounts,
  runOutcome,
  type ActionRef,
  type ApplyFailure,
  type ApplyResult,
  type StaleAction,
} from './apply-result.js';
import { closeOrphanedRuns } from './orphaned-runs.js';
import { checkPhotos, writePhoto } from './photo-writes.js';
import { applyProfileChunk } from './profile-writes.js';
import { refuseSecrets, type SecretFinder } from './secret-guard.js';
import { checkSignatures, writeSignature } from './signature-writes.js';
import { chunkStream, runPool } from './worker-pool.js';

/** Structured log sink (a pino logger fits). */
export interface ApplyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

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

/** Who applies what, and how. */
export interface ApplyOptions {
  tenantId: string;
  configRevision: string;
  actor: string;
  /** Overrides the max-changes guardrail (`--allow-large-change`); the other guardrails stay. */
  allowLargeChange?: boolean;
  /** SIGINT/SIGTERM: stop starting new writes, let those in flight finish and be journaled. */
  signal?: AbortSignal;
  runKind?: Extract<RunKind, 'apply' | 'rollback'>;
  concurrency?: ApplyConcurrency;
}

/** Photo and signature actions whose stale checks are batched together. */
const CHECK_CHUNK = 20;

export { planHash } from '../plan/plan-file.js';

/** Refuses a plan made for another tenant or another configuration revision. */
export function checkPlanTarget(
  plan: Pick<PlanHead, 'tenantId' | 'configRevision'>,
  options: Pick<ApplyOptions, 'tenantId' | 'configRevision'>,
): void {
  if (plan.tenantId !== options.tenantId) {
    throw new PlanFileError(
      `the plan was made for tenant ${plan.tenantId}, not the configured tenant ${options.tenantId}; run roster plan against this tenant`,
    );
  }
  if (plan.configRevision !== options.configRevision) {
    throw new PlanFileError(
      `the plan was made from configuration revision ${plan.configRevision}, but the configuration is now at ${options.configRevision}; run roster plan again and review the new plan`,
    );
  }
}

/** The guardrails that stop this apply (max-changes does not when `allowLargeChange`). */
export function trippedGuardrails(
  plan: Pick<PlanHead, 'guardrails'>,
  allowLargeChange = false,
): GuardrailResult[] {
  return plan.guardrails.filter((g) => g.tripped && !(g.name === 'max-changes' && allowLargeChange));
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

function aspectOf(action: PlanAction): JournalEntry['aspect'] {
  return action.kind === 'update-profile' ? 'profile' : action.kind === 'set-photo' ? 'photo' : 'signature';
}

/**
 * Executes a plan: refuses another tenant's or revision's plan and any tripped guardrail before
 * the first write, then writes profiles (batched), photos and signatures, each after a fresh
 * stale check, journaling every outcome (and the last-applied state of each successful write,
 * in the same transaction). One action's failure never stops the others. Throws only for a
 * refused plan, a guardrail, a state store that cannot journal, or a plan source that cannot be
 * read to its end (the writes made until then are journaled and the run is recorded first).
 */
export async function applyPlan(
  planOrSource: Plan | PlanSource,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const source = 'hash' in planOrSource ? planOrSource : planSourceOf(planOrSource, planHash(planOrSource));
  const plan = source.head;
  checkPlanTarget(plan, options);
  const kind = options.runKind ?? 'apply';
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;
  const hash = source.hash;
  const closed = await closeOrphanedRuns(deps.store, options.tenantId);
  if (closed.length > 0) log?.warn({ runs: closed }, 'closed runs whose process ended before they finished');

  const runStart = {
    kind,
    tenantId: options.tenantId,
    actor: options.actor,
    planHash: hash,
    configRevision: options.configRevision,
    ...(kind === 'apply' && { sourceCount: plan.sourceCount }),
  };
  const tripped = trippedGuardrails(plan, options.allowLargeChange);
  if (tripped.length > 0) {
    const runId = await deps.store.startRun(runStart);
    const message = tripped.map((g) => `${g.name}: ${g.message}`).join('\n');
    await deps.store.finishRun(runId, 'stopped', { actions: source.actionCount }, message);
    log?.warn(
      { runId, guardrails: tripped.map((g) => g.name) },
      'guardrail stopped the apply before any write',
    );
    throw new GuardrailError(tripped[0]!.name, `apply stopped before any write by a guardrail:\n${message}`);
  }

  const runId = await deps.store.startRun(runStart);
  log?.info({ runId, actions: source.actionCount, planHash: hash }, 'apply started');
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let fatal: unknown;
  const applied = noneApplied();
  const skippedStale: StaleAction[] = [];
  const failed: ApplyFailure[] = [];
  const notStarted: ActionRef[] = [];

  async function record(action: PlanAction, outcome: ActionOutcome): Promise<void> {
    const entry: JournalEntry = {
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
    const lastApplied: LastAppliedRecord | undefined =
      outcome.status === 'applied' ? outcome.lastApplied : undefined;
    try {
      await deps.store.recordWrite(runId, entry, lastApplied);
    } catch (error) {
      // Without a journal no further write may start; the ones in flight still finish.
      fatal ??= error;
      stop.abort();
    }
    if (outcome.status === 'applied') {
      applied[action.kind]++;
      return;
    }
    const ref = actionRef(action);
    if (outcome.status === 'skipped-stale') skippedStale.push({ ...ref, message: outcome.message });
    else {
      failed.push({ ...ref, ...outcome.failure });
      log?.warn({ runId, key: action.key, ...outcome.failure }, 'action failed');
    }
  }

  /** Runs `work` and journals its outcome; a bug in one action is that action's failure. */
  async function attempt(action: PlanAction, work: () => Promise<ActionOutcome>): Promise<void> {
    let outcome: ActionOutcome;
    try {
      outcome = await work();
    } catch (error) {
      outcome = { status: 'failed', before: null, after: null, failure: failureOf(error) };
    }
    await record(action, outcome);
  }

  async function runChecked<A extends PlanAction>(
    actions: AsyncIterable<A>,
    width: number,
    check: (chunk: A[]) => Promise<Map<string, ActionOutcome>>,
    write: (action: A) => Promise<ActionOutcome>,
  ): Promise<void> {
    for await (let part of chunkStream(actions, CHECK_CHUNK)) {
      if (signal.aborted) {
        notStarted.push(...part.map(actionRef));
        continue;
      }
      const refused = await refuseAll(part);
      part = part.filter((a) => !refused.has(a.key));
      let blocked: Map<string, ActionOutcome>;
      try {
        blocked = await check(part);
      } catch (error) {
        blocked = new Map(
          part.map((a) => [
            a.key,
            { status: 'failed', before: null, after: null, failure: failureOf(error) },
          ]),
        );
      }
      for (const [key, outcome] of blocked)
        await record(
          part.find((a) => a.key === key)!,
          outcome,
        );
      const clear = part.filter((a) => !blocked.has(a.key));
      const left = await runPool(clear, width, signal, (a) => attempt(a, () => write(a)));
      notStarted.push(...left.map(actionRef));
    }
  }

  /** Journals the actions whose values hold a secret as failed; returns their keys. */
  async function refuseAll(actions: PlanAction[]): Promise<Set<string>> {
    const refused = new Set<string>();
    for (const a of actions) {
      const outcome = refuseSecrets(a, deps.findSecret);
      if (!outcome) continue;
      refused.add(a.key);
      await record(a, outcome);
    }
    return refused;
  }

  let unreadable: unknown;
  /** A plan that cannot be read on stops new writes, as a journal that cannot be written does. */
  async function* readable<A>(actions: AsyncIterable<PlanAction>): AsyncGenerator<A> {
    try {
      for await (const action of actions) yield action as A;
    } catch (error) {
      unreadable ??= error;
      stop.abort();
    }
  }
  const profiles = readable<UpdateProfileAction>(source.actions('update-profile'));
  const photos = readable<SetPhotoAction>(source.actions('set-photo'));
  const signatures = readable<SetSignatureAction>(source.actions('set-signature'));
  const concurrency = options.concurrency ?? {};

  /**
   * Exchange has no batch, so a signature's stale check is one read whichever way it is grouped:
   * check each one right before its write, and no chunk boundary leaves the Exchange budget idle.
   */
  async function runSignatures(width: number): Promise<void> {
    const left = await runPool(signatures, width, signal, async (a) => {
      if ((await refuseAll([a])).size > 0) return;
      let blocked: ActionOutcome | undefined;
      try {
        blocked = (await checkSignatures([a], deps.signatures)).get(a.key);
      } catch (error) {
        blocked = { status: 'failed', before: null, after: null, failure: failureOf(error) };
      }
      if (blocked) await record(a, blocked);
      else await attempt(a, () => writeSignature(a, deps.signatures, now));
    });
    notStarted.push(...left.map(actionRef));
  }

  async function runProfiles(width: number): Promise<void> {
    const left = await runPool(chunkStream(profiles, CHECK_CHUNK), width, signal, async (chunk) => {
      const refused = await refuseAll(chunk);
      const part = chunk.filter((a) => !refused.has(a.key));
      if (part.length === 0) return;
      let outcomes: Map<string, ActionOutcome>;
      try {
        outcomes = await applyProfileChunk(part, deps.directory, now);
      } catch (error) {
        outcomes = new Map(
          part.map((a) => [
            a.key,
            { status: 'failed', before: null, after: null, failure: failureOf(error) },
          ]),
        );
      }
      for (const a of part) await record(a, outcomes.get(a.key)!);
    });
    notStarted.push(...left.flat().map(actionRef));
  }

  // Profiles (Graph identity), photos (Graph, Outlook-backed) and signatures (Exchange) draw on
  // separate budgets: run them side by side so the slowest, usually Exchange, starts at once.
  await Promise.all([
    runProfiles(concurrency.profileBatches ?? 2),
    runChecked(
      photos,
      concurrency.photos ?? 8,
      (part) => checkPhotos(part, deps.photos),
      (a) => writePhoto(a, deps, now),
    ),
    runSignatures(concurrency.signatures ?? 8),
  ]);

  // The three kinds ran side by side: report in plan order, whatever order they finished in.
  for (const list of [skippedStale, failed, notStarted]) sortInPlanOrder(list);

  const interrupted = options.signal?.aborted === true && notStarted.length > 0;
  const partial = { applied, skippedStale, failed, notStarted };
  const outcome =
    fatal !== undefined
      ? 'failed'
      : unreadable !== undefined
        ? appliedTotal(applied) > 0
          ? 'partial'
          : 'failed'
        : runOutcome(partial);
  const counts = runCounts(partial);
  const error =
    fatal !== undefined
      ? `the state store failed: ${failureOf(fatal).message}`
      : unreadable !== undefined
        ? `the plan could not be read on: ${unreadable instanceof Error ? unreadable.message : String(unreadable)}`
        : interrupted
          ? 'interrupted: stopped starting new writes'
          : undefined;
  try {
    await deps.store.finishRun(
      runId,
      outcome,
      counts,
      error,
      kind === 'apply' ? plan.sourceCount : undefined,
    );
  } catch (finishError) {
    fatal ??= finishError;
  }
  if (fatal !== undefined) throw fatal;
  if (unreadable !== undefined) {
    throw new PlanFileError(
      `${error}; the run is recorded as ${outcome} (${appliedTotal(applied)} applied, journaled) — plan again`,
    );
  }
  log?.info({ runId, outcome, ...counts }, 'apply finished');
  return { runId, outcome, planHash: hash, ...partial, interrupted, counts };
}
