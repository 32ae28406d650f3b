import { describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { postgresConfig } from './connect.js';
import { createPostgresPacingStore } from './pacing-store.js';
import { createPostgresStateStore } from './state-store.js';

async function migrated(db: TestDatabase) {
  const state = createPostgresStateStore({ connection: postgresConfig(db.url, undefined) });
  await state.migrate();
  await state.close();
  const store = createPostgresPacingStore(postgresConfig(db.url, undefined));
  return Object.assign(store, { [Symbol.asyncDispose]: () => store.close() });
}

const at = new Date('2025-03-01T12:00:00.000Z');

describe('createPostgresPacingStore', () => {
  it('starts empty, keeps one pace per tenant and API, and replaces it on save', async () => {
    await using db = await createTestDatabase();
    await using store = await migrated(db);
    expect(await store.loadPacing('t1')).toEqual([]);
    const exchange = {
      api: 'exchange',
      lanes: { requests: { rate: 5.7, estimate: 6 } },
      concurrency: 3,
      learnedAt: at,
    };
    const graph = {
      api: 'graph',
      lanes: { units: { rate: 700 }, writes: { rate: 19.5 } },
      concurrency: 8,
      learnedAt: at,
    };
    await store.savePacing('t1', [exchange, graph]);
    await store.savePacing('t2', [{ ...exchange, concurrency: 1 }]);
    const later = new Date(at.getTime() + 60_000);
    await store.savePacing('t1', [{ ...exchange, lanes: { requests: { rate: 4 } }, learnedAt: later }]);
    expect(await store.loadPacing('t1')).toEqual([
      { api: 'exchange', lanes: { requests: { rate: 4 } }, concurrency: 3, learnedAt: later },
      graph,
    ]);
    expect((await store.loadPacing('t2')).map((p) => p.concurrency)).toEqual([1]);
    await store.savePacing('t1', []);
    expect(await store.loadPacing('t1')).toHaveLength(2);
  });
});
