import pg from 'pg';
import type { CampaignAudienceStore, ShownAudience } from '../../ports/campaign-audiences.js';
import { connectionError, queryFailure } from './connect.js';

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
  const pool = new pg.Pool({ application_name: 'roster-campaigns', ...connection, max: 1 });
  // Idle clients whose server went away emit 'error' on the pool; the next query reports it.
  pool.on('error', () => undefined);

  async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw connectionError(error, connection, 'state');
    }
    try {
      return (await client.query<R>(sql, params)).rows;
    } catch (error) {
      throw queryFailure(error, connection, 'state');
    } finally {
      client.release();
    }
  }

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
    close: () => pool.end(),
  };
}
