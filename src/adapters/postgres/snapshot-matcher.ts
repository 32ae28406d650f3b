import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ObservedUser } from '../../observe/model.js';
import type { MatchRule, SnapshotMatcher, UserLookup } from '../../ports/observation-cache.js';

const RULES: readonly MatchRule[] = ['mail', 'userPrincipalName', 'proxyAddresses'];

/**
 * `found(key, rank, user_id)`: for each key of `keys` (a query yielding `key`), the users of the
 * first rule (1 mail, 2 userPrincipalName, 3 SMTP proxy address) that finds any. Set-based (joins
 * and aggregates, no per-key subquery), so it runs as well for one slice as for every employee.
 */
function foundUsers(keys: string): string {
  return `
    k AS (${keys}),
    hits AS (
      SELECT k.key, 1 AS rank, u.user_id FROM k JOIN roster.snapshot_users u
        ON u.tenant_id = $1 AND u.scope_hash = $2 AND u.mail_key = k.key
      UNION ALL
      SELECT k.key, 2, u.user_id FROM k JOIN roster.snapshot_users u
        ON u.tenant_id = $1 AND u.scope_hash = $2 AND u.upn_key = k.key
      UNION ALL
      SELECT k.key, 3, a.user_id FROM k JOIN roster.snapshot_addresses a
        ON a.tenant_id = $1 AND a.scope_hash = $2 AND a.address_key = k.key
    ),
    best AS (SELECT key, min(rank) AS rank FROM hits GROUP BY key),
    found AS (SELECT h.key, h.rank, h.user_id FROM hits h JOIN best b ON b.key = h.key AND b.rank = h.rank)`;
}

const FIND_USERS = `
  WITH ${foundUsers('SELECT unnest($3::text[]) COLLATE "C" AS key')}
  SELECT f.key, f.rank, u.data FROM found f JOIN roster.snapshot_users u
    ON u.tenant_id = $1 AND u.scope_hash = $2 AND u.user_id = f.user_id
  ORDER BY f.key, u.user_id`;

const sharedUsersSql = (table: string) => `
  WITH ${foundUsers(`SELECT key FROM ${table}`)},
    single AS (SELECT key, min(user_id) AS user_id FROM found GROUP BY key HAVING count(*) = 1)
  SELECT user_id, array_agg(key ORDER BY key) AS keys FROM single GROUP BY user_id HAVING count(*) > 1`;

/**
 * The snapshot matcher on one connection of its own, holding a temporary table of the run's
 * employee keys (for the claim rule) until `close`. Statements run on their own, outside any
 * long transaction: a run that reads the HR source at the same time never waits on this session.
 */
export async function openSnapshotMatcher(
  client: pg.PoolClient,
  run: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>,
  scope: [string, string],
  release: (broken: boolean) => void,
): Promise<SnapshotMatcher> {
  // Named apart: an embedded PostgreSQL (PGlite) serves every connection from one session.
  const table = `roster_plan_keys_${randomBytes(6).toString('hex')}`;
  try {
    await run(`CREATE TEMPORARY TABLE ${table} (key text COLLATE "C" PRIMARY KEY)`);
  } catch (error) {
    release(true);
    throw error;
  }
  let open = true;
  const live = () => {
    if (!open) throw new Error('the snapshot matcher is closed (a bug in the caller)');
  };
  return {
    async findUsers(keys) {
      live();
      const found = new Map<string, UserLookup>();
      if (keys.length === 0) return found;
      // Each key once (a key given twice would find its users twice).
      const { rows } = await run(FIND_USERS, [...scope, [...new Set(keys)]]);
      for (const row of rows as { key: string; rank: number; data: ObservedUser }[]) {
        const entry = found.get(row.key);
        if (entry) entry.users.push(row.data);
        else found.set(row.key, { rule: RULES[row.rank - 1]!, users: [row.data] });
      }
      return found;
    },
    async addEmployeeKeys(keys) {
      live();
      if (keys.length === 0) return;
      await run(`INSERT INTO ${table} SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [keys]);
    },
    async sharedUsers() {
      live();
      // A temporary table is never analysed by autovacuum: without statistics, the join of
      // 100,000 keys would be planned as if there were a few.
      await run(`ANALYZE ${table}`);
      const { rows } = await run(sharedUsersSql(table), scope);
      return new Map((rows as { user_id: string; keys: string[] }[]).map((r) => [r.user_id, r.keys]));
    },
    async close() {
      if (!open) return;
      open = false;
      try {
        await client.query(`DROP TABLE IF EXISTS pg_temp.${table}`);
        release(false);
      } catch {
        release(true);
      }
    },
  };
}
