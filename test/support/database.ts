import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { startEmbeddedPostgres } from '../../src/local/local-postgres.js';

/** A fresh database on the suite's server, dropped on dispose. */
export interface TestDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function createTestDatabase(
  options: {
    /** `SQL_ASCII`: a database that stores whatever bytes it is given (an HR system's legacy). */
    encoding?: 'SQL_ASCII';
  } = {},
): Promise<TestDatabase> {
  if (inject('databaseKind') === 'embedded') return embeddedTestDatabase();
  const serverUrl = inject('databaseUrl');
  const name = `roster_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(
    options.encoding
      ? `CREATE DATABASE ${name} ENCODING '${options.encoding}' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`
      : `CREATE DATABASE ${name}`,
  );
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 5 });
  // DROP ... WITH (FORCE) at dispose can beat an idle client's own goodbye; its error must not crash the run.
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    pool,
    async [Symbol.asyncDispose]() {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** PGlite serves a single database, so an embedded test database is a PGlite instance of its own. */
async function embeddedTestDatabase(): Promise<TestDatabase> {
  const server = await startEmbeddedPostgres();
  const pool = new pg.Pool({ connectionString: server.url, max: 5 });
  pool.on('error', () => undefined);
  return {
    url: server.url,
    pool,
    async [Symbol.asyncDispose]() {
      await pool.end();
      await server.stop();
    },
  };
}
