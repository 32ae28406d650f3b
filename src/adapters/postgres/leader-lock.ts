import type pg from 'pg';
import type { LeaderLock } from '../../ports/leader-lock.js';
import { connectClient } from './connect.js';

export type { LeaderLock } from '../../ports/leader-lock.js';

/**
 * Key of the session-level advisory lock only the leading controller holds; arbitrary but fixed,
 * and different from `MIGRATION_LOCK_KEY`: 'rstr' 'lead' as two 32-bit halves.
 */
export const LEADER_LOCK_KEY = 0x72737472_6c656164n;

/** Prefix of the lock connection's `application_name`, so other replicas can name the holder. */
const APP_PREFIX = 'roster-leader:';
/** PostgreSQL truncates `application_name` to 63 bytes. */
const MAX_APP_NAME = 63;
/** A lock query that does not answer in this long counts as a lost connection. */
const QUERY_TIMEOUT_MS = 5_000;

export interface LeaderLockOptions {
  /** The state database (from `stateDatabaseConfig`). */
  connection: pg.ClientConfig;
  key?: bigint;
  /** This instance's id, shown to the other replicas as the holder. */
  identity: string;
}

/** Lock key as pg_locks shows a bigint advisory lock: high half in classid, low half in objid. */
function lockParts(key: bigint): [string, string] {
  const unsigned = BigInt.asUintN(64, key);
  return [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()];
}

const LOCK_ROW = `l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid = $1::oid AND l.objid = $2::oid
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

export function createLeaderLock(options: LeaderLockOptions): LeaderLock {
  const key = options.key ?? LEADER_LOCK_KEY;
  const parts = lockParts(key);
  const applicationName = `${APP_PREFIX}${options.identity}`.slice(0, MAX_APP_NAME);
  let client: pg.Client | undefined;
  let broken = false;

  function drop(): void {
    const old = client;
    client = undefined;
    broken = false;
    void old?.end().catch(() => undefined);
  }

  async function connection(): Promise<pg.Client> {
    if (client && !broken) return client;
    drop();
    const fresh = await connectClient({ ...options.connection, application_name: applicationName }, 'state');
    // A session that errors or ends has lost the lock with it: reconnect on the next call.
    fresh.on('error', () => {
      if (client === fresh) broken = true;
    });
    fresh.on('end', () => {
      if (client === fresh) broken = true;
    });
    client = fresh;
    return fresh;
  }

  async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const c = await connection();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the leader lock query timed out')), QUERY_TIMEOUT_MS);
    });
    try {
      return (await Promise.race([c.query<R>(sql, params), timeout])).rows;
    } catch (error) {
      // A hung or failed session cannot be trusted to hold the lock any longer.
      if (client === c) drop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async function heldHere(): Promise<boolean> {
    const rows = await query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE ${LOCK_ROW} AND l.pid = pg_backend_pid()) AS held`,
      parts,
    );
    return rows[0]?.held === true;
  }

  return {
    async tryAcquire() {
      // Advisory locks are re-entrant per session: taking it twice would need two unlocks.
      if (client && !broken && (await heldHere().catch(() => false))) return true;
      const rows = await query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
        key.toString(),
      ]);
      return rows[0]?.locked === true;
    },

    async isHeld() {
      if (!client || broken) return false;
      try {
        return await heldHere();
      } catch {
        return false;
      }
    },

    async holder() {
      const rows = await query<{ name: string | null }>(
        `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE ${LOCK_ROW} LIMIT 1`,
        parts,
      );
      const row = rows[0];
      if (!row) return undefined;
      const name = row.name ?? '';
      return name.startsWith(APP_PREFIX) ? name.slice(APP_PREFIX.length) : name || 'unknown';
    },

    async release() {
      const c = client;
      client = undefined;
      broken = false;
      await c?.end().catch(() => undefined);
    },
  };
}
