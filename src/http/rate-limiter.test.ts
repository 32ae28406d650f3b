import { describe, expect, it } from 'vitest';
import { FakeClock, flush } from '../../test/support/fake-clock.js';
import type { PaceSignal } from './pace-signal.js';
import { createRateLimiter, type Permit, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';

const R = 'requests';

function limiter(clock: FakeClock, over: Partial<RateLimiterOptions> = {}): RateLimiter {
  return createRateLimiter({
    name: 'exchange',
    clock,
    lanes: { [R]: { rate: 10, phase: 'probing' } },
    concurrency: { start: 100, max: 100 },
    ...over,
  });
}

/** Starts `acquire` calls and records when (fake time since start) each was granted. */
function tracker(clock: FakeClock) {
  const start = clock.now();
  const granted: Record<string, number> = {};
  const permits: Record<string, Permit> = {};
  return {
    granted,
    permits,
    track(name: string, p: Promise<Permit>) {
      void p.then((permit) => {
        granted[name] = clock.now() - start;
        permits[name] = permit;
      });
    },
  };
}

/**
 * Callers that keep `workers` requests going, each answered at once by `answer` (a service of
 * zero latency): what the tests feed the limiter. Returns the grant times and a stop switch.
 */
function drive(l: RateLimiter, clock: FakeClock, answer: (now: number) => PaceSignal, workers = 4) {
  const grants: number[] = [];
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const permit = await l.acquire({ cost: { [R]: 1 } });
      if (stopped) return permit.release();
      grants.push(clock.now());
      permit.report(answer(clock.now()));
      permit.release();
      await clock.sleep(0);
    }
  };
  for (let i = 0; i < workers; i++) void worker();
  return {
    grants,
    stop: () => (stopped = true),
    /** Grants per second within [fromMs, toMs) of fake time. */
    rate: (fromMs: number, toMs: number) =>
      (grants.filter((t) => t >= fromMs && t < toMs).length * 1000) / (toMs - fromMs),
  };
}

/** A token bucket service: `perSecond` refill, `capacity` tokens, refusals charged, Retry-After sent. */
function tokenBucket(clock: FakeClock, perSecond: number, capacity: number, retryAfter = true) {
  let tokens = capacity;
  let at = clock.now();
  let refusals = 0;
  return {
    get refusals() {
      return refusals;
    },
    answer(now: number): PaceSignal {
      tokens = Math.min(capacity, tokens + ((now - at) * perSecond) / 1000);
      at = now;
      tokens -= 1;
      if (tokens >= 0) return { kind: 'admitted' };
      refusals++;
      const wait = Math.ceil(((1 - tokens) * 1000) / perSecond);
      return { kind: 'refused', ...(retryAfter ? { retryAfterMs: wait } : {}) };
    },
  };
}

