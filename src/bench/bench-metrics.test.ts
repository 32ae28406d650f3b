import { describe, expect, it } from 'vitest';
import { drawBudget, hiddenBudget } from '../sim/hidden-budget.js';
import { defaultThrottleSettings } from '../sim/seed.js';
import {
  byEndpoint,
  diffStats,
  extrapolate,
  floorOf,
  growthFactor,
  throttledByEndpoint,
  throttledShare,
  workloadFromStats,
} from './bench-metrics.js';
import { scalingNotes, summarizeBaseline } from './bench-report.js';
import { matchingRateLimits, scaledRetryAfter } from './bench-world.js';
import { createScaledClock } from './scaled-clock.js';

const before = { requests: { 'GET /v1.0/users/delta 200': 1 }, throttled: 0, resourceUnits: 2 };
const after = {
  requests: {
    'GET /v1.0/users/delta 200': 2,
    'POST /v1.0/$batch 200': 10,
    'PATCH /v1.0/users/{id} 204': 200,
    'PATCH /v1.0/users/{id} 429': 5,
    'GET /v1.0/users/{id} 200': 200,
    'GET /v1.0/users/{id}/photo 404': 40,
    'PUT /v1.0/users/{id}/photo/$value 200': 40,
    'POST /adminapi/beta/{tenant}/InvokeCommand 200': 900,
    'POST /adminapi/beta/{tenant}/InvokeCommand 429': 3,
    'POST /adminapi/beta/{tenant}/$batch 200': 4,
    'POST /{tenant}/oauth2/v2.0/token 200': 2,
  },
  throttled: 8,
  resourceUnits: 2 + 2 + 400 + 5,
};

describe('bench metrics', () => {
  it('diffs simulator counters and drops unchanged keys', () => {
    const d = diffStats(before, after);
    expect(d.requests['GET /v1.0/users/delta 200']).toBe(1);
    expect(d.throttled).toBe(8);
    expect(d.resourceUnits).toBe(407);
  });

  it('turns the admitted request mix into a throttle workload (429s are not work)', () => {
    const w = workloadFromStats(diffStats(before, after), 40);
    expect(w).toEqual({
      listRequests: 1,
      getRequests: 200,
      writeRequests: 200,
      exchangeRequests: 900,
      resourceUnits: 402,
      photoRequestsPerMailbox: 2,
    });
  });

  it('computes the floor from the binding budget and the wall/floor ratio', () => {
    const settings = { ...defaultThrottleSettings(), timeScale: 0.02, exchangeRequestsPerMinute: 300 };
    const budget = hiddenBudget(settings, 10_000);
    const { floor, ratio } = floorOf(diffStats(before, after), budget, 40);
    // Exchange: 900 calls, 300 served at once, then 300 per 60 s · 0.02 → 600 · 1.2 s / 300 = 2.4 s.
    expect(floor.binding).toBe('exchangeRequests');
    expect(floor.ms).toBeCloseTo(2400, 6);
    expect(ratio(2760)).toBeCloseTo(1.15, 6);
    expect(floorOf({ requests: {}, throttled: 0, resourceUnits: 0 }, budget, 0).ratio(5)).toBeUndefined();
  });

  it('groups endpoints across statuses and measures the throttled share without envelopes or tokens', () => {
    const d = diffStats(before, after);
    expect(byEndpoint(d)['PATCH /v1.0/users/{id}']).toBe(205);
    expect(byEndpoint(d)['POST /adminapi/beta/{tenant}/InvokeCommand']).toBe(903);
    expect(throttledShare(d)).toBeCloseTo(8 / (1 + 205 + 200 + 40 + 40 + 903), 9);
    expect(throttledByEndpoint(d)).toEqual({
      'PATCH /v1.0/users/{id}': 5,
      'POST /adminapi/beta/{tenant}/InvokeCommand': 3,
    });
  });

  it('hands Roster the budget the simulator drew, whatever the seed (until it paces on its own)', () => {
    const limits = (budgetSeed: number) =>
      matchingRateLimits(hiddenBudget({ ...defaultThrottleSettings(), budgetSeed }, 10_000));
    const drawn = (budgetSeed: number) => drawBudget(budgetSeed).exchange;
    for (const seed of [1, 2, 3]) {
      const e = drawn(seed);
      expect(limits(seed)).toMatchObject({
        exchangeRequestsPerMinute: Math.floor((e.requests * 60) / e.windowSeconds),
        exchangeConcurrency: e.concurrency,
        graphReadsPer10s: 8_000,
      });
    }
    expect(limits(1)).not.toEqual(limits(2));
  });

  it('gives Retry-After and Rate-Limit-Reset in the seconds of the scaled clock', () => {
    const inner = {
      admit: () => ({
        status: 429,
        headers: { 'retry-after': '0.05', 'rate-limit-reset': '0.1', other: '0.1' },
      }),
      release: () => undefined,
      responseHeaders: () => ({ 'rate-limit-reset': '0.025', 'rate-limit-remaining': '3' }),
    };
    const scaled = scaledRetryAfter(inner, () => 0.05);
    const req = {} as never;
    expect(scaled.admit(req, req, req)?.headers).toEqual({
      'retry-after': '1',
      'rate-limit-reset': '2',
      other: '0.1',
    });
    expect(scaled.responseHeaders(req, req)).toEqual({
      'rate-limit-reset': '0.5',
      'rate-limit-remaining': '3',
    });
  });

  it('extrapolates a slice linearly and refuses an empty slice', () => {
    expect(extrapolate(30_000, 50, 9_400)).toBe(5_640_000);
    expect(() => extrapolate(1, 0, 10)).toThrowErrorMatchingInlineSnapshot(
      `[Error: extrapolate: the slice must hold at least one employee]`,
    );
  });

  it('summarizes the baseline with the latency the scaled slice did not see', () => {
    const s = summarizeBaseline(
      {
        employees: 50,
        wallMs: 30_000,
        requests: 200,
        byEndpoint: {},
        tokenRequests: 2,
        failed: 0,
        throttled: 0,
      },
      1_000,
      30,
      0.02,
    );
    expect(s.extrapolated).toEqual({ employees: 1_000, wallMs: 600_000, requests: 4_000 });
    expect(s.realWorldWallMs).toBeCloseTo(600_000 + 4_000 * 30 * 0.98, 6);
  });

  it('reports growth against linear between the smallest and largest runs', () => {
    expect(growthFactor(10, 100, 1_000, 10_000)).toBe(1);
    expect(growthFactor(10, 10, 1_000, 10_000)).toBeCloseTo(0.1, 9);
    const run = (id: string, employees: number, wallMs: number, wireRequests: number) =>
      ({ id, employees, wallMs, wireRequests }) as never;
    expect(
      scalingNotes({ scaling: [run('b', 10_000, 200_000, 30_000), run('b', 1_000, 10_000, 3_000)] }),
    ).toEqual([
      '- (b) 1,000 → 10,000: wall grows 2.00× linear, requests 1.00× linear (1 = linear, below 1 = sublinear).',
    ]);
  });

  it('runs a scaled clock 1/timeScale times faster than its base', async () => {
    let now = 1_000;
    const slept: number[] = [];
    const clock = createScaledClock(0.02, {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    now += 20;
    expect(clock.now()).toBe(2_000);
    await clock.sleep(10_000);
    expect(slept).toEqual([200]);
    expect(() => createScaledClock(0)).toThrowErrorMatchingInlineSnapshot(
      `[Error: time scale must be in (0, 1], got 0]`,
    );
  });
});
