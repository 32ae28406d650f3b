import pg from 'pg';
import { connectionError, queryFailure } from './connect.js';

/** A one-connection pool on the state database, errors worded like the state store's. */
export interface SmallPool {
  query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * A pool of one connection for a small store beside the state store (learned pacing, campaign
 * audiences): its few queries must not wait behind the journal's connections.
 */
export function createSmallPool(connection: pg.PoolConfig, applicationName: string): SmallPool {
  const pool = new pg.Pool({ application_name: applicationName, ...connection, max: 1 });
  // Idle clients whose server went away emit 'error' on the pool; the next query reports it.
  pool.on('error', () => undefined);
  return {
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
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
    },
    close: () => pool.end(),
  };
}
