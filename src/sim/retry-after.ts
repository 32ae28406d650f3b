/** How 429/503 responses spell their `Retry-After`, shared by the throttle model and the fault injector. */
export interface RetryAfterShares {
  /** Share of responses whose Retry-After is a fractional number of seconds, e.g. `0.35`. */
  fractionalRetryAfterShare: number;
  /** Share of responses that carry no Retry-After at all (clients must back off on their own). */
  missingRetryAfterShare: number;
}

/**
 * The `Retry-After` header for a wait of `seconds`, or none. `draw` is one uniform number in
 * [0, 1) from the caller's seeded PRNG, so which responses lose or get a fractional header is
 * reproducible. Values are always rounded UP (to whole seconds, or to milliseconds when
 * fractional) so that a client that waits exactly Retry-After is admitted.
 *
 * Microsoft sends whole seconds (https://learn.microsoft.com/graph/throttling), but the header
 * "may be fractional, may be absent" in practice (docs/microsoft-365.md#graph-retry-after). With a time
 * scale below 1 every value is fractional: whole seconds would distort the scaled windows.
 */
export function retryAfterHeader(
  seconds: number,
  timeScale: number,
  draw: number,
  shares: RetryAfterShares,
): Record<string, string> {
  const missing = clampShare(shares.missingRetryAfterShare);
  const fractional = clampShare(shares.fractionalRetryAfterShare);
  if (draw < missing) return {};
  if (draw < missing + fractional || timeScale < 1) {
    return { 'retry-after': String(Math.max(1, Math.ceil(seconds * 1000)) / 1000) };
  }
  return { 'retry-after': String(Math.max(1, Math.ceil(seconds))) };
}

function clampShare(share: number): number {
  return Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
}
