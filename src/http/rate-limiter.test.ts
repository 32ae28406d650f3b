import { describe, expect, it } from 'vitest';
import { FakeClock, flush } from '../../test/support/fake-clock.js';
import { createRateLimiter, type Release } from './rate-limiter.js';

/** Starts `acquire` calls and records when (fake time since start) each was granted. */
function tracker(clock: FakeClock) {
  const start = clock.now();
  const granted: Record<string, number> = {};
  const releases: Record<string, Release> = {};
  return {
    granted,
    releases,
    track(name: string, p: Promise<Release>) {
      void p.then((release) => {
        granted[name] = clock.now() - start;
        releases[name] = release;
      });
    },
  };
}

describe('createRateLimiter', () => {
  it('paces requests to the bucket: a full burst, then the refill rate', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({
      name: 'graph',
      clock,
      buckets: { units: { capacity: 3, windowMs: 3_000 } },
      concurrency: 100,
    });
    const t = tracker(clock);
    for (const n of ['a', 'b', 'c', 'd', 'e']) t.track(n, limiter.acquire({ cost: { units: 1 } }));
    await flush();
    expect(t.granted).toEqual({ a: 0, b: 0, c: 0 });
    await clock.advance(999);
    expect(t.granted.d).toBeUndefined();
    await clock.advance(1);
    expect(t.granted.d).toBe(1_000);
    await clock.advance(1_000);
    expect(t.granted.e).toBe(2_000);
  });

  it('holds a reserve back from the burst but refills at the full rate', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({
      name: 'exchange',
      clock,
      buckets: { requests: { capacity: 4, windowMs: 4_000, reserve: 1 } },
      concurrency: 100,
    });
    const t = tracker(clock);
    for (const n of ['a', 'b', 'c', 'd', 'e']) t.track(n, limiter.acquire({ cost: { requests: 1 } }));
    await flush();
    expect(t.granted).toEqual({ a: 0, b: 0, c: 0 });
    await clock.advance(1_000);
    expect(t.granted.d).toBe(1_000);
    await clock.advance(1_000);
    expect(t.granted.e).toBe(2_000);
    // Idle for a long time, it still fills only to capacity − reserve.
    await clock.advance(60_000);
    expect(limiter.snapshot().tokens).toEqual({ requests: 3 });
    // A cost above the level is clamped to it, so it can still go.
    const big = limiter.acquire({ cost: { requests: 10 } });
    await flush();
    await expect(big).resolves.toBeTypeOf('function');
  });

  it('refuses a reserve that leaves no budget', () => {
    expect(() =>
      createRateLimiter({
        name: 'x',
        clock: new FakeClock(),
        buckets: { requests: { capacity: 2, windowMs: 1_000, reserve: 2 } },
        concurrency: 1,
      }),
    ).toThrowErrorMatchingInlineSnapshot(`[Error: bug: bucket requests needs a positive budget]`);
  });

  it('draws on several buckets at once and waits for the scarcest', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({
      name: 'graph',
      clock,
      buckets: { units: { capacity: 100, windowMs: 10_000 }, writes: { capacity: 2, windowMs: 150_000 } },
      concurrency: 100,
    });
    const t = tracker(clock);
    for (const n of ['w1', 'w2', 'w3']) t.track(n, limiter.acquire({ cost: { units: 1, writes: 1 } }));
    t.track('read', limiter.acquire({ cost: { units: 1 } }));
    await flush();
    // The read queues behind the paced write: pacing is first come, first served.
    expect(t.granted).toEqual({ w1: 0, w2: 0 });
    await clock.advance(75_000);
    expect(t.granted).toEqual({ w1: 0, w2: 0, w3: 75_000, read: 75_000 });
  });

  it('clamps a cost above the capacity so a large batch can still go', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({
      name: 'photos',
      clock,
      buckets: { requests: { capacity: 10, windowMs: 1_000 } },
      concurrency: 4,
    });
    await expect(limiter.acquire({ cost: { requests: 50 } })).resolves.toBeTypeOf('function');
    expect(limiter.snapshot().tokens.requests).toBe(0);
  });

  it('limits concurrency overall and per key, letting other keys pass a blocked one', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({
      name: 'photos',
      clock,
      buckets: {},
      concurrency: 3,
      perKeyConcurrency: 1,
    });
    const t = tracker(clock);
    t.track('m1-a', limiter.acquire({ key: 'm1' }));
    t.track('m1-b', limiter.acquire({ key: 'm1' }));
    t.track('m2-a', limiter.acquire({ key: 'm2' }));
    t.track('m3-a', limiter.acquire({ key: 'm3' }));
    t.track('m4-a', limiter.acquire({ key: 'm4' }));
    await flush();
    expect(Object.keys(t.granted).sort()).toEqual(['m1-a', 'm2-a', 'm3-a']);
    expect(limiter.snapshot()).toMatchObject({ inFlight: 3, waiting: 2 });
    t.releases['m2-a']!();
    t.releases['m2-a']!(); // a second release is a no-op
    await flush();
    // m1-b is still blocked by its mailbox, so m4-a takes the free slot.
    expect(Object.keys(t.granted).sort()).toEqual(['m1-a', 'm2-a', 'm3-a', 'm4-a']);
    expect(limiter.snapshot()).toMatchObject({ inFlight: 3, waiting: 1 });
    t.releases['m1-a']!();
    await flush();
    expect(t.granted['m1-b']).toBe(0);
  });

  it('holds every caller while paused by a 429', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({
      name: 'exchange',
      clock,
      buckets: { requests: { capacity: 10, windowMs: 60_000 } },
      concurrency: 2,
    });
    limiter.pauseUntil(clock.now() + 5_000);
    limiter.pauseUntil(clock.now() + 1_000); // an earlier end never shortens a pause
    const t = tracker(clock);
    t.track('a', limiter.acquire({ cost: { requests: 1 } }));
    t.track('b', limiter.acquire({ cost: { requests: 1 } }));
    await clock.advance(4_999);
    expect(t.granted).toEqual({});
    await clock.advance(1);
    expect(t.granted).toEqual({ a: 5_000, b: 5_000 });
  });

  it('removes an aborted waiter and rejects it with the reason', async () => {
    const clock = new FakeClock();
    const limiter = createRateLimiter({ name: 'graph', clock, buckets: {}, concurrency: 1 });
    const first = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    const t = tracker(clock);
    t.track('next', limiter.acquire());
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    first();
    await flush();
    expect(t.granted.next).toBe(0);
    expect(limiter.snapshot()).toMatchObject({ inFlight: 1, waiting: 0 });
  });
});
