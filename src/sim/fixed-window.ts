/**
 * Fixed windows for the simulator's drawn Exchange budgets: `capacity` requests per window of
 * `windowMs`, the count starting again at each window's end. The first window opens at the
 * budget's first request and the next ones follow back to back, so a burst of twice the capacity
 * can pass across a boundary: the trait that tells a fixed window from a token bucket.
 */
export interface FixedWindow {
  /** Clock time (ms) the current window opened. */
  start: number;
  /** Requests counted in it (refusals included: they are charged too). */
  count: number;
}

/** Looks up (or opens) the window for `key` and moves it up to `now`. */
export function windowFor(
  windows: Map<string, FixedWindow>,
  key: string,
  windowMs: number,
  now: number,
): FixedWindow {
  let window = windows.get(key);
  if (!window) {
    window = { start: now, count: 0 };
    windows.set(key, window);
  }
  if (now >= window.start + windowMs) {
    window.start += Math.floor((now - window.start) / windowMs) * windowMs;
    window.count = 0;
  }
  return window;
}

/** Requests still admitted in the current window. */
export function windowRemaining(window: FixedWindow, capacity: number): number {
  return Math.max(0, capacity - window.count);
}

/** Milliseconds until the current window ends (and the count starts again). */
export function windowResetMs(window: FixedWindow, windowMs: number, now: number): number {
  return Math.max(0, window.start + windowMs - now);
}
