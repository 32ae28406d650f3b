import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../errors/roster-error.js';
import { freePort } from '../../local/local-postgres.js';
import type { LastAppliedRecord } from '../../observe/model.js';
import { lastAppliedKey, type JournalEntry, type StateStore } from '../../ports/state-store.js';
import { startCountingProxy } from '../../../test/support/cutting-proxy.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { postgresConfig } from './connect.js';
import { MIGRATIONS, runMigrations } from './migrations.js';
import { createPostgresStateStore } from './state-store.js';

function store(db: TestDatabase): StateStore & AsyncDisposable {
  const s = createPostgresStateStore({ connection: postgresConfig(db.url, undefined) });
  return Object.assign(s, { [Symbol.asyncDispose]: () => s.close() });
}

async function migrated(db: TestDatabase) {
  const s = store(db);
  await s.migrate();
  return s;
}

const write = (over: Partial<JournalEntry> = {}): JournalEntry => ({
  actionKey: 'soren.aero@example.no/profile',
  userId: 'u-1',
  employeeEmail: 'soren.aero@example.no',
  aspect: 'profile',
  before: { jobTitle: 'Rådgiver' },
  after: { jobTitle: 'Seniorrådgiver' },
  status: 'applied',
  requestId: 'req-1',
  ...over,
});

const applied = (over: Partial<LastAppliedRecord> = {}): LastAppliedRecord => ({
  userId: 'u-1',
  aspect: 'profile',
  desiredHash: 'sha256:aaa',
  observedFingerprint: null,
  appliedAt: '2025-01-02T03:04:05.000Z',
  value: { jobTitle: 'Seniorrådgiver' },
  ...over,
});

describe('migrations', () => {
  it('are idempotent and safe when several processes migrate at once', async () => {
    await using db = await createTestDatabase();
    const stores = [store(db), store(db), store(db), store(db)];
    await Promise.all(stores.map((s) => s.migrate()));
    await stores[0]!.migrate();
    await Promise.all(stores.map((s) => s.close()));
    const { rows } = await db.pool.query(
      'SELECT version, name FROM roster.schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const tables = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'roster' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name).sort()).toEqual([
      'apply_lock_holders',
      'campaign_audiences',
      'deep_checks',
      'delta_links',
      'journal',
      'last_applied',
      'learned_pacing',
      'runs',
      'schema_migrations',
      'snapshot_addresses',
      'snapshot_users',
      'user_snapshots',
      'write_intents',
    ]);
  });

  it('moves a version-2 user snapshot (one JSON array) into one row per user', async () => {
    await using db = await createTestDatabase();
    const client = await db.pool.connect();
    try {
      await runMigrations(client, MIGRATIONS.slice(0, 2));
      const users = [
        { id: 'u-2', userPrincipalName: 'b@example.no' },
        { id: 'u-1', userPrincipalName: 'a@example.no' },
      ];
      await client.query(
        "INSERT INTO roster.user_snapshots (tenant_id, scope_hash, users, delta_link) VALUES ('t1', 's1', $1, 'link-1')",
        [JSON.stringify(users)],
      );
      expect(await runMigrations(client, MIGRATIONS.slice(0, 3))).toEqual([3]);
      const { rows } = await client.query(
        'SELECT tenant_id, scope_hash, user_id, data FROM roster.user_snapshot_users ORDER BY user_id',
      );
      expect(rows).toEqual([
        { tenant_id: 't1', scope_hash: 's1', user_id: 'u-1', data: users[1] },
        { tenant_id: 't1', scope_hash: 's1', user_id: 'u-2', data: users[0] },
      ]);
      const links = await client.query('SELECT * FROM roster.user_snapshots');
      expect(links.rows.map((r: Record<string, unknown>) => [r.delta_link, 'users' in r])).toEqual([
        ['link-1', false],
      ]);
      // Version 4 dates the existing link by its last update.
      expect(await runMigrations(client, MIGRATIONS.slice(0, 4))).toEqual([4]);
      const dated = await client.query(
        'SELECT delta_link_at = updated_at AS same FROM roster.user_snapshots',
      );
      expect(dated.rows).toEqual([{ same: true }]);
      // Forgetting a snapshot forgets its users.
      await client.query('DELETE FROM roster.user_snapshots');
      expect((await client.query('SELECT count(*)::int AS n FROM roster.user_snapshot_users')).rows).toEqual([
        { n: 0 },
      ]);
    } finally {
      client.release();
    }
  });

  it('drops a version-6 snapshot (its users carry no match keys): the next observation lists every user', async () => {
    await using db = await createTestDatabase();
    const client = await db.pool.connect();
    try {
      await runMigrations(client, MIGRATIONS.slice(0, 6));
      await client.query(
        "INSERT INTO roster.user_snapshots (tenant_id, scope_hash, delta_link, delta_link_at) VALUES ('t1', 's1', 'l', now())",
      );
      await client.query(
        `INSERT INTO roster.user_snapshot_users (tenant_id, scope_hash, user_id, data) VALUES ('t1', 's1', 'u-1', '{}')`,
      );
      expect(await runMigrations(client)).toEqual([7, 8, 9]);
      expect((await client.query('SELECT count(*)::int AS n FROM roster.user_snapshots')).rows).toEqual([
        { n: 0 },
      ]);
    } finally {
      client.release();
    }
  });

  it('applies only what is missing, in order, and refuses a newer schema', async () => {
    await using db = await createTestDatabase();
    const client = await db.pool.connect();
    try {
      const extra = { version: 2, name: 'extra', sql: 'CREATE TABLE roster.extra (id int)' };
      expect(await runMigrations(client, [MIGRATIONS[0]!])).toEqual([1]);
      expect(await runMigrations(client, [extra, MIGRATIONS[0]!])).toEqual([2]);
      expect(await runMigrations(client, [extra, MIGRATIONS[0]!])).toEqual([]);
      await expect(runMigrations(client, [MIGRATIONS[0]!])).rejects.toThrowErrorMatchingInlineSnapshot(
        `[SourceError: the state database schema is at version 2, newer than this Roster knows (1): upgrade Roster]`,
      );
      const broken = { version: 3, name: 'broken', sql: 'CREATE TABLE roster.half (id int); SELECT nope' };
      await expect(runMigrations(client, [MIGRATIONS[0]!, extra, broken])).rejects.toThrow(
        'column "nope" does not exist',
      );
      const half = await client.query("SELECT to_regclass('roster.half') AS t");
      expect(half.rows[0].t).toBeNull();
    } finally {
      client.release();
    }
  });
});

