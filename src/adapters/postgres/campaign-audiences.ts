import type pg from 'pg';
import type { CampaignAudienceStore, ShownAudience } from '../../ports/campaign-audiences.js';
import { createSmallPool } from './small-pool.js';

interface Row {
  campaign: string;
  kind: 'start' | 'end';
  boundary: Date;
  audience: number;
}

/** Boundaries further back than this are of no run's use any more: forgotten when a plan records. */
const KEEP_DAYS = 90;

/**
 * Shown campaign audiences in Roster's state database (`roster.campaign_audiences`, migration 9,
 * applied by the state store's `migrate()`). One small pool of its own, like the pacing store's.
 */
export function createPostgresCampaignAudienceStore(connection: pg.PoolConfig): CampaignAudienceStore {
  const { query, close } = createSmallPool(connection, 'roster-campaigns');

  return {
    async shownAudiences(tenantId) {
      const rows = await query<Row>(
        `SELECT campaign, kind, boundary, audience FROM roster.campaign_audiences
         WHERE tenant_id = $1 ORDER BY campaign, boundary, kind`,
        [tenantId],
      );
      return rows.map((r): ShownAudience => ({
        campaign: r.campaign,
        kind: r.kind,
        at: r.boundary.toISOString(),
        audience: r.audience,
      }));
    },
    async recordShown(tenantId, shown, shownAt) {
      await query(
        `WITH shown AS (
           INSERT INTO roster.campaign_audiences (tenant_id, campaign, kind, boundary, audience, shown_at)
           SELECT $1, s->>'campaign', s->>'kind', (s->>'at')::timestamptz, (s->>'audience')::integer, $3
           FROM jsonb_array_elements($2::jsonb) AS s
           ON CONFLICT (tenant_id, campaign, kind, boundary) DO UPDATE
             SET audience = EXCLUDED.audience, shown_at = EXCLUDED.shown_at
           RETURNING 1
         )
         DELETE FROM roster.campaign_audiences
         WHERE tenant_id = $1 AND boundary < $3::timestamptz - make_interval(days => $4)`,
        [tenantId, JSON.stringify(shown), shownAt, KEEP_DAYS],
      );
    },
    close,
  };
}
