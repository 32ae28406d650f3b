import { createRefusalNoise, RECENT_UNITS } from './refusal-noise.js';

/*
 * The pace of one budget (Exchange requests, Graph resource units, Graph writes, photo requests),
 * learned from what the service answers; `docs/pacing.md` explains the algorithm and its numbers.
 * Rates are in units per second, times in milliseconds of the injected clock.
 */

export type PacePhase = 'slow-start' | 'probing';

export interface AdaptiveRateOptions {
  /** Units per second to start from. */
  rate: number;
  /** Slow start (a fresh start) or probing (from a learned rate). */
  phase: PacePhase;
  /** A set ceiling: the rate never exceeds it. */
  ceiling?: number;
  /**
   * The rate never drops below this (default `MIN_RATE`), unless a ceiling is lower: refusals
   * that come whatever the pace must not drive it to nothing before their background is known.
   */
  floor?: number;
  /** A learned measure of the budget, trusted until the first refusal measures it anew. */
  prior?: number;
}

export interface AdaptiveRateSnapshot {
  rate: number;
  phase: PacePhase;
  /** The budget as last measured between two refusals. */
  estimate?: number;
  /** The share of refusals that come whatever the pace, once sampled (`refusal-noise.ts`). */
  background?: number;
  ceiling?: number;
}

/** A refusal drops the pace to this share of the measured budget: under it the budget refills. */
export const BELOW_ESTIMATE = 0.95;
/** Growth per admitted unit while probing: about 5 % per 150 units… */
export const PROBE_GAIN = 0.05 / 150;
/**
 * …doubling every this many units without any refusal, so a budget far above the pace (a low
 * measure, a lone early refusal) is still found. Once the budget was measured, at most
 * `MEASURED_DOUBLINGS` time: a fixed window admits a pace above its budget until it is spent,
 * and a pace that kept accelerating would spend it early and wait out the rest.
 */
const PROBE_DOUBLING_UNITS = 150;
const MEASURED_DOUBLINGS = 1;
/** Under this share of the last measure (or of the pace last dropped from), regrow fast. */
const RECOVER_BELOW = 0.9;
/** A dropped pace is tried when this many units sent at it succeeded, this long after the drop. */
const TRY_MS = 500;
const TRY_UNITS = 3;
/**
 * A lone refusal is suspect: Microsoft also refuses "when the services are under an important
 * load" (https://learn.microsoft.com/graph/throttling-limits), and an empty budget refuses again
 * within a few requests. So a lone refusal only nudges the pace down by `NUDGE` and holds its
 * growth for `RECENT_UNITS` units (or `HOLD_MS`); only refusals beyond what the background of
 * refusals explains (`refusal-noise.ts`: a second one within those units, when there is none)
 * drop it. Nudges on the odd refusal below the limit cost little; nudges at the limit keep the
 * pace just under it. Where refusals come whatever the pace (a background is known), a lone one
 * neither nudges nor holds.
 */
const NUDGE = 0.97;
const HOLD_MS = 10_000;
/** A Retry-After under this share of the pace's spacing says nothing about the pace. */
const SOONER = 0.25;
const UNDER_ESTIMATE_CUT = 0.85;
/**
 * Settled (a refusal came within `SETTLED_WITHIN` times the measured budget), a drop never goes
 * below `SETTLED_CUT` of the pace refused.
 */
const SETTLED_WITHIN = 1.5;
const SETTLED_CUT = 0.85;
/** A measure needs a span this long with this many units between two refusals. */
const MIN_SPAN_MS = 1_000;
const MIN_UNITS = 6;
/** Refusals older than this no longer say what the budget is. */
const HORIZON_MS = 15 * 60_000;
const MAX_EVENTS = 64;
/** Never slower than one unit a minute: the pace must still be able to learn. */
export const MIN_RATE = 1 / 60;
/** `x-ms-throttle-limit-percentage` above which the pace stops growing, and above which it slows. */
const USAGE_HOLD = 0.8;
const USAGE_CUT = 0.95;

export type RefusalOutcome = 'dropped' | 'stale' | 'again' | 'suspect';

export interface AdaptiveRate {
  readonly rate: number;
  /**
   * A success of `cost` units for a request granted at `grantedAt`; `bound` = the pace held it
   * back; `usage` = the share of the budget the service says is spent, when it says.
   */
  admitted(cost: number, grantedAt: number, now: number, bound: boolean, usage?: number): void;
  /**
   * A budget refusal of a request granted at `grantedAt`: `dropped` = a new episode, the pace
   * dropped; `stale` = the request went out before the last drop; `again` = it went out after,
   * but the dropped pace has not been tried yet (the budget is still empty); `suspect` = a lone
   * refusal (or one the background explains): a nudge at most.
   */
  refused(cost: number, grantedAt: number, now: number, retryAfterMs?: number): RefusalOutcome;
  /** The share of refusals that come whatever the pace (`refusal-noise.ts`). */
  readonly background: number;
  snapshot(): AdaptiveRateSnapshot;
}

