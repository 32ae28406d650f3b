import { describe, expect, inject, it } from 'vitest';
import type { SourceRow } from '../../desired/model.js';
import { SourceError } from '../../errors/roster-error.js';
import { freePort } from '../../local/local-postgres.js';
import { createHrSchema, generateHrData, loadHrData, smallHrFixture } from '../../local/seed-hr.js';
import { employeeKeyOf } from '../../desired/employee-key.js';
import type { HrSnapshot, HrSource } from '../../ports/hr-source.js';
import { startCuttingProxy } from '../../../test/support/cutting-proxy.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { postgresConfig } from './connect.js';
import { DEFAULT_HR_QUERY } from './default-hr-query.js';
import { createPostgresHrSource, toText } from './hr-source.js';

async function hrDatabase(data = smallHrFixture({ photoBaseUrl: 'https://127.0.0.1:9/photos' })) {
  const db = await createTestDatabase();
  await createHrSchema(db.pool);
  await loadHrData(db.pool, data);
  return db;
}

function source(db: TestDatabase, query = DEFAULT_HR_QUERY, pageSize = 3): HrSource {
  return createPostgresHrSource({ connection: postgresConfig(db.url, undefined), query, pageSize });
}

async function readAll(hr: HrSource): Promise<SourceRow[][]> {
  const pages: SourceRow[][] = [];
  for await (const page of hr.readActive()) pages.push(page);
  return pages;
}

