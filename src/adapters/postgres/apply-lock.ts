import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { ApplyLock, ApplyLockHolder } from '../../ports/apply-lock.js';
import { connectClient } from './connect.js';

/** How often a waiting apply asks again. */
const POLL_MS = 250;

/**
 * The tenant's lock key: a bigint from a hash of the tenant id, in a space of its own (the leader
 * and migration locks are fixed keys that no hash of this prefix produces in practice).
 */
export function applyLockKey(tenantId: string): bigint {
  return createHash('sha256').update(`roster-apply\u0000${tenantId}`).digest().readBigInt64BE(0);
}

/** The advisory lock row of `key` in pg_locks (high half in classid, low half in objid). */
const LOCK_ROW = `l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
  AND l.classid = (($1::bigint >> 32) & 4294967295)::oid AND l.objid = ($1::bigint & 4294967295)::oid`;

/**
 * A PostgreSQL advisory lock per tenant, held on a connection of its own for exactly as long as an
 * apply writes: a process that dies loses its connection and with it the lock. Who holds it is
 * kept in `roster.apply_lock_holders` (a row is trusted only while its session holds the lock).
 */
export function createApplyLock(connection: pg.ClientConfig): ApplyLock {
  return {
    async acquire(tenantId, holder, options) {
      const key = applyLockKey(tenantId).toString();
      const client = await connectClient(
        { ...connection, application_name: `roster-apply:${holder.runId}`.slice(0, 63) },
        'state',
      );
      client.on('error', () => undefined);
      const deadline = Date.now() + options.timeoutMs;
      try {
        for (;;) {
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock($1::bigint) AS locked',
            [key],
          );
          if (rows[0]?.locked)
            return { acquired: true, release: await recordHolder(client, tenantId, key, holder) };
          if (Date.now() >= deadline || options.signal?.aborted) {
            const current = await currentHolder(client, tenantId, key);
            await client.end().catch(() => undefined);
            return { acquired: false, ...(current ? { holder: current } : {}) };
          }
          await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), undefined, {
            ...(options.signal ? { signal: options.signal } : {}),
          }).catch(() => undefined);
        }
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
    },
  };
}

async function recordHolder(
  client: pg.Client,
  tenantId: string,
  key: string,
  holder: Pick<ApplyLockHolder, 'runId' | 'actor'>,
): Promise<() => Promise<void>> {
  const row: ApplyLockHolder = {
    host: hostname(),
    pid: process.pid,
    ...holder,
    since: new Date().toISOString(),
  };
  await client.query(
    `INSERT INTO roster.apply_lock_holders (tenant_id, holder, backend_pid) VALUES ($1, $2, pg_backend_pid())
     ON CONFLICT (tenant_id) DO UPDATE SET holder = EXCLUDED.holder, backend_pid = EXCLUDED.backend_pid`,
    [tenantId, JSON.stringify(row)],
  );
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      await client.query(
        'DELETE FROM roster.apply_lock_holders WHERE tenant_id = $1 AND backend_pid = pg_backend_pid()',
        [tenantId],
      );
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    } finally {
      // Ending the session frees the lock whatever happened above.
      await client.end().catch(() => undefined);
    }
  };
}

async function currentHolder(
  client: pg.Client,
  tenantId: string,
  key: string,
): Promise<ApplyLockHolder | undefined> {
  const { rows } = await client.query<{ holder: ApplyLockHolder }>(
    `SELECT h.holder FROM roster.apply_lock_holders h
     JOIN pg_locks l ON l.pid = h.backend_pid AND ${LOCK_ROW.replaceAll('$1', '$2')}
     WHERE h.tenant_id = $1`,
    [tenantId, key],
  );
  return rows[0]?.holder;
}
