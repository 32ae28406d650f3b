import { describe, expect, it } from 'vitest';
import { buildState } from './seed.js';
import { Throttler } from './throttle.js';
import type { SimRequest, SimRoute, SimThrottleSettings } from './types.js';

const APP = { clientId: 'app', graphPermissions: ['User.Read.All'], exchangeManageAsApp: true };
const users: SimRoute = {
  service: 'graph',
  method: 'GET',
  pattern: /^\/v1\.0\/users/,
  handle: () => ({ status: 200 }),
};
const invoke: SimRoute = {
  service: 'exchange',
  method: 'POST',
  pattern: /^\/adminapi\/beta\/[^/]+\/InvokeCommand$/,
  handle: () => ({ status: 200 }),
};

/** Budgets far above the load, so that every 429 is one below the limits. */
function setup(over: Partial<SimThrottleSettings> = {}) {
  const state = buildState({ tenant: { domain: 'contoso.onmicrosoft.com' } });
  Object.assign(state.throttle, {
    resourceUnitsPer10s: 1e9,
    writesPer150s: 1e9,
    exchange: { requests: 1e9, concurrency: 1e9 },
    ...over,
  });
  const throttler = new Throttler(state, () => 0);
  let n = 0;
  const send = (route: SimRoute) => {
    const path = route === users ? '/v1.0/users/u1' : '/adminapi/beta/t/InvokeCommand';
    const req: SimRequest = {
      method: route.method,
      url: new URL(`https://127.0.0.1${path}`),
      path,
      headers: {},
      body: Buffer.alloc(0),
      requestId: `r${++n}`,
      app: APP,
    };
    const res = throttler.admit(req, route);
    throttler.release(req, route);
    return res;
  };
  return { state, send };
}

describe('429s below the limits', () => {
  it('come at the stated rate (0.5 % by default), for Graph and Exchange, each with a short Retry-After', () => {
    const { state, send } = setup({ timeScale: 0.5 });
    const n = 20_000;
    let refused = 0;
    for (let i = 0; i < n; i++) {
      const res = send(i % 2 === 0 ? users : invoke);
      if (!res) continue;
      refused++;
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers?.['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(0.5); // 1 s, scaled
      expect((res.body as { error: { code: string } }).error.code).toBe('TooManyRequests');
    }
    // Binomial(20,000, 0.005): mean 100, σ ≈ 10.
    expect(refused / n).toBeGreaterThanOrEqual(0.004);
    expect(refused / n).toBeLessThanOrEqual(0.006);
    expect([state.stats.subLimitThrottled, state.stats.throttled]).toEqual([refused, refused]);
  });

  it('follow a configured rate, the same calls for the same seed, other calls for another', () => {
    const fates = (budgetSeed: number) => {
      const { send } = setup({ subLimit429Rate: 0.1, budgetSeed });
      return Array.from({ length: 2_000 }, (): number => (send(invoke) ? 1 : 0));
    };
    const a = fates(3);
    expect(a.reduce((x, y) => x + y, 0) / a.length).toBeCloseTo(0.1, 1);
    expect(fates(3)).toEqual(a);
    expect(fates(4)).not.toEqual(a);
  });

  it('never come at rate 0 or with throttling off, and cost no budget', () => {
    for (const over of [{ subLimit429Rate: 0 }, { enabled: false, subLimit429Rate: 1 }]) {
      const { send } = setup(over);
      for (let i = 0; i < 2_000; i++) expect(send(users)).toBeUndefined();
    }
    const { state, send } = setup({ subLimit429Rate: 1, resourceUnitsPer10s: 5 });
    for (let i = 0; i < 20; i++) expect(send(users)?.status).toBe(429);
    expect(state.stats.resourceUnits).toBe(0);
  });
});
