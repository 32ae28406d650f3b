import { describe, expect, it } from 'vitest';
import { retryAfterHeader } from './retry-after.js';
import {
  resourceUnitBudget,
  resourceUnitCost,
  throttleFloor,
  throttleFloorMs,
  Throttler,
} from './throttle.js';
import type {
  SimApp,
  SimRequest,
  SimResponse,
  SimRoute,
  SimState,
  SimThrottleSettings,
  SimUser,
} from './types.js';

const TENANT = '0785ef7c-2d7a-4542-b048-95bcab406e0b';
const APP: SimApp = {
  clientId: '9a3d526c-b3c1-4479-ba74-197b5c5751ae',
  graphPermissions: ['User.ReadWrite.All'],
  exchangeManageAsApp: true,
};

function settings(over: Partial<SimThrottleSettings> = {}): SimThrottleSettings {
  return {
    enabled: true,
    timeScale: 1,
    writesPer150s: 3000,
    photoConcurrencyPerMailbox: 4,
    photoRequestsPer10min: 10_000,
    exchangeRequestsPerMinute: 300,
    exchangeConcurrency: 3,
    fractionalRetryAfterShare: 0,
    missingRetryAfterShare: 0,
    // These tests count exact admissions: no 429s below the limits.
    subLimit429Rate: 0,
    ...over,
  };
}

function makeState(over: Partial<SimThrottleSettings> = {}, users = 10): SimState {
  const userMap = new Map<string, SimUser>();
  for (let i = 0; i < users; i++) userMap.set(`u${i}`, { id: `u${i}` } as SimUser);
  return {
    tenantId: TENANT,
    tenantDomain: 'contoso.onmicrosoft.com',
    domains: [],
    apps: [APP],
    users: userMap,
    photos: new Map(),
    mailboxConfig: new Map(),
    organizationConfig: { Name: 'contoso', PostponeRoamingSignaturesUntilLater: true },
    changes: [],
    nextSeq: 1,
    tokenLifetimeSeconds: 3599,
    throttle: settings(over),
    faults: {
      seed: 7,
      latencyMs: 0,
      jitterMs: 0,
      spikeRate: 0,
      spikeMs: 0,
      rate429: 0,
      rate503: 0,
      rate500: 0,
      rate504: 0,
      dropRate: 0,
      services: [],
    },
    stats: {
      requests: new Map(),
      throttled: 0,
      writesPerUser: new Map(),
      maxPhotoConcurrencyPerMailbox: new Map(),
      maxExchangeConcurrency: 0,
      resourceUnits: 0,
      subLimitThrottled: 0,
    },
  };
}

let nextId = 0;
function request(method: string, pathAndQuery: string, body = Buffer.alloc(0)): SimRequest {
  const url = new URL(`https://127.0.0.1:4443${pathAndQuery}`);
  return {
    method,
    url,
    path: decodeURIComponent(url.pathname),
    headers: {},
    body,
    requestId: `req-${++nextId}`,
    app: APP,
  };
}

const usersRoute: SimRoute = {
  service: 'graph',
  method: 'GET',
  pattern: /^\/v1\.0\/users/,
  handle: () => ({ status: 200 }),
};
const photoRoute: SimRoute = {
  service: 'graph',
  method: 'PUT',
  pattern: /^\/v1\.0\/users\/([^/]+)\/photo\/\$value$/,
  outlookBacked: true,
  mailboxOf: (match) => match[1],
  handle: () => ({ status: 200 }),
};
const exchangeRoute: SimRoute = {
  service: 'exchange',
  method: 'POST',
  pattern: /^\/adminapi\/beta\/[^/]+\/InvokeCommand$/,
  handle: () => ({ status: 200 }),
};
const INVOKE = `/adminapi/beta/${TENANT}/InvokeCommand`;

/** A throttler on a clock the test moves by hand. */
function setup(over: Partial<SimThrottleSettings> = {}, users = 10) {
  const state = makeState(over, users);
  const clock = { t: 1_000_000 };
  const throttler = new Throttler(state, () => clock.t);
  const list = () => throttler.admit(request('GET', '/v1.0/users'), usersRoute);
  return { state, clock, throttler, list };
}

function header(res: SimResponse | undefined, name: string): string | undefined {
  return res?.headers?.[name];
}

