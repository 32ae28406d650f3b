import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../controller/controller-harness.js';
import { roster } from './chaos-support.js';
import { createChaosWorld, type ChaosWorld } from './chaos-world.js';

describe('what a killed apply leaves behind', () => {
  let world: ChaosWorld;
  beforeAll(async () => {
    world = await createChaosWorld({ employees: 12, seed: 53 });
  });
  afterAll(async () => {
    await world?.[Symbol.asyncDispose]();
  });

  it('a killed `apply FILE` leaves its private plan copy; the next start removes it', async () => {
    const temp = await mkdtemp(join(world.dir, 'tmp-'));
    const env = { TMPDIR: temp };
    const plan = join(world.dir, 'plan.json');
    expect((await roster(world, ['plan', '--format', 'json', '--out', plan], { env })).code).toBe(0);
    // Slow writes, so the apply is killed while it holds its private copy.
    world.sim.patchFaults({ seed: 1, latencyMs: 300, jitterMs: 0, services: ['graph', 'exchange'] });
    const killed = await roster(world, ['apply', plan], {
      env,
      onSpawn: (child) => {
        void waitFor(
          async () => (await readdir(temp)).some((n) => n.startsWith('roster-plan-')),
          30_000,
          'the copy',
        ).then(() => child.kill('SIGKILL'));
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect((await readdir(temp)).filter((n) => n.startsWith('roster-plan-'))).toHaveLength(1);
    world.sim.patchFaults({ latencyMs: 0 });
    const next = await roster(world, ['apply', plan], { env });
    expect(next.stderr).not.toContain('internal error');
    expect(await readdir(temp)).toEqual([]);
  }, 180_000);
});
