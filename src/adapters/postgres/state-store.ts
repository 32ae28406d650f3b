import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AppliedDigest, LastAppliedRecord } from '../../observe/model.js';
import type {
  WriteIntent,
  FingerprintAdoption,
  JournalEntry,
  JournalRecord,
  RunCounts,
  RunDetail,
  RunOutcome,
  RunRecord,
  RunStart,
  StateStore,
} from '../../ports/state-store.js';
import { lastAppliedKey } from '../../ports/state-store.js';
import { connectionError, queryFailure } from './connect.js';
import { runMigrations } from './migrations.js';

/** Where Roster keeps its state: from `stateDatabaseConfig(env, ssl)`. */
export interface PostgresStateStoreOptions {
  connection: pg.PoolConfig;
  /** Connections held at most; the controller needs few. */
  maxConnections?: number;
}

const MAX_ERROR_LENGTH = 8_000;

const INSERT_JOURNAL = `INSERT INTO roster.journal
  (run_id, action_key, user_id, employee_email, aspect, before, after, status, error, request_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`;

/**
 * Ends a write's intent with its journal row ($1 run, $3 user, $5 aspect): whatever the outcome,
 * it is decided and journaled.
 */
const FORGET_INTENT = `forgotten AS (
  DELETE FROM roster.write_intents w USING roster.runs r
  WHERE r.id = $1 AND w.tenant_id = r.tenant_id AND w.user_id = $3 AND w.aspect = $5)`;

/** Last-applied records read per query. */
const LAST_APPLIED_PAGE = 2000;

