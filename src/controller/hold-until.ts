/** Timers on the controller's clock (a time-scaled one in the benchmark). */
export type SetTimer = (callback: () => void, ms: number) => NodeJS.Timeout;

/**
 * Resolves true once the controller's clock reaches `until`, false at shutdown. Rechecks at least
 * every second, so a clock that jumps (a suspended host) is followed.
 */
export async function holdUntil(
  until: Date,
  clock: { now(): Date; setTimer: SetTimer },
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted) {
    const left = until.getTime() - clock.now().getTime();
    if (left <= 0) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = clock.setTimer(done, Math.min(left, 1000));
      signal.addEventListener('abort', done);
    });
  }
  return false;
}
