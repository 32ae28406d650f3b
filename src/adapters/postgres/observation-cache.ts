import pg from 'pg';
import { connectionError, queryFailure } from './connect.js';
import type { ObservedUser } from '../../observe/model.js';
import type { DeepCheckAspect, ObservationCache, SnapshotRound } from '../../ports/observation-cache.js';
import { openSnapshotMatcher } from './snapshot-matcher.js';
import { beginSnapshotRound } from './snapshot-round.js';

/**
 * The observation cache in Roster's own schema (run by the state store's `migrate()`): the user
 * snapshot as indexed rows (`roster.snapshot_users`, `roster.snapshot_addresses`, migration 4).
 */
export function createPostgresObservationCache(connection: pg.PoolConfig): ObservationCache {
  // A round and a matcher hold a connection each for a run; the small reads need one more.
  const raw = new pg.Pool({ application_name: 'roster-observation-cache', ...connection, max: 4 });
  raw.on('error', () => undefined);
  // A checked-out client lost between two queries must not be an unhandled 'error' event.
  raw.on('connect', (client) => client.on('error', () => undefined));
  // A lost state database is a clear SourceError, not an internal error.
  async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[]) {
    try {
      return await raw.query<R>(sql, params);
    } catch (error) {
      throw queryFailure(error, connection, 'state');
    }
  }

  /** A connection of its own, with its statements' failures as clear errors. */
  async function session() {
    let client: pg.PoolClient;
    try {
      client = await raw.connect();
    } catch (error) {
      throw connectionError(error, connection, 'state');
    }
    const run = async (sql: string, params: unknown[] = []) => {
      try {
        return await client.query(sql, params);
      } catch (error) {
        throw queryFailure(error, connection, 'state');
      }
    };
    // Held across a run: a connection lost while idle must not crash the process (the pool
    // watches only idle clients); the next statement then fails as a SourceError.
    const lost = () => undefined;
    client.on('error', lost);
    const release = (broken: boolean) => {
      client.removeListener('error', lost);
      client.release(broken);
    };
    return { client, run, release };
  }

  async function beginRound(tenantId: string, scopeHash: string, kind: 'replace'): Promise<SnapshotRound>;
  async function beginRound(
    tenantId: string,
    scopeHash: string,
    kind: 'update',
  ): Promise<SnapshotRound | undefined>;
  async function beginRound(tenantId: string, scopeHash: string, kind: 'replace' | 'update') {
    const { client, run, release } = await session();
    return beginSnapshotRound(client, run, [tenantId, scopeHash], kind, release);
  }

  return {
    async close() {
      await raw.end();
    },

    async getSnapshotLink(tenantId, scopeHash) {
      const { rows } = await query<{ delta_link: string; delta_link_at: Date }>(
        'SELECT delta_link, delta_link_at FROM roster.user_snapshots WHERE tenant_id = $1 AND scope_hash = $2',
        [tenantId, scopeHash],
      );
      const row = rows[0];
      return row ? { link: row.delta_link, at: row.delta_link_at } : undefined;
    },

    beginRound,

    async countUsers(tenantId, scopeHash) {
      const { rows } = await query<{ n: number }>(
        'SELECT count(*)::int AS n FROM roster.snapshot_users WHERE tenant_id = $1 AND scope_hash = $2',
        [tenantId, scopeHash],
      );
      return rows[0]?.n ?? 0;
    },

    async getUsers(tenantId, scopeHash, ids) {
      if (ids.length === 0) return [];
      const { rows } = await query<{ data: ObservedUser }>(
        `SELECT data FROM roster.snapshot_users
         WHERE tenant_id = $1 AND scope_hash = $2 AND user_id = ANY($3::text[]) ORDER BY user_id`,
        [tenantId, scopeHash, ids],
      );
      return rows.map((r) => r.data);
    },

    async openMatcher(tenantId, scopeHash) {
      const { client, run, release } = await session();
      return openSnapshotMatcher(client, run, [tenantId, scopeHash], release);
    },

    async dropUserSnapshot(tenantId, scopeHash) {
      await query('DELETE FROM roster.user_snapshots WHERE tenant_id = $1 AND scope_hash = $2', [
        tenantId,
        scopeHash,
      ]);
    },

    async getLastDeepCheck(tenantId: string, aspect: DeepCheckAspect) {
      const { rows } = await query<{ checked_at: Date }>(
        'SELECT checked_at FROM roster.deep_checks WHERE tenant_id = $1 AND aspect = $2',
        [tenantId, aspect],
      );
      return rows[0]?.checked_at;
    },

    async saveDeepCheck(tenantId: string, aspect: DeepCheckAspect, at: Date) {
      await query(
        `INSERT INTO roster.deep_checks (tenant_id, aspect, checked_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, aspect) DO UPDATE SET checked_at = EXCLUDED.checked_at`,
        [tenantId, aspect, at],
      );
    },
  };
}
