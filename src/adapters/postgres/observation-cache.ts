import pg from 'pg';
import { queryFailure } from './connect.js';
import type { ObservedUser } from '../../observe/model.js';
import type { DeepCheckAspect, ObservationCache, UserSnapshot } from '../../ports/observation-cache.js';

/** The observation cache in Roster's own schema (migration 2, run by the state store's `migrate()`). */
export function createPostgresObservationCache(connection: pg.PoolConfig): ObservationCache {
  const raw = new pg.Pool({ application_name: 'roster-observation-cache', ...connection, max: 2 });
  raw.on('error', () => undefined);
  // A lost state database is a clear SourceError, not an internal error.
  const pool = {
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[]) {
      try {
        return await raw.query<R>(sql, params);
      } catch (error) {
        throw queryFailure(error, connection, 'state');
      }
    },
    end: () => raw.end(),
  };
  return {
    async close() {
      await pool.end();
    },

    async getUserSnapshot(tenantId: string, scopeHash: string) {
      const { rows } = await pool.query<{ users: ObservedUser[]; delta_link: string }>(
        'SELECT users, delta_link FROM roster.user_snapshots WHERE tenant_id = $1 AND scope_hash = $2',
        [tenantId, scopeHash],
      );
      const row = rows[0];
      return row ? { users: row.users, deltaLink: row.delta_link } : undefined;
    },

    async saveUserSnapshot(tenantId: string, scopeHash: string, snapshot: UserSnapshot) {
      await pool.query(
        `INSERT INTO roster.user_snapshots (tenant_id, scope_hash, users, delta_link) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, scope_hash)
         DO UPDATE SET users = EXCLUDED.users, delta_link = EXCLUDED.delta_link, updated_at = now()`,
        [tenantId, scopeHash, JSON.stringify(snapshot.users), snapshot.deltaLink],
      );
    },

    async advanceUserSnapshot(tenantId: string, scopeHash: string, deltaLink: string) {
      const { rowCount } = await pool.query(
        `UPDATE roster.user_snapshots SET delta_link = $3, updated_at = now()
         WHERE tenant_id = $1 AND scope_hash = $2`,
        [tenantId, scopeHash, deltaLink],
      );
      return rowCount === 1;
    },

    async dropUserSnapshot(tenantId: string, scopeHash: string) {
      await pool.query('DELETE FROM roster.user_snapshots WHERE tenant_id = $1 AND scope_hash = $2', [
        tenantId,
        scopeHash,
      ]);
    },

    async getLastDeepCheck(tenantId: string, aspect: DeepCheckAspect) {
      const { rows } = await pool.query<{ checked_at: Date }>(
        'SELECT checked_at FROM roster.deep_checks WHERE tenant_id = $1 AND aspect = $2',
        [tenantId, aspect],
      );
      return rows[0]?.checked_at;
    },

    async saveDeepCheck(tenantId: string, aspect: DeepCheckAspect, at: Date) {
      await pool.query(
        `INSERT INTO roster.deep_checks (tenant_id, aspect, checked_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, aspect) DO UPDATE SET checked_at = EXCLUDED.checked_at`,
        [tenantId, aspect, at],
      );
    },
  };
}