/** The state store on PostgreSQL, schema `roster`, migrated by `migrate()`. */
export function createPostgresStateStore(options: PostgresStateStoreOptions): StateStore {
  const pool = new pg.Pool({
    application_name: 'roster-state',
    ...options.connection,
    max: options.maxConnections ?? 4,
  });
  // Idle clients whose server went away emit 'error' on the pool; the next query reports it.
  pool.on('error', () => undefined);
  // A checked-out client between two queries has no listener of the pool's: without one of its
  // own, a connection lost at that moment would be an unhandled 'error' event (a crash).
  pool.on('connect', (client) => client.on('error', () => undefined));

  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw connectionError(error, options.connection, 'state');
    }
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      // A client whose query failed may have lost its connection: never hand it out again.
      client.release(true);
      throw queryFailure(error, options.connection, 'state');
    }
  }

  async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return withClient(async (c) => (await c.query<R>(sql, params)).rows);
  }

  /**
   * Every last-applied row of a tenant (of the given aspects), in pages in key order, all from one
   * snapshot: at 50,000 users the rows of every record at once would cost as much again as the
   * records made from them.
   */
  async function readLastApplied<Row extends { user_id: string; aspect: LastAppliedRecord['aspect'] }>(
    tenantId: string,
    aspects: readonly LastAppliedRecord['aspect'][] | undefined,
    columns: string,
    take: (row: Row) => void,
  ): Promise<void> {
    await withClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        let after: [string, string] = ['', ''];
        for (;;) {
          const { rows } = await client.query<Row>(
            `SELECT user_id, aspect, ${columns}
             FROM roster.last_applied
             WHERE tenant_id = $1 AND ($2::text[] IS NULL OR aspect = ANY($2)) AND (user_id, aspect) > ($3, $4)
             ORDER BY user_id, aspect LIMIT $5`,
            [tenantId, aspects ?? null, after[0], after[1], LAST_APPLIED_PAGE],
          );
          for (const r of rows) take(r);
          if (rows.length < LAST_APPLIED_PAGE) break;
          const last = rows[rows.length - 1]!;
          after = [last.user_id, last.aspect];
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  return {
    async migrate() {
      await withClient((c) => runMigrations(c));
    },

    async startRun(run: RunStart) {
      const id = run.id ?? randomUUID();
      await query(
        `INSERT INTO roster.runs (id, kind, tenant_id, actor, plan_hash, config_revision, source_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          run.kind,
          run.tenantId,
          run.actor,
          run.planHash ?? null,
          run.configRevision ?? null,
          run.sourceCount ?? null,
        ],
      );
      return id;
    },

    async finishRun(
      runId: string,
      outcome: RunOutcome,
      counts: RunCounts,
      error?: string,
      sourceCount?: number,
    ) {
      const rows = await query(
        `UPDATE roster.runs
         SET finished_at = now(), outcome = $2, counts = $3, error = $4, source_count = COALESCE($5, source_count)
         WHERE id = $1 RETURNING id`,
        [
          runId,
          outcome,
          JSON.stringify(counts),
          error?.slice(0, MAX_ERROR_LENGTH) ?? null,
          sourceCount ?? null,
        ],
      );
      if (rows.length === 0) throw new Error(`finishRun: no run ${runId} (a bug in the caller)`);
    },

    async recordWrite(runId: string, entry: JournalEntry, lastApplied?: LastAppliedRecord) {
      if (lastApplied && entry.status !== 'applied') {
        throw new Error(
          `recordWrite: a ${entry.status} write cannot update last-applied (a bug in the caller)`,
        );
      }
      const journal = [
        runId,
        entry.actionKey,
        entry.userId,
        entry.employeeEmail,
        entry.aspect,
        json(entry.before),
        json(entry.after),
        entry.status,
        json(entry.error),
        entry.requestId ?? null,
      ];
      // One statement, so one round trip per write and atomic by itself: the journal row, its
      // last-applied record and the end of the write's intent are stored together or not at all.
      const rows = lastApplied
        ? await query<{ id: string }>(
            `WITH journal AS (${INSERT_JOURNAL}), ${FORGET_INTENT}, applied AS (
               INSERT INTO roster.last_applied
                 (tenant_id, user_id, aspect, desired_hash, observed_fingerprint, value, applied_at, run_id)
               SELECT r.tenant_id, $11, $12, $13, $14, $15, $16, r.id FROM roster.runs r WHERE r.id = $1
               ON CONFLICT (tenant_id, user_id, aspect) DO UPDATE SET
                 desired_hash = EXCLUDED.desired_hash, observed_fingerprint = EXCLUDED.observed_fingerprint,
                 value = EXCLUDED.value, applied_at = EXCLUDED.applied_at, run_id = EXCLUDED.run_id)
             SELECT id FROM journal`,
            [
              ...journal,
              lastApplied.userId,
              lastApplied.aspect,
              lastApplied.desiredHash,
              lastApplied.observedFingerprint,
              json(lastApplied.value),
              lastApplied.appliedAt,
            ],
          )
        : await query<{ id: string }>(
            `WITH journal AS (${INSERT_JOURNAL}), ${FORGET_INTENT} SELECT id FROM journal`,
            journal,
          );
      return Number(rows[0]!.id);
    },

    async recordIntent(tenantId: string, intent: WriteIntent) {
      await query(
        `INSERT INTO roster.write_intents
           (tenant_id, user_id, aspect, run_id, action_key, employee_email, before_write)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, user_id, aspect) DO UPDATE SET
           run_id = EXCLUDED.run_id, action_key = EXCLUDED.action_key,
           employee_email = EXCLUDED.employee_email, before_write = EXCLUDED.before_write,
           started_at = clock_timestamp()`,
        [
          tenantId,
          intent.userId,
          intent.aspect,
          intent.runId,
          intent.actionKey,
          intent.employeeEmail,
          intent.beforeWrite === undefined ? null : JSON.stringify({ value: intent.beforeWrite }),
        ],
      );
    },

    async getIntents(tenantId: string, aspect: WriteIntent['aspect'], userIds: readonly string[]) {
      const intents = new Map<string, WriteIntent>();
      if (userIds.length === 0) return intents;
      const rows = await query<IntentRow>(
        `SELECT run_id, user_id, aspect, action_key, employee_email, before_write FROM roster.write_intents
         WHERE tenant_id = $1 AND aspect = $2 AND user_id = ANY($3::text[])`,
        [tenantId, aspect, userIds],
      );
      for (const r of rows) {
        intents.set(r.user_id, {
          runId: r.run_id,
          userId: r.user_id,
          aspect: r.aspect,
          actionKey: r.action_key,
          employeeEmail: r.employee_email,
          ...(r.before_write ? { beforeWrite: r.before_write.value } : {}),
        });
      }
      return intents;
    },

    async journalInterrupted(runId: string) {
      const rows = await query(
        `INSERT INTO roster.journal (run_id, action_key, user_id, employee_email, aspect, status, after)
         SELECT i.run_id, i.action_key, i.user_id, i.employee_email, i.aspect, 'interrupted',
           jsonb_build_object('note', 'the process ended after announcing this write and before journaling it: it may or may not have reached the tenant')
         FROM roster.write_intents i
         WHERE i.run_id = $1
           AND NOT EXISTS (SELECT 1 FROM roster.journal j
                           WHERE j.run_id = i.run_id AND j.action_key = i.action_key AND j.status = 'interrupted')
         RETURNING id`,
        [runId],
      );
      return rows.length;
    },

    async getLastApplied(tenantId: string, aspects?: readonly LastAppliedRecord['aspect'][]) {
      const map = new Map<string, LastAppliedRecord>();
      await readLastApplied<LastAppliedRow>(
        tenantId,
        aspects,
        'desired_hash, observed_fingerprint, value, applied_at',
        (r) => {
          map.set(lastAppliedKey(r.user_id, r.aspect), {
            userId: r.user_id,
            aspect: r.aspect,
            desiredHash: r.desired_hash,
            observedFingerprint: r.observed_fingerprint,
            appliedAt: r.applied_at.toISOString(),
            ...(r.value !== null && { value: r.value }),
          });
        },
      );
      return map;
    },

    async getAppliedDigests(
      tenantId: string,
      aspects: readonly LastAppliedRecord['aspect'][],
      userIds: readonly string[],
    ) {
      const digests = new Map<string, AppliedDigest>();
      if (aspects.length === 0 || userIds.length === 0) return digests;
      const rows = await query<DigestRow>(
        `SELECT user_id, aspect, desired_hash, observed_fingerprint, value->>'sourceUrl' AS source_url, applied_at,
           coalesce(value ? 'beforeWrite', false) AS has_before, value->>'beforeWrite' AS before_write,
           coalesce((value->>'waited')::boolean, false) AS waited
         FROM roster.last_applied
         WHERE tenant_id = $1 AND user_id = ANY($2::text[]) AND aspect = ANY($3::text[])`,
        [tenantId, userIds, aspects],
      );
      for (const r of rows) {
        const digest: AppliedDigest = {
          desiredHash: r.desired_hash,
          observedFingerprint: r.observed_fingerprint,
          appliedAt: r.applied_at.toISOString(),
        };
        if (r.source_url !== null) digest.sourceUrl = r.source_url;
        if (r.observed_fingerprint === null && r.has_before) digest.beforeWrite = r.before_write;
        if (r.observed_fingerprint === null && r.waited) digest.waited = true;
        digests.set(lastAppliedKey(r.user_id, r.aspect), digest);
      }
      return digests;
    },

    async adoptFingerprints(tenantId: string, adoptions: readonly FingerprintAdoption[]) {
      if (adoptions.length === 0) return;
      await query(
        `UPDATE roster.last_applied AS l SET observed_fingerprint = a.fingerprint,
           value = CASE WHEN a.fingerprint IS NULL
             THEN coalesce(l.value, '{}'::jsonb) || '{"waited": true}'::jsonb ELSE l.value END
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS a(user_id, aspect, desired_hash, fingerprint)
         WHERE l.tenant_id = $1 AND l.user_id = a.user_id AND l.aspect = a.aspect
           AND l.desired_hash = a.desired_hash AND l.observed_fingerprint IS NULL`,
        [
          tenantId,
          adoptions.map((a) => a.userId),
          adoptions.map((a) => a.aspect),
          adoptions.map((a) => a.desiredHash),
          adoptions.map((a) => a.fingerprint),
        ],
      );
    },

    async getDeltaLink(tenantId: string, scopeHash: string) {
      const rows = await query<{ delta_link: string }>(
        'SELECT delta_link FROM roster.delta_links WHERE tenant_id = $1 AND scope_hash = $2',
        [tenantId, scopeHash],
      );
      return rows[0]?.delta_link;
    },

    async saveDeltaLink(tenantId: string, scopeHash: string, deltaLink: string) {
      await query(
        `INSERT INTO roster.delta_links (tenant_id, scope_hash, delta_link) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, scope_hash) DO UPDATE SET delta_link = EXCLUDED.delta_link, updated_at = now()`,
        [tenantId, scopeHash, deltaLink],
      );
    },

    async lastSuccessfulSourceCount(tenantId: string) {
      const rows = await query<{ source_count: number }>(
        `SELECT source_count FROM roster.runs
         WHERE tenant_id = $1 AND outcome IN ('succeeded', 'partial') AND source_count IS NOT NULL
         ORDER BY finished_at DESC LIMIT 1`,
        [tenantId],
      );
      return rows[0]?.source_count;
    },

    async listRuns(limit: number, tenantId?: string) {
      const rows = await query<RunRow>(
        `SELECT * FROM roster.runs WHERE ($2::text IS NULL OR tenant_id = $2)
         ORDER BY started_at DESC, id LIMIT $1`,
        [limit, tenantId ?? null],
      );
      return rows.map(toRunRecord);
    },

    async getRun(runId: string) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId)) return undefined;
      const [run] = await query<RunRow>('SELECT * FROM roster.runs WHERE id = $1', [runId]);
      if (!run) return undefined;
      const journal = await query<JournalRow>('SELECT * FROM roster.journal WHERE run_id = $1 ORDER BY id', [
        runId,
      ]);
      return { ...toRunRecord(run), journal: journal.map(toJournalRecord) } satisfies RunDetail;
    },

    async close() {
      await pool.end();
    },
  };
}

/** JSON for a jsonb parameter; `undefined` is stored as SQL NULL. */
function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

interface LastAppliedRow {
  user_id: string;
  aspect: LastAppliedRecord['aspect'];
  desired_hash: string;
  observed_fingerprint: string | null;
  value: unknown;
  applied_at: Date;
}

interface IntentRow {
  run_id: string;
  user_id: string;
  aspect: WriteIntent['aspect'];
  action_key: string;
  employee_email: string | null;
  before_write: { value: string | null } | null;
}

interface DigestRow {
  user_id: string;
  aspect: LastAppliedRecord['aspect'];
  desired_hash: string;
  observed_fingerprint: string | null;
  source_url: string | null;
  applied_at: Date;
  has_before: boolean;
  waited: boolean;
  before_write: string | null;
}

interface RunRow {
  id: string;
  kind: RunRecord['kind'];
  tenant_id: string;
  actor: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: RunOutcome | null;
  plan_hash: string | null;
  config_revision: string | null;
  counts: RunCounts;
  source_count: number | null;
  error: string | null;
}

interface JournalRow {
  id: string;
  run_id: string;
  action_key: string;
  user_id: string | null;
  employee_email: string | null;
  aspect: JournalEntry['aspect'];
  before: unknown;
  after: unknown;
  status: JournalEntry['status'];
  error: unknown;
  request_id: string | null;
  at: Date;
}

function toRunRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    tenantId: r.tenant_id,
    actor: r.actor,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    outcome: r.outcome,
    planHash: r.plan_hash,
    configRevision: r.config_revision,
    counts: r.counts,
    sourceCount: r.source_count,
    error: r.error,
  };
}

function toJournalRecord(r: JournalRow): JournalRecord {
  return {
    id: Number(r.id),
    runId: r.run_id,
    at: r.at.toISOString(),
    actionKey: r.action_key,
    userId: r.user_id,
    employeeEmail: r.employee_email,
    aspect: r.aspect,
    before: r.before,
    after: r.after,
    status: r.status,
    ...(r.error !== null && { error: r.error }),
    requestId: r.request_id,
  };
}
