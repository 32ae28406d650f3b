import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/database.js';
import { postgresConfig } from '../adapters/postgres/connect.js';
import { createPostgresObservationCache } from '../adapters/postgres/observation-cache.js';
import { createPostgresStateStore } from '../adapters/postgres/state-store.js';
import type { DeltaEnd, DeltaPage, DirectoryPort } from '../ports/directory.js';
import type { ObservedUser } from './model.js';
import { observeUsers, snapshotScope } from './observe-users.js';

const user = (n: number, over: Partial<ObservedUser> = {}): ObservedUser => ({
  id: `u-${n}`,
  userPrincipalName: `person${n}@example.no`,
  mail: `person${n}@example.no`,
  proxyAddresses: [`SMTP:person${n}@example.no`],
  onPremisesSyncEnabled: false,
  fields: { jobTitle: 'Rådgiver' },
  ...over,
});

/** A delta round as a test scripts it: its pages, then how it ends (or a failure after the pages). */
type Round = { pages: DeltaPage[]; end: DeltaEnd | Error };

/** Our own port, scripted: the listing and the delta rounds a test wants (the wire is tested elsewhere). */
function scriptedDirectory(
  listing: ObservedUser[][],
  rounds: Round[],
): DirectoryPort & { deltas: number; listings: number } {
  const directory: DirectoryPort & { deltas: number; listings: number } = {
    deltas: 0,
    listings: 0,
    async *listUsers() {
      directory.listings++;
      for (const page of listing) yield page;
    },
    async delta(_link: string | undefined, onPage: (page: DeltaPage) => Promise<void>) {
      directory.deltas++;
      const next = rounds.shift();
      if (!next) throw new Error('no more delta rounds scripted');
      for (const page of next.pages) await onPage(page);
      if (next.end instanceof Error) throw next.end;
      return next.end;
    },
    async latestDeltaLink() {
      return `link-${directory.listings}`;
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

const complete = (deltaLink: string): DeltaEnd => ({ kind: 'complete', deltaLink });

describe('observeUsers: pages go straight into the snapshot tables', () => {
  it('lists once, then applies delta rounds page by page; a failed round changes nothing', async () => {
    await using db = await createTestDatabase();
    const cache = await migratedCache(db.url);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const snapshot = async () => {
        const link = await admin.query<{ delta_link: string }>(
          'SELECT delta_link FROM roster.user_snapshots',
        );
        const users = await admin.query<{ user_id: string; mail_key: string; data: ObservedUser }>(
          'SELECT user_id, mail_key, data FROM roster.snapshot_users ORDER BY user_id',
        );
        const addresses = await admin.query<{ address_key: string; user_id: string }>(
          'SELECT address_key, user_id FROM roster.snapshot_addresses ORDER BY address_key',
        );
        return {
          link: link.rows.map((r) => r.delta_link),
          users: users.rows.map((r) => [r.user_id, r.data.fields.jobTitle]),
          addresses: addresses.rows.map((r) => `${r.address_key} ${r.user_id}`),
        };
      };
      const directory = scriptedDirectory(
        [
          [user(1), user(2)],
          [user(3, { proxyAddresses: ['SMTP:Person3@Example.no', 'smtp:P3@example.no'] })],
        ],
        [
          {
            // Two pages: a change, a user moving out of scope, a removal.
            pages: [
              { users: [user(2, { fields: { jobTitle: 'Leder' } })], removed: [] },
              {
                users: [
                  user(3, {
                    mail: 'p3@elsewhere.com',
                    userPrincipalName: 'p3@elsewhere.com',
                    proxyAddresses: [],
                  }),
                ],
                removed: [{ id: 'u-1', reason: 'deleted' }],
              },
            ],
            end: complete('link-a'),
          },
          { pages: [], end: complete('link-b') },
          // Fails after a page was written: nothing of it stays.
          {
            pages: [{ users: [user(9)], removed: [{ id: 'u-2', reason: 'deleted' }] }],
            end: new Error('cut'),
          },
        ],
      );
      const options = { tenantId: 't1', domains: ['example.no'] };
      const deps = { directory, cache };

      const first = await observeUsers(deps, options);
      expect(first).toEqual({
        via: 'full',
        reason: 'no earlier observation',
        users: 3,
        scopeHash: snapshotScope(['example.no']),
      });
      expect(await snapshot()).toEqual({
        link: ['link-0'],
        users: [
          ['u-1', 'Rådgiver'],
          ['u-2', 'Rådgiver'],
          ['u-3', 'Rådgiver'],
        ],
        // Lowercased by Roster, each SMTP address once per user.
        addresses: [
          'p3@example.no u-3',
          'person1@example.no u-1',
          'person2@example.no u-2',
          'person3@example.no u-3',
        ],
      });

      expect(await observeUsers(deps, options)).toMatchObject({ via: 'delta', users: 1 });
      expect(await snapshot()).toEqual({
        link: ['link-a'],
        users: [['u-2', 'Leder']],
        addresses: ['person2@example.no u-2'],
      });

      expect(await observeUsers(deps, options)).toMatchObject({ via: 'delta', users: 1 });
      const afterNoop = await snapshot();
      expect(afterNoop.link).toEqual(['link-b']);

      await expect(observeUsers(deps, options)).rejects.toThrow('cut');
      expect(await snapshot()).toEqual(afterNoop);
      expect([directory.listings, directory.deltas]).toEqual([1, 3]);
    } finally {
      await admin.end();
      await cache.close();
    }
  });

  it('lists everything again when the token is gone, or the snapshot vanished, or when asked', async () => {
    await using db = await createTestDatabase();
    const cache = await migratedCache(db.url);
    try {
      const directory = scriptedDirectory(
        [[user(1), user(2)]],
        [
          {
            pages: [{ users: [user(5)], removed: [] }],
            end: { kind: 'resync-required', reason: '410 gone' },
          },
        ],
      );
      const options = { tenantId: 't1', domains: ['example.no'] };
      const deps = { directory, cache };
      await observeUsers(deps, options);
      const resynced = await observeUsers(deps, options);
      expect(resynced).toMatchObject({ via: 'full', reason: 'delta resync required (410 gone)', users: 2 });
      // The round's page was dropped with the round.
      const scope = snapshotScope(['example.no']);
      expect((await cache.getUsers('t1', scope, ['u-1', 'u-5'])).map((u) => u.id)).toEqual(['u-1']);

      await cache.dropUserSnapshot('t1', scope);
      expect(await observeUsers(deps, options)).toMatchObject({
        via: 'full',
        reason: 'no earlier observation',
      });
      expect(await observeUsers(deps, { ...options, fullResync: true })).toMatchObject({
        via: 'full',
        reason: 'full listing requested',
      });
      expect(await cache.countUsers('t1', scope)).toBe(2);
    } finally {
      await cache.close();
    }
  });

  it('writes a listing of many pages without holding it, and an update round cannot find a dropped snapshot', async () => {
    await using db = await createTestDatabase();
    const cache = await migratedCache(db.url);
    try {
      const pages = Array.from({ length: 5 }, (_, p) =>
        Array.from({ length: 999 }, (_, i) => user(p * 999 + i)),
      );
      const directory = scriptedDirectory(pages, []);
      const result = await observeUsers({ directory, cache }, { tenantId: 't1', domains: ['example.no'] });
      expect(result.users).toBe(4995);
      const scope = snapshotScope(['example.no']);
      expect(await cache.getUsers('t1', scope, ['u-4994', 'u-0', 'nobody'])).toEqual([user(0), user(4994)]);
      await cache.dropUserSnapshot('t1', scope);
      expect(await cache.beginRound('t1', scope, 'update')).toBeUndefined();
      expect(await cache.countUsers('t1', scope)).toBe(0);
    } finally {
      await cache.close();
    }
  });
});
