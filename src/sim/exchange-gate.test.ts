import { describe, expect, it } from 'vitest';
import { hiddenBudget } from './hidden-budget.js';
import { buildState } from './seed.js';
import { budgetFloor } from './throttle-floor.js';
import { Throttler } from './throttle.js';
import type { SimExchangeBudget, SimRequest, SimResponse, SimRoute, SimThrottleSettings } from './types.js';

const APP = { clientId: 'app', graphPermissions: [], exchangeManageAsApp: true };
const route: SimRoute = {
  service: 'exchange',
  method: 'POST',
  pattern: /^\/adminapi\/beta\/[^/]+\/InvokeCommand$/,
  handle: () => ({ status: 200 }),
};
const BUCKET: SimExchangeBudget = {
  shape: 'token-bucket',
  requests: 6,
  windowSeconds: 60,
  concurrency: 10,
  rateLimitHeaders: true,
  retryAfter: true,
};
const WINDOW: SimExchangeBudget = { ...BUCKET, shape: 'fixed-window', requests: 5, windowSeconds: 10 };

/** A throttler with an explicit Exchange budget on a clock the test moves by hand. */
function setup(exchange: SimExchangeBudget, over: Partial<SimThrottleSettings> = {}) {
  const state = buildState({ tenant: { domain: 'contoso.onmicrosoft.com' } });
  Object.assign(state.throttle, {
    exchange,
    subLimit429Rate: 0,
    fractionalRetryAfterShare: 0,
    missingRetryAfterShare: 0,
    ...over,
  });
  const clock = { t: 5_000_000 };
  const throttler = new Throttler(state, () => clock.t);
  let n = 0;
  /** One call, run to completion: its refusal, or the rate headers of its success. */
  const call = (): { refused?: SimResponse; headers: Record<string, string> } => {
    const req: SimRequest = {
      method: 'POST',
      url: new URL('https://127.0.0.1/adminapi/beta/t/InvokeCommand'),
      path: '/adminapi/beta/t/InvokeCommand',
      headers: {},
      body: Buffer.alloc(0),
      requestId: `r${++n}`,
      app: APP,
    };
    const refused = throttler.admit(req, route);
    if (refused) return { refused, headers: refused.headers ?? {} };
    const headers = throttler.responseHeaders(req, route);
    throttler.release(req, route);
    return { headers };
  };
  /** Calls until the first refusal; how many got through. */
  const burst = () => {
    let admitted = 0;
    while (!call().refused) admitted++;
    return admitted;
  };
  return { state, clock, call, burst };
}

describe('a token-bucket Exchange budget', () => {
  it('admits the bucket at once, then one call per refill interval, never more', () => {
    const { clock, call, burst } = setup(BUCKET);
    const seen = Array.from({ length: 6 }, () => call().headers);
    expect(seen.map((h) => h['rate-limit-remaining'])).toEqual(['5', '4', '3', '2', '1', '0']);
    // 6 per 60 s: one call refills every 10 s; the bucket is full again 10 s per missing call.
    expect(seen.map((h) => h['rate-limit-reset'])).toEqual(['10', '20', '30', '40', '50', '60']);
    const refused = call().refused;
    // Refused calls are charged: the bucket is at −1, and one call needs 2 refills.
    expect(refused?.headers).toMatchObject({ 'retry-after': '20', 'rate-limit-remaining': '0' });
    clock.t += 19_999;
    expect(call().refused).toBeDefined();
    clock.t += 30_001; // −2 + 50 s of refill = 3
    expect(burst()).toBe(3);
    clock.t += 10 * 60_000;
    expect(burst()).toBe(6); // full, not more
  });
});

describe('a fixed-window Exchange budget', () => {
  it('admits the allowance per window, counting again at each window end', () => {
    const { clock, call, burst } = setup(WINDOW);
    const seen = Array.from({ length: 5 }, () => call().headers);
    expect(seen.map((h) => h['rate-limit-remaining'])).toEqual(['4', '3', '2', '1', '0']);
    expect(seen.map((h) => h['rate-limit-reset'])).toEqual(['10', '10', '10', '10', '10']);
    clock.t += 4_000;
    expect(call().refused?.headers).toMatchObject({ 'retry-after': '6', 'rate-limit-reset': '6' });
    clock.t += 5_999;
    expect(call().refused).toBeDefined(); // refusals do not move the window
    clock.t += 1;
    expect(burst()).toBe(5);
    // The window that opened at 20 s: half over at 25 s, its allowance whole.
    clock.t += 15_000;
    const first = call().headers;
    expect([first['rate-limit-remaining'], first['rate-limit-reset']]).toEqual(['4', '5']);
    expect(burst()).toBe(4);
  });

  it('lets almost twice the allowance through in a moment across a window boundary, unlike a bucket', () => {
    const fixed = setup(WINDOW);
    fixed.call();
    fixed.clock.t += 9_900;
    expect(fixed.burst()).toBe(4);
    fixed.clock.t += 200;
    expect(fixed.burst()).toBe(5);
    const bucket = setup({ ...WINDOW, shape: 'token-bucket' });
    bucket.call();
    bucket.clock.t += 9_900;
    expect(bucket.burst()).toBe(5); // full again, and no fuller
    bucket.clock.t += 200;
    expect(bucket.burst()).toBe(0);
  });
});

