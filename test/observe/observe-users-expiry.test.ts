import { describe, expect, it } from 'vitest';
import { createMicrosoftAdapters } from '../../src/adapters/create-microsoft-adapters.js';
import { postgresConfig } from '../../src/adapters/postgres/connect.js';
import { createPostgresObservationCache } from '../../src/adapters/postgres/observation-cache.js';
import { createPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import type { RateLimitSettings } from '../../src/config/settings.js';
import { observeUsers } from '../../src/observe/observe-users.js';
import { createSimulator } from '../../src/sim/simulator.js';
import { createTestDatabase } from '../support/database.js';

const TENANT = 'contoso.onmicrosoft.com';
const APP = '11111111-1111-4111-8111-111111111111';
const SECRET = 'test-only-delta-secret';
const DAY = 24 * 3600 * 1000;
const LIMITS: RateLimitSettings = {
  graphReadsPer10s: 3_500,
  graphWritesPer150s: 3_000,
  graphConcurrency: 4,
  photoConcurrencyPerMailbox: 4,
  photoRequestsPer10min: 10_000,
  exchangeRequestsPerMinute: 300,
  exchangeConcurrency: 3,
  maxRetries: 3,
  maxBackoffMs: 200,
};

/** A simulated tenant of three users, the real Graph adapter and the real PostgreSQL cache. */
async function world() {
  const sim = await createSimulator({
    seed: {
      tenant: { domain: TENANT, domains: ['contoso.com'] },
      apps: [{ clientId: APP, clientSecret: SECRET, graphPermissions: ['User.Read.All'] }],
      users: ['ann', 'bob', 'cay'].map((n) => ({ userPrincipalName: `${n}@contoso.com`, jobTitle: 'Clerk' })),
      throttle: { enabled: false },
    },
  });
  const db = await createTestDatabase();
  const connection = postgresConfig(db.url, undefined);
  const store = createPostgresStateStore({ connection });
  await store.migrate();
  await store.close();
  const cache = createPostgresObservationCache(connection);
  const { directory } = createMicrosoftAdapters({
    env: {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: APP,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: sim.origin,
      ROSTER_GRAPH_URL: sim.origin,
      ROSTER_EXCHANGE_URL: sim.origin,
    },
    tenant: { id: sim.state.tenantId, domain: TENANT },
    rateLimits: LIMITS,
  });
  /** Delta rounds asked with a stored link (not the `$deltaToken=latest` taken before a listing). */
  const deltaRounds = () => sim.statsSnapshot().requests['GET /v1.0/users/delta 200'] ?? 0;
  return {
    sim,
    deps: { directory, cache },
    deltaRounds,
    async [Symbol.asyncDispose]() {
      await cache.close();
      await db[Symbol.asyncDispose]();
      await sim.close();
    },
  };
}

const options = { tenantId: 't1', domains: ['contoso.com'] };

function bobId(sim: Awaited<ReturnType<typeof world>>['sim']): string {
  return [...sim.state.users.values()].find((u) => u.userPrincipalName === 'bob@contoso.com')!.id;
}

describe('observeUsers and expired delta links, against the simulator', () => {
  it('lists everything again when Graph answers 400 SyncStateNotFound (any spelling of the code)', async () => {
    await using w = await world();
    expect(await observeUsers(w.deps, options)).toMatchObject({ via: 'full' });
    w.sim.patchUser('bob@contoso.com', { jobTitle: 'Baker' });
    // Graph's clock moves past the token's 7 days; Roster's does not know it yet.
    w.sim.advanceClock(7 * DAY + 60_000);
    const again = await observeUsers(w.deps, options);
    expect(again).toMatchObject({ via: 'full', reason: expect.stringContaining('delta resync required') });
    expect(again.reason).toContain('SyncStateNotFound');
    const [bob] = await w.deps.cache.getUsers(options.tenantId, again.scopeHash, [bobId(w.sim)]);
    expect(bob?.fields.jobTitle).toBe('Baker');
    // The new snapshot continues with delta rounds.
    expect(await observeUsers(w.deps, options)).toMatchObject({ via: 'delta' });
  });

  it('lists afresh up front, without a doomed delta round, once the stored link is 7 days old', async () => {
    await using w = await world();
    const start = Date.now();
    await observeUsers(w.deps, { ...options, now: () => new Date(start) });
    expect(await observeUsers(w.deps, { ...options, now: () => new Date(start + 6 * DAY) })).toMatchObject({
      via: 'delta',
    });
    const rounds = w.deltaRounds();
    const late = await observeUsers(w.deps, { ...options, now: () => new Date(start + 13 * DAY + 1) });
    expect(late).toMatchObject({
      via: 'full',
      reason: expect.stringMatching(/^the last observation is 7\.0 days old/),
    });
    // Only the `$deltaToken=latest` link of the new listing was asked for.
    expect(w.deltaRounds()).toBe(rounds + 1);
    expect(
      await observeUsers(w.deps, { ...options, now: () => new Date(start + 13 * DAY + 2) }),
    ).toMatchObject({
      via: 'delta',
    });
  });
});
