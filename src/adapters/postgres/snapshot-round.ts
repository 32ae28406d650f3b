import type pg from 'pg';
import type { ObservedUser } from '../../observe/model.js';
import { userKeys } from '../../plan/user-keys.js';
import type { SnapshotRound } from '../../ports/observation-cache.js';

/** Users written per statement: a few hundred kilobytes of JSON, never all of them at once. */
const USERS_PER_STATEMENT = 500;

/** A round that wrote this many users has the tables analysed when it commits. */
const ANALYZE_AFTER = 1000;

/** Runs a statement of the round; a failure ends the round (rolled back, connection let go). */
type Run = (sql: string, params: unknown[]) => Promise<pg.QueryResult>;

async function removeUsers(run: Run, scope: [string, string], ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await run(
    `DELETE FROM roster.snapshot_addresses WHERE tenant_id = $1 AND scope_hash = $2 AND user_id = ANY($3::text[])`,
    [...scope, ids],
  );
  await run(
    `DELETE FROM roster.snapshot_users WHERE tenant_id = $1 AND scope_hash = $2 AND user_id = ANY($3::text[])`,
    [...scope, ids],
  );
}

async function putUsers(
  run: Run,
  scope: [string, string],
  users: readonly ObservedUser[],
  replacing: boolean,
): Promise<void> {
  // The last one of an id wins (one statement may not update a row twice).
  const byId = new Map(users.map((u) => [u.id, u]));
  const unique = byId.size === users.length ? users : [...byId.values()];
  for (let i = 0; i < unique.length; i += USERS_PER_STATEMENT) {
    const part = unique.slice(i, i + USERS_PER_STATEMENT);
    const rows = part.map((user) => ({ user, keys: userKeys(user) }));
    // A changed user's addresses are replaced, not merged: an alias it lost must stop finding it.
    // (A listing starts from an empty snapshot: there is nothing to replace.)
    if (!replacing) {
      await run(
        `DELETE FROM roster.snapshot_addresses WHERE tenant_id = $1 AND scope_hash = $2 AND user_id = ANY($3::text[])`,
        [...scope, part.map((u) => u.id)],
      );
    }
    await run(
      `INSERT INTO roster.snapshot_users (tenant_id, scope_hash, user_id, mail_key, upn_key, data)
       SELECT $1, $2, x.id, x.mail_key, x.upn_key, x.data
       FROM jsonb_to_recordset($3::jsonb) AS x(id text, mail_key text, upn_key text, data jsonb)
       ON CONFLICT (tenant_id, scope_hash, user_id)
       DO UPDATE SET mail_key = EXCLUDED.mail_key, upn_key = EXCLUDED.upn_key, data = EXCLUDED.data`,
      [
        ...scope,
        JSON.stringify(
          rows.map(({ user, keys }) => ({
            id: user.id,
            mail_key: keys.mail,
            upn_key: keys.userPrincipalName,
            data: user,
          })),
        ),
      ],
    );
    const ids = rows.flatMap(({ user, keys }) => keys.addresses.map(() => user.id));
    const addresses = rows.flatMap(({ keys }) => keys.addresses);
    if (addresses.length === 0) continue;
    await run(
      `INSERT INTO roster.snapshot_addresses (tenant_id, scope_hash, user_id, address_key)
       SELECT $1, $2, a.id, a.address FROM unnest($3::text[], $4::text[]) AS a(id, address)
       ON CONFLICT DO NOTHING`,
      [...scope, ids, addresses],
    );
  }
}

/**
 * One observation round in one transaction on its own connection: the pages go to the database as
 * they come (PostgreSQL holds the uncommitted rows, not Roster), and readers keep seeing the
 * previous snapshot until `commit`. `replace` empties the snapshot first; `update` locks the
 * snapshot's row, so two rounds of one snapshot never interleave. Undefined for an `update` of a
 * snapshot that does not exist.
 */
export async function beginSnapshotRound(
  client: pg.PoolClient,
  run: Run,
  scope: [string, string],
  kind: 'replace' | 'update',
  release: (broken: boolean) => void,
): Promise<SnapshotRound | undefined> {
  let open = true;
  /** Users written or removed: a large round changes what the query planner should assume. */
  let written = 0;
  const end = async (sql: 'COMMIT' | 'ROLLBACK', analyze = false) => {
    if (!open) throw new Error('the snapshot round has ended (a bug in the caller)');
    open = false;
    try {
      await client.query(sql);
      // Autovacuum analyses a table some time after it changed; lookups run right away, and
      // planned for an empty table they would scan it once per key.
      if (analyze) await client.query('ANALYZE roster.snapshot_users, roster.snapshot_addresses');
      release(false);
    } catch (error) {
      release(true);
      throw error;
    }
  };
  /** Every statement of the round: a failure rolls it back and lets the connection go. */
  const guarded: Run = async (sql, params) => {
    if (!open) throw new Error('the snapshot round has ended (a bug in the caller)');
    try {
      return await run(sql, params);
    } catch (error) {
      open = false;
      await client.query('ROLLBACK').catch(() => undefined);
      release(true);
      throw error;
    }
  };
  await guarded('BEGIN', []);
  if (kind === 'replace') {
    // The link is set when the round commits; until then nobody sees this row's new state.
    await guarded(
      `INSERT INTO roster.user_snapshots (tenant_id, scope_hash, delta_link, delta_link_at) VALUES ($1, $2, '', now())
       ON CONFLICT (tenant_id, scope_hash) DO UPDATE SET updated_at = now()`,
      scope,
    );
    await guarded('DELETE FROM roster.snapshot_addresses WHERE tenant_id = $1 AND scope_hash = $2', scope);
    await guarded('DELETE FROM roster.snapshot_users WHERE tenant_id = $1 AND scope_hash = $2', scope);
  } else {
    const { rowCount } = await guarded(
      'SELECT 1 FROM roster.user_snapshots WHERE tenant_id = $1 AND scope_hash = $2 FOR UPDATE',
      scope,
    );
    if (rowCount !== 1) {
      await end('ROLLBACK');
      return undefined;
    }
  }
  return {
    putUsers: (users) => ((written += users.length), putUsers(guarded, scope, users, kind === 'replace')),
    removeUsers: (ids) => ((written += ids.length), removeUsers(guarded, scope, ids)),
    async commit(deltaLink, deltaLinkAt) {
      await guarded(
        `UPDATE roster.user_snapshots
         SET delta_link = $3, delta_link_at = coalesce($4, now()), updated_at = now()
         WHERE tenant_id = $1 AND scope_hash = $2`,
        [...scope, deltaLink, deltaLinkAt ?? null],
      );
      await end('COMMIT', written >= ANALYZE_AFTER);
    },
    async abort() {
      if (open) await end('ROLLBACK');
    },
  };
}