export function createAdaptiveRate(options: AdaptiveRateOptions): AdaptiveRate {
  const { ceiling } = options;
  const floor = options.floor ?? MIN_RATE;
  const clamp = (r: number) => Math.min(ceiling ?? Infinity, Math.max(floor, r));
  let rate = clamp(options.rate);
  let phase: PacePhase = options.phase;
  let prior = options.prior;
  let estimate: number | undefined;
  /**
   * Units that reached the service, refused ones included: Microsoft charges immediate retries
   * against the budget (https://learn.microsoft.com/graph/throttling); a service that does not
   * only makes a measure a little high, which the next refusal corrects.
   */
  let arrived = 0;
  const events: { at: number; arrived: number }[] = [];
  let recoverTo = 0;
  let episodeAt = -Infinity;
  let recovered = true;
  let triedUnits = 0;
  /** Units admitted since the last refusal of any kind. */
  let calm = 0;
  let settled = false;
  let suspectAt = -Infinity;
  let suspectArrived = -Infinity;
  const suspectPending = (now: number) =>
    now - suspectAt <= HOLD_MS && arrived - suspectArrived <= RECENT_UNITS;
  const noise = createRefusalNoise();
  let usageCutAt = -Infinity;

  /**
   * The budget as admitted between the oldest confirmed refusal still in the horizon and this
   * one: the bucket was empty at both, so what arrived in between is what it refilled. The
   * longest span averages out the noise of counting whole requests.
   */
  function measure(now: number): number | undefined {
    while (events.length > 0 && now - events[0]!.at > HORIZON_MS) events.shift();
    for (const e of events) {
      const span = now - e.at;
      const units = arrived - e.arrived;
      if (span >= MIN_SPAN_MS && units >= MIN_UNITS) return (units * 1000) / span;
    }
    return undefined;
  }

  function grow(cost: number): void {
    if (phase === 'slow-start') {
      rate = clamp(rate + cost);
    } else if (rate < RECOVER_BELOW * recoverTo) {
      rate = clamp(Math.min(RECOVER_BELOW * recoverTo, rate + cost / 2));
    } else {
      const calmDoublings = calm / PROBE_DOUBLING_UNITS;
      const measured = estimate !== undefined || prior !== undefined;
      const doublings = measured ? Math.min(MEASURED_DOUBLINGS, calmDoublings) : calmDoublings;
      const gain = Math.min(1 / rate, PROBE_GAIN * 2 ** doublings);
      rate = clamp(rate * (1 + gain * cost));
    }
  }

  function drop(now: number): void {
    noise.dropped();
    events.push({ at: now, arrived });
    if (events.length > MAX_EVENTS) events.shift();
    const measured = measure(now);
    if (measured !== undefined) estimate = measured;
    const target = measured ?? prior;
    prior = undefined;
    // Without a measure, regrow fast toward the highest pace dropped from since the last one.
    recoverTo = target ?? Math.max(recoverTo, rate);
    let next =
      target === undefined ? rate / 2 : rate > target ? BELOW_ESTIMATE * target : rate * UNDER_ESTIMATE_CUT;
    // Once refusals come at about the measured budget, a pace that was just admitted is never cut
    // by much: a measure can be low (a fixed window left partly unused in its span), the pace
    // that reached the limit cannot be far above it.
    if (settled) next = Math.max(next, SETTLED_CUT * rate);
    // Amid a background of refusals a measure is mostly that background: cut by little.
    if (noise.background > 0) next = Math.max(next, BELOW_ESTIMATE * rate);
    if (measured !== undefined && rate <= SETTLED_WITHIN * measured) settled = true;
    rate = clamp(next);
    phase = 'probing';
    episodeAt = now;
    recovered = false;
    triedUnits = 0;
    calm = 0;
  }

  return {
    get rate() {
      return rate;
    },
    get background() {
      return noise.background;
    },
    admitted(cost, grantedAt, now, bound, usage) {
      arrived += cost;
      noise.record(cost, false);
      calm += cost;
      // With an empty bucket successes and refusals alternate whatever the pace: a drop is
      // final only once the new pace has had time to show itself.
      if (grantedAt >= episodeAt) triedUnits += cost;
      if (!recovered && triedUnits >= TRY_UNITS && now >= episodeAt + TRY_MS) {
        recovered = true;
        noise.sample();
      }
      if (usage !== undefined && usage >= USAGE_HOLD) {
        phase = 'probing';
        if (usage >= USAGE_CUT && grantedAt >= usageCutAt) {
          rate = clamp(rate * 0.9);
          usageCutAt = now;
        }
        return;
      }
      if (bound && recovered && !suspectPending(now)) grow(cost);
    },
    refused(cost, grantedAt, now, retryAfterMs) {
      arrived += cost;
      if (grantedAt < episodeAt) return 'stale';
      if (!recovered) return 'again';
      // Asked back sooner than the pace's own next request would go: whatever refused, it was
      // not this pace (a bucket it exceeds refills a unit no faster than the pace spends one).
      if (retryAfterMs !== undefined && retryAfterMs < (SOONER * 1000) / rate) return 'suspect';
      // Only refusals of a tried pace count toward the next drop, not the episode's own.
      noise.record(cost, true);
      calm = 0;
      if (!noise.excessive()) {
        // Where refusals come whatever the pace, a lone one is the background: no nudge, no hold.
        if (noise.background === 0) {
          suspectAt = now;
          suspectArrived = arrived;
          rate = clamp(rate * NUDGE);
        }
        return 'suspect';
      }
      suspectAt = -Infinity;
      drop(now);
      return 'dropped';
    },
    snapshot() {
      return {
        rate,
        phase,
        ...(estimate !== undefined ? { estimate } : {}),
        ...(noise.background > 0 ? { background: noise.background } : {}),
        ...(ceiling !== undefined ? { ceiling } : {}),
      };
    },
  };
}