describe('PostgreSQL state store', () => {
  it('records runs and lists them newest first with their journal', async () => {
    await using db = await createTestDatabase();
    await using s = await migrated(db);
    const first = await s.startRun({
      kind: 'plan',
      tenantId: 't1',
      actor: 'ci:pr-12',
      configRevision: 'rev1',
    });
    await s.finishRun(first, 'succeeded', { update: 2 }, undefined, 10);
    const second = await s.startRun({
      kind: 'apply',
      tenantId: 't1',
      actor: 'controller',
      planHash: 'sha256:p',
    });
    const entryId = await s.recordWrite(second, write(), applied());
    await s.recordWrite(
      second,
      write({
        actionKey: 'ola/photo',
        aspect: 'photo',
        status: 'failed',
        error: { status: 429 },
        before: null,
      }),
    );
    await s.finishRun(second, 'partial', { applied: 1, failed: 1 }, 'one action failed');
    await s.startRun({ kind: 'plan', tenantId: 't2', actor: 'someone' });

    const runs = await s.listRuns(10);
    expect(runs.map((r) => r.tenantId)).toEqual(['t2', 't1', 't1']);
    expect((await s.listRuns(1)).map((r) => r.tenantId)).toEqual(['t2']);
    expect((await s.listRuns(10, 't1')).map((r) => r.id)).toEqual([second, first]);
    expect(runs[0]).toMatchObject({ finishedAt: null, outcome: null, counts: {}, sourceCount: null });

    const detail = await s.getRun(second);
    expect(detail).toMatchObject({
      id: second,
      kind: 'apply',
      actor: 'controller',
      planHash: 'sha256:p',
      outcome: 'partial',
      counts: { applied: 1, failed: 1 },
      error: 'one action failed',
    });
    expect(Date.parse(detail!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(detail!.startedAt));
    expect(detail!.journal).toHaveLength(2);
    expect(detail!.journal[0]).toMatchObject({ id: entryId, runId: second, ...write() });
    expect(detail!.journal[1]).toMatchObject({ status: 'failed', error: { status: 429 }, before: null });
    expect(await s.getRun('not-a-uuid')).toBeUndefined();
    expect(await s.getRun('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('journals a write, with or without its last-applied record, in one round trip', async () => {
    await using db = await createTestDatabase();
    await (await migrated(db)).close();
    const proxy = await startCountingProxy(new URL(db.url));
    const s = createPostgresStateStore({ connection: postgresConfig(proxy.url, undefined) });
    try {
      const run = await s.startRun({ kind: 'apply', tenantId: 't1', actor: 'me' });
      const before = proxy.roundTrips;
      await s.recordWrite(run, write(), applied());
      expect(proxy.roundTrips - before).toBe(1);
      await s.recordWrite(run, write({ status: 'failed', error: { status: 500 } }));
      expect(proxy.roundTrips - before).toBe(2);
      expect((await s.getLastApplied('t1')).size).toBe(1);
      expect((await s.getRun(run))!.journal.map((j) => j.status)).toEqual(['applied', 'failed']);
    } finally {
      await s.close();
      await proxy.close();
    }
  });

  it('stores a journal row and its last-applied record together, or neither', async () => {
    await using db = await createTestDatabase();
    await using s = await migrated(db);
    const run = await s.startRun({ kind: 'apply', tenantId: 't1', actor: 'me' });
    const journalCount = async () =>
      (await db.pool.query('SELECT count(*)::int AS n FROM roster.journal')).rows[0].n as number;

    // The journal insert succeeds, then the last-applied upsert violates a CHECK constraint.
    const bad = applied({ aspect: 'mailbox' as LastAppliedRecord['aspect'] });
    await expect(s.recordWrite(run, write(), bad)).rejects.toThrow(
      'new row for relation "last_applied" violates check constraint "last_applied_aspect_check"',
    );
    expect(await journalCount()).toBe(0);
    expect((await s.getLastApplied('t1')).size).toBe(0);

    await expect(s.recordWrite(run, write({ status: 'failed' }), applied())).rejects.toThrow(
      'recordWrite: a failed write cannot update last-applied (a bug in the caller)',
    );
    expect(await journalCount()).toBe(0);

    await s.recordWrite(run, write(), applied());
    await s.recordWrite(run, write(), applied({ desiredHash: 'sha256:bbb', observedFingerprint: 'etag-2' }));
    await s.recordWrite(run, write({ aspect: 'photo' }), applied({ aspect: 'photo', value: undefined }));
    expect(await journalCount()).toBe(3);
    const map = await s.getLastApplied('t1');
    expect([...map.keys()].sort()).toEqual(['u-1/photo', 'u-1/profile']);
    expect(map.get(lastAppliedKey('u-1', 'profile'))).toEqual(
      applied({ desiredHash: 'sha256:bbb', observedFingerprint: 'etag-2' }),
    );
    expect(map.get(lastAppliedKey('u-1', 'photo'))).not.toHaveProperty('value');
    expect([...(await s.getLastApplied('t1', ['photo', 'signature'])).keys()]).toEqual(['u-1/photo']);
    expect([...(await s.getLastApplied('t1', ['profile'])).keys()]).toEqual(['u-1/profile']);
    expect((await s.getLastApplied('t1', [])).size).toBe(0);
    expect((await s.getLastApplied('t2')).size).toBe(0);
  });

  it('reads many last-applied records page by page, every one exactly once', async () => {
    await using db = await createTestDatabase();
    await using s = await migrated(db);
    // 2,501 users × 3 aspects, in two tenants: more than one page of each filter.
    await db.pool.query(
      `INSERT INTO roster.last_applied (tenant_id, user_id, aspect, desired_hash, applied_at)
       SELECT t, 'u-' || i, a, 'h-' || i || '-' || a, now()
       FROM generate_series(1, 2501) AS i, unnest(ARRAY['profile', 'photo', 'signature']) AS a,
            unnest(ARRAY['t1', 't2']) AS t`,
    );
    const all = await s.getLastApplied('t1');
    expect(all.size).toBe(7503);
    const two = await s.getLastApplied('t1', ['photo', 'signature']);
    expect(two.size).toBe(5002);
    for (let i = 1; i <= 2501; i++) {
      expect(two.get(lastAppliedKey(`u-${i}`, 'photo'))?.desiredHash).toBe(`h-${i}-photo`);
      expect(two.get(lastAppliedKey(`u-${i}`, 'signature'))?.desiredHash).toBe(`h-${i}-signature`);
    }
    expect([...two.values()].some((r) => r.aspect === 'profile')).toBe(false);

    // What planning reads per slice: the digests alone, of the slice's users.
    await db.pool.query(
      `UPDATE roster.last_applied SET value = jsonb_build_object('sourceUrl', 'https://hr.example/' || user_id),
         observed_fingerprint = 'etag-' || user_id
       WHERE aspect = 'photo'`,
    );
    const slice = Array.from({ length: 2000 }, (_, i) => `u-${i + 502}`);
    const digests = await s.getAppliedDigests('t1', ['photo', 'signature'], [...slice, 'u-7', 'nobody']);
    expect(digests.size).toBe(4002);
    expect(digests.get(lastAppliedKey('u-2501', 'photo'))).toStrictEqual({
      desiredHash: 'h-2501-photo',
      observedFingerprint: 'etag-u-2501',
      sourceUrl: 'https://hr.example/u-2501',
      appliedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(digests.get(lastAppliedKey('u-7', 'signature'))).toStrictEqual({
      desiredHash: 'h-7-signature',
      observedFingerprint: null,
      appliedAt: expect.any(String),
    });
    // An unconfirmed write carries what the plan saw before it (null: no photo), when it saw it.
    await db.pool.query(
      `UPDATE roster.last_applied SET observed_fingerprint = NULL,
         value = value || jsonb_build_object('beforeWrite', CASE WHEN user_id = 'u-600' THEN NULL ELSE 'etag-old' END)
       WHERE aspect = 'photo' AND user_id IN ('u-600', 'u-601')`,
    );
    const unconfirmed = await s.getAppliedDigests('t1', ['photo'], ['u-600', 'u-601', 'u-602']);
    expect(unconfirmed.get('u-600/photo')?.beforeWrite).toBeNull();
    expect(unconfirmed.get('u-601/photo')?.beforeWrite).toBe('etag-old');
    expect(unconfirmed.get('u-602/photo')).not.toHaveProperty('beforeWrite');
    // A deep check's adoption fills in only unconfirmed records of the same write.
    await s.adoptFingerprints('t1', [
      { userId: 'u-600', aspect: 'photo', desiredHash: 'h-600-photo', fingerprint: 'etag-new' },
      { userId: 'u-601', aspect: 'photo', desiredHash: 'another write', fingerprint: 'etag-new' },
      { userId: 'u-602', aspect: 'photo', desiredHash: 'h-602-photo', fingerprint: 'etag-new' },
    ]);
    const adopted = await s.getAppliedDigests('t1', ['photo'], ['u-600', 'u-601', 'u-602']);
    expect(['u-600', 'u-601', 'u-602'].map((u) => adopted.get(`${u}/photo`)?.observedFingerprint)).toEqual([
      'etag-new',
      null,
      'etag-u-602',
    ]);
    expect((await s.getAppliedDigests('t1', ['profile'], slice)).size).toBe(2000);
    expect((await s.getAppliedDigests('t1', [], slice)).size).toBe(0);
    expect((await s.getAppliedDigests('t2', ['photo'], ['u-7'])).get('u-7/photo')?.desiredHash).toBe(
      'h-7-photo',
    );
  });

  it('keeps the last successful source count per tenant', async () => {
    await using db = await createTestDatabase();
    await using s = await migrated(db);
    expect(await s.lastSuccessfulSourceCount('t1')).toBeUndefined();
    const finished = async (
      outcome: 'succeeded' | 'partial' | 'failed' | 'stopped',
      count: number,
      tenant = 't1',
    ) => {
      const id = await s.startRun({ kind: 'apply', tenantId: tenant, actor: 'c', sourceCount: count });
      await s.finishRun(id, outcome, {});
    };
    await finished('succeeded', 100);
    await finished('partial', 98);
    await finished('stopped', 3);
    await finished('failed', 0);
    await finished('succeeded', 500, 't2');
    await s.startRun({ kind: 'apply', tenantId: 't1', actor: 'c', sourceCount: 1 });
    expect(await s.lastSuccessfulSourceCount('t1')).toBe(98);
    expect(await s.lastSuccessfulSourceCount('t2')).toBe(500);
  });

  it('saves and replaces delta links per tenant and scope', async () => {
    await using db = await createTestDatabase();
    await using s = await migrated(db);
    expect(await s.getDeltaLink('t1', 'scope-a')).toBeUndefined();
    await s.saveDeltaLink('t1', 'scope-a', 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=1');
    await s.saveDeltaLink('t1', 'scope-a', 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=2');
    await s.saveDeltaLink('t1', 'scope-b', 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=9');
    expect(await s.getDeltaLink('t1', 'scope-a')).toBe(
      'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=2',
    );
    expect(await s.getDeltaLink('t2', 'scope-a')).toBeUndefined();
  });

  it('says where it cannot connect, without the password', async () => {
    const port = await freePort();
    const s = createPostgresStateStore({
      connection: postgresConfig(`postgres://roster:T0p-secret@127.0.0.1:${port}/roster`, undefined),
    });
    const error = await s.migrate().catch((e: unknown) => e);
    await s.close();
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(
      `cannot connect to the state database at 127.0.0.1:${port}/roster: ECONNREFUSED`,
    );
  });

  it('marks its connections so operators can tell them apart', async () => {
    await using db = await createTestDatabase();
    await using s = await migrated(db);
    await s.listRuns(1);
    const probe = new pg.Client({ connectionString: db.url });
    await probe.connect();
    const { rows } = await probe.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'roster-state' AND datname = current_database()",
    );
    await probe.end();
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