describe('resourceUnitCost', () => {
  it.each([
    ['GET', '/v1.0/users', 2],
    ['GET', '/v1.0/users?$select=id,mail', 1],
    ['GET', '/v1.0/users?$SELECT=id', 1],
    ['GET', '/v1.0/users?$select=id&$expand=manager', 2],
    ['GET', '/v1.0/users?$top=10', 1],
    ['GET', '/v1.0/users?$top=20', 2],
    ['GET', '/v1.0/users?$top=10&$select=id', 1],
    ['GET', '/v1.0/users/delta', 2],
    ['GET', '/v1.0/users/abc', 1],
    ['GET', '/v1.0/users/abc?$expand=manager', 2],
    ['GET', '/v1.0/users/abc?$select=mail', 1],
    ['PATCH', '/v1.0/users/abc', 1],
    ['POST', '/v1.0/users', 1],
  ])('%s %s costs %i', (method, path, cost) => {
    expect(resourceUnitCost(request(method, path))).toBe(cost);
  });

  it('budgets by tenant size unless overridden', () => {
    const s = settings();
    expect([49, 50, 500, 501].map((n) => resourceUnitBudget(s, n))).toEqual([3500, 5000, 5000, 8000]);
    expect(resourceUnitBudget(settings({ resourceUnitsPer10s: 42 }), 10_000)).toBe(42);
  });
});

describe('identity and access token bucket', () => {
  it('throttles past the budget with Graph headers and body, charging one RU per refusal', () => {
    const { state, list, throttler } = setup({ resourceUnitsPer10s: 10 });
    for (let i = 0; i < 5; i++) expect(list()).toBeUndefined();
    const refused = list();
    expect(refused?.status).toBe(429);
    expect(refused?.headers).toMatchObject({
      'retry-after': '3',
      'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${APP.clientId}/${TENANT}`,
      'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
      'x-ms-resource-unit': '1',
      'x-ms-throttle-limit-percentage': '1.1',
    });
    const error = (refused?.body as { error: { code: string; message: string } }).error;
    expect([error.code, error.message]).toEqual(['TooManyRequests', 'Please retry again later.']);
    expect(state.stats.throttled).toBe(1);
    expect(state.stats.resourceUnits).toBe(11);
    // A refused request gets no success headers.
    expect(throttler.responseHeaders(request('GET', '/v1.0/users'), usersRoute)).toEqual({});
  });

  it('refills continuously: waiting Retry-After gets through, a moment less does not', () => {
    // 4 RU / 10 s; two lists drain it; the third is refused at -1 and needs 3 RU = 7.5 s.
    for (const [waited, admitted] of [
      [7_500, true],
      [7_490, false],
    ] as const) {
      const { clock, list } = setup({ resourceUnitsPer10s: 4, fractionalRetryAfterShare: 1 });
      list();
      list();
      expect(header(list(), 'retry-after')).toBe('7.5');
      clock.t += waited;
      expect(list() === undefined).toBe(admitted);
    }
  });

  it('rounds a whole-second Retry-After up so honouring it always succeeds', () => {
    const { clock, list } = setup({ resourceUnitsPer10s: 4 });
    list();
    list();
    expect(header(list(), 'retry-after')).toBe('8');
    clock.t += 8_000;
    expect(list()).toBeUndefined();
  });

  it('reports resource units on every admitted response and the usage above 80%', () => {
    const { throttler } = setup({ resourceUnitsPer10s: 10 });
    const seen: Record<string, string>[] = [];
    for (let i = 0; i < 5; i++) {
      const req = request('GET', '/v1.0/users');
      throttler.admit(req, usersRoute);
      seen.push(throttler.responseHeaders(req, usersRoute));
    }
    expect(seen).toEqual([
      { 'x-ms-resource-unit': '2' },
      { 'x-ms-resource-unit': '2' },
      { 'x-ms-resource-unit': '2' },
      { 'x-ms-resource-unit': '2' }, // exactly 0.8: not above
      { 'x-ms-resource-unit': '2', 'x-ms-throttle-limit-percentage': '1' },
    ]);
  });

  it('enforces the write quota apart from the RU budget', () => {
    const { state, clock, throttler } = setup({ resourceUnitsPer10s: 1000, writesPer150s: 3 });
    const patch = () => throttler.admit(request('PATCH', '/v1.0/users/u1'), usersRoute);
    for (let i = 0; i < 3; i++) expect(patch()).toBeUndefined();
    const refused = patch();
    expect(refused?.headers).toMatchObject({
      'retry-after': '50',
      'x-ms-throttle-scope': `Tenant_Application/Write/${APP.clientId}/${TENANT}`,
      'x-ms-throttle-information': 'WriteLimitExceeded',
    });
    // Reads still pass while writes are exhausted.
    expect(throttler.admit(request('GET', '/v1.0/users/u1'), usersRoute)).toBeUndefined();
    clock.t += 50_000;
    expect(patch()).toBeUndefined();
    expect(state.stats.throttled).toBe(1);
  });

  it('lets the $batch envelope through free', () => {
    const { state, throttler } = setup({ resourceUnitsPer10s: 1 });
    throttler.admit(request('GET', '/v1.0/users/u1'), usersRoute);
    expect(throttler.admit(request('POST', '/v1.0/$batch'), usersRoute)).toBeUndefined();
    expect(state.stats.resourceUnits).toBe(1);
  });

  it('when disabled admits everything but still counts and reports RUs', () => {
    const { state, throttler } = setup({ enabled: false, resourceUnitsPer10s: 1 });
    for (let i = 0; i < 20; i++) {
      const req = request('GET', '/v1.0/users');
      expect(throttler.admit(req, usersRoute)).toBeUndefined();
      expect(throttler.responseHeaders(req, usersRoute)).toEqual({ 'x-ms-resource-unit': '2' });
    }
    expect([state.stats.resourceUnits, state.stats.throttled]).toEqual([40, 0]);
  });

  it('shrinks windows by timeScale, keeping budgets, with fractional Retry-After', () => {
    const { clock, list } = setup({ resourceUnitsPer10s: 4, timeScale: 0.01 });
    list();
    list();
    expect(header(list(), 'retry-after')).toBe('0.075');
    clock.t += 75;
    expect(list()).toBeUndefined();
  });
});

