import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database.js';
import type { ObservedUser } from '../../observe/model.js';
import { indexUsers } from '../../plan/match-employees.js';
import type { ObservationCache, UserLookup } from '../../ports/observation-cache.js';
import { postgresConfig } from './connect.js';
import { createPostgresObservationCache } from './observation-cache.js';
import { createPostgresStateStore } from './state-store.js';

const user = (id: string, over: Partial<ObservedUser> = {}): ObservedUser => ({
  id,
  userPrincipalName: `${id}@example.no`,
  mail: `${id}@example.no`,
  proxyAddresses: [`SMTP:${id}@example.no`],
  onPremisesSyncEnabled: false,
  fields: {},
  ...over,
});

async function snapshotOf(url: string, users: ObservedUser[]): Promise<ObservationCache> {
  const connection = postgresConfig(url, undefined);
  const store = createPostgresStateStore({ connection });
  await store.migrate();
  await store.close();
  const cache = createPostgresObservationCache(connection);
  const round = await cache.beginRound('t1', 's1', 'replace');
  for (let i = 0; i < users.length; i += 999) await round.putUsers(users.slice(i, i + 999));
  await round.commit('link-1');
  return cache;
}

/** A lookup's users in id order, so the database's and memory's answers compare. */
const sorted = (found: UserLookup | undefined) =>
  found && { rule: found.rule, users: found.users.map((u) => u.id).sort() };

describe('snapshot matcher on PostgreSQL', () => {
  it('finds users by mail, then userPrincipalName, then SMTP alias, lowercased as Roster lowercases', async () => {
    await using db = await createTestDatabase();
    const users = [
      user('by-mail', { mail: 'Kari@Example.no', userPrincipalName: 'k1@example.no', proxyAddresses: [] }),
      // Found by its UPN for kari@, but mail decides first.
      user('upn-kari', { mail: null, userPrincipalName: 'kari@example.no', proxyAddresses: [] }),
      user('by-upn', { mail: null, userPrincipalName: 'OLA@example.no', proxyAddresses: [] }),
      user('alias', { mail: 'x@example.no', proxyAddresses: ['SMTP:x@example.no', 'smtp:Per@Example.no'] }),
      user('sip', { mail: 'y@example.no', proxyAddresses: ['SIP:lise@example.no'] }),
      user('twin-1', { mail: 'twin@example.no' }),
      user('twin-2', { mail: 'TWIN@example.no' }),
      // JavaScript lowercases more than PostgreSQL in a C-locale database: Å, and the Kelvin sign.
      user('nordic', { mail: 'ÅSE.ÆRØ@EXAMPLE.NO' }),
      user('kelvin', { mail: '\u212Aelvin@example.no' }),
    ];
    const cache = await snapshotOf(db.url, users);
    const matcher = await cache.openMatcher('t1', 's1');
    try {
      const keys = [
        'kari@example.no',
        'ola@example.no',
        'per@example.no',
        'lise@example.no',
        'twin@example.no',
        'åse.ærø@example.no',
        'kelvin@example.no',
        'nobody@example.no',
      ];
      const found = await matcher.findUsers(keys);
      const memory = indexUsers(users);
      expect(Object.fromEntries(keys.map((k) => [k, sorted(found.get(k))]))).toEqual({
        'kari@example.no': { rule: 'mail', users: ['by-mail'] },
        'ola@example.no': { rule: 'userPrincipalName', users: ['by-upn'] },
        'per@example.no': { rule: 'proxyAddresses', users: ['alias'] },
        'lise@example.no': undefined,
        'twin@example.no': { rule: 'mail', users: ['twin-1', 'twin-2'] },
        'åse.ærø@example.no': { rule: 'mail', users: ['nordic'] },
        'kelvin@example.no': { rule: 'mail', users: ['kelvin'] },
        'nobody@example.no': undefined,
      });
      for (const key of keys) expect(sorted(found.get(key)), key).toEqual(sorted(memory(key)));
      expect(found.get('kari@example.no')?.users[0]).toEqual(users[0]);
    } finally {
      await matcher.close();
      await cache.close();
    }
  });

  it('agrees with the in-memory lookup on 6,000 users, and finds every user claimed by several keys', async () => {
    await using db = await createTestDatabase();
    // Every 5th user's UPN and every 7th user's alias is a key of its own (x…, y…): such a user is
    // found by two keys, its mail's and that one. Every 13th has no mail; every 17th shares a UPN.
    const users = Array.from({ length: 6000 }, (_, i) =>
      user(`u${i}`, {
        mail: i % 13 === 0 ? null : `u${i}@example.no`,
        userPrincipalName:
          i % 5 === 0 ? `x${i}@example.no` : i % 17 === 0 ? 'shared@example.no' : `u${i}@example.no`,
        proxyAddresses: [`SMTP:u${i}@example.no`, ...(i % 7 === 0 ? [`smtp:y${i}@example.no`] : [])],
      }),
    );
    const cache = await snapshotOf(db.url, users);
    const matcher = await cache.openMatcher('t1', 's1');
    try {
      const keys = [
        'shared@example.no',
        ...['u', 'x', 'y'].flatMap((p) => Array.from({ length: 6000 }, (_, i) => `${p}${i}@example.no`)),
      ];
      const memory = indexUsers(users);
      const byKey = new Map<string, string>();
      for (let i = 0; i < keys.length; i += 2000) {
        const slice = keys.slice(i, i + 2000);
        const found = await matcher.findUsers(slice);
        for (const key of slice) {
          expect(sorted(found.get(key)), key).toEqual(sorted(memory(key)));
          const one = memory(key);
          if (one?.users.length === 1) byKey.set(key, one.users[0]!.id);
        }
        await matcher.addEmployeeKeys(slice);
      }
      const claimedBy = new Map<string, string[]>();
      for (const [key, id] of byKey) claimedBy.set(id, [...(claimedBy.get(id) ?? []), key]);
      const expected = new Map(
        [...claimedBy].filter(([, k]) => k.length > 1).map(([id, k]) => [id, k.sort()]),
      );
      const shared = await matcher.sharedUsers();
      expect(shared.size).toBeGreaterThan(100);
      expect(shared).toEqual(expected);
    } finally {
      await matcher.close();
      await cache.close();
    }
  });

  it('stops finding a user by an alias it lost in a later round', async () => {
    await using db = await createTestDatabase();
    const cache = await snapshotOf(db.url, [
      user('a', { proxyAddresses: ['SMTP:a@example.no', 'smtp:old@example.no'] }),
    ]);
    try {
      const round = (await cache.beginRound('t1', 's1', 'update'))!;
      await round.putUsers([user('a', { proxyAddresses: ['SMTP:a@example.no', 'smtp:new@example.no'] })]);
      await round.commit('link-2');
      const matcher = await cache.openMatcher('t1', 's1');
      const found = await matcher.findUsers(['old@example.no', 'new@example.no']);
      await matcher.close();
      expect([...found.keys()]).toEqual(['new@example.no']);
    } finally {
      await cache.close();
    }
  });
});