describe('createRateLimiter', () => {
  it('slow start grows the pace e-fold per second of full use, then probing grows it by a few percent', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 2, phase: 'slow-start' } } });
    const run = drive(l, clock, () => ({ kind: 'admitted' }));
    const t0 = clock.now();
    await clock.advance(3_000);
    const fast = l.snapshot().lanes[R]!.rate;
    // About e-fold a second of full use (2·e³ ≈ 40; the first grants do not count yet).
    expect(fast).toBeGreaterThan(12);
    expect(fast).toBeLessThan(60);
    expect(run.rate(t0 + 2_000, t0 + 3_000)).toBeGreaterThan(8);
    run.stop();

    const clock2 = new FakeClock();
    const p = limiter(clock2, { lanes: { [R]: { rate: 10, phase: 'probing' } } });
    const run2 = drive(p, clock2, () => ({ kind: 'admitted' }));
    await clock2.advance(10_000);
    run2.stop();
    // About 100 admitted at ≈ 10/s: a few percent more, far from slow start's growth.
    const probed = p.snapshot().lanes[R]!;
    expect(probed.phase).toBe('probing');
    expect(probed.rate).toBeGreaterThan(10.2);
    expect(probed.rate).toBeLessThan(13);
  });

  it('drops to just under the rate the service admitted between two refusals, not to half', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 1, phase: 'slow-start' } } });
    const service = tokenBucket(clock, 10, 20);
    const run = drive(l, clock, (now) => service.answer(now));
    await clock.advance(30_000);
    run.stop();
    const lane = l.snapshot().lanes[R]!;
    expect(lane.phase).toBe('probing');
    expect(lane.estimate).toBeGreaterThan(9);
    expect(lane.estimate).toBeLessThan(11.5);
    // Halving from the slow-start overshoot would have left it far from 10 per second.
    expect(lane.rate).toBeGreaterThan(8.5);
    expect(lane.rate).toBeLessThan(11.5);
    expect(run.rate(clock.now() - 10_000 - 1, clock.now())).toBeGreaterThan(8.5);
    // A handful of refusals to find the budget, then few: the pace stays under it.
    expect(service.refusals).toBeLessThan(30);
  });

  it('a lone refusal only nudges the pace; a second one soon after drops it', async () => {
    const clock = new FakeClock();
    const l = limiter(clock);
    const t = tracker(clock);
    t.track('a', l.acquire({ cost: { [R]: 1 } }));
    t.track('b', l.acquire({ cost: { [R]: 1 } }));
    await flush();
    t.permits.a!.report({ kind: 'refused' });
    expect(l.snapshot().lanes[R]!.rate).toBeCloseTo(9.7);
    expect(l.snapshot().pausedUntil).toBe(0);
    t.permits.b!.report({ kind: 'refused' });
    expect(l.snapshot().lanes[R]!.rate).toBeCloseTo(4.85);
    expect(l.snapshot().pausedUntil).toBeGreaterThan(clock.now());
  });

  it("slows before the 429 on Graph's usage warning: no growth above 80 %, a cut above 95 %", async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 4, phase: 'slow-start' } } });
    const run = drive(l, clock, () => ({ kind: 'admitted', usage: 0.85 }));
    await clock.advance(5_000);
    run.stop();
    // Slow start would have grown it e-fold a second; the warning holds it.
    expect(l.snapshot().lanes[R]).toMatchObject({ rate: 4, phase: 'probing' });
    const t = tracker(clock);
    t.track('a', l.acquire({ cost: { [R]: 1 } }));
    t.track('b', l.acquire({ cost: { [R]: 1 } }));
    // (The stopped callers' last requests are still queued ahead.)
    await clock.advance(3_000);
    t.permits.a!.report({ kind: 'admitted', usage: 0.97 });
    // Sent before the cut: the same round, no second cut.
    t.permits.b!.report({ kind: 'admitted', usage: 0.97 });
    expect(l.snapshot().lanes[R]!.rate).toBeCloseTo(3.6);
  });

  it('a Retry-After shorter than the pace spaces its own requests says nothing of the pace', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 10, phase: 'probing' } } });
    const [a, b] = await Promise.all([l.acquire({ cost: { [R]: 1 } }), l.acquire({ cost: { [R]: 1 } })]);
    // 10 per second: 100 ms apart. Asked back after 5 ms: no budget of ours is that far behind.
    a!.report({ kind: 'refused', retryAfterMs: 5 });
    b!.report({ kind: 'refused', retryAfterMs: 5 });
    expect(l.snapshot()).toMatchObject({ pausedUntil: 0, throttled: 2, lanes: { [R]: { rate: 10 } } });
  });

  it('does not let refusals that come whatever the pace drive it down', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 10, phase: 'probing' } } });
    // A service with no budget to speak of that refuses a quarter of all requests at random.
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const run = drive(l, clock, () => (random() < 0.25 ? { kind: 'refused' } : { kind: 'admitted' }));
    // Until their background is known (a few windows of 50 units) they cost some pace…
    await clock.advance(60_000);
    const known = l.snapshot().lanes[R]!.rate;
    expect(known).toBeGreaterThan(1);
    // …then the pace holds, and even regrows.
    await clock.advance(240_000);
    run.stop();
    expect(l.snapshot().lanes[R]!.rate).toBeGreaterThanOrEqual(known);
  });

  it("Retry-After of the budget's refusal pauses every caller; a lone refusal holds only its request", async () => {
    const clock = new FakeClock();
    const l = limiter(clock, {
      concurrency: { start: 3, max: 3 },
      lanes: { [R]: { rate: 1_000, phase: 'probing' } },
    });
    const [a, b] = await Promise.all([l.acquire({ cost: { [R]: 1 } }), l.acquire({ cost: { [R]: 1 } })]);
    a!.report({ kind: 'refused', retryAfterMs: 5_000 });
    expect(l.snapshot().pausedUntil).toBe(0);
    b!.report({ kind: 'refused', retryAfterMs: 5_000 });
    l.pauseUntil(clock.now() + 1_000); // an earlier end never shortens a pause
    a!.release();
    b!.release();
    const t = tracker(clock);
    t.track('a', l.acquire({ cost: { [R]: 1 } }));
    t.track('b', l.acquire({ key: 'm1' }));
    await clock.advance(4_999);
    expect(t.granted).toEqual({});
    await clock.advance(1);
    expect(t.granted).toEqual({ a: 5_000, b: 5_000 });
    expect(l.snapshot()).toMatchObject({ throttled: 2, throttleWaitMs: 5_000 });
  });

  it('spreads what Rate-Limit-Remaining says is left over Rate-Limit-Reset, without a burst', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 1_000, phase: 'probing' } } });
    const first = await l.acquire({ cost: { [R]: 1 } });
    // 10 left until the window resets in 5 s: 2 per second, not 10 at once.
    first.report({ kind: 'admitted', hint: { remaining: 10, resetMs: 5_000 } });
    first.release();
    const t = tracker(clock);
    for (let i = 0; i < 12; i++) t.track(`r${i}`, l.acquire({ cost: { [R]: 1 } }));
    await clock.advance(4_999);
    const times = Object.values(t.granted);
    expect(times.length).toBeGreaterThanOrEqual(9);
    expect(times.length).toBeLessThanOrEqual(10);
    // Never more than one (plus the tolerance) in any half second.
    for (const at of times)
      expect(times.filter((x) => x >= at && x < at + 500).length).toBeLessThanOrEqual(2);
    // Spent: wait for the reset, then the own pace again (the hint no longer applies).
    await clock.advance(1_000);
    expect(Object.keys(t.granted)).toHaveLength(12);
  });

  it('a concurrency refusal lowers the concurrency below what was in flight', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, {
      concurrency: { start: 6, max: 8 },
      lanes: { [R]: { rate: 1_000, phase: 'probing' } },
    });
    const permits = await Promise.all(Array.from({ length: 5 }, () => l.acquire({ cost: { [R]: 1 } })));
    permits[4]!.report({ kind: 'concurrency', retryAfterMs: 1_000 });
    expect(l.snapshot().concurrency).toBe(4);
    // The pace is not at fault: it stays.
    expect(l.snapshot().lanes[R]!.rate).toBe(1_000);
    for (const p of permits) p.release();
    const t = tracker(clock);
    for (let i = 0; i < 6; i++) t.track(`c${i}`, l.acquire({}));
    await flush();
    expect(l.snapshot()).toMatchObject({ inFlight: 4, waiting: 2 });
  });

  it('never exceeds a set ceiling, whatever slow start and the hints allow', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 1, phase: 'slow-start', ceiling: 5 } } });
    const run = drive(l, clock, () => ({ kind: 'admitted', hint: { remaining: 10_000, resetMs: 1_000 } }));
    await clock.advance(20_000);
    run.stop();
    expect(l.snapshot().lanes[R]!.rate).toBe(5);
    for (let from = 5_000; from < 19_000; from += 1_000) {
      const inSecond = run.grants.filter(
        (g) => g - 1_700_000_000_000 >= from && g - 1_700_000_000_000 < from + 1_000,
      );
      expect(inSecond.length).toBeLessThanOrEqual(6);
    }
  });

  it('sends no burst after an idle period: at most a fifth of a second of the pace at once', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 20, phase: 'probing' } } });
    await (await l.acquire({ cost: { [R]: 1 } })).release();
    await clock.advance(60_000);
    const t = tracker(clock);
    for (let i = 0; i < 20; i++) t.track(`r${i}`, l.acquire({ cost: { [R]: 1 } }));
    await flush();
    // 20 per second with 200 ms of tolerance: 1 + 4 at once, then one every 50 ms.
    expect(Object.keys(t.granted)).toHaveLength(5);
    await clock.advance(500);
    expect(Object.keys(t.granted)).toHaveLength(15);
  });

  it('limits concurrency per key, letting other keys pass a busy one, and holds a key that refused', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { concurrency: { start: 3, max: 3 }, perKeyConcurrency: 1, lanes: {} });
    const t = tracker(clock);
    t.track('m1-a', l.acquire({ key: 'm1' }));
    t.track('m1-b', l.acquire({ key: 'm1' }));
    t.track('m2-a', l.acquire({ key: 'm2' }));
    t.track('m3-a', l.acquire({ key: 'm3' }));
    t.track('m4-a', l.acquire({ key: 'm4' }));
    await flush();
    expect(Object.keys(t.granted).sort()).toEqual(['m1-a', 'm2-a', 'm3-a']);
    t.permits['m2-a']!.release();
    t.permits['m2-a']!.release(); // a second release is a no-op
    await flush();
    expect(Object.keys(t.granted).sort()).toEqual(['m1-a', 'm2-a', 'm3-a', 'm4-a']);
    // m1 refuses for its own (mailbox) limit: m1 waits its Retry-After, the limiter does not.
    t.permits['m1-a']!.report({ kind: 'key-refused', retryAfterMs: 2_000 });
    t.permits['m1-a']!.release();
    t.permits['m3-a']!.release();
    t.track('m5-a', l.acquire({ key: 'm5' }));
    await clock.advance(1_999);
    expect(t.granted['m1-b']).toBeUndefined();
    expect(t.granted['m5-a']).toBe(0);
    await clock.advance(1);
    expect(t.granted['m1-b']).toBe(2_000);
    expect(l.snapshot().pausedUntil).toBe(0);
  });

  it('removes an aborted waiter and rejects it with the reason', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { concurrency: { start: 1, max: 1 }, lanes: {} });
    const first = await l.acquire();
    const controller = new AbortController();
    const waiting = l.acquire({ signal: controller.signal });
    const t = tracker(clock);
    t.track('next', l.acquire());
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    first.release();
    await flush();
    expect(t.granted.next).toBe(0);
    expect(l.snapshot()).toMatchObject({ inFlight: 1, waiting: 0 });
  });

  it('keeps what it learned only after enough traffic', async () => {
    const clock = new FakeClock();
    const l = limiter(clock, { lanes: { [R]: { rate: 4, phase: 'slow-start' } } });
    expect(l.learned()).toBeUndefined();
    const run = drive(l, clock, () => ({ kind: 'admitted' }));
    await clock.advance(2_000);
    run.stop();
    const learned = l.learned();
    // Still in slow start: half the pace reached is what was shown to work.
    expect(learned?.lanes[R]?.rate).toBeCloseTo(l.snapshot().lanes[R]!.rate / 2);
    expect(learned?.lanes[R]?.estimate).toBeUndefined();
    expect(learned?.concurrency).toBe(100);
  });
});
