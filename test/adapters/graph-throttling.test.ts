import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMicrosoftAdapters } from '../../src/adapters/create-microsoft-adapters.js';
import type { RateLimitSettings } from '../../src/config/settings.js';
import { createInMemoryApiMetrics } from '../../src/http/api-metrics.js';
import { createSimulator, type Simulator } from '../../src/sim/simulator.js';

const TENANT = 'contoso.onmicrosoft.com';
const APP = '11111111-1111-4111-8111-111111111111';
const SECRET = 'test-only-throttle-secret';

/** A client budget far above the simulator's, so the simulator's 429s are what the test sees. */
const GENEROUS: RateLimitSettings = {
  graphReadsPer10s: 100_000,
  graphWritesPer150s: 100_000,
  graphConcurrency: 4,
  photoConcurrencyPerMailbox: 4,
  photoRequestsPer10min: 100_000,
  exchangeRequestsPerMinute: 1_000,
  exchangeConcurrency: 3,
  maxRetries: 10,
  maxBackoffMs: 200,
};

let sim: Simulator;
let ids: string[];

function adaptersWith(limits: RateLimitSettings) {
  const metrics = createInMemoryApiMetrics();
  const adapters = createMicrosoftAdapters({
    env: {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: APP,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: sim.origin,
      ROSTER_GRAPH_URL: sim.origin,
      ROSTER_EXCHANGE_URL: sim.origin,
    },
    tenant: { id: sim.state.tenantId, domain: TENANT },
    rateLimits: limits,
    metrics,
  });
  return { adapters, metrics };
}

beforeAll(async () => {
  sim = await createSimulator({
    seed: {
      tenant: { domain: TENANT, domains: ['contoso.com'] },
      apps: [{ clientId: APP, clientSecret: SECRET, graphPermissions: ['User.ReadWrite.All'] }],
      users: Array.from({ length: 30 }, (_, i) => ({
        userPrincipalName: `user${i}@contoso.com`,
        jobTitle: 'Clerk',
      })),
      // 6 resource units per (scaled) 10 s = per 100 ms: a batch of 20 reads is mostly refused.
      throttle: { enabled: true, timeScale: 0.01, resourceUnitsPer10s: 6, writesPer150s: 3_000 },
    },
  });
  ids = [...sim.state.users.keys()];
});
afterAll(() => sim?.close());

describe('$batch items throttled on their own', () => {
  it('retries the inner 429s after their Retry-After until every item is answered', async () => {
    const { adapters, metrics } = adaptersWith(GENEROUS);
    const results = await adapters.directory.getUsers(ids);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => (r.ok ? r.value?.id : undefined))).toEqual(ids);
    const snap = metrics.snapshot();
    expect(snap.throttled.graph).toBeGreaterThan(0);
    expect(snap.retries['graph throttled']).toBe(snap.throttled.graph);
    expect(sim.statsSnapshot().throttled).toBeGreaterThan(0);
  });

  it('applies every patch exactly as asked despite inner 429s', async () => {
    const { adapters, metrics } = adaptersWith(GENEROUS);
    const results = await adapters.directory.patchUsers(
      ids.slice(0, 12).map((userId) => ({ userId, body: { jobTitle: 'Chef' } })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(ids.slice(0, 12).map((id) => sim.state.users.get(id)!.jobTitle)).toEqual(Array(12).fill('Chef'));
    expect(metrics.snapshot().throttled.graph).toBeGreaterThan(0);
  });

  it('reports an item still throttled after the last retry as failed, the others as done', async () => {
    const { adapters } = adaptersWith({ ...GENEROUS, maxRetries: 0 });
    await new Promise((r) => setTimeout(r, 150)); // let the simulator's bucket refill
    const results = await adapters.directory.getUsers(ids.slice(0, 20));
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(20);
    expect(failed[0]).toMatchObject({ ok: false, error: { status: 429, errorCode: 'TooManyRequests' } });
    expect((failed[0] as { error: Error }).error.message).toMatch(
      /^graph GET \/v1\.0\/users\/[0-9a-f-]+: 429 TooManyRequests: /,
    );
  });
});
