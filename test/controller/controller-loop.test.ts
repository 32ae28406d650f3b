import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startControllerServer } from '../../src/runtime/controller-runtime.js';
import { createMetrics } from '../../src/server/metrics.js';
import { CLIENT_SECRET, createTestWorld, usersFromDesired } from '../support/roster-world.js';
import {
  captureLogger,
  controllerSettings,
  editSettings,
  prometheusProblems,
  startTestController,
  waitFor,
} from './controller-harness.js';

const TOKEN = 'controller-test-token-7c1e9a2b';

function writes(world: { sim: { statsSnapshot(): { writesPerUser: Record<string, number> } } }): number {
  return Object.values(world.sim.statsSnapshot().writesPerUser).reduce((a, b) => a + b, 0);
}

describe('roster controller against the simulator and PostgreSQL', () => {
  it('observe mode reports out-of-band drift in /status and /metrics without writing; apply mode heals it', async () => {
    await using world = await createTestWorld({
      // A long interval: the start run happens, the rest is driven by the API and runOnce.
      settings: controllerSettings('observe', '1h'),
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const { logger, lines } = captureLogger();
    const env = { ...world.env, ROSTER_API_TOKEN: TOKEN };
    const server = await startControllerServer({
      dir: world.dir,
      env,
      logger,
      port: 0,
      identity: 'replica-a',
      metrics: createMetrics({ defaultMetrics: false }),
    });
    const bodies: string[] = [];
    const get = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.url}${path}`, init);
      const text = await res.text();
      bodies.push(text);
      return { status: res.status, text };
    };
    try {
      const first = await waitFor(() => server.controller.status().lastRun, 20_000, 'the start run');
      expect(first).toMatchObject({ kind: 'plan', outcome: 'succeeded' });
      expect(server.controller.status().drift).toMatchObject({ profile: 0, photo: 0, signature: 0 });

      world.sim.patchUser('bjorn.okland@example.no', { department: 'Gammel avdeling' });
      world.sim.resetStats();

      // Plan-now needs the token.
      expect((await get('/plan', { method: 'POST' })).status).toBe(401);
      expect(
        (await get('/plan', { method: 'POST', headers: { authorization: 'Bearer wrong-token-123' } })).status,
      ).toBe(403);
      const planned = await get('/plan', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(planned.status).toBe(200);
      expect(JSON.parse(planned.text)).toMatchObject({
        run: { kind: 'plan', outcome: 'succeeded', actions: { 'update-profile': 1 } },
        summary: { updateProfile: 1 },
      });

      const status = JSON.parse((await get('/status')).text);
      expect(status).toMatchObject({
        instance: { id: 'replica-a' },
        leader: { isLeader: true, holder: 'replica-a' },
        mode: 'observe',
        drift: { profile: 1, photo: 0, signature: 0 },
        lastRun: { kind: 'plan', outcome: 'succeeded', actions: { 'update-profile': 1 } },
        config: { valid: true, errors: [] },
      });
      const conditions = Object.fromEntries(
        (status.conditions as { type: string; status: string; reason: string }[]).map((c) => [
          c.type,
          `${c.status} ${c.reason}`,
        ]),
      );
      expect(conditions).toEqual({
        Ready: 'True RunSucceeded',
        Degraded: 'False AsExpected',
        Progressing: 'False Idle',
        // The seeded HR data has two employees with errors: a warning of the preflight.
        Preflight: 'True ChecksPassedWithWarnings',
      });

      const metrics = (await get('/metrics')).text;
      expect(metrics).toContain('roster_drift{aspect="profile"} 1');
      expect(metrics).toContain('roster_leader 1');
      expect(metrics).toMatch(/roster_runs_total\{kind="plan",outcome="succeeded"\} 2/);
      expect(metrics).toMatch(/roster_actions_total\{kind="update-profile",outcome="planned"\} 1/);
      expect(prometheusProblems(metrics)).toEqual([]);
      expect(writes(world)).toBe(0);

      const plan = JSON.parse((await get('/plan')).text);
      expect(plan.actions).toEqual([
        expect.objectContaining({
          key: 'bjorn.okland@example.no#profile',
          changes: [{ field: 'department', before: 'Gammel avdeling', after: 'Bergen Bryggen' }],
        }),
      ]);

      // Apply mode, picked up from the re-read configuration: the drift is healed.
      await editSettings(world.dir, controllerSettings('apply', '1h'));
      const applied = await server.controller.runOnce();
      expect(applied).toMatchObject({
        kind: 'apply',
        outcome: 'succeeded',
        results: { applied: 1, failed: 0 },
      });
      expect(server.controller.status()).toMatchObject({ mode: 'apply', drift: { profile: 0 } });
      expect(
        world.sim.stateSnapshot().users.find((u) => u.userPrincipalName === 'bjorn.okland@example.no'),
      ).toMatchObject({ department: 'Bergen Bryggen' });
      expect((await get('/metrics')).text).toContain('roster_drift{aspect="profile"} 0');
      const again = await server.controller.runOnce('plan');
      expect(again).toMatchObject({ outcome: 'succeeded', actions: { 'update-profile': 0 } });
      expect(server.controller.latestPlan()?.actions).toEqual([]);

      // The runs are in the history, under this instance.
      const runs = JSON.parse((await get('/runs?limit=10')).text).runs as { actor: string; kind: string }[];
      expect(runs.map((r) => r.kind)).toEqual(['plan', 'apply', 'plan', 'plan']);
      expect(new Set(runs.map((r) => r.actor))).toEqual(new Set(['controller:replica-a']));

      // Apply-now for one employee; unknown ones are refused; bodies are limited.
      const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const unknown = await get('/apply', {
        method: 'POST',
        headers: auth,
        body: '{"email":"nobody@example.no"}',
      });
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: 'unknown-employee' } });
      world.sim.patchUser('bjorn.okland@example.no', { department: 'Again out of band' });
      world.sim.patchUser('ase.maeland@example.no', { department: 'Left alone this time' });
      const one = await get('/apply', {
        method: 'POST',
        headers: auth,
        body: '{"email":"Bjorn.Okland@example.no"}',
      });
      expect(one.status).toBe(200);
      expect(JSON.parse(one.text)).toMatchObject({
        run: { kind: 'apply', outcome: 'succeeded', results: { applied: 1 } },
      });
      const users = world.sim.stateSnapshot().users;
      expect(users.find((u) => u.userPrincipalName === 'bjorn.okland@example.no')?.department).toBe(
        'Bergen Bryggen',
      );
      expect(users.find((u) => u.userPrincipalName === 'ase.maeland@example.no')?.department).toBe(
        'Left alone this time',
      );
      const huge = await get('/apply', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ email: 'x'.repeat(40_000) }),
      });
      expect(huge.status).toBe(413);
    } finally {
      await server.close();
    }
    // No secret anywhere: not in a response, not in a log line.
    for (const text of [...bodies, ...lines]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(TOKEN);
    }
    expect(lines.some((l) => l.includes('"runId"'))).toBe(true);
  });

  it('an invalid configuration revision reports Degraded with file and line and runs on the last good one', async () => {
    await using world = await createTestWorld({
      settings: controllerSettings('observe', '1h'),
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const { logger } = captureLogger();
    const server = await startTestController(world, logger);
    try {
      await waitFor(() => server.controller.status().lastRun, 20_000, 'the start run');
      const good = server.controller.status().config.revision;
      world.sim.patchUser('bjorn.okland@example.no', { department: 'Out of band' });
      const file = join(world.dir, 'desired-state/roster.yaml');
      const goodText = await readFile(file, 'utf8');
      await writeFile(file, `${goodText}\nschedule: [unclosed\n`);

      const run = await server.controller.runOnce();
      expect(run).toMatchObject({ kind: 'plan', outcome: 'succeeded', actions: { 'update-profile': 1 } });
      const status = server.controller.status();
      expect(status.config.revision).toBe(good);
      expect(status.config.valid).toBe(false);
      expect(status.config.errors[0]).toMatch(/^desired-state\/roster\.yaml:\d+:\d+/);
      const degraded = status.conditions.find((c) => c.type === 'Degraded');
      expect(degraded).toMatchObject({ status: 'True', reason: 'InvalidConfig' });
      expect(degraded?.message).toContain(`still using the last good revision ${good.slice(0, 12)}`);
      expect(degraded?.message).toContain('desired-state/roster.yaml:');
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
        checks: Record<string, unknown>;
      };
      expect(ready.checks.config).toMatchObject({ ok: true });

      // Fixing it clears Degraded.
      await writeFile(file, goodText);
      await server.controller.runOnce();
      expect(server.controller.status().conditions.find((c) => c.type === 'Degraded')).toMatchObject({
        status: 'False',
        reason: 'AsExpected',
      });
      expect(server.controller.status().config).toMatchObject({ valid: true, errors: [] });
    } finally {
      await server.close();
    }
  });
});
