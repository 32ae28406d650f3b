import { createSystemClock, type Clock } from '../http/clock.js';

/**
 * A clock that runs `1 / timeScale` times faster than the wall: Roster's limiters and retry
 * waits then pace themselves against a time-scaled simulator exactly as they would against
 * Microsoft in real time (a budget per 10 s becomes a budget per 10·timeScale s of wall time).
 */
export function createScaledClock(
  timeScale: number,
  base: Clock = createSystemClock(),
  /** Where the two clocks agree (default: now); processes sharing one origin share one time. */
  origin = base.now(),
): Clock {
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`time scale must be in (0, 1], got ${timeScale}`);
  return {
    now: () => origin + (base.now() - origin) / timeScale,
    sleep: (ms, signal) => base.sleep(ms * timeScale, signal),
  };
}
