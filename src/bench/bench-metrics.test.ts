import { describe, expect, it } from 'vitest';
import { drawBudget, hiddenBudget } from '../sim/hidden-budget.js';
import { defaultThrottleSettings } from '../sim/seed.js';
import {
  byEndpoint,
  diffStats,
  exchangeCalls,
  extrapolate,
  floorOf,
  growthFactor,
  minimumRequests,
  minimumWorkload,
  throttledByEndpoint,
  throttledShare,
  worstAndMedian,
} from './bench-metrics.js';
import { scalingNotes, summarizeBaseline } from './bench-report.js';
import { budgetBlind, ceilingAboveBudget, scaledRetryAfter } from './bench-world.js';
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

  it('takes the minimum work, not the requests made: one Set per signature, PATCHes by 20, one PUT per photo', () => {
    const work = { signatureWrites: 9_414, profileWrites: 9_414, photoWrites: 8_016 };
    expect(minimumWorkload(work)).toEqual({
      listRequests: 0,
      getRequests: 0,
      writeRequests: 9_414,
      resourceUnits: 9_414,
      exchangeRequests: 9_414,
      // Outlook's limits are per mailbox: one PUT each.
      photoRequestsPerMailbox: 1,
    });
    expect(minimumRequests(work)).toBe(9_414 + 471 + 8_016);
    expect(minimumRequests({ ...work, signatureWrites: 0, photoWrites: 0, photoReads: 41 })).toBe(471 + 3);
  });

  it('floors a drawn budget at (work − initial allowance) ÷ rate, the largest over the APIs', () => {
    // Seed 2 draws a fixed window of 65 Exchange calls per 10 s, 7 at a time.
    const budget = hiddenBudget(
      { ...defaultThrottleSettings(), budgetSeed: 2, timeScale: 0.2, callLatencyMs: 30 },
      10_000,
    );
    expect(budget.exchange).toMatchObject({ requests: 65, windowSeconds: 10, concurrency: 7 });
    const work = { signatureWrites: 9_414, profileWrites: 9_414, photoWrites: 8_016 };
    const { floor, ratio } = floorOf(work, budget);
    const exchange = ((9_414 - 65) * 10_000 * 0.2) / 65;
    // Graph writes: 3,000 per 150 s → (9,414 − 3,000) · 150 s · 0.2 / 3,000, below Exchange's.
    expect(floor.byLimit.writes).toBeCloseTo(((9_414 - 3_000) * 150_000 * 0.2) / 3_000, 6);
    expect(floor.binding).toBe('exchangeRequests');
    expect(floor.ms).toBeCloseTo(exchange, 6);
    expect(ratio(exchange * 1.4)).toBeCloseTo(1.4, 9);
    expect(
      floorOf({ signatureWrites: 0, profileWrites: 0, photoWrites: 0 }, budget).ratio(5),
    ).toBeUndefined();
  });

  it('never floors below work × latency ÷ the concurrency allowed', () => {
    const budget = hiddenBudget(
      { ...defaultThrottleSettings(), budgetSeed: 3, timeScale: 1, callLatencyMs: 1_000 },
      10_000,
    );
    // Seed 3: 248 per 30 s (8.27/s), 3 at a time: at 1 s a call, three slots serve 3/s.
    expect(budget.exchange).toMatchObject({ requests: 248, windowSeconds: 30, concurrency: 3 });
    const { floor } = floorOf({ signatureWrites: 900, profileWrites: 0, photoWrites: 0 }, budget);
    expect(floor.binding).toBe('exchangeConcurrency');
    expect(floor.ms).toBe(300_000);
    expect(floor.byLimit.exchangeRequests).toBeCloseTo(((900 - 248) * 30_000) / 248, 6);
  });

  it('counts every Exchange call, 429s and batch items included', () => {
    expect(exchangeCalls(diffStats(before, after))).toBe(903);
  });

  it('gives the worst and the median of the defined ratios', () => {
    expect(worstAndMedian([1.2, undefined, 3, 1.1])).toEqual({ worst: 3, median: 1.2 });
    expect(worstAndMedian([1, 2, 4, 3])).toEqual({ worst: 4, median: 2.5 });
    expect(worstAndMedian([undefined])).toBeUndefined();
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

  it('sets the ceiling scenario 10× above the drawn Exchange rate, and nothing else', () => {
    const ceiling = (budgetSeed: number) =>
      ceilingAboveBudget(hiddenBudget({ ...defaultThrottleSettings(), budgetSeed }, 10_000), 10);
    for (const seed of [1, 2, 3]) {
      const e = drawBudget(seed).exchange;
      expect(ceiling(seed)).toEqual({
        exchangeRequestsPerMinute: Math.round((10 * e.requests * 60) / e.windowSeconds),
      });
    }
    // Seed 2: 65 per 10 s is 390 a minute.
    expect(ceiling(2).exchangeRequestsPerMinute).toBe(3_900);
  });

  it("gives Roster no rate limits, or only the ceiling scenario's Exchange ceiling", () => {
    const settings = {
      tenant: { id: 't' },
      rateLimits: { exchangeRequestsPerMinute: 1_020, graphConcurrency: 8 },
    };
    expect(budgetBlind(settings)).toEqual({ tenant: { id: 't' } });
    expect(budgetBlind(settings, { exchangeRequestsPerMinute: 10_200 })).toEqual({
      tenant: { id: 't' },
      rateLimits: { exchangeRequestsPerMinute: 10_200 },
    });
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
      scalingNotes({
        scaling: [run('first sync', 10_000, 200_000, 30_000), run('first sync', 1_000, 10_000, 3_000)],
      }),
    ).toEqual([
      '- (first sync) 1,000 → 10,000: wall grows 2.00× linear, requests 1.00× linear (1 = linear, below 1 = sublinear).',
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
