import { describe, expect, it } from 'vitest';
import { postgresConfig } from '../../src/adapters/postgres/connect.js';
import { createControllerFromEnv as createController } from '../../src/runtime/controller-runtime.js';
import { createLeaderLock } from '../../src/adapters/postgres/leader-lock.js';
import { createMetrics } from '../../src/server/metrics.js';
import { createTestDatabase } from '../support/database.js';
import { createTestWorld, usersFromDesired } from '../support/roster-world.js';
import { captureLogger, controllerSettings, waitFor } from './controller-harness.js';

describe('leader lock', () => {
  it('one holder at a time; the holder is named; a terminated session frees the lock', async () => {
    await using db = await createTestDatabase();
    const connection = postgresConfig(db.url, undefined);
    const a = createLeaderLock({ connection, identity: 'lock-a' });
    const b = createLeaderLock({ connection, identity: 'lock-b' });
    try {
      expect(await a.tryAcquire()).toBe(true);
      // Re-entrant calls do not stack: one release frees it.
      expect(await a.tryAcquire()).toBe(true);
      expect(await b.tryAcquire()).toBe(false);
      expect(await a.isHeld()).toBe(true);
      expect(await b.isHeld()).toBe(false);
      expect(await b.holder()).toBe('lock-a');

      // The leader's session dies (a crashed process, a cut connection).
      await db.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'roster-leader:lock-a'",
      );
      await waitFor(async () => !(await a.isHeld()), 5_000, 'a to notice');
      expect(await b.tryAcquire()).toBe(true);
      expect(await a.holder()).toBe('lock-b');
      // a reconnects on its own, and finds the lock taken.
      expect(await a.tryAcquire()).toBe(false);

      await b.release();
      expect(await a.tryAcquire()).toBe(true);
    } finally {
      await a.release();
      await b.release();
    }
  });
});

describe('two controllers on one database', () => {
  it('exactly one reconciles; the other stands by naming it, and takes over within one interval', async () => {
    await using world = await createTestWorld({
      settings: controllerSettings('observe', '1s'),
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const make = (identity: string) =>
      createController({
        dir: world.dir,
        env: world.env,
        logger: captureLogger().logger,
        metrics: createMetrics({ defaultMetrics: false }),
        identity,
      });
    const first = make('replica-1');
    const second = make('replica-2');
    await first.start();
    await waitFor(() => first.status().lastRun, 20_000, 'replica-1 to run');
    await second.start();
    try {
      await waitFor(() => second.status().conditions.some((c) => c.reason === 'Standby'), 10_000, 'standby');
      expect(second.status().leader).toEqual({ isLeader: false, holder: 'replica-1' });
      expect(first.status().leader).toEqual({ isLeader: true, holder: 'replica-1' });
      expect(await second.planNow()).toEqual({
        accepted: false,
        reason: 'not-leader',
        message: 'this instance is on standby; the leader is instance replica-1',
      });
      expect(await second.runOnce()).toBeUndefined();
      // Let a few intervals pass: still only the leader records runs.
      await new Promise((r) => setTimeout(r, 2_500));
      const actors = await world.db.pool.query<{ actor: string }>('SELECT DISTINCT actor FROM roster.runs');
      expect(actors.rows.map((r) => r.actor)).toEqual(['controller:replica-1']);
      expect(second.status().lastRun).toBeUndefined();
      expect((await second.readiness()).checks.leader).toEqual({
        ok: true,
        message: 'standby; the leader is replica-1',
      });

      // The leader dies: its lock session is killed (as when a pod is killed, its TCP connection drops).
      await world.db.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'roster-leader:replica-1'",
      );
      await first.stop();
      // Within one 1 s interval (plus the time a tick takes).
      await waitFor(() => second.status().leader.isLeader, 5_000, 'replica-2 to take over');
      await waitFor(() => second.status().lastRun, 20_000, 'replica-2 to run');
      const after = await world.db.pool.query<{ actor: string }>(
        'SELECT DISTINCT actor FROM roster.runs ORDER BY 1',
      );
      expect(after.rows.map((r) => r.actor)).toEqual(['controller:replica-1', 'controller:replica-2']);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
