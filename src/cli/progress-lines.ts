import { count, NOUNS } from '../plan/plan-counts.js';

/** The aspects an apply writes, each through its own API and budget (`docs/pacing.md`). */
export type ProgressAspect = 'profiles' | 'photos' | 'signatures';

export const PROGRESS_ASPECTS: readonly ProgressAspect[] = ['profiles', 'photos', 'signatures'];

/** The plan's vocabulary for each aspect's writes (`plan-counts.ts`). */
const ASPECT_NOUNS = {
  profiles: NOUNS.profileUpdate,
  photos: NOUNS.photo,
  signatures: NOUNS.signature,
} as const;

/** One aspect of an apply: its writes in the plan, those finished, and its API's throttling. */
export interface AspectProgress {
  total: number;
  /** Finished writes, whatever their outcome. */
  done: number;
  failed: number;
  /** Time the aspect's API held its callers on refusals during this run, milliseconds. */
  throttleWaitMs: number;
}

/** Everything a progress line shows; times are milliseconds of one clock. */
export interface ProgressState {
  phase: 'reading' | 'planning' | 'applying';
  startedAt: number;
  plan: { slices: number; rows: number; totalRows?: number; startedAt?: number };
  apply?: { startedAt: number; aspects: Record<ProgressAspect, AspectProgress> };
}

const number = new Intl.NumberFormat('en-US');
const rateFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `45s`, `3m 05s`, `1h 02m`: short and of steady width. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Per second since `since`, with the time left at that pace (undefined before anything is done). */
function pace(done: number, total: number, since: number, now: number): { rate?: number; etaMs?: number } {
  const elapsed = now - since;
  if (done <= 0 || elapsed <= 0) return {};
  const rate = (done * 1000) / elapsed;
  return { rate, etaMs: ((total - done) / rate) * 1000 };
}

function paceText(p: { rate?: number; etaMs?: number }, finished: boolean): string {
  if (finished) return 'done';
  if (p.rate === undefined) return '–/s, ETA –';
  return `${rateFormat.format(p.rate)}/s, ETA ${formatDuration(p.etaMs ?? 0)}`;
}

/** `planning: 3 slices, 3,000/10,000 active employees, 1,200/s, ETA 6s`. */
export function formatPlanLine(state: ProgressState, now: number): string {
  if (state.phase === 'reading' || state.plan.totalRows === undefined) {
    return `reading the tenant and the HR source (${formatDuration(now - state.startedAt)})`;
  }
  const { slices, rows, totalRows } = state.plan;
  const p = pace(rows, totalRows, state.plan.startedAt ?? state.startedAt, now);
  const slicesText = `${slices} ${slices === 1 ? 'slice' : 'slices'}`;
  const done = state.phase !== 'planning' || rows >= totalRows;
  return `planning: ${slicesText}, ${number.format(rows)}/${number.format(totalRows)} active employees, ${paceText(p, done)}`;
}

/** `photos 12/40, 2.5/s, ETA 11s, throttled 1s, 1 failed`. */
export function formatAspectLine(
  aspect: ProgressAspect,
  progress: AspectProgress,
  since: number,
  now: number,
): string {
  const noun = ASPECT_NOUNS[aspect].other;
  const p = pace(progress.done, progress.total, since, now);
  const parts = [
    `${noun} ${number.format(progress.done)}/${number.format(progress.total)}`,
    paceText(p, progress.done >= progress.total),
    `throttled ${formatDuration(progress.throttleWaitMs)}`,
  ];
  if (progress.failed > 0) parts.push(`${number.format(progress.failed)} failed`);
  return parts.join(', ');
}

/** The aspects an apply writes (those with writes in its plan), in plan order. */
export function activeAspects(state: ProgressState): ProgressAspect[] {
  const aspects = state.apply?.aspects;
  return aspects ? PROGRESS_ASPECTS.filter((a) => aspects[a].total > 0) : [];
}

/**
 * The state as one line (a log without a terminal, every few seconds):
 * `roster: applying 2m 05s: profile updates 10/10, done, …; photos 3/40, …`.
 */
export function formatProgressLine(state: ProgressState, now: number): string {
  const elapsed = formatDuration(now - state.startedAt);
  if (state.phase !== 'applying' || !state.apply) return `roster ${elapsed}: ${formatPlanLine(state, now)}`;
  const { apply } = state;
  const aspects = activeAspects(state);
  const body =
    aspects.length === 0
      ? `nothing to write`
      : aspects.map((a) => formatAspectLine(a, apply.aspects[a], apply.startedAt, now)).join('; ');
  const writes = aspects.reduce((sum, a) => sum + apply.aspects[a].total, 0);
  return `roster ${elapsed}: applying ${count(writes, NOUNS.change)}: ${body}`;
}
