import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_SECRET } from '../support/roster-world.js';
import {
  expectExactlyOnce,
  logLines,
  requestCount,
  roster,
  Transcript,
  type RunResult,
} from './chaos-support.js';
import { createChaosWorld, expectTenantMatchesDesired, type ChaosWorld } from './chaos-world.js';

/** `rateLimits.maxRetries` (default). */
const MAX_RETRIES = 5;

/**
 * Applies until nothing is left to apply (at most `max` runs). Every run must end with an
 * ordinary exit (0, or 1 with failures reported), never an internal error.
 */
async function applyUntilConverged(world: ChaosWorld, transcript: Transcript, max: number) {
  const runs: RunResult[] = [];
  for (let i = 0; i < max; i++) {
    const run = await roster(world, ['apply', '--auto-approve'], { transcript });
    runs.push(run);
    expect(run.stderr).not.toContain('internal error');
    expect([0, 1]).toContain(run.code);
    if (run.code === 0 && run.stdout.includes('Nothing to apply.')) return runs;
  }
  throw new Error(`not converged after ${max} applies:\n${runs.at(-1)?.stdout.slice(-2000)}`);
}

function maxRetryLogged(runs: RunResult[]): number {
  const calls = runs.flatMap((r) => logLines(r.stderr)).filter((l) => l.msg === 'api call');
  expect(calls.length).toBeGreaterThan(0);
  return Math.max(...calls.map((l) => Number(l.retry ?? 0)));
}

describe('service faults: every action applied exactly once or reported failed', () => {
  let world: ChaosWorld | undefined;
  afterEach(async () => {
    await world?.[Symbol.asyncDispose]();
    world = undefined;
  });

  it('30 % 429 (Retry-After whole, fractional, absent), 5 % 503, 2 % 500, 1 % drops, 2 s spikes', async () => {
    world = await createChaosWorld({ employees: 16, seed: 3 });
    const transcript = new Transcript();
    world.sim.patchThrottle({ fractionalRetryAfterShare: 0.3, missingRetryAfterShare: 0.2 });
    world.sim.patchFaults({
      seed: 42,
      rate429: 0.3,
      rate503: 0.05,
      rate500: 0.02,
      dropRate: 0.01,
      spikeRate: 0.02,
      spikeMs: 2000,
      latencyMs: 5,
      jitterMs: 20,
      services: ['graph', 'exchange'],
    });
    const runs = await applyUntilConverged(world, transcript, 5);

    // The faults really happened, and no logical call retried more often than allowed.
    expect(requestCount(world, / 429$/)).toBeGreaterThan(20);
    expect(requestCount(world, / 503$/)).toBeGreaterThan(2);
    expect(maxRetryLogged(runs)).toBeGreaterThan(0);
    expect(maxRetryLogged(runs)).toBeLessThanOrEqual(MAX_RETRIES);

    world.sim.patchFaults({ rate429: 0, rate503: 0, rate500: 0, dropRate: 0, spikeRate: 0 });
    const check = await roster(world, ['plan', '--detailed-exitcode', '--deep-check'], { transcript });
    expect(check.stdout).toContain('No changes:');
    expect(check.code).toBe(0);
    await expectTenantMatchesDesired(world);
    await expectExactlyOnce(world);
    transcript.expectNoSecrets({ CLIENT_SECRET });
  }, 600_000);

  it('500 and 502 on a fifth of Graph and Exchange calls: reads and writes retried, nothing fails, each change written once', async () => {
    world = await createChaosWorld({ employees: 12, seed: 9 });
    const transcript = new Transcript();
    world.sim.patchFaults({ seed: 7, rate500: 0.1, rate502: 0.1, services: ['graph', 'exchange'] });
    // A deep check reads every photo and mailbox: a 500 on any read would be a warning.
    const planned = await roster(world, ['plan', '--deep-check', '--format', 'json'], { transcript });
    expect(planned.code, planned.stderr).toBe(0);
    const warnings = (JSON.parse(planned.stdout) as { warnings: { kind: string }[] }).warnings;
    expect(warnings.filter((w) => w.kind === 'observation')).toEqual([]);
    const applied = await roster(world, ['apply', '--auto-approve'], { transcript });
    expect(applied.code, applied.stdout.slice(-2000)).toBe(0);
    expect(applied.stdout).toMatch(/failed: 0, not started: 0/);
    expect(requestCount(world, / 500$/)).toBeGreaterThan(0);
    expect(requestCount(world, / 502$/)).toBeGreaterThan(0);
    expect(requestCount(world, / 50[02]$/)).toBeGreaterThanOrEqual(5);

    world.sim.patchFaults({ rate500: 0, rate502: 0 });
    const check = await roster(world, ['plan', '--detailed-exitcode', '--deep-check'], { transcript });
    expect(check.stdout).toContain('No changes:');
    await expectTenantMatchesDesired(world);
    await expectExactlyOnce(world);
  }, 300_000);

  it('the token endpoint down for 30 s: the run waits (bounded) and then applies everything once', async () => {
    world = await createChaosWorld({ employees: 6, seed: 5 });
    const transcript = new Transcript();
    world.sim.patchFaults({ tokenOutageUntil: world.sim.now() + 30_000 });
    const started = Date.now();
    const run = await roster(world, ['apply', '--auto-approve'], { transcript });
    expect(
      run.code,
      run.stderr
        .split('\n')
        .filter((l) => !l.includes('"api call"'))
        .join('\n'),
    ).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29_000);
    expect(requestCount(world, /token 503$/)).toBeGreaterThan(1);
    expect(run.stdout).toMatch(/Run [0-9a-f-]+: succeeded/);
    await expectTenantMatchesDesired(world);
    await expectExactlyOnce(world);
    transcript.expectNoSecrets({ CLIENT_SECRET });
  }, 300_000);

  it('a token outage longer than the budget fails the run clearly before any write', async () => {
    world = await createChaosWorld({ employees: 4, seed: 5 });
    const transcript = new Transcript();
    world.sim.patchFaults({ tokenOutageUntil: world.sim.now() + 3_600_000 });
    const run = await roster(world, ['apply', '--auto-approve'], { transcript, timeoutMs: 240_000 });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^roster: could not get a token for https:\/\/graph\.microsoft\.com\/\.default: temporarily_unavailable/m,
    );
    expect(world.sim.statsSnapshot().writesPerUser).toEqual({});
    transcript.expectNoSecrets({ CLIENT_SECRET });
  }, 300_000);

  it('tokens expiring mid-run (the service clock jumps 2 h): new tokens, no 401 failures', async () => {
    world = await createChaosWorld({ employees: 10, seed: 7 });
    const transcript = new Transcript();
    world.sim.patchFaults({ latencyMs: 150, services: ['graph', 'exchange'] });
    const sim = world.sim;
    let jumped = false;
    const run = await roster(world, ['apply', '--auto-approve'], {
      transcript,
      onSpawn: (child) =>
        child.stderr?.on('data', (chunk: Buffer) => {
          if (jumped || !chunk.toString().includes('apply started')) return;
          jumped = true;
          // Every token issued so far is expired as the service sees it.
          setTimeout(() => sim.advanceClock(2 * 3_600_000), 300);
        }),
    });
    expect(jumped).toBe(true);
    expect(requestCount(world, / 401$/)).toBeGreaterThan(0);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('failed: 0');
    expect(requestCount(world, /token 200$/)).toBeGreaterThanOrEqual(4);
    await expectTenantMatchesDesired(world);
    await expectExactlyOnce(world);
    transcript.expectNoSecrets({ CLIENT_SECRET });
  }, 300_000);
});
