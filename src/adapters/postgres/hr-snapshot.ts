import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SourceRow } from '../../desired/model.js';
import type { HrSnapshot } from '../../ports/hr-source.js';
import { emailKeySql } from './email-key-sql.js';

/** Runs one statement on the snapshot's connection (failures as `SourceError`s). */
export type RunStatement = (sql: string) => Promise<pg.QueryResult>;

/** The column that keeps the query's own order among the rows of one key; never handed out. */
export const SOURCE_ROW_COLUMN = 'roster_source_row';

/**
 * Opens the snapshot on `client`: in one read-only REPEATABLE READ transaction, one cursor over
 * every row in key order (and one over the rows of `keys`), declared WITH HOLD and committed. The
 * commit runs the query to its end and PostgreSQL keeps the result (on disk when large) for the
 * session: every read afterwards sees that one snapshot, yet no transaction stays open while Roster
 * works between pages, so nothing else on the database waits on it (an embedded database serves
 * one transaction at a time).
 */
export async function openHrSnapshot(
  run: RunStatement,
  escapeLiteral: (value: string) => string,
  options: {
    query: string;
    pageSize: number;
    keys?: readonly string[];
    toSourceRow: (row: Record<string, unknown>) => SourceRow;
  },
  release: () => Promise<void>,
): Promise<HrSnapshot> {
  const settings = await run(
    "SELECT current_setting('server_encoding') AS encoding, current_setting('server_version_num')::int AS version",
  );
  const { encoding, version } = settings.rows[0] as { encoding: string; version: number };
  const unicode = encoding === 'UTF8';
  const key = emailKeySql('s.email', { nfc: unicode && version >= 130000, unicode });
  const numbered = `SELECT *, row_number() OVER () AS ${SOURCE_ROW_COLUMN} FROM (${options.query}) AS q`;
  const ordered = (where: string) =>
    `SELECT * FROM (${numbered}) AS s ${where} ORDER BY ${key}, s.${SOURCE_ROW_COLUMN}`;
  // Named apart: an embedded PostgreSQL (PGlite) serves every connection from one session.
  const suffix = randomBytes(6).toString('hex');
  const cursors = { all: `roster_all_${suffix}`, only: `roster_only_${suffix}` };
  await run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await run(`DECLARE ${cursors.all} SCROLL CURSOR WITH HOLD FOR ${ordered('')}`);
  if (options.keys) {
    const wanted = options.keys.map(escapeLiteral).join(', ');
    await run(
      `DECLARE ${cursors.only} SCROLL CURSOR WITH HOLD FOR ${ordered(`WHERE ${key} = ANY(ARRAY[${wanted}]::text[])`)}`,
    );
  }
  await run('COMMIT');

  async function* rows(part: 'all' | 'only' = 'all'): AsyncGenerator<SourceRow[]> {
    if (part === 'only' && !options.keys) throw new Error('the snapshot was opened without keys (a bug)');
    const cursor = cursors[part];
    await run(`MOVE ABSOLUTE 0 IN ${cursor}`);
    for (;;) {
      const { rows: page } = await run(`FETCH FORWARD ${options.pageSize} FROM ${cursor}`);
      if (page.length > 0) yield page.map(options.toSourceRow);
      if (page.length < options.pageSize) return;
    }
  }

  let closed = false;
  return {
    rows,
    async close() {
      if (closed) return;
      closed = true;
      // Ending the session drops the cursors, except where sessions are shared (PGlite).
      await run(`CLOSE ${cursors.all}`).catch(() => undefined);
      if (options.keys) await run(`CLOSE ${cursors.only}`).catch(() => undefined);
      await release();
    },
  };
}