describe('Retry-After spelling', () => {
  const shares = { fractionalRetryAfterShare: 0.3, missingRetryAfterShare: 0.2 };
  it('picks missing, fractional or whole seconds from the draw, rounding up', () => {
    expect(retryAfterHeader(2.31, 1, 0.1, shares)).toEqual({});
    expect(retryAfterHeader(2.31, 1, 0.3, shares)).toEqual({ 'retry-after': '2.31' });
    expect(retryAfterHeader(2.31, 1, 0.6, shares)).toEqual({ 'retry-after': '3' });
    expect(retryAfterHeader(0.0231, 0.01, 0.6, shares)).toEqual({ 'retry-after': '0.024' });
    expect(retryAfterHeader(0, 1, 0.9, shares)).toEqual({ 'retry-after': '1' });
  });

  it('follows the configured shares across many 429s', () => {
    const { clock, throttler } = setup({ resourceUnitsPer10s: 3, ...shares });
    let missing = 0;
    let fractional = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      clock.t += 1; // odd refills, so that fractional waits are never whole seconds
      const value = header(throttler.admit(request('GET', '/v1.0/users'), usersRoute), 'retry-after');
      if (value === undefined) missing++;
      else if (value.includes('.')) fractional++;
    }
    expect(missing / n).toBeCloseTo(0.2, 1);
    expect(fractional / n).toBeCloseTo(0.3, 1);
  });
});

describe('Outlook (photo) limits per app + mailbox', () => {
  const put = (user: string, bytes = 10) =>
    request('PUT', `/v1.0/users/${user}/photo/$value`, Buffer.alloc(bytes));

  it('refuses the fifth concurrent request to one mailbox, not to another', () => {
    const { state, throttler } = setup();
    const running = Array.from({ length: 4 }, () => put('u1'));
    for (const req of running) expect(throttler.admit(req, photoRoute)).toBeUndefined();
    const fifth = throttler.admit(put('u1'), photoRoute);
    expect(fifth?.status).toBe(429);
    expect(header(fifth, 'x-ms-throttle-information')).toBe('MailboxConcurrency');
    expect((fifth?.body as { error: { message: string } }).error.message).toMatchInlineSnapshot(
      `"Application is over its MailboxConcurrency limit."`,
    );
    expect(throttler.admit(put('u2'), photoRoute)).toBeUndefined();
    throttler.release(running[0]!, photoRoute);
    throttler.release(running[0]!, photoRoute); // idempotent
    expect(throttler.admit(put('u1'), photoRoute)).toBeUndefined();
    expect(throttler.admit(put('u1'), photoRoute)?.status).toBe(429);
    expect(state.stats.maxPhotoConcurrencyPerMailbox.get('u1')).toBe(4);
    expect(state.stats.throttled).toBe(2);
  });

  it('counts requests per 10 min and upload bytes per 5 min', () => {
    const { clock, throttler } = setup({ photoRequestsPer10min: 3, photoUploadBytesPer5min: 1000 });
    const send = (req: SimRequest) => {
      const res = throttler.admit(req, photoRoute);
      throttler.release(req, photoRoute);
      return res;
    };
    expect(send(put('u1', 600))).toBeUndefined();
    const overBytes = send(put('u1', 600));
    expect(header(overBytes, 'x-ms-throttle-information')).toBe('MailboxUploadLimitExceeded');
    expect(header(overBytes, 'retry-after')).toBe('60'); // 200 bytes short at 1000 B / 300 s
    expect(send(put('u1', 10))).toBeUndefined();
    const overRequests = send(put('u1', 10));
    expect(header(overRequests, 'x-ms-throttle-information')).toBe('MailboxRequestLimitExceeded');
    expect(header(overRequests, 'retry-after')).toBe('400'); // 2 requests short at 3 / 600 s
    clock.t += 400_000;
    expect(send(put('u1', 10))).toBeUndefined();
  });
});

