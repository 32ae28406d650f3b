import pg from 'pg';
import { connectionError } from './connect.js';
import type { ReadinessCheck } from '../../ports/readiness.js';

const PING_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/readyz`'s database check: `SELECT 1` on a one-connection pool of its own (so a busy run's pool
 * cannot hide an outage), answered within 2 s either way.
 */
export function createDatabasePing(): {
  check(connection: pg.ClientConfig): Promise<ReadinessCheck>;
  close(): Promise<void>;
} {
  let ping: { pool: pg.Pool; connection: pg.ClientConfig } | undefined;
  return {
    async check(connection) {
      if (!ping) {
        const pool = new pg.Pool({
          ...connection,
          application_name: 'roster-readiness',
          max: 1,
          connectionTimeoutMillis: PING_TIMEOUT_MS,
          idleTimeoutMillis: 10_000,
        });
        pool.on('error', () => undefined);
        ping = { pool, connection };
      }
      try {
        await withTimeout(ping.pool.query('SELECT 1'), PING_TIMEOUT_MS, 'the database check');
        return { ok: true };
      } catch (error) {
        return { ok: false, message: connectionError(error, ping.connection, 'state').message };
      }
    },
    async close() {
      await ping?.pool.end().catch(() => undefined);
      ping = undefined;
    },
  };
}
