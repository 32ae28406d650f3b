import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCuttingProxy } from '../support/cutting-proxy.js';
import { CLIENT_SECRET } from '../support/roster-world.js';
import { hasStateSchema, journal, roster, totalWrites, Transcript } from './chaos-support.js';
import { createChaosWorld, type ChaosWorld } from './chaos-world.js';

describe('database faults: a clear error and no write', () => {
  let world: ChaosWorld;
  const transcript = new Transcript();
  beforeAll(async () => {
    world = await createChaosWorld({ employees: 30, seed: 13, settings: { source: { pageSize: 2 } } });
  });
  afterAll(async () => {
    transcript.expectNoSecrets({ CLIENT_SECRET, DB_PASSWORD: new URL(world.db.url).password });
    await world?.[Symbol.asyncDispose]();
  });

  it('PostgreSQL unreachable at start', async () => {
    const closed = new URL(world.db.url);
    closed.port = '1';
    const run = await roster(world, ['apply', '--auto-approve'], {
      transcript,
      env: { DATABASE_URL: closed.toString() },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^roster: .*(database|PostgreSQL).*ECONNREFUSED/im);
    expect(run.stderr).not.toContain('internal error');
    expect(totalWrites(world)).toBe(0);
  });

  it('PostgreSQL lost while the HR source is being read', async () => {
    const proxy = await startCuttingProxy(new URL(world.db.url), 'FROM employees', 4);
    try {
      const run = await roster(world, ['apply', '--auto-approve'], {
        transcript,
        env: { DATABASE_URL: proxy.url },
      });
      expect(proxy.cut).toBe(true);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^roster: .*(database|connection|HR source)/im);
      expect(run.stderr).not.toContain('internal error');
      expect(run.stdout).not.toContain('Plan:');
      expect(totalWrites(world)).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('source anomalies: guardrails stop before any write', () => {
  let world: ChaosWorld;
  const transcript = new Transcript();
  beforeAll(async () => {
    world = await createChaosWorld({
      employees: 30,
      seed: 17,
      settings: { guardrails: { maxChanges: '10%', maxSourceShrinkPercent: 20 } },
    });
    // The baseline: a reviewed first apply, so the last successful run knows the source size.
    const first = await roster(world, ['apply', '--auto-approve', '--allow-large-change'], { transcript });
    expect(first.code).toBe(0);
  });
  afterAll(async () => {
    transcript.expectNoSecrets({ CLIENT_SECRET });
    await world?.[Symbol.asyncDispose]();
  });

  /** Runs `change`, applies, expects `guardrail` to stop the run with no write, then undoes it. */
  async function expectStopped(change: string, undo: string, message: RegExp) {
    const writes = totalWrites(world);
    const before = (await journal(world)).rows.length;
    await world.db.pool.query(change);
    try {
      const run = await roster(world, ['apply', '--auto-approve'], { transcript });
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toMatch(message);
      expect(totalWrites(world)).toBe(writes);
      const after = await journal(world);
      expect(after.rows.length).toBe(before);
      expect(after.runs.at(-1)?.outcome).toBe('stopped');
    } finally {
      await world.db.pool.query(undo);
    }
  }

  it('0 active employees', async () => {
    await world.db.pool.query('CREATE TABLE saved_status AS SELECT id, status FROM employees');
    await expectStopped(
      "UPDATE employees SET status = 'inactive'",
      'UPDATE employees e SET status = s.status FROM saved_status s WHERE s.id = e.id',
      /the HR source returned 0 active employees, 100% fewer than the \d+ of the last successful run/,
    );
  });

  it('a 60 % drop of active employees', async () => {
    await expectStopped(
      "UPDATE employees SET status = 'inactive' WHERE id % 5 IN (0, 1, 2)",
      'UPDATE employees e SET status = s.status FROM saved_status s WHERE s.id = e.id',
      /the HR source returned \d+ active employees, [56]\d% fewer than/,
    );
  });

  it('every title suddenly empty', async () => {
    await world.db.pool.query('CREATE TABLE saved_title AS SELECT id, title FROM employees');
    await expectStopped(
      'UPDATE employees SET title = NULL',
      'UPDATE employees e SET title = s.title FROM saved_title s WHERE s.id = e.id',
      /the plan changes \d+ users, more than the limit of \d+ per run \(guardrails\.maxChanges\)/,
    );
  });

  it('with the source restored, the tenant is in sync and nothing was written', async () => {
    const writes = totalWrites(world);
    const run = await roster(world, ['plan', '--detailed-exitcode'], { transcript });
    expect(run.code).toBe(0);
    expect(totalWrites(world)).toBe(writes);
    expect(await hasStateSchema(world)).toBe(true);
  });
});
