import type { ApiMetrics, ApiName } from '../http/api-metrics.js';
import { planCountsOf } from '../plan/plan-counts.js';
import type { PlanAction } from '../plan/plan-model.js';
import type { RunEvents } from '../runs/run-request.js';
import { parseDuration } from '../config/parse-duration.js';
import { UsageError } from '../errors/roster-error.js';
import type { CliContext } from './cli-context.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';
import {
  PROGRESS_ASPECTS,
  type AspectProgress,
  type ProgressAspect,
  type ProgressState,
} from './progress-lines.js';

/** The API each aspect's writes go through (`docs/pacing.md`). */
const API_OF: Record<ProgressAspect, ApiName> = {
  profiles: 'graph',
  photos: 'graph-photos',
  signatures: 'exchange',
};

function aspectOf(action: PlanAction): ProgressAspect {
  return action.kind === 'update-profile'
    ? 'profiles'
    : action.kind === 'set-photo'
      ? 'photos'
      : 'signatures';
}

/**
 * The cumulative time each API held its callers on refusals, as the HTTP layer reports it to its
 * metrics (the same figure as `roster_api_throttle_wait_seconds_total`): pass it to `openRuntime`.
 */
export interface ThrottleWaitMeter extends ApiMetrics {
  waitMs(api: ApiName): number;
}

export function createThrottleWaitMeter(): ThrottleWaitMeter {
  const waits = new Map<ApiName, number>();
  return {
    request: () => undefined,
    retry: () => undefined,
    throttled: () => undefined,
    pacing: (api, state) => void waits.set(api, state.throttleWaitMs),
    waitMs: (api) => waits.get(api) ?? 0,
  };
}

export interface RunProgressOptions {
  /** Standard error: progress never mixes with the plan or JSON on standard output. */
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** A terminal redraws bars in place; anything else gets a line every `intervalMs`. */
  terminal: boolean;
  intervalMs: number;
  meter: Pick<ThrottleWaitMeter, 'waitMs'>;
  now?: () => number;
  /** For tests: the display (default: cli-progress on `stream`). */
  display?: ProgressDisplay;
}

/** `ROSTER_PROGRESS_INTERVAL`: `5s` (the default), `500ms`, `1m`. */
export function progressIntervalMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 5_000;
  const ms = /^(\d{1,7})ms$/.exec(raw);
  const seconds = ms ? Number(ms[1]) / 1000 : parseDuration(raw);
  if (seconds === undefined || seconds <= 0) {
    throw new UsageError(`ROSTER_PROGRESS_INTERVAL must be a duration such as 5s, 500ms or 1m, not ${raw}`);
  }
  return seconds * 1000;
}

/**
 * The progress of a `plan` or `apply` on standard error: bars on a terminal, else a line every
 * `ROSTER_PROGRESS_INTERVAL`; undefined with `--no-progress`.
 */
export function cliProgress(
  ctx: CliContext,
  meter: ThrottleWaitMeter,
  enabled: boolean,
): RunProgress | undefined {
  if (!enabled) return undefined;
  return createRunProgress({
    stream: ctx.stderr,
    terminal: ctx.stderr.isTTY === true,
    intervalMs: progressIntervalMs(ctx.env.ROSTER_PROGRESS_INTERVAL),
    meter,
  });
}

/** A run's progress on standard error, fed by the run's events. */
export interface RunProgress {
  events: RunEvents;
  /** Writes start now (after the confirmation; at `planned` for a saved plan). */
  applying(): void;
  /** Stops the display before the plan or a prompt is printed; idempotent. */
  pause(): void;
  stop(): void;
  state(): ProgressState;
}

/**
 * Tracks plan and apply progress from the run's events (`planning`, `planned` with the actions per
 * kind, `wrote` with each outcome) and each API's throttle wait, and hands the state to a display.
 */
export function createRunProgress(options: RunProgressOptions): RunProgress {
  const now = options.now ?? Date.now;
  const state: ProgressState = { phase: 'reading', startedAt: now(), plan: { slices: 0, rows: 0 } };
  const totals: Record<ProgressAspect, number> = { profiles: 0, photos: 0, signatures: 0 };
  const waitedBefore = new Map<ApiName, number>();
  let stopped = false;
  const display =
    options.display ??
    createProgressDisplay({
      stream: options.stream,
      terminal: options.terminal,
      intervalMs: options.intervalMs,
      now,
      read: refresh,
    });
  display.show();

  /** Throttle wait since writes started, read at every redraw. */
  function refresh(): ProgressState {
    if (state.apply) {
      for (const aspect of PROGRESS_ASPECTS) {
        const api = API_OF[aspect];
        state.apply.aspects[aspect].throttleWaitMs = options.meter.waitMs(api) - (waitedBefore.get(api) ?? 0);
      }
    }
    return state;
  }

  const events: RunEvents = {
    planning(progress) {
      if (stopped) return;
      if (state.phase === 'reading') {
        state.phase = 'planning';
        state.plan.startedAt = now();
      }
      state.plan = { ...state.plan, ...progress };
      display.show();
    },
    planned(head) {
      const counts = planCountsOf(head);
      totals.profiles = counts.profileUpdates;
      totals.photos = counts.photos;
      totals.signatures = counts.signatures;
      display.pause();
    },
    wrote(action, outcome) {
      const aspect = state.apply?.aspects[aspectOf(action)];
      if (!aspect) return;
      aspect.done += 1;
      if (outcome === 'failed') aspect.failed += 1;
      display.show();
    },
    finished: () => stop(),
  };

  function stop(): void {
    if (stopped) return;
    stopped = true;
    display.stop();
  }

  return {
    events,
    applying() {
      if (stopped || state.apply) return;
      for (const api of Object.values(API_OF)) waitedBefore.set(api, options.meter.waitMs(api));
      const aspect = (total: number): AspectProgress => ({ total, done: 0, failed: 0, throttleWaitMs: 0 });
      state.phase = 'applying';
      state.apply = {
        startedAt: now(),
        aspects: {
          profiles: aspect(totals.profiles),
          photos: aspect(totals.photos),
          signatures: aspect(totals.signatures),
        },
      };
      display.show();
    },
    pause: () => display.pause(),
    stop,
    state: refresh,
  };
}