describe('PostgreSQL HR source', () => {
  it('reads exactly the active employees joined to their offices, in pages', async () => {
    await using db = await hrDatabase();
    const hr = source(db);
    const pages = await readAll(hr);
    await hr.close();
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    const rows = pages.flat();
    expect(rows.map((r) => r.employee.id)).toEqual(['1', '2', '3', '4', '5', '7', '8', '10', '11', '12']);
    expect(rows[0]).toEqual({
      employee: {
        id: '1',
        first_name: 'Søren',
        last_name: 'Ærø',
        email: 'soren.aero@example.no',
        title: 'Seniorrådgiver',
        phone: '+47 912 34 567',
        profile_image_url: 'https://127.0.0.1:9/photos/1.jpg',
        status: 'active',
      },
      office: {
        id: '1',
        name: 'Oslo Sentrum',
        city: 'Oslo',
        street_address: 'Karl Johans gate 12',
        postal_code: '0154',
        phone: '+47 22 12 34 56',
        email: 'oslo@example.no',
        homepage_url: 'https://www.example.no/kontorer/oslo',
      },
    });
    const officeless = rows.find((r) => r.employee.id === '11')!;
    expect(Object.values(officeless.office).every((v) => v === null)).toBe(true);
    expect(rows.find((r) => r.employee.id === '3')!.employee.title).toBeNull();
  });

  it('runs a custom query and converts every value to text', async () => {
    await using db = await hrDatabase();
    const query = `
      SELECT e.id, lower(e.email) AS email, e.first_name || ' ' || e.last_name AS full_name,
             12.50::numeric AS fte, 7::int AS grade, 9007199254740993::bigint AS big, true AS manager,
             DATE '2024-02-29' AS hired_on, TIMESTAMPTZ '2024-03-01 12:00:00+01' AS changed_at,
             '{"floor": 3}'::jsonb AS extra, NULL::text AS nothing, o.city AS office_city
      FROM employees e JOIN offices o ON o.id = e.office_id
      WHERE e.id = 8;;  `;
    const hr = source(db, query, 100);
    const rows = (await readAll(hr)).flat();
    expect(rows).toEqual([
      {
        employee: {
          id: '8',
          email: 'ola.nordmann@example.no',
          full_name: 'Ola Nordmann',
          fte: '12.50',
          grade: '7',
          big: '9007199254740993',
          manager: 'true',
          hired_on: '2024-02-29',
          changed_at: '2024-03-01T11:00:00.000Z',
          extra: '{"floor":3}',
          nothing: null,
        },
        office: { city: 'Tromsø' },
      },
    ]);
    await hr.checkQuery(['full_name', 'office.city', 'employee.hired_on']);
  });

  it('checkQuery names every missing column', async () => {
    await using db = await hrDatabase();
    await source(db).checkQuery(['employee.first_name', 'office.name', 'office_city']);
    const hr = source(db, 'SELECT e.id, e.first_name FROM employees e');
    await expect(hr.checkQuery(['employee.title', 'office.name'])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[SourceError: the source query does not return the columns email, title, office_name (it returns: id, first_name)]`,
    );
  });

  it('reports a failing query as a SourceError with the server reason', async () => {
    await using db = await hrDatabase();
    await expect(source(db, 'SELECT * FROM staff').checkQuery()).rejects.toThrowErrorMatchingInlineSnapshot(
      `[SourceError: the source query failed: relation "staff" does not exist (42P01)]`,
    );
    await expect(
      readAll(source(db, 'SELECT id, email FROM staff')),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[SourceError: the source query failed: relation "staff" does not exist (42P01)]`,
    );
  });

  it('cannot write: the query runs in a read-only transaction', async () => {
    await using db = await hrDatabase();
    const hr = source(db, 'WITH gone AS (DELETE FROM employees RETURNING id, email) SELECT * FROM gone');
    // PostgreSQL names the portal's statement (SELECT), not the DELETE inside it.
    await expect(readAll(hr)).rejects.toThrow(
      /^the source query failed: cannot execute \w+ in a read-only transaction \(25006\)$/,
    );
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM employees');
    expect(rows[0]!.n).toBe('12');
  });

  it('streams 50,000 rows page by page and lets go of the connection when the reader stops', async () => {
    const data = generateHrData({ employees: 50_000, offices: 12, seed: 'bench' });
    await using db = await hrDatabase(data);
    const active = data.employees.filter((e) => e.status === 'active').length;
    const hr = source(db, DEFAULT_HR_QUERY, 1000);
    const sizes: number[] = [];
    let previousId = 0;
    let ordered = true;
    for await (const page of hr.readActive()) {
      sizes.push(page.length);
      for (const row of page) {
        const id = Number(row.employee.id);
        ordered &&= id > previousId;
        previousId = id;
      }
    }
    expect(ordered).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(active);
    expect(sizes.length).toBe(Math.ceil(active / 1000));
    expect(sizes.slice(0, -1).every((n) => n === 1000)).toBe(true);

    for await (const page of hr.readActive()) {
      expect(page).toHaveLength(1000);
      break;
    }
    const open = async () =>
      (
        await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'roster-hr-source'",
        )
      ).rows[0]!.n;
    await expect.poll(open, { timeout: 5000 }).toBe(0);
    await hr.close();
    await expect(readAll(hr)).rejects.toThrow('the HR source is closed');
  });

  it('fails with a SourceError, never hangs, wherever the connection is lost during a read', async () => {
    await using db = await hrDatabase();
    const outcomes: string[] = [];
    // Cut after 0, 1, 2… server answers to the query until a read gets through whole: every
    // point of the cursor's life (BEGIN, each page, the portal's end, close, COMMIT) is hit.
    for (let answers = 0; ; answers++) {
      const proxy = await startCuttingProxy(new URL(db.url), 'FROM employees', answers);
      const hr = createPostgresHrSource({
        connection: postgresConfig(proxy.url, undefined),
        query: DEFAULT_HR_QUERY,
        pageSize: 3,
      });
      const read = readAll(hr).then(
        (pages) => `${pages.flat().length} rows`,
        (error: unknown) =>
          error instanceof SourceError ? `SourceError: ${error.message}` : `other: ${String(error)}`,
      );
      const stuck = new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('still waiting after 10 s'), 10_000);
        void read.finally(() => clearTimeout(timer));
      });
      const outcome = await Promise.race([read, stuck]);
      await hr.close();
      await proxy.close();
      outcomes.push(outcome);
      if (!proxy.cut) break;
    }
    expect(outcomes.at(-1)).toBe('10 rows');
    const cuts = outcomes.slice(0, -1);
    expect(cuts.length).toBeGreaterThanOrEqual(5);
    for (const outcome of cuts) {
      expect(outcome).toBe('SourceError: reading the HR database failed: Connection terminated unexpectedly');
    }
  });

  it('turns a refused connection into a SourceError without the password', async () => {
    const port = await freePort();
    const hr = createPostgresHrSource({
      connection: postgresConfig(`postgres://hr_reader:Pa55-word@127.0.0.1:${port}/hr`, undefined),
      query: DEFAULT_HR_QUERY,
      pageSize: 10,
    });
    const error = await readAll(hr).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(
      `cannot connect to the HR database at 127.0.0.1:${port}/hr: ECONNREFUSED`,
    );
    await expect(hr.checkQuery()).rejects.toThrow(
      /^cannot connect to the HR database at 127\.0\.0\.1:\d+\/hr: ECONNREFUSED$/,
    );
  });

  it('refuses a page size that is not a positive integer', () => {
    expect(() =>
      createPostgresHrSource({ connection: {}, query: DEFAULT_HR_QUERY, pageSize: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(`[SourceError: source.pageSize must be a positive integer (got 0)]`);
  });
});

describe('toText', () => {
  it('keeps null and converts other values', () => {
    expect(
      [null, undefined, 'x', 3, 2n, false, new Date('2024-01-02T03:04:05Z'), Buffer.from('hi'), [1]].map(
        toText,
      ),
    ).toEqual([null, null, 'x', '3', '2', 'false', '2024-01-02T03:04:05.000Z', 'aGk=', '[1]']);
  });
});

describe('PostgreSQL HR source: a snapshot in key order', () => {
  /** Employees with these emails (ids in the order given), the rest of their columns plain. */
  async function withEmails(emails: (string | null)[]) {
    const db = await createTestDatabase();
    await createHrSchema(db.pool);
    await db.pool.query("INSERT INTO offices (id, name) VALUES (1, 'Oslo')");
    for (const [i, email] of emails.entries()) {
      await db.pool.query(
        `INSERT INTO employees (id, office_id, first_name, last_name, email, status)
         VALUES ($1, 1, 'F', 'L', $2, 'active')`,
        [i + 1, email],
      );
    }
    return db;
  }

  async function read(snapshot: HrSnapshot, part?: 'all' | 'only'): Promise<SourceRow[]> {
    const rows: SourceRow[] = [];
    for await (const page of snapshot.rows(part)) rows.push(...page);
    return rows;
  }

  const keyOf = (row: SourceRow) => {
    const found = employeeKeyOf(row);
    return found.ok ? found.key : null;
  };

  it("orders rows by Roster's own key, non-ASCII and odd whitespace included; a key's rows keep the query's order", async () => {
    const emails = [
      'Per@example.no',
      '\u212Aari@example.no', // KELVIN SIGN: NFC makes it a K
      'ola@example.no',
      'kari@example.no',
      '\u00a0Ola@Example.no\u2003', // no-break and em spaces around it
      'Øystein@example.no', // not a valid address (non-ASCII): no key
      null,
      'KARI@example.no',
      'anne@example.no',
    ];
    await using db = await withEmails(emails);
    const hr = source(db, DEFAULT_HR_QUERY, 2);
    const snapshot = await hr.openSnapshot();
    try {
      const rows = await read(snapshot);
      expect(rows).toHaveLength(emails.length);
      expect(rows.every((r) => !('roster_source_row' in r.employee))).toBe(true);
      const keyed = rows.filter((r) => keyOf(r) !== null);
      // Exactly JavaScript's order of Roster's keys; rows of one key in id order (the query's).
      expect(keyed.map((r) => [keyOf(r), r.employee.id])).toEqual([
        ['anne@example.no', '9'],
        ['kari@example.no', '2'],
        ['kari@example.no', '4'],
        ['kari@example.no', '8'],
        ['ola@example.no', '3'],
        ['ola@example.no', '5'],
        ['per@example.no', '1'],
      ]);
      // Read again from the start: the same rows.
      expect(await read(snapshot)).toEqual(rows);
    } finally {
      await hr.close();
    }
  });

  it('is one snapshot taken when opened, holding no transaction or lock while it is read', async () => {
    await using db = await withEmails(['a@example.no', 'b@example.no', 'c@example.no']);
    const hr = source(db, DEFAULT_HR_QUERY, 1);
    const snapshot = await hr.openSnapshot(['c@example.no', 'nobody@example.no']);
    try {
      const pages = snapshot.rows()[Symbol.asyncIterator]();
      expect((await pages.next()).value).toHaveLength(1);
      // Between pages: the session is idle (not in a transaction), the table can be locked.
      // (An embedded PGlite has one session for every connection and no pg_stat_activity of them.)
      if (inject('databaseKind') === 'server') {
        const states = await db.pool.query<{ state: string }>(
          "SELECT state FROM pg_stat_activity WHERE application_name = 'roster-hr-source'",
        );
        expect(states.rows).toEqual([{ state: 'idle' }]);
      }
      await db.pool.query("UPDATE employees SET email = 'z@example.no' WHERE id = 1");
      await db.pool.query('BEGIN; LOCK TABLE employees IN ACCESS EXCLUSIVE MODE NOWAIT; COMMIT');
      await pages.return?.();
      expect((await read(snapshot)).map((r) => r.employee.email)).toEqual([
        'a@example.no',
        'b@example.no',
        'c@example.no',
      ]);
      expect((await read(snapshot, 'only')).map((r) => r.employee.id)).toEqual(['3']);
    } finally {
      await snapshot.close();
      await hr.close();
    }
  });

  it('cannot write, and reports a failing query as a SourceError', async () => {
    await using db = await withEmails(['a@example.no']);
    await db.pool.query('CREATE SEQUENCE ticks');
    const writing = source(db, "SELECT e.*, nextval('ticks') AS tick FROM employees e");
    await expect(writing.openSnapshot()).rejects.toThrow(
      /^the source query failed: cannot execute nextval\(\) in a read-only transaction \(25006\)$/,
    );
    await writing.close();
    await expect(source(db, 'SELECT id FROM employees').openSnapshot()).rejects.toThrow(
      /^the source query failed: column s\.email does not exist \(42703\)$/,
    );
  });

  it('fails with a SourceError, never hangs, wherever the connection is lost during a read', async () => {
    await using db = await hrDatabase();
    const outcomes: string[] = [];
    for (let answers = 0; ; answers++) {
      const proxy = await startCuttingProxy(new URL(db.url), 'FROM employees', answers);
      const hr = createPostgresHrSource({
        connection: postgresConfig(proxy.url, undefined),
        query: DEFAULT_HR_QUERY,
        pageSize: 3,
      });
      const read = hr
        .openSnapshot()
        .then(async (snapshot) => {
          let n = 0;
          for await (const page of snapshot.rows()) n += page.length;
          return `${n} rows`;
        })
        .catch((error: unknown) =>
          error instanceof SourceError ? `SourceError: ${error.message}` : `other: ${String(error)}`,
        );
      const stuck = new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('still waiting after 10 s'), 10_000);
        void read.finally(() => clearTimeout(timer));
      });
      const outcome = await Promise.race([read, stuck]);
      await hr.close();
      await proxy.close();
      outcomes.push(outcome);
      if (!proxy.cut) break;
    }
    expect(outcomes.at(-1)).toBe('10 rows');
    const cuts = outcomes.slice(0, -1);
    expect(cuts.length).toBeGreaterThanOrEqual(4);
    for (const outcome of cuts) {
      expect(outcome).toBe('SourceError: reading the HR database failed: Connection terminated unexpectedly');
    }
  });
});
