import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { createTestDatabase } from '../../test/support/database.js';
import { postgresConfig } from '../adapters/postgres/connect.js';
import { createPostgresPacingStore } from '../adapters/postgres/pacing-store.js';
import { createPostgresStateStore } from '../adapters/postgres/state-store.js';
import { CAUTIOUS_PACE, createApiLimiters, REQUESTS } from './api-limiters.js';
import { FRESH_FOR_MS, HALF_LIFE_MS } from './learned-pacing.js';
import { keepLearnedPacing, loadLearnedPacing } from './pacing-memory.js';
import type { LearnedPace, PacingStore } from '../ports/pacing-store.js';

const LIMITS = { photoConcurrencyPerMailbox: 4, maxRetries: 5, maxBackoffMs: 1_000 };

/** Exchange calls answered at once by a budget of 8 per second (token bucket of 8). */
async function learnExchange(clock: FakeClock, ms: number) {
  const limiters = createApiLimiters(LIMITS, clock);
  let tokens = 8;
  let at = clock.now();
  let stopped = false;
  const worker = async (i: number) => {
    for (let n = 0; !stopped; n++) {
      const permit = await limiters.exchange.acquire({ cost: { [REQUESTS]: 1 }, key: `m${i}-${n}` });
      tokens = Math.min(8, tokens + ((clock.now() - at) * 8) / 1000) - 1;
      at = clock.now();
      permit.report(
        tokens >= 0 ? { kind: 'admitted' } : { kind: 'refused', retryAfterMs: Math.ceil((1 - tokens) * 125) },
      );
      permit.release();
      await clock.sleep(10);
    }
  };
  for (let i = 0; i < 4; i++) void worker(i);
  await clock.advance(ms);
  stopped = true;
  return limiters;
}

describe('learned pacing in the state database', () => {
  it('round-trips through PostgreSQL: the next run starts where this one ended, an old one nearer the default', async () => {
    await using db = await createTestDatabase();
    const state = createPostgresStateStore({ connection: postgresConfig(db.url, undefined) });
    await state.migrate();
    await state.close();
    const store = createPostgresPacingStore(postgresConfig(db.url, undefined));
    try {
      const clock = new FakeClock();
      const limiters = await learnExchange(clock, 60_000);
      const learned = limiters.exchange.snapshot().lanes[REQUESTS]!;
      expect(learned.estimate).toBeGreaterThan(7);
      expect(learned.estimate).toBeLessThan(9.5);

      const savedAt = new Date(clock.now());
      const memory = keepLearnedPacing({
        store,
        tenantId: 't1',
        limiters,
        now: () => savedAt,
        intervalMs: 3_600_000,
      });
      await memory.stop();
      const loaded = await loadLearnedPacing(store, 't1');
      // Photos and Graph saw no traffic: nothing learned, nothing saved.
      expect(loaded.map((p) => p.api)).toEqual(['exchange']);

      const next = createApiLimiters(LIMITS, new FakeClock(savedAt.getTime() + 3_600_000), loaded);
      expect(next.exchange.snapshot().lanes[REQUESTS]).toMatchObject({ phase: 'probing' });
      expect(next.exchange.snapshot().lanes[REQUESTS]!.rate).toBeCloseTo(learned.rate);

      const later = savedAt.getTime() + FRESH_FOR_MS + HALF_LIFE_MS;
      const aged = createApiLimiters(LIMITS, new FakeClock(later), loaded).exchange.snapshot().lanes[
        REQUESTS
      ]!.rate;
      const cautious = CAUTIOUS_PACE.exchange.lanes[REQUESTS]!;
      expect(aged).toBeCloseTo(Math.sqrt(cautious * learned.rate));

      const fresh = createApiLimiters(LIMITS, new FakeClock(), []).exchange.snapshot().lanes[REQUESTS];
      expect(fresh).toMatchObject({ rate: cautious, phase: 'slow-start' });
    } finally {
      await store.close();
    }
  });

  it('starts cautiously when the store cannot be read', async () => {
    const broken = {
      loadPacing: () => Promise.reject(new Error('database down')),
      savePacing: () => Promise.reject(new Error('database down')),
      close: async () => undefined,
    };
    expect(await loadLearnedPacing(broken, 't1')).toEqual([]);
    const memory = keepLearnedPacing({
      store: broken,
      tenantId: 't1',
      limiters: createApiLimiters(LIMITS, new FakeClock()),
    });
    await expect(memory.stop()).resolves.toBeUndefined();
  });
});

describe('keepLearnedPacing', () => {
  it('saves the paces measured beside the limiters with them, and leaves them out when there are none', async () => {
    const saved: LearnedPace[][] = [];
    const store: PacingStore = {
      loadPacing: async () => [],
      savePacing: async (_tenant, paces) => void saved.push([...paces]),
      close: async () => undefined,
    };
    const at = new Date(0);
    const achieved = {
      api: 'signature-writes',
      lanes: { achieved: { rate: 6.4 } },
      concurrency: 1,
      learnedAt: at,
    };
    let measured: LearnedPace[] = [];
    const limiters = createApiLimiters(LIMITS, new FakeClock());
    const memory = keepLearnedPacing({
      store,
      tenantId: 't1',
      limiters,
      now: () => at,
      also: () => measured,
    });
    await memory.save();
    measured = [achieved];
    await memory.stop();
    // Limiters that saw no traffic learned nothing: only the measured pace is saved.
    expect(saved).toEqual([[], [achieved]]);
  });
});
