import type { TestProject } from 'vitest/node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startEmbeddedPostgres,
  startLocalPostgres,
  type LocalPostgres,
} from '../../src/local/local-postgres.js';
import { SIM_CA_CERT_ENV, SIM_CA_KEY_ENV, writeCa } from '../../src/sim/tls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** `embedded`: PGlite, one database per server, so each test database gets its own instance. */
    databaseKind: 'server' | 'embedded';
  }
}

let pg: LocalPostgres | undefined;
let caDir: string | undefined;

/**
 * One dev CA per test run for the tenant simulator. Node's fetch and @azure/identity read
 * `NODE_EXTRA_CA_CERTS` only at process start, so it is set here, before the forked workers
 * start and inherit it; `createSimulator` issues its server certificate from this CA.
 */
async function setupSimulatorCa() {
  if (process.env[SIM_CA_CERT_ENV] && process.env[SIM_CA_KEY_ENV]) return;
  caDir = await mkdtemp(join(tmpdir(), 'roster-test-ca-'));
  const { certFile, keyFile } = await writeCa(caDir);
  process.env[SIM_CA_CERT_ENV] = certFile;
  process.env[SIM_CA_KEY_ENV] = keyFile;
  process.env.NODE_EXTRA_CA_CERTS = certFile;
}

/**
 * One PostgreSQL for the whole suite: `DATABASE_URL` when given, else a throwaway cluster
 * (initdb/pg_ctl), else — only where no server binary exists — embedded PGlite, said aloud.
 * Each test file then creates its own database (see `test/support/database.ts`).
 */
export async function setup(project: TestProject) {
  await setupSimulatorCa();
  const given = process.env.DATABASE_URL;
  if (given) {
    project.provide('databaseUrl', given);
    project.provide('databaseKind', 'server');
    return;
  }
  // ROSTER_TEST_POSTGRES=embedded forces the fallback (to test it on a machine that has PostgreSQL).
  pg =
    process.env.ROSTER_TEST_POSTGRES === 'embedded'
      ? await startEmbeddedPostgres()
      : await startLocalPostgres({ requireServer: process.env.ROSTER_TEST_REQUIRE_POSTGRES === '1' });
  if (pg.kind === 'embedded') {
    console.warn('test: no PostgreSQL server binary found; using embedded PGlite over the wire protocol');
  }
  project.provide('databaseUrl', pg.url);
  project.provide('databaseKind', pg.kind);
}

export async function teardown() {
  await pg?.stop();
  if (caDir) await rm(caDir, { recursive: true, force: true });
}
