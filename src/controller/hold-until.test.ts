import { describe, expect, it } from 'vitest';
import { holdUntil } from './hold-until.js';

/** A clock the test moves: each timer set moves it by the time asked, then fires on the next turn. */
function steppingClock(start: number) {
  let now = start;
  const asked: number[] = [];
  return {
    now: () => new Date(now),
    setTimer: (callback: () => void, ms: number) => {
      asked.push(ms);
      now += ms;
      return setTimeout(callback, 0);
    },
    asked,
  };
}

describe('holdUntil (a finishBy switch holding its writes)', () => {
  it("resolves true once the controller's clock reaches the moment, rechecking every second", async () => {
    const clock = steppingClock(0);
    expect(await holdUntil(new Date(2_500), clock, new AbortController().signal)).toBe(true);
    expect(clock.now().getTime()).toBe(2_500);
    expect(clock.asked).toEqual([1_000, 1_000, 500]);
  });

  it('resolves at once for a moment already past, and false at shutdown', async () => {
    const clock = steppingClock(10_000);
    expect(await holdUntil(new Date(5_000), clock, new AbortController().signal)).toBe(true);
    expect(clock.asked).toEqual([]);

    const shutdown = new AbortController();
    const held = holdUntil(
      new Date(Date.now() + 60_000),
      { now: () => new Date(), setTimer: setTimeout },
      shutdown.signal,
    );
    shutdown.abort();
    expect(await held).toBe(false);
  });
});
