import type pg from 'pg';
import { SourceError } from '../../errors/roster-error.js';

/** One step of Roster's schema; applied in `version` order, each exactly once. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Key of the transaction-level advisory lock that serialises migrations (a different key from
 * the controller's leader lock). Arbitrary but fixed: 'rstr' 'migr' as two 32-bit halves.
 */
export const MIGRATION_LOCK_KEY = 0x72737472_6d696772n;

/** Append only: never edit a released migration, add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, journal, last_applied, delta_links',
    sql: `
      CREATE TABLE roster.runs (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('plan', 'apply', 'rollback')),
        tenant_id text NOT NULL,
        actor text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        outcome text CHECK (outcome IN ('succeeded', 'partial', 'failed', 'stopped')),
        plan_hash text,
        config_revision text,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        source_count integer CHECK (source_count >= 0),
        error text,
        CHECK ((finished_at IS NULL) = (outcome IS NULL))
      );
      -- Listing runs, newest first, overall and per tenant.
      CREATE INDEX runs_started_at_idx ON roster.runs (started_at DESC);
      CREATE INDEX runs_tenant_started_at_idx ON roster.runs (tenant_id, started_at DESC);
      -- The shrink guardrail's baseline: the latest successful source count.
      CREATE INDEX runs_tenant_source_count_idx ON roster.runs (tenant_id, finished_at DESC)
        WHERE outcome IN ('succeeded', 'partial') AND source_count IS NOT NULL;

      CREATE TABLE roster.journal (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES roster.runs (id) ON DELETE CASCADE,
        action_key text NOT NULL,
        user_id text,
        employee_email text,
        aspect text NOT NULL,
        before jsonb,
        after jsonb,
        status text NOT NULL CHECK (status IN ('applied', 'skipped-stale', 'failed')),
        error jsonb,
        request_id text,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX journal_run_idx ON roster.journal (run_id, id);
      -- "What did Roster do to this person?"
      CREATE INDEX journal_user_idx ON roster.journal (user_id, at DESC) WHERE user_id IS NOT NULL;
      CREATE INDEX journal_email_idx ON roster.journal (lower(employee_email), at DESC)
        WHERE employee_email IS NOT NULL;

      CREATE TABLE roster.last_applied (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        aspect text NOT NULL CHECK (aspect IN ('profile', 'photo', 'signature')),
        desired_hash text NOT NULL,
        observed_fingerprint text,
        value jsonb,
        applied_at timestamptz NOT NULL,
        run_id uuid REFERENCES roster.runs (id) ON DELETE SET NULL,
        PRIMARY KEY (tenant_id, user_id, aspect)
      );

      CREATE TABLE roster.delta_links (
        tenant_id text NOT NULL,
        scope_hash text NOT NULL,
        delta_link text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, scope_hash)
      );
    `,
  },
  {
    version: 2,
    name: 'observation cache: user snapshots for delta, deep-check times',
    sql: `
      -- The users seen at the last observation, with the delta link that continues from them:
      -- a re-plan reads only what changed since.
      CREATE TABLE roster.user_snapshots (
        tenant_id text NOT NULL,
        scope_hash text NOT NULL,
        users jsonb NOT NULL,
        delta_link text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, scope_hash)
      );
      -- When photos and signatures were last read back from the tenant (they are checked on a
      -- slower cadence than profile fields).
      CREATE TABLE roster.deep_checks (
        tenant_id text NOT NULL,
        aspect text NOT NULL CHECK (aspect IN ('photo', 'signature')),
        checked_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, aspect)
      );
    `,
  },
  {
    version: 3,
    name: 'observation cache: one row per snapshot user',
    sql: `
      -- One row per user instead of one JSON array of all of them: a delta round writes only the
      -- users it changed, and no snapshot is ever one value of tens of megabytes.
      CREATE TABLE roster.user_snapshot_users (
        tenant_id text NOT NULL,
        scope_hash text NOT NULL,
        user_id text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant_id, scope_hash, user_id),
        FOREIGN KEY (tenant_id, scope_hash) REFERENCES roster.user_snapshots ON DELETE CASCADE
      );
      INSERT INTO roster.user_snapshot_users (tenant_id, scope_hash, user_id, data)
        SELECT DISTINCT ON (s.tenant_id, s.scope_hash, u->>'id') s.tenant_id, s.scope_hash, u->>'id', u
        FROM roster.user_snapshots s, jsonb_array_elements(s.users) AS u;
      ALTER TABLE roster.user_snapshots DROP COLUMN users;
    `,
  },
  {
    version: 4,
    name: 'observation cache: when each snapshot delta link was obtained',
    sql: `
      -- Graph keeps directory delta tokens 7 days: an older snapshot is listed afresh up front
      -- instead of asking with a link the service no longer knows.
      ALTER TABLE roster.user_snapshots ADD COLUMN delta_link_at timestamptz;
      UPDATE roster.user_snapshots SET delta_link_at = updated_at;
      ALTER TABLE roster.user_snapshots ALTER COLUMN delta_link_at SET NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'who holds a tenant apply lock',
    sql: `
      -- The lock itself is a session advisory lock; this row only names its holder, and is
      -- trusted only while the session in backend_pid still holds the lock.
      CREATE TABLE roster.apply_lock_holders (
        tenant_id text PRIMARY KEY,
        holder jsonb NOT NULL,
        backend_pid integer NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'learned pacing per tenant and API',
    sql: `
      -- What the limiters learned of each API's pace (docs/pacing.md): the next run or
      -- controller cycle starts from it instead of from the cautious default.
      CREATE TABLE roster.learned_pacing (
        tenant_id text NOT NULL,
        api text NOT NULL,
        lanes jsonb NOT NULL,
        concurrency integer NOT NULL CHECK (concurrency >= 1),
        learned_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, api)
      );
    `,
  },
  {
    version: 7,
    name: 'observation cache: snapshot users indexed by match key',
    sql: `
      -- Planning looks employees up in the snapshot a slice at a time instead of holding every
      -- user: users as rows with their match keys indexed (mail, userPrincipalName, each SMTP proxy
      -- address). Keys are lowercased by Roster, not by PostgreSQL (whose lower() follows the
      -- database's locale), and compared byte for byte (COLLATE "C"). Earlier snapshots carry no
      -- keys: they are dropped, and the next observation lists every user once.
      DROP TABLE roster.user_snapshot_users;
      DELETE FROM roster.user_snapshots;
      CREATE TABLE roster.snapshot_users (
        tenant_id text NOT NULL,
        scope_hash text NOT NULL,
        user_id text NOT NULL,
        mail_key text COLLATE "C",
        upn_key text COLLATE "C" NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant_id, scope_hash, user_id),
        FOREIGN KEY (tenant_id, scope_hash) REFERENCES roster.user_snapshots ON DELETE CASCADE
      );
      CREATE INDEX snapshot_users_mail_idx ON roster.snapshot_users (tenant_id, scope_hash, mail_key);
      CREATE INDEX snapshot_users_upn_idx ON roster.snapshot_users (tenant_id, scope_hash, upn_key);
      CREATE TABLE roster.snapshot_addresses (
        tenant_id text NOT NULL,
        scope_hash text NOT NULL,
        address_key text COLLATE "C" NOT NULL,
        user_id text NOT NULL,
        PRIMARY KEY (tenant_id, scope_hash, address_key, user_id),
        FOREIGN KEY (tenant_id, scope_hash) REFERENCES roster.user_snapshots ON DELETE CASCADE
      );
      -- A changed or removed user's addresses are found by user.
      CREATE INDEX snapshot_addresses_user_idx ON roster.snapshot_addresses (tenant_id, scope_hash, user_id);
    `,
  },
  {
    version: 8,
    name: 'write intents: which photo and signature writes a killed apply may have made',
    sql: `
      -- A photo or signature write is announced here before it is made and forgotten with its
      -- journal row: an intent that outlives its run marks a write that may or may not have
      -- happened. The next apply reads the tenant before writing that one again.
      CREATE TABLE roster.write_intents (
        tenant_id text NOT NULL,
        user_id text NOT NULL,
        aspect text NOT NULL CHECK (aspect IN ('photo', 'signature')),
        run_id uuid NOT NULL REFERENCES roster.runs (id) ON DELETE CASCADE,
        action_key text NOT NULL,
        employee_email text,
        before_write jsonb,
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (tenant_id, user_id, aspect)
      );
      CREATE INDEX write_intents_run_idx ON roster.write_intents (run_id);
      -- The journal tells which writes a killed run left undecided.
      ALTER TABLE roster.journal DROP CONSTRAINT journal_status_check;
      ALTER TABLE roster.journal ADD CONSTRAINT journal_status_check
        CHECK (status IN ('applied', 'skipped-stale', 'failed', 'interrupted'));
    `,
  },
  {
    version: 9,
    name: 'campaign audiences: what plans showed of each campaign boundary',
    sql: `
      -- The audience a plan showed for a campaign's start or end. A campaign switch is exempt
      -- from maxChanges only within the audience shown before it: the controller, whose plans
      -- nobody reviews before they are applied, bounds its exemption with these.
      CREATE TABLE roster.campaign_audiences (
        tenant_id text NOT NULL,
        campaign text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('start', 'end')),
        boundary timestamptz NOT NULL,
        audience integer NOT NULL CHECK (audience >= 0),
        shown_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, campaign, kind, boundary)
      );
    `,
  },
];

/**
 * Applies the migrations the database lacks, all in one transaction under an advisory lock:
 * a second process migrating at the same moment waits, then finds nothing left to do.
 * Refuses a database migrated by a newer Roster. Returns the versions applied.
 */
export async function runMigrations(
  client: pg.ClientBase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS roster;
      CREATE TABLE IF NOT EXISTS roster.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );
    `);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM roster.schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new SourceError(
        `the state database schema is at version ${newest}, newer than this Roster knows (${known}): upgrade Roster`,
      );
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO roster.schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}
