import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** The built binary with pipes for standard output and error (no terminal: progress lines). */
async function roster(world: TestWorld, args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [BIN, '-C', world.dir, ...args], {
      env: { ...process.env, ...world.env, ROSTER_PROGRESS_INTERVAL: '200ms' },
      maxBuffer: 10_000_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const progressLines = (stderr: string) => stderr.split('\n').filter((l) => /^roster \d/.test(l));

describe('progress of plan and apply without a terminal', () => {
  let world: TestWorld;
  beforeAll(async () => {
    world = await createTestWorld({
      hr: smallHrFixture(),
      settings: {
        photos: { enabled: false },
        guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 20 },
      },
      users: ({ hr }) =>
        [...new Set(hr.employees.filter((e) => e.status === 'active').map((e) => e.email.toLowerCase()))].map(
          (email) => ({ userPrincipalName: email, mail: email, displayName: 'Old Name' }),
        ),
    });
    // Slow enough that each run lasts several progress intervals.
    world.sim.patchFaults({ latencyMs: 120, services: ['graph', 'exchange'] });
  });
  afterAll(async () => world?.[Symbol.asyncDispose]());

  it('plan: lines on standard error every interval, standard output the same JSON as with --no-progress', async () => {
    const quiet = await roster(world, ['plan', '--format', 'json', '--deep-check', '--no-progress']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(progressLines(quiet.stderr)).toEqual([]);

    const shown = await roster(world, ['plan', '--format', 'json', '--deep-check']);
    expect(shown.code, shown.stderr).toBe(0);
    const lines = progressLines(shown.stderr);
    expect(lines.length, shown.stderr).toBeGreaterThanOrEqual(2);
    // The last line: every active employee planned.
    expect(lines.at(-1)).toMatch(/^roster \d+s: planning: 1 slice, 10\/10 active employees, done$/);
    const strip = (json: string) => json.replace(/"generatedAt": *"[^"]*"/, '');
    expect(strip(shown.stdout)).toBe(strip(quiet.stdout));
    expect(shown.stdout).not.toContain('roster ');
  });

  it('apply: writes per aspect done of total, with the throttle wait; the summary alone on standard output', async () => {
    const applied = await roster(world, ['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    const lines = progressLines(applied.stderr);
    const last = lines.at(-1) ?? '';
    expect(last, applied.stderr).toMatch(
      /^roster (\d+m )?\d+s: applying \d+ changes: profile updates (\d+)\/\2, done, throttled \d+s; signatures (\d+)\/\3, done, throttled \d+s$/,
    );
    expect(applied.stdout).not.toMatch(/^roster \d/m);
    expect(applied.stdout).toMatch(/^Plan: 14 changes/m);
    expect(applied.stdout).toMatch(/^ {2}applied: 14, skipped \(stale\): 0, failed: 0/m);
  });
});
