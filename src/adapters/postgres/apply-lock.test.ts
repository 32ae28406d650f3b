import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database.js';
import { createApplyLock } from './apply-lock.js';
import { postgresConfig } from './connect.js';
import { createPostgresStateStore } from './state-store.js';

async function lockOn(url: string) {
  const connection = postgresConfig(url, undefined);
  const store = createPostgresStateStore({ connection });
  await store.migrate();
  await store.close();
  return createApplyLock(connection);
}

describe('the tenant apply lock', () => {
  it('one holder per tenant; a second apply is refused naming the holder; other tenants are free', async () => {
    await using db = await createTestDatabase();
    const lock = await lockOn(db.url);
    const first = await lock.acquire('tenant-a', { runId: 'run-1', actor: 'kari' }, { timeoutMs: 0 });
    expect(first.acquired).toBe(true);
    const second = await lock.acquire('tenant-a', { runId: 'run-2', actor: 'ola' }, { timeoutMs: 0 });
    expect(second).toEqual({
      acquired: false,
      holder: {
        runId: 'run-1',
        actor: 'kari',
        host: expect.any(String),
        pid: process.pid,
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    const other = await lock.acquire('tenant-b', { runId: 'run-3', actor: 'ola' }, { timeoutMs: 0 });
    expect(other.acquired).toBe(true);
    if (first.acquired) await first.release();
    if (other.acquired) await other.release();
    const third = await lock.acquire('tenant-a', { runId: 'run-4', actor: 'ola' }, { timeoutMs: 0 });
    expect(third.acquired).toBe(true);
    if (third.acquired) await third.release();
  });

  it('a waiting apply gets the lock when the holder releases it within the timeout', async () => {
    await using db = await createTestDatabase();
    const lock = await lockOn(db.url);
    const first = await lock.acquire('t', { runId: 'run-1', actor: 'a' }, { timeoutMs: 0 });
    if (!first.acquired) throw new Error('expected the lock');
    const started = Date.now();
    const waiting = lock.acquire('t', { runId: 'run-2', actor: 'b' }, { timeoutMs: 10_000 });
    setTimeout(() => void first.release(), 600);
    const second = await waiting;
    expect(second.acquired).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    if (second.acquired) await second.release();
  });

  it('a holder whose process died frees the lock, and its stale row names nobody', async () => {
    await using db = await createTestDatabase();
    const lock = await lockOn(db.url);
    const first = await lock.acquire('t', { runId: 'run-dead', actor: 'a' }, { timeoutMs: 0 });
    expect(first.acquired).toBe(true);
    // The holder's session ends as when its process is killed: the row stays, the lock goes.
    await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'roster-apply:run-dead'",
    );
    const rows = await db.pool.query('SELECT tenant_id FROM roster.apply_lock_holders');
    expect(rows.rowCount).toBe(1);
    const next = await lock.acquire('t', { runId: 'run-next', actor: 'b' }, { timeoutMs: 2_000 });
    expect(next.acquired).toBe(true);
    if (next.acquired) await next.release();
  });
});
