/**
 * `Rate-Limit-Remaining` + `Rate-Limit-Reset` (requests left, seconds until the budget is whole
 * again), when a service sends them. Microsoft documents neither for the Exchange admin API, so
 * they are used only while present and consistent, and only to slow down: the remaining budget
 * is spread over the time to reset instead of being spent at once. That is right for a fixed
 * window (the remainder is all there is until it resets) and safe for a token bucket (which
 * also refills meanwhile: spreading its level over its time to full settles at its refill rate
 * with the bucket half full).
 */
export interface RateLimitHint {
  remaining: number;
  resetMs: number;
}

/** A hint longer than this is not believed (a service resetting in hours is not pacing us). */
const MAX_RESET_MS = 3_600_000;
/** Stray 429s that contradict the hints stop their use for this long. */
const DISTRUST_MS = 5 * 60_000;

/** Reads the headers; undefined unless both are present and make sense. */
export function parseRateLimitHint(
  get: (name: string) => string | null | undefined,
): RateLimitHint | undefined {
  const remaining = number(
    get('rate-limit-remaining') ?? get('ratelimit-remaining') ?? get('x-ratelimit-remaining'),
  );
  const reset = number(get('rate-limit-reset') ?? get('ratelimit-reset') ?? get('x-ratelimit-reset'));
  if (remaining === undefined || reset === undefined) return undefined;
  const resetMs = Math.ceil(reset * 1000);
  if (!Number.isInteger(remaining) || remaining < 0 || resetMs < 0 || resetMs > MAX_RESET_MS)
    return undefined;
  return { remaining, resetMs };
}

function number(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The latest hint of one budget, kept up to date with what was granted since. */
export interface HintTracker {
  /** A response's hint; `grantedThrough` = units granted up to and including its request. */
  observe(hint: RateLimitHint, grantedThrough: number, now: number): void;
  /** Units per second the hint allows now: Infinity when none applies, 0 = hold until `until`. */
  allowance(granted: number, now: number): { rate: number; until: number };
  /** Units the hint says are left now (undefined when none applies). */
  available(granted: number, now: number): number | undefined;
  /** The service refused while the hint promised room: stop believing hints for a while. */
  distrust(now: number): void;
  trusted(now: number): boolean;
}

export function createHintTracker(): HintTracker {
  let latest: { available: number; grantedAt: number; resetAt: number } | undefined;
  let distrustedUntil = -Infinity;
  const trusted = (now: number) => now >= distrustedUntil;

  function available(granted: number, now: number): number | undefined {
    if (!latest || !trusted(now) || now >= latest.resetAt) return undefined;
    return latest.available - (granted - latest.grantedAt);
  }

  return {
    observe(hint, grantedThrough, now) {
      latest = { available: hint.remaining, grantedAt: grantedThrough, resetAt: now + hint.resetMs };
    },
    allowance(granted, now) {
      const left = available(granted, now);
      if (left === undefined || !latest) return { rate: Infinity, until: now };
      if (left < 1) return { rate: 0, until: latest.resetAt };
      return { rate: (left * 1000) / Math.max(1, latest.resetAt - now), until: now };
    },
    available,
    distrust(now) {
      distrustedUntil = now + DISTRUST_MS;
      latest = undefined;
    },
    trusted,
  };
}