describe('Exchange admin API limits per tenant', () => {
  it('refuses past the concurrency with the plain-text message and rate headers', () => {
    const { state, throttler } = setup({ exchangeConcurrency: 2, exchangeRequestsPerMinute: 60 });
    const a = request('POST', INVOKE);
    const b = request('POST', INVOKE);
    expect(throttler.admit(a, exchangeRoute)).toBeUndefined();
    expect(throttler.admit(b, exchangeRoute)).toBeUndefined();
    expect(throttler.responseHeaders(b, exchangeRoute)).toEqual({
      'rate-limit-remaining': '58',
      'rate-limit-reset': '2',
    });
    const third = throttler.admit(request('POST', INVOKE), exchangeRoute);
    expect(third).toMatchObject({
      status: 429,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'retry-after': '1',
        'rate-limit-remaining': '57',
      },
    });
    expect(third?.body).toMatchInlineSnapshot(
      `"You have reached the maximum number of concurrent requests per tenant"`,
    );
    throttler.release(a, exchangeRoute);
    expect(throttler.admit(request('POST', INVOKE), exchangeRoute)).toBeUndefined();
    expect(state.stats.maxExchangeConcurrency).toBe(2);
  });

  it('refuses past the per-minute budget with a JSON error and Retry-After', () => {
    const { clock, throttler } = setup({ exchangeRequestsPerMinute: 3 });
    const send = () => {
      const req = request('POST', INVOKE);
      const res = throttler.admit(req, exchangeRoute);
      throttler.release(req, exchangeRoute);
      return res;
    };
    for (let i = 0; i < 3; i++) expect(send()).toBeUndefined();
    const refused = send();
    expect(refused?.headers).toMatchObject({ 'retry-after': '40', 'rate-limit-remaining': '0' });
    expect((refused?.body as { error: { code: string } }).error.code).toBe('TooManyRequests');
    clock.t += 40_000;
    expect(send()).toBeUndefined();
  });
});

describe('throttleFloorMs', () => {
  const s = settings({ exchangeRequestsPerMinute: 300 });
  it('is the largest of the per-limit bucket floors', () => {
    const workload = { listRequests: 100, getRequests: 0, writeRequests: 10_000, exchangeRequests: 1_000 };
    const floor = throttleFloor(workload, s, 10_000);
    // RU: (10,200 − 8,000) · 10 s / 8,000; writes: (10,000 − 3,000) · 150 s / 3,000; Exchange: 700 · 60 s / 300.
    expect(floor.byLimit).toMatchObject({ resourceUnits: 2_750, writes: 350_000, exchangeRequests: 140_000 });
    expect([floor.ms, floor.binding]).toEqual([350_000, 'writes']);
    expect(throttleFloorMs(workload, { ...s, timeScale: 0.01 }, 10_000)).toBe(3_500);
    expect(throttleFloorMs(workload, { ...s, enabled: false }, 10_000)).toBe(0);
    expect(
      throttleFloor({ listRequests: 1, getRequests: 0, writeRequests: 0, exchangeRequests: 0 }, s, 10)
        .binding,
    ).toBe('none');
  });

  it('matches what a client that honours Retry-After actually needs against the model', () => {
    const over = { resourceUnitsPer10s: 50, writesPer150s: 20, fractionalRetryAfterShare: 1 };
    const { clock, throttler } = setup(over);
    const start = clock.t;
    const workload = { listRequests: 30, getRequests: 20, writeRequests: 60, exchangeRequests: 0 };
    const queue = [
      ...Array.from({ length: 30 }, () => ['GET', '/v1.0/users']),
      ...Array.from({ length: 20 }, () => ['GET', '/v1.0/users/u1']),
      ...Array.from({ length: 60 }, () => ['PATCH', '/v1.0/users/u1']),
    ];
    for (const [method, path] of queue) {
      for (;;) {
        const refused = throttler.admit(request(method!, path!), usersRoute);
        if (!refused) break;
        clock.t += Number(header(refused, 'retry-after')) * 1000;
      }
    }
    const floor = throttleFloorMs(workload, makeState(over).throttle, 10);
    // Each refusal costs one RU, so honouring clients land a little above the floor, never below.
    expect(floor).toBe(300_000);
    expect(clock.t - start).toBeGreaterThanOrEqual(floor);
    expect((clock.t - start) / floor).toBeLessThan(1.05);
  });
});
