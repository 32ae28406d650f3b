import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generateHrData } from '../../src/local/seed-hr.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

function start(world: TestWorld, args: string[]) {
  const child = spawn('node', [BIN, '-C', world.dir, ...args], {
    env: { ...process.env, ...world.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until(what: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('signals', () => {
  it('SIGTERM during apply: no new writes start, those in flight are journaled, exit non-zero; the next apply converges', async () => {
    await using world = await createTestWorld({
      hr: generateHrData({ employees: 60, offices: 3, seed: 11 }),
      overrides: false,
      settings: {
        photos: { enabled: false },
        signatures: { enabled: true },
        guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 20 },
      },
      users: ({ hr }) =>
        [...new Set(hr.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase()))].map(
          (email) => ({
            userPrincipalName: email,
            mail: email,
            displayName: 'Old',
          }),
        ),
    });
    // Slow enough that the run is still writing when the signal comes.
    world.sim.patchFaults({ latencyMs: 150, services: ['exchange'] });
    const run = start(world, ['apply', '--auto-approve']);
    await until(() => Object.keys(world.sim.statsSnapshot().writesPerUser).length >= 3, 60_000);
    run.child.kill('SIGTERM');
    const code = await run.exited;
    expect(code, run.output()).toBe(1);
    expect(run.output()).toContain('SIGTERM: no new writes will start');
    expect(run.output()).toMatch(/not started: [1-9]\d*/);

    // Every write the simulator saw was journaled (write counter = journal rows applied).
    const { rows } = await world.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM roster.journal WHERE status = 'applied'",
    );
    const writes = Object.values(world.sim.statsSnapshot().writesPerUser as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(rows[0]!.n).toBe(writes);

    world.sim.patchFaults({ latencyMs: 0 });
    const again = start(world, ['apply', '--auto-approve']);
    expect(await again.exited, again.output()).toBe(0);
    const check = start(world, ['plan', '--detailed-exitcode']);
    expect(await check.exited, check.output()).toBe(0);
  }, 180_000);

  it('SIGTERM stops the controller gracefully: exit 0 and the leader lock is released', async () => {
    await using world = await createTestWorld({
      settings: { schedule: { interval: '1h', mode: 'observe' } },
    });
    const controller = start(world, ['controller', '--port', '0']);
    await until(() => /"url":"http:\/\/127\.0\.0\.1:\d+"/.test(controller.output()), 60_000);
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(controller.output())![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await until(() => controller.output().includes('became the leader'), 60_000);
    controller.child.kill('SIGTERM');
    expect(await controller.exited, controller.output()).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const { rows } = await world.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(rows[0]!.n).toBe(0);
  }, 120_000);
});