describe('what a draw sends', () => {
  it('leaves out the rate headers, or Retry-After, when the budget does not send them', () => {
    const quiet = setup({ ...WINDOW, rateLimitHeaders: false, retryAfter: false });
    expect(quiet.burst()).toBe(5);
    expect(quiet.call().headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'request-id': 'r7',
    });
    const loud = setup(WINDOW);
    loud.burst();
    expect(Object.keys(loud.call().headers).sort()).toEqual([
      'content-type',
      'rate-limit-remaining',
      'rate-limit-reset',
      'request-id',
      'retry-after',
    ]);
  });

  it('caps concurrency at the budget', () => {
    const { state } = setup({ ...BUCKET, concurrency: 2 });
    const throttler = new Throttler(state, () => 0);
    const req = (id: string): SimRequest => ({
      method: 'POST',
      url: new URL('https://127.0.0.1/adminapi/beta/t/InvokeCommand'),
      path: '/adminapi/beta/t/InvokeCommand',
      headers: {},
      body: Buffer.alloc(0),
      requestId: id,
      app: APP,
    });
    expect(throttler.admit(req('a'), route)).toBeUndefined();
    expect(throttler.admit(req('b'), route)).toBeUndefined();
    expect(throttler.admit(req('c'), route)?.body).toBe(
      'You have reached the maximum number of concurrent requests per tenant',
    );
  });
});

describe('the floor of an Exchange workload', () => {
  const workload = (exchangeRequests: number) => ({
    listRequests: 0,
    getRequests: 0,
    writeRequests: 0,
    exchangeRequests,
  });
  const floorOf = (exchange: SimExchangeBudget, work: number, over: Partial<SimThrottleSettings> = {}) => {
    const { state } = setup(exchange, over);
    return budgetFloor(workload(work), hiddenBudget(state.throttle, 1));
  };

  it('is (work − allowance) ÷ rate for a bucket, and a client pacing at the rate meets it', () => {
    expect(floorOf(BUCKET, 30)).toMatchObject({ ms: 240_000, binding: 'exchangeRequests' });
    expect(floorOf(BUCKET, 6).ms).toBe(0);
    const { clock, call } = setup(BUCKET);
    const start = clock.t;
    let done = 0;
    for (; done < 6; done++) expect(call().refused).toBeUndefined();
    while (done < 30) {
      clock.t += 10_000;
      expect(call().refused).toBeUndefined();
      done++;
    }
    expect(clock.t - start).toBe(240_000);
  });

  it('bounds a fixed window from below: whole windows are needed, the floor counts their share', () => {
    expect(floorOf(WINDOW, 30).ms).toBe(50_000);
    expect(floorOf(WINDOW, 27).ms).toBe(44_000);
    for (const work of [30, 27]) {
      const { clock, burst } = setup(WINDOW);
      const start = clock.t;
      let done = Math.min(work, burst());
      while (done < work) {
        clock.t += 10_000;
        done = Math.min(work, done + burst());
      }
      expect(clock.t - start).toBe(50_000);
      expect(clock.t - start).toBeGreaterThanOrEqual(floorOf(WINDOW, work).ms);
    }
  });

  it('is never less than work × latency ÷ concurrency, and scales with timeScale', () => {
    const big = { ...BUCKET, requests: 10_000, concurrency: 4 };
    expect(floorOf(big, 1_000, { callLatencyMs: 100 })).toMatchObject({
      ms: 25_000,
      binding: 'exchangeConcurrency',
    });
    expect(floorOf(big, 1_000, { callLatencyMs: 100, timeScale: 0.1 }).ms).toBe(2_500);
    expect(floorOf(BUCKET, 30, { timeScale: 0.1 }).ms).toBe(24_000);
    expect(floorOf(BUCKET, 30, { enabled: false }).ms).toBe(0);
  });
});
