import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/database.js';
import { postgresConfig } from '../adapters/postgres/connect.js';
import { createPostgresObservationCache } from '../adapters/postgres/observation-cache.js';
import { createPostgresStateStore } from '../adapters/postgres/state-store.js';
import type { DeltaResult, DirectoryPort } from '../ports/directory.js';
import type { ObservedUser } from './model.js';
import { observeUsers } from './observe-users.js';

const user = (n: number, over: Partial<ObservedUser> = {}): ObservedUser => ({
  id: `u-${n}`,
  userPrincipalName: `person${n}@example.no`,
  mail: `person${n}@example.no`,
  proxyAddresses: [`SMTP:person${n}@example.no`],
  onPremisesSyncEnabled: false,
  fields: { jobTitle: 'Rådgiver' },
  ...over,
});

/** Our own port, scripted: the delta rounds a test wants, in order (the wire is tested elsewhere). */
function scriptedDirectory(users: ObservedUser[], rounds: DeltaResult[]): DirectoryPort & { deltas: number } {
  const directory = {
    deltas: 0,
    async *listUsers() {
      yield users;
    },
    async delta() {
      directory.deltas++;
      const next = rounds.shift();
      if (!next) throw new Error('no more delta rounds scripted');
      return next;
    },
    async latestDeltaLink() {
      return 'link-0';
    },
    async getUsers() {
      return [];
    },
    async patchUsers() {
      return [];
    },
  };
  return directory;
}

/** The real PostgreSQL cache, on a database migrated by the state store (which owns the schema). */
async function migratedCache(url: string) {
  const connection = postgresConfig(url, undefined);
  const store = createPostgresStateStore({ connection });
  await store.migrate();
  await store.close();
  return createPostgresObservationCache(connection);
}

describe('observeUsers', () => {
  it('lists once, then applies delta rounds; a round without changes only moves the link on', async () => {
    await using db = await createTestDatabase();
    const real = await migratedCache(db.url);
    const saves: number[] = [];
    const updates: Array<[number, number]> = [];
    // The real adapter, counting whole-snapshot writes and the users each delta round writes.
    const cache = {
      ...real,
      saveUserSnapshot: (...args: Parameters<typeof real.saveUserSnapshot>) => {
        saves.push(args[2].users.length);
        return real.saveUserSnapshot(...args);
      },
      updateUserSnapshot: (...args: Parameters<typeof real.updateUserSnapshot>) => {
        updates.push([args[2].users.length, args[2].removedIds.length]);
        return real.updateUserSnapshot(...args);
      },
    };
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const snapshotRow = async () =>
        (
          await admin.query<{ delta_link: string; users: ObservedUser[] }>(
            `SELECT delta_link, (SELECT coalesce(jsonb_agg(data ORDER BY user_id), '[]') FROM roster.user_snapshot_users u
               WHERE u.tenant_id = s.tenant_id AND u.scope_hash = s.scope_hash) AS users
             FROM roster.user_snapshots s`,
          )
        ).rows;
      const directory = scriptedDirectory(
        [user(1), user(2)],
        [
          {
            kind: 'changes',
            users: [user(2, { fields: { jobTitle: 'Leder' } })],
            removed: [],
            deltaLink: 'link-1',
          },
          { kind: 'changes', users: [], removed: [], deltaLink: 'link-2' },
          { kind: 'changes', users: [], removed: [{ id: 'u-1', reason: 'deleted' }], deltaLink: 'link-3' },
        ],
      );
      const options = { tenantId: 't1', domains: ['example.no'] };
      const deps = { directory, cache };

      const first = await observeUsers(deps, options);
      expect(first).toMatchObject({ via: 'full', reason: 'no earlier observation' });
      expect(first.users.map((u) => u.id)).toEqual(['u-1', 'u-2']);

      const second = await observeUsers(deps, options);
      expect(second.via).toBe('delta');
      expect(second.users.find((u) => u.id === 'u-2')?.fields.jobTitle).toBe('Leder');
      const [afterChange] = await snapshotRow();
      expect(afterChange?.delta_link).toBe('link-1');

      // No changes: the same users come back, and only the link was updated (same users value).
      const third = await observeUsers(deps, options);
      expect(third.via).toBe('delta');
      expect(third.users).toEqual(second.users);
      expect(saves).toEqual([2]);
      expect(updates).toEqual([
        [1, 0],
        [0, 0],
      ]);
      const [afterNoop] = await snapshotRow();
      expect(afterNoop).toMatchObject({ delta_link: 'link-2', users: afterChange?.users });

      const fourth = await observeUsers(deps, options);
      expect(fourth.users.map((u) => u.id)).toEqual(['u-2']);
      expect((await snapshotRow())[0]).toMatchObject({ delta_link: 'link-3' });
      expect((await snapshotRow())[0]?.users.map((u) => u.id)).toEqual(['u-2']);
      expect(directory.deltas).toBe(3);
      // Only the listing wrote every user; each delta round wrote what it changed.
      expect(saves).toEqual([2]);
      expect(updates).toEqual([
        [1, 0],
        [0, 0],
        [0, 1],
      ]);
    } finally {
      await admin.end();
      await real.close();
    }
  });

  it('a round without changes whose snapshot vanished meanwhile still saves the users', async () => {
    await using db = await createTestDatabase();
    const real = await migratedCache(db.url);
    // The snapshot is read, then dropped by someone else before the link is advanced.
    const cache = {
      ...real,
      async getUserSnapshot(tenantId: string, scopeHash: string) {
        const snapshot = await real.getUserSnapshot(tenantId, scopeHash);
        await real.dropUserSnapshot(tenantId, scopeHash);
        return snapshot;
      },
    };
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const directory = scriptedDirectory(
        [user(1)],
        [{ kind: 'changes', users: [], removed: [], deltaLink: 'link-9' }],
      );
      const options = { tenantId: 't1', domains: ['example.no'] };
      await observeUsers({ directory, cache: real }, options);
      const again = await observeUsers({ directory, cache }, options);
      expect(again.via).toBe('delta');
      expect(again.users.map((u) => u.id)).toEqual(['u-1']);
      const { rows } = await admin.query<{ delta_link: string; users: ObservedUser[] }>(
        `SELECT delta_link, (SELECT jsonb_agg(data) FROM roster.user_snapshot_users) AS users
         FROM roster.user_snapshots`,
      );
      expect(rows).toEqual([{ delta_link: 'link-9', users: [user(1)] }]);
    } finally {
      await admin.end();
      await real.close();
    }
  });

  it('reads a snapshot larger than a page whole, in user id order', async () => {
    await using db = await createTestDatabase();
    const cache = await migratedCache(db.url);
    try {
      // 4,501 users: more than two pages of the snapshot read.
      const many = Array.from({ length: 4501 }, (_, i) =>
        user(i, { fields: { jobTitle: i % 2 ? 'Rådgiver' : 'Leder', department: `Avdeling ${i % 7}` } }),
      );
      const directory = scriptedDirectory(many, [
        { kind: 'changes', users: [], removed: [], deltaLink: 'link-1' },
      ]);
      const options = { tenantId: 't1', domains: ['example.no'] };
      await observeUsers({ directory, cache }, options);
      const again = await observeUsers({ directory, cache }, options);
      expect(again.via).toBe('delta');
      const byId = (a: ObservedUser, b: ObservedUser) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      expect(again.users).toEqual([...many].sort(byId));
    } finally {
      await cache.close();
    }
  });
});
