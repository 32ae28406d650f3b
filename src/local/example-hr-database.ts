import pg from 'pg';
import { exampleHrData } from './example-hr.js';
import { startEmbeddedPostgres, startLocalPostgres, type LocalPostgres } from './local-postgres.js';
import { createHrSchema, loadHrData } from './seed-hr.js';

/** The example HR database `roster sim --hr` serves: PostgreSQL with the example's rows. */
export interface ExampleHrDatabase {
  /** `DATABASE_URL` for Roster (HR source and, unless set apart, its state). */
  url: string;
  kind: LocalPostgres['kind'];
  employees: number;
  offices: number;
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL (the machine's `initdb`/`pg_ctl` when installed, else embedded
 * PGlite over the wire protocol, as the demo does) and loads the example HR data into it with the
 * default schema. Stopped again if loading fails.
 */
export async function startExampleHrDatabase(
  options: { postgres?: 'auto' | 'embedded' | 'server' } = {},
): Promise<ExampleHrDatabase> {
  const postgres =
    options.postgres === 'embedded'
      ? await startEmbeddedPostgres()
      : await startLocalPostgres({ requireServer: options.postgres === 'server' });
  const hr = exampleHrData();
  try {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      await createHrSchema(client);
      await loadHrData(client, hr, { replace: true });
    } finally {
      await client.end();
    }
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  return {
    url: postgres.url,
    kind: postgres.kind,
    employees: hr.employees.length,
    offices: hr.offices.length,
    stop: () => postgres.stop(),
  };
}
