import type pg from 'pg';
import type { LearnedPace, PacingStore } from '../../ports/pacing-store.js';
import { createSmallPool } from './small-pool.js';

interface Row {
  api: string;
  lanes: LearnedPace['lanes'];
  concurrency: number;
  learned_at: Date;
}

/**
 * Learned paces in Roster's state database (`roster.learned_pacing`, migration 4, applied by the
 * state store's `migrate()`). One small pool of its own: a save at the end of a run must not
 * wait behind the journal's connections.
 */
export function createPostgresPacingStore(connection: pg.PoolConfig): PacingStore {
  const { query, close } = createSmallPool(connection, 'roster-pacing');

  return {
    async loadPacing(tenantId) {
      const rows = await query<Row>(
        'SELECT api, lanes, concurrency, learned_at FROM roster.learned_pacing WHERE tenant_id = $1 ORDER BY api',
        [tenantId],
      );
      return rows.map((r) => ({
        api: r.api,
        lanes: r.lanes,
        concurrency: r.concurrency,
        learnedAt: r.learned_at,
      }));
    },
    async savePacing(tenantId, paces) {
      if (paces.length === 0) return;
      await query(
        `INSERT INTO roster.learned_pacing (tenant_id, api, lanes, concurrency, learned_at)
         SELECT $1, p->>'api', p->'lanes', (p->>'concurrency')::integer, (p->>'learnedAt')::timestamptz
         FROM jsonb_array_elements($2::jsonb) AS p
         ON CONFLICT (tenant_id, api) DO UPDATE
           SET lanes = EXCLUDED.lanes, concurrency = EXCLUDED.concurrency, learned_at = EXCLUDED.learned_at`,
        [
          tenantId,
          JSON.stringify(paces.map((p) => ({ ...p, concurrency: Math.max(1, Math.round(p.concurrency)) }))),
        ],
      );
    },
    close,
  };
}
