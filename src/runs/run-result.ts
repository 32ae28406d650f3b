import { RosterError } from '../errors/roster-error.js';
import type { PlanHead } from '../plan/plan-model.js';
import type { RunHandle } from '../ports/run-recorder.js';
import type { RunCounts, RunKind, RunOutcome } from '../ports/state-store.js';
import type { RunResult, RunStage } from './run-request.js';

/** A run in progress: what its result is built from. */
export interface RunContext {
  handle: RunHandle;
  actor: string;
  startedAt: Date;
  now: () => Date;
}

const NO_ACTIONS = { 'update-profile': 0, 'set-photo': 0, 'set-signature': 0 };

/** Actions per kind from a plan head's summary. */
export function actionsOf(head: PlanHead | undefined): RunResult['actions'] {
  if (!head) return { ...NO_ACTIONS };
  return {
    'update-profile': head.summary.updateProfile,
    'set-photo': head.summary.setPhoto,
    'set-signature': head.summary.setSignature,
  };
}

/** The counts a plan run is recorded with. */
export function planCounts(head: PlanHead): RunCounts {
  return {
    updateProfile: head.summary.updateProfile,
    setPhoto: head.summary.setPhoto,
    setSignature: head.summary.setSignature,
    warnings: head.summary.warnings,
  };
}

/** A finished run's result; `extra` carries what the kind of run adds. */
export function resultOf(
  ctx: RunContext,
  kind: RunKind,
  outcome: RunOutcome,
  head: PlanHead | undefined,
  extra: Partial<RunResult> = {},
): RunResult {
  const actions = actionsOf(head);
  return {
    id: ctx.handle.id,
    kind,
    outcome,
    startedAt: ctx.startedAt,
    finishedAt: ctx.now(),
    ...(head ? { head } : {}),
    actionCount: actions['update-profile'] + actions['set-photo'] + actions['set-signature'],
    actions,
    guardrailsTripped: [],
    recorded: true,
    ...extra,
  };
}

/** A short, secret-free error text: Roster's own errors are written for people; others are bugs. */
export function errorText(error: unknown): string {
  const text =
    error instanceof RosterError
      ? error.message
      : error instanceof Error
        ? `internal error: ${error.name}: ${error.message}`
        : 'internal error';
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}…` : text;
}

const MAX_ERROR = 500;

const STAGE_TEXT: Record<RunStage, string> = {
  planning: 'planning failed',
  recording: 'recording the run failed',
  applying: 'apply failed',
};

/** "planning failed: …", the text a failed run is recorded and shown with. */
export function failureText(stage: RunStage, error: unknown): string {
  return `${STAGE_TEXT[stage]}: ${errorText(error)}`;
}

/**
 * Records a failed run, best effort (with the database gone it cannot be recorded, and that is
 * no new news), and returns its result.
 */
export async function failedRun(
  ctx: RunContext,
  kind: RunKind,
  stage: RunStage,
  error: unknown,
  head?: PlanHead,
): Promise<RunResult> {
  let recorded = true;
  try {
    await ctx.handle.finish({ kind, outcome: 'failed', counts: {}, error: failureText(stage, error) });
  } catch {
    recorded = false;
  }
  return resultOf(ctx, kind, 'failed', head, { failure: error, stage, recorded });
}
