import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { createHrSchema, loadHrData } from '../../src/local/seed-hr.js';
import type { Plan } from '../../src/plan/plan-model.js';
import { createTestDatabase } from '../support/database.js';
import { createTestWorld, usersFromDesired } from '../support/roster-world.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/**
 * An HR database that stores whatever bytes it is given (`SQL_ASCII`, common in legacy HR
 * systems): bytes that are not UTF-8 reach Roster as U+FFFD. They must cost their employee's
 * field (or, in the email, that employee), never the run.
 */
describe.skipIf(inject('databaseKind') === 'embedded')('invalid UTF-8 in the HR database', () => {
  it('is confined to its employee: a bad title leaves that field alone, a bad email that row; the rest is planned', async () => {
    await using world = await createTestWorld({
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    await using legacy = await createTestDatabase({ encoding: 'SQL_ASCII' });
    await createHrSchema(legacy.pool);
    await loadHrData(legacy.pool, world.hr);
    const [first, second] = world.hr.employees.filter((e) => e.status === 'active');
    // \377 and \303( are not UTF-8: a lone 0xff, and a lead byte followed by an ASCII one.
    await legacy.pool.query(`UPDATE employees SET title = E'Salg\\377sjef' WHERE id = $1`, [first!.id]);
    await legacy.pool.query(`UPDATE employees SET email = E'b\\303(d@example.no' WHERE id = $1`, [
      second!.id,
    ]);

    const plan = async (databaseUrl: string): Promise<Plan> => {
      const env = {
        ...process.env,
        ...world.env,
        DATABASE_URL: databaseUrl,
        // Roster's own state stays in a UTF-8 database.
        ROSTER_STATE_DATABASE_URL: world.db.url,
      };
      const result = await run('node', [BIN, '-C', world.dir, 'plan', '--deep-check', '--format', 'json'], {
        env,
        maxBuffer: 10_000_000,
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect('code' in result ? result.code : 0, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Plan;
    };
    const clean = await plan(world.db.url);
    const legacyPlan = await plan(legacy.url);
    const errors = legacyPlan.warnings.filter((w) => w.kind === 'employee-error');
    const titleError = errors.find((w) => w.employee?.toLowerCase() === first!.email.toLowerCase());
    expect(titleError?.message).toMatch(/U\+FFFD \(the source text was not valid UTF-8\)/);
    expect(errors.some((w) => w.message.includes(`source id ${second!.id}`))).toBe(true);
    // Everyone else is planned as from a clean database: the bad row is the only employee missing.
    expect(legacyPlan.summary.employees).toBe(clean.summary.employees - 1);
    expect(legacyPlan.summary.matched).toBe(clean.summary.matched - 1);
    // Names with æ, ø and å stored as UTF-8 bytes read as they are.
    const others = (p: Plan) =>
      JSON.stringify(
        p.actions.filter(
          (a) => ![first!.email, second!.email].some((e) => e.toLowerCase() === a.employee.toLowerCase()),
        ),
      );
    const [l, c] = [others(legacyPlan), others(clean)];
    let i = 0;
    while (i < l.length && l[i] === c[i]) i++;
    expect(
      l === c,
      `${l.slice(Math.max(0, i - 200), i + 200)}\n---\n${c.slice(Math.max(0, i - 200), i + 200)}`,
    ).toBe(true);
  });
});
