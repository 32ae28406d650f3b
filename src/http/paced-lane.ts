import { createAdaptiveRate, type AdaptiveRateOptions, type AdaptiveRateSnapshot } from './adaptive-rate.js';
import { createHintTracker, type RateLimitHint } from './rate-limit-hint.js';

/**
 * One budget of a limiter: its learned pace, the schedule that spaces grants at that pace (GCRA:
 * a grant may come at most `PACE_TOLERANCE_MS` ahead of its theoretical time, so no burst is
 * ever larger than that much of the current rate), and the service's `Rate-Limit-*` hints.
 */
export interface PacedLane {
  /** When a request of this budget may go (≤ now = at once). */
  readyAt(now: number): number;
  /** Takes `amount` units now; what the grant needs for its later reports. */
  grant(amount: number, now: number): LaneGrant;
  admitted(grant: LaneGrant, amount: number, now: number, usage?: number, hint?: RateLimitHint): void;
  /** A budget refusal; returns until when every caller should wait (undefined: nobody). */
  refused(
    grant: LaneGrant,
    amount: number,
    now: number,
    retryAfterMs?: number,
    hint?: RateLimitHint,
  ): number | undefined;
  /** Every caller was paused until `until`. */
  hold(until: number): void;
  snapshot(): AdaptiveRateSnapshot;
}

export interface LaneGrant {
  at: number;
  /** The pace was what held this request back (so it may grow). */
  bound: boolean;
  /** Units granted up to and including this one. */
  through: number;
}

/**
 * Grants may run this far ahead of the pace: enough to absorb timer lateness, small enough that
 * no burst exceeds a fifth of a second's worth of the current rate.
 */
export const PACE_TOLERANCE_MS = 200;
/** The first pause after a refusal without Retry-After; doubles while refusals continue. */
const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 60_000;
/** Time constant of the throughput a pace is compared with before it may grow. */
const RECENT_MS = 2_000;
/**
 * Stray 429s (a hint said budget was left) tolerated in two minutes before hints are
 * distrusted: this many, or this share of what was sent (hints that lie would see most requests
 * refused, refusals "under load" a few in a hundred at most).
 */
const STRAY_WINDOW_MS = 120_000;
const STRAYS_TOLERATED = 5;
const STRAY_SHARE = 0.1;

export function createPacedLane(options: AdaptiveRateOptions): PacedLane {
  const rate = createAdaptiveRate(options);
  const hint = createHintTracker();
  let tat = -Infinity;
  let granted = 0;
  let recent = 0;
  let recentAt = 0;
  let firstAt: number | undefined;
  let pausedAt = -Infinity;
  let probes = 0;
  let strays: { at: number; granted: number }[] = [];

  /** A refusal while the service says (or said, little being sent since) that budget is left. */
  function stray(now: number, said: RateLimitHint | undefined): boolean {
    const left = said ? said.remaining : hint.available(granted, now);
    if (left === undefined || left < 1 || !hint.trusted(now)) return false;
    strays = strays.filter((s) => now - s.at < STRAY_WINDOW_MS);
    strays.push({ at: now, granted });
    const sent = granted - strays[0]!.granted + 1;
    if (strays.length <= STRAYS_TOLERATED || strays.length <= STRAY_SHARE * sent) return true;
    hint.distrust(now);
    return false;
  }

  return {
    readyAt(now) {
      const allowance = hint.allowance(granted, now);
      return allowance.rate === 0 ? allowance.until : tat - PACE_TOLERANCE_MS;
    },
    grant(amount, now) {
      const hinted = hint.allowance(granted, now).rate;
      const own = rate.rate;
      recent = recent * Math.exp(-(now - recentAt) / RECENT_MS) + amount;
      recentAt = now;
      firstAt ??= now;
      // The decaying sum over its weight so far: the throughput, unbiased from the first grant.
      const weight = (RECENT_MS / 1000) * (1 - Math.exp(-(now - firstAt + 1) / RECENT_MS));
      // Held back by its own pace (not by a hint, nor by too little demand), and not already far
      // above what it achieves: a pace grows only where growing can be tested.
      const bound = tat > now && own <= hinted && own < (2 * recent) / weight;
      tat = Math.max(tat, now) + (amount * 1000) / Math.min(own, hinted);
      granted += amount;
      return { at: now, bound, through: granted };
    },
    admitted(g, amount, now, usage, said) {
      rate.admitted(amount, g.at, now, g.bound, usage);
      if (said) hint.observe(said, g.through, now);
    },
    refused(g, amount, now, retryAfterMs, said) {
      // Not the budget's refusal: only the refused request waits, by its own Retry-After.
      if (stray(now, said)) return undefined;
      if (said) hint.observe(said, g.through, now);
      const outcome = rate.refused(amount, g.at, now, retryAfterMs);
      if (outcome === 'dropped') probes = 0;
      const wait = retryAfterMs ?? 0;
      // Back off, doubling with every probe the budget still refuses after a drop (requests on
      // their way when the pause began are not probes); a Retry-After, if longer, wins, and holds
      // every caller. Not for a lone refusal: it is as often not the budget's, and holding everyone
      // for it would not make the next ones fewer; the refused request waits its Retry-After.
      const probe = outcome === 'dropped' || (outcome === 'again' && g.at >= pausedAt);
      if (outcome === 'suspect') return undefined;
      if (!probe) return retryAfterMs === undefined ? undefined : now + wait;
      pausedAt = now;
      const backoff = outcome === 'again' || retryAfterMs === undefined ? FIRST_PAUSE_MS * 2 ** probes : 0;
      probes += 1;
      return now + Math.max(wait, Math.min(MAX_PAUSE_MS, backoff));
    },
    hold(until) {
      // After a pause the pace starts again from its end: no burst of what the pause held back.
      tat = Math.max(tat, until + PACE_TOLERANCE_MS);
    },
    snapshot: () => rate.snapshot(),
  };
}
