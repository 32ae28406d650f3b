import pg from 'pg';

/** What the state database held of Roster's memory when a seed's first sync began. */
export interface StateRows {
  learnedPacing: number;
  /** Users in the snapshot (`roster.snapshot_users`). */
  snapshots: number;
  lastApplied: number;
}

/**
 * Drops Roster's schema so the next run migrates an empty state database: no learned pacing, no
 * snapshot, no last-applied records. The HR tables live outside it and stay. Returns what the
 * state held before (what an earlier seed left) and after (tables absent count as empty), so the
 * report shows that the start was cold and what would otherwise have carried over.
 */
export async function resetRosterState(url: string): Promise<{ before: StateRows; after: StateRows }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const before = await stateRows(client);
    await client.query('DROP SCHEMA IF EXISTS roster CASCADE');
    return { before, after: await stateRows(client) };
  } finally {
    await client.end();
  }
}

async function stateRows(client: pg.Client): Promise<StateRows> {
  const count = async (table: string) => {
    const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
    if (rows[0]?.t == null) return 0;
    const res = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(res.rows[0]?.n ?? 0);
  };
  return {
    learnedPacing: await count('roster.learned_pacing'),
    snapshots: await count('roster.snapshot_users'),
    lastApplied: await count('roster.last_applied'),
  };
}
