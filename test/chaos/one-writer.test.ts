import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startControllerServer } from '../../src/runtime/controller-runtime.js';
import { createMetrics } from '../../src/server/metrics.js';
import { captureLogger, waitFor } from '../controller/controller-harness.js';
import { expectExactlyOnce, roster, Transcript, type RunResult } from './chaos-support.js';
import { createChaosWorld, expectTenantMatchesDesired, type ChaosWorld } from './chaos-world.js';

const LOCKED =
  /another apply of this tenant is in progress: run [0-9a-f-]{36} by \S+ on \S+ \(pid \d+\), since \d{4}-/;

/** Every call to the tenant takes a while, so two applies started together really overlap. */
function slowTenant(world: ChaosWorld, latencyMs = 40): void {
  world.sim.patchFaults({ seed: 1, latencyMs, jitterMs: 0, services: ['graph', 'exchange'] });
}

async function converge(world: ChaosWorld, transcript: Transcript): Promise<void> {
  const again = await roster(world, ['apply', '--auto-approve'], { transcript });
  expect(again.stdout).toContain('Nothing to apply.');
  world.sim.patchFaults({ latencyMs: 0 });
  await expectTenantMatchesDesired(world);
  await expectExactlyOnce(world);
}

describe('one writer per tenant', () => {
  let world: ChaosWorld | undefined;
  afterEach(async () => {
    await world?.[Symbol.asyncDispose]();
    world = undefined;
  });

  it('two applies at once: one writes, the other is refused naming the holder; every change written once', async () => {
    world = await createChaosWorld({ employees: 10, seed: 41 });
    slowTenant(world);
    const transcript = new Transcript();
    const runs = await Promise.all([
      roster(world, ['apply', '--auto-approve'], { transcript }),
      roster(world, ['apply', '--auto-approve'], { transcript }),
    ]);
    const refused = runs.filter((r) => LOCKED.test(r.stderr));
    const wrote = runs.filter((r) => r.code === 0);
    expect(refused.map((r) => r.code)).toEqual([1]);
    expect(wrote).toHaveLength(1);
    expect(refused[0]!.stderr).toContain('nothing was written');
    await converge(world, transcript);
  }, 300_000);

  it('a CLI apply during a controller apply cycle is refused or waits; every change written once', async () => {
    world = await createChaosWorld({
      employees: 60,
      seed: 47,
      settings: { schedule: { interval: '1h', jitter: '0s', mode: 'apply', deepCheckInterval: '24h' } },
    });
    // Slow enough that the controller still holds the lock when the CLI has planned.
    slowTenant(world, 400);
    const transcript = new Transcript();
    const server = await startControllerServer({
      dir: world.dir,
      env: world.env,
      logger: captureLogger().logger,
      port: 0,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      await waitFor(
        async () =>
          (
            await world!.db.pool
              .query('SELECT 1 FROM roster.apply_lock_holders')
              .catch(() => ({ rowCount: 0 }))
          ).rowCount! > 0,
        60_000,
        'the controller to take the lock',
      );
      const cli = await roster(world, ['apply', '--auto-approve'], { transcript });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(LOCKED);
      expect(cli.stderr).toContain('by controller:');
      await waitFor(() => server.controller.status().lastRun, 120_000, 'the controller apply');
    } finally {
      await server.close();
    }
    await converge(world, transcript);
  }, 300_000);

  it('one saved plan applied twice at once, the second with --lock-timeout: it waits, then finds every action stale; each change written once', async () => {
    world = await createChaosWorld({ employees: 10, seed: 43 });
    slowTenant(world);
    const transcript = new Transcript();
    const file = join(await mkdtemp(join(tmpdir(), 'roster-plan-')), 'plan.json');
    expect((await roster(world, ['plan', '--format', 'json', '--out', file], { transcript })).code).toBe(0);
    const actions = (JSON.parse(await readFile(file, 'utf8')) as { actions: unknown[] }).actions.length;
    expect(actions).toBeGreaterThan(0);
    const first = roster(world, ['apply', file], { transcript });
    // The second starts once the first holds the lock (its run is recorded before its first write).
    await waitFor(
      async () =>
        (await world!.db.pool.query('SELECT 1 FROM roster.apply_lock_holders').catch(() => ({ rowCount: 0 })))
          .rowCount! > 0,
      60_000,
      'the first apply to take the lock',
    );
    const second = roster(world, ['apply', file, '--lock-timeout', '3m'], { transcript });
    const [a, b] = (await Promise.all([first, second])) as [RunResult, RunResult];
    expect(a.code, a.stderr).toBe(0);
    expect(b.stderr).not.toMatch(LOCKED);
    // Photos and signatures the plan did not read are caught by Roster's own record of the first
    // apply's writes; profiles by their before-values: nothing more reaches the tenant.
    expect(b.stdout, b.stdout).toContain(`applied: 0, skipped (stale): ${actions}, failed: 0`);
    await converge(world, transcript);
  }, 300_000);
});
