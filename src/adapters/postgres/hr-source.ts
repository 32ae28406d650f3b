import pg from 'pg';
import Cursor from 'pg-cursor';
import type { SourceRow } from '../../desired/model.js';
import { SourceError } from '../../errors/roster-error.js';
import type { HrSnapshot, HrSource } from '../../ports/hr-source.js';
import { connectClient } from './connect.js';
import { openHrSnapshot, SOURCE_ROW_COLUMN } from './hr-snapshot.js';

/** What the PostgreSQL HR source needs: where, what to run, and how many rows per round trip. */
export interface PostgresHrSourceOptions {
  /** From `hrDatabaseConfig(env, settings.source.ssl)`. */
  connection: pg.ClientConfig;
  query: string;
  pageSize: number;
}

const OFFICE_PREFIX = 'office_';
const ALWAYS_REQUIRED = ['id', 'email'];
const DATE_OID = 1082;

/**
 * `date` columns stay as PostgreSQL prints them (already ISO `YYYY-MM-DD`): node-postgres would
 * turn them into a local-midnight Date that shifts a day when written back as UTC.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID
      ? (value: string) => value
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Reads the HR database through a server-side cursor inside a read-only REPEATABLE READ
 * transaction: every page comes from the same snapshot, the query cannot write, and only one
 * page of rows is held at a time.
 */
export function createPostgresHrSource(options: PostgresHrSourceOptions): HrSource {
  if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
    throw new SourceError(`source.pageSize must be a positive integer (got ${options.pageSize})`);
  }
  const query = stripTrailingSemicolons(options.query);
  const config: pg.ClientConfig = { application_name: 'roster-hr-source', ...options.connection, types };
  const open = new Set<pg.Client>();
  let closed = false;

  async function connect(): Promise<pg.Client> {
    if (closed) throw new SourceError('the HR source is closed');
    const client = await connectClient(config, 'HR');
    open.add(client);
    try {
      await acceptAnyBytes(client);
    } catch (error) {
      await release(client);
      throw error;
    }
    return client;
  }

  async function release(client: pg.Client): Promise<void> {
    open.delete(client);
    await client.end().catch(() => undefined);
  }

  async function* readActive(): AsyncGenerator<SourceRow[]> {
    const client = await connect();
    try {
      await run(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const cursor = client.query(new Cursor(query));
      for (;;) {
        const rows = await run(client, cursor);
        if (rows.length === 0) break;
        yield rows.map(toSourceRow);
        if (rows.length < options.pageSize) break;
      }
      await untilLost(client, cursor.close());
      await run(client, 'COMMIT');
    } finally {
      // Reached early when the consumer stops iterating or a read fails: ending the connection
      // drops the cursor and rolls the transaction back (closing the cursor first would wait
      // for an answer a dead connection never gives).
      await release(client);
    }
  }

  async function openSnapshot(keys?: readonly string[]): Promise<HrSnapshot> {
    const client = await connect();
    const run = async (sql: string) => {
      try {
        return await untilLost(client, client.query(sql));
      } catch (error) {
        throw queryError(error);
      }
    };
    try {
      return await openHrSnapshot(
        run,
        (value) => client.escapeLiteral(value),
        {
          query,
          pageSize: options.pageSize,
          ...(keys ? { keys } : {}),
          toSourceRow: (row) => {
            delete row[SOURCE_ROW_COLUMN];
            return toSourceRow(row);
          },
        },
        // Ending the session drops its cursors and their results.
        () => release(client),
      );
    } catch (error) {
      await release(client);
      throw error;
    }
  }

  async function checkQuery(requiredColumns: readonly string[] = []): Promise<void> {
    const client = await connect();
    try {
      await run(client, 'BEGIN READ ONLY');
      const result = await run(client, `SELECT * FROM (${query}) AS roster_source LIMIT 0`);
      const returned = new Set(result.map((f) => f.name));
      const wanted = [...new Set([...ALWAYS_REQUIRED, ...requiredColumns.map(columnName)])];
      const missing = wanted.filter((c) => !returned.has(c));
      if (missing.length > 0) {
        throw new SourceError(
          `the source query does not return the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ` +
            `(it returns: ${[...returned].join(', ') || 'nothing'})`,
        );
      }
      await run(client, 'ROLLBACK');
    } finally {
      await release(client);
    }
  }

  async function run(client: pg.Client, what: Cursor): Promise<Record<string, unknown>[]>;
  async function run(client: pg.Client, what: string): Promise<pg.FieldDef[]>;
  async function run(client: pg.Client, what: string | Cursor): Promise<unknown> {
    try {
      if (typeof what === 'string') return (await untilLost(client, client.query(what))).fields;
      return await untilLost(client, what.read(options.pageSize));
    } catch (error) {
      throw queryError(error);
    }
  }

  return {
    readActive,
    openSnapshot,
    checkQuery,
    async close() {
      closed = true;
      await Promise.all([...open].map(release));
    },
  };
}

/** `employee.title` → `title`, `office.name` → `office_name`; plain column names pass through. */
export function columnName(reference: string): string {
  if (reference.startsWith('employee.')) return reference.slice('employee.'.length);
  if (reference.startsWith('office.')) return OFFICE_PREFIX + reference.slice('office.'.length);
  return reference;
}

/** Splits a result row: `office_<col>` columns into `office`, the rest into `employee`. */
export function toSourceRow(row: Record<string, unknown>): SourceRow {
  const employee: Record<string, string | null> = {};
  const office: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith(OFFICE_PREFIX)) office[name.slice(OFFICE_PREFIX.length)] = toText(value);
    else employee[name] = toText(value);
  }
  return { employee, office };
}

/** Every source value as text: the desired-state builder works on strings only. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return JSON.stringify(value);
}

/**
 * `operation`, or a rejection as soon as the connection ends. pg-cursor never settles a read or
 * a close whose answer was cut off (a connection lost between a portal's CommandComplete and
 * ReadyForQuery leaves the read's callback uncalled), which would leave the run waiting forever.
 */
function untilLost<T>(client: pg.Client, operation: Promise<T>): Promise<T> {
  let onEnd: (() => void) | undefined;
  const lost = new Promise<never>((_, reject) => {
    onEnd = () => reject(new Error('Connection terminated unexpectedly'));
    client.once('end', onEnd);
  });
  return Promise.race([operation, lost]).finally(() => client.removeListener('end', onEnd!));
}

function stripTrailingSemicolons(sql: string): string {
  return sql.trim().replace(/[;\s]+$/, '');
}

function queryError(error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  if (error instanceof pg.DatabaseError) {
    return new SourceError(`the source query failed: ${error.message} (${error.code ?? 'unknown'})`, {
      cause: error,
    });
  }
  const e = error as { code?: string; message?: string };
  return new SourceError(`reading the HR database failed: ${e.code ?? e.message ?? String(error)}`, {
    cause: error,
  });
}

/**
 * A `SQL_ASCII` database stores whatever bytes it was given, and PostgreSQL refuses to send text
 * that is not UTF-8 to a UTF-8 client: one employee's bad bytes would fail the whole query. Read
 * such a database as raw bytes instead: valid UTF-8 reads as it is, anything else becomes U+FFFD,
 * which the merge rules refuse for that employee's field (or, in an email, that row) alone.
 * https://www.postgresql.org/docs/current/multibyte.html#MULTIBYTE-CHARSET-SUPPORTED
 */
async function acceptAnyBytes(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ encoding: string }>(
    "SELECT current_setting('server_encoding') AS encoding",
  );
  if (rows[0]?.encoding === 'SQL_ASCII') await client.query("SET client_encoding TO 'SQL_ASCII'");
}
