import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

/** Throttling and faults end to end: real HTTPS, real client-credential tokens, the simulator's clock. */
const CLIENT_ID = '33333333-3333-4333-8333-333333333333';
let sim: Simulator;
let token: string;

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: { domain: 'contoso.onmicrosoft.com' },
      apps: [
        { clientId: CLIENT_ID, clientSecret: 'hammer-secret', graphPermissions: ['User.ReadWrite.All'] },
      ],
      users: [{ userPrincipalName: 'alice@contoso.com' }, { userPrincipalName: 'bob@contoso.com' }],
      // 10 RU per 10 s: 1 RU refills per second.
      throttle: {
        resourceUnitsPer10s: 10,
        timeScale: 1,
        fractionalRetryAfterShare: 0,
        missingRetryAfterShare: 0,
        // Exact counts of 429s and RUs below: no 429s below the limits.
        subLimit429Rate: 0,
      },
    },
  });
  const res = await fetch(`${sim.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: CLIENT_ID,
      client_secret: 'hammer-secret',
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
    }),
  });
  expect(res.status).toBe(200);
  token = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await sim?.close();
});

function listUsers(): Promise<Response> {
  return fetch(`${sim.origin}/v1.0/users`, { headers: { authorization: `Bearer ${token}` } });
}

describe('simulator throttling over HTTPS', () => {
  it('answers a burst of GET /users past the budget with 429s carrying Graph throttle headers', async () => {
    sim.resetStats();
    const responses = await Promise.all(Array.from({ length: 12 }, () => listUsers()));
    const ok = responses.filter((r) => r.status === 200);
    const throttled = responses.filter((r) => r.status === 429);
    // 2 RU each: the first five fit in 10 RU (plus what refilled meanwhile: one more in a slow run).
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(ok.length).toBeLessThanOrEqual(6);
    expect(ok.length + throttled.length).toBe(12);
    for (const res of ok) expect(res.headers.get('x-ms-resource-unit')).toBe('2');
    const res = throttled[0]!;
    expect(res.headers.get('x-ms-throttle-scope')).toBe(
      `Tenant_Application/ReadWrite/${CLIENT_ID}/${sim.state.tenantId}`,
    );
    expect(res.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    expect(res.headers.get('retry-after')).toMatch(/^\d+(\.\d+)?$/);
    expect(res.headers.get('request-id')).toBeTruthy();
    expect(await res.json()).toMatchObject({
      error: { code: 'TooManyRequests', message: 'Please retry again later.', innerError: {} },
    });
    expect(sim.stats.throttled).toBe(throttled.length);
    expect(sim.stats.resourceUnits).toBe(2 * ok.length + throttled.length);
  });

  it('refuses an immediate retry and lets a client through once Retry-After has passed', async () => {
    let refused = await listUsers();
    while (refused.status === 200) refused = await listUsers();
    const again = await listUsers();
    expect(again.status).toBe(429);
    const seconds = Number(again.headers.get('retry-after'));
    // Each refusal is charged 1 RU, so the wait grows with immediate retries.
    expect(seconds).toBeGreaterThan(Number(refused.headers.get('retry-after')));
    // The simulator's clock stands in for waiting; the throttle reads the same clock.
    sim.advanceClock(seconds * 1000);
    const retried = await listUsers();
    expect(retried.status).toBe(200);
    expect((await retried.json()) as { value: unknown[] }).toMatchObject({ value: expect.any(Array) });
  });

  it('injects reproducible faults: a 503 with Retry-After, and a dropped connection', async () => {
    sim.patchThrottle({ enabled: false });
    try {
      sim.patchFaults({ rate503: 1, services: ['graph'] });
      const unavailable = await listUsers();
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toMatch(/^\d+(\.\d+)?$/);
      sim.patchFaults({ rate503: 0, dropRate: 1 });
      // Headers arrive, then the connection is lost mid-body.
      await expect(listUsers().then((r) => r.text())).rejects.toThrow();
    } finally {
      sim.patchFaults({ rate503: 0, dropRate: 0, services: [] });
      sim.patchThrottle({ enabled: true });
    }
    expect((await listUsers()).status).not.toBe(503);
  });
});
