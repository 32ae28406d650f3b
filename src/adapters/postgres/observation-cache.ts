import pg from 'pg';
import { queryFailure } from './connect.js';
import type { ObservedUser } from '../../observe/model.js';
import type {
  DeepCheckAspect,
  ObservationCache,
  UserSnapshot,
  UserSnapshotChange,
} from '../../ports/observation-cache.js';

/** Snapshot users read per query. */
const SNAPSHOT_PAGE = 2000;

/** Users written per statement: a few hundred kilobytes of JSON, never all of them at once. */
const USERS_PER_STATEMENT = 500;

async function upsertUsers(
  client: pg.PoolClient,
  tenantId: string,
  scopeHash: string,
  users: readonly ObservedUser[],
): Promise<void> {
  // The last one of an id wins (one statement may not update a row twice).
  const byId = new Map(users.map((u) => [u.id, u]));
  const unique = byId.size === users.length ? users : [...byId.values()];
  for (let i = 0; i < unique.length; i += USERS_PER_STATEMENT) {
    await client.query(
      `INSERT INTO roster.user_snapshot_users (tenant_id, scope_hash, user_id, data)
       SELECT $1, $2, u->>'id', u FROM jsonb_array_elements($3::jsonb) AS u
       ON CONFLICT (tenant_id, scope_hash, user_id) DO UPDATE SET data = EXCLUDED.data`,
      [tenantId, scopeHash, JSON.stringify(unique.slice(i, i + USERS_PER_STATEMENT))],
    );
  }
}

/** The observation cache in Roster's own schema (migration 2, run by the state store's `migrate()`). */
export function createPostgresObservationCache(connection: pg.PoolConfig): ObservationCache {
  const raw = new pg.Pool({ application_name: 'roster-observation-cache', ...connection, max: 2 });
  raw.on('error', () => undefined);
  // A checked-out client lost between two queries must not be an unhandled 'error' event.
  raw.on('connect', (client) => client.on('error', () => undefined));
  // A lost state database is a clear SourceError, not an internal error.
  const pool = {
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[]) {
      try {
        return await raw.query<R>(sql, params);
      } catch (error) {
        throw queryFailure(error, connection, 'state');
      }
    },
    /** Runs `work` in one transaction on one connection (committed, or rolled back on error). */
    async transaction<T>(
      work: (client: pg.PoolClient) => Promise<T>,
      isolation?: 'REPEATABLE READ',
    ): Promise<T> {
      let client: pg.PoolClient | undefined;
      try {
        client = await raw.connect();
        await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation}` : 'BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        if (client) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release(true);
        }
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
      // One consistent view of the link and its users, row by row (no single value of them all).
      return pool.transaction(async (client) => {
        const link = await client.query<{ delta_link: string; delta_link_at: Date }>(
          'SELECT delta_link, delta_link_at FROM roster.user_snapshots WHERE tenant_id = $1 AND scope_hash = $2',
          [tenantId, scopeHash],
        );
        const row = link.rows[0];
        if (!row) return undefined;
        // In pages by user id: the rows and protocol buffers of one page at a time, not of all.
        const users: ObservedUser[] = [];
        let after = '';
        for (;;) {
          const { rows } = await client.query<{ user_id: string; data: ObservedUser }>(
            `SELECT user_id, data FROM roster.user_snapshot_users
             WHERE tenant_id = $1 AND scope_hash = $2 AND user_id > $3
             ORDER BY user_id LIMIT $4`,
            [tenantId, scopeHash, after, SNAPSHOT_PAGE],
          );
          for (const r of rows) users.push(r.data);
          if (rows.length < SNAPSHOT_PAGE) break;
          after = rows[rows.length - 1]!.user_id;
        }
        return { users, deltaLink: row.delta_link, deltaLinkAt: row.delta_link_at };
      }, 'REPEATABLE READ');
    },

    async saveUserSnapshot(tenantId: string, scopeHash: string, snapshot: UserSnapshot) {
      await pool.transaction(async (client) => {
        await client.query(
          `INSERT INTO roster.user_snapshots (tenant_id, scope_hash, delta_link, delta_link_at)
           VALUES ($1, $2, $3, coalesce($4, now()))
           ON CONFLICT (tenant_id, scope_hash)
           DO UPDATE SET delta_link = EXCLUDED.delta_link, delta_link_at = EXCLUDED.delta_link_at,
             updated_at = now()`,
          [tenantId, scopeHash, snapshot.deltaLink, snapshot.deltaLinkAt ?? null],
        );
        await client.query(
          'DELETE FROM roster.user_snapshot_users WHERE tenant_id = $1 AND scope_hash = $2',
          [tenantId, scopeHash],
        );
        await upsertUsers(client, tenantId, scopeHash, snapshot.users);
      });
    },

    async updateUserSnapshot(tenantId: string, scopeHash: string, change: UserSnapshotChange) {
      return pool.transaction(async (client) => {
        const { rowCount } = await client.query(
          `UPDATE roster.user_snapshots
           SET delta_link = $3, delta_link_at = coalesce($4, now()), updated_at = now()
           WHERE tenant_id = $1 AND scope_hash = $2`,
          [tenantId, scopeHash, change.deltaLink, change.deltaLinkAt ?? null],
        );
        if (rowCount !== 1) return false;
        await upsertUsers(client, tenantId, scopeHash, change.users);
        if (change.removedIds.length > 0) {
          await client.query(
            `DELETE FROM roster.user_snapshot_users
             WHERE tenant_id = $1 AND scope_hash = $2 AND user_id = ANY($3::text[])`,
            [tenantId, scopeHash, change.removedIds],
          );
        }
        return true;
      });
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
