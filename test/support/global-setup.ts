import type { TestProject } from 'vitest/node';
import { startLocalPostgres, type LocalPostgres } from '../../src/local/local-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let pg: LocalPostgres | undefined;

/**
 * One PostgreSQL for the whole suite: `DATABASE_URL` when given, else a throwaway cluster
 * (initdb/pg_ctl), else — only where no server binary exists — embedded PGlite, said aloud.
 * Each test file then creates its own database (see `test/support/database.ts`).
 */
export async function setup(project: TestProject) {
  const given = process.env.DATABASE_URL;
  if (given) {
    project.provide('databaseUrl', given);
    return;
  }
  pg = await startLocalPostgres({ requireServer: process.env.ROSTER_TEST_REQUIRE_POSTGRES === '1' });
  if (pg.kind === 'embedded') {
    console.warn('test: no PostgreSQL server binary found; using embedded PGlite over the wire protocol');
  }
  project.provide('databaseUrl', pg.url);
}

export async function teardown() {
  await pg?.stop();
}
