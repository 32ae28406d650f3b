import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as the I/O shell sees it. Injected so the retry policy and the rate limiter can be
 * tested with a fake clock instead of real waiting.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    async sleep(ms, signal) {
      if (ms <= 0) {
        signal?.throwIfAborted();
        return;
      }
      await delay(ms, undefined, signal ? { signal } : undefined);
    },
  };
}
