import { describe, expect, it } from 'vitest';
import { startControllerServer } from '../../src/runtime/controller-runtime.js';
import { createMetrics } from '../../src/server/metrics.js';
import { createTestWorld, usersFromDesired } from '../support/roster-world.js';
import { captureLogger, controllerSettings, waitFor } from './controller-harness.js';

const TOKEN = 'dashboard-controller-token-3f9a1c7e';

describe('the dashboard served by the controller', () => {
  it("shows the controller's latest plan and applies one employee through it", async () => {
    await using world = await createTestWorld({
      settings: {
        ...controllerSettings('observe', '1h'),
        photos: { enabled: false },
        signatures: { enabled: false },
      },
      users: async ({ desired }) =>
        usersFromDesired(await desired()).map((u) =>
          u.userPrincipalName === 'bjorn.okland@example.no' ? { ...u, department: 'Gammel avdeling' } : u,
        ),
    });
    const { logger } = captureLogger();
    const server = await startControllerServer({
      dir: world.dir,
      env: { ...world.env, ROSTER_API_TOKEN: TOKEN },
      logger,
      port: 0,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      await waitFor(() => server.controller.latestOverview(), 20_000, 'the start run');
      const page = await (await fetch(`${server.url}/?status=drift`)).text();
      expect(page).toContain('bjorn.okland@example.no');
      expect(page).not.toContain('ase.maeland@example.no');
      const detail = await (await fetch(`${server.url}/employees/bjorn.okland@example.no`)).text();
      expect(detail).toContain('Gammel avdeling');
      expect(detail).toContain('Bergen Bryggen');

      const refused = await fetch(`${server.url}/actions/apply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ emails: ['bjorn.okland@example.no'] }),
      });
      expect(refused.status).toBe(401);

      const started = await fetch(`${server.url}/actions/apply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ emails: ['bjorn.okland@example.no'] }),
      });
      expect(started.status).toBe(202);
      const { jobId } = (await started.json()) as { jobId: string };
      const events = await (await fetch(`${server.url}/actions/${jobId}/events`)).text();
      expect(events).toContain('"outcome":"applied"');
      const users = world.sim.stateSnapshot().users as Array<{
        userPrincipalName: string;
        department: string | null;
      }>;
      expect(users.find((u) => u.userPrincipalName === 'bjorn.okland@example.no')?.department).toBe(
        'Bergen Bryggen',
      );
      // The view was re-planned after the batch: nothing left to do.
      const after = await (await fetch(`${server.url}/?status=drift`)).text();
      expect(after).not.toContain('bjorn.okland@example.no');
      // The state database has its row; "Last apply" is the apply, not the plan that followed it.
      expect(after).toMatch(
        /<tr data-check="Database">\s*<th scope="row">Database<\/th>\s*<td><span class="badge badge-ok">/,
      );
      expect(server.controller.status().lastRun?.kind).toBe('plan');
      const lastApply = /<dl class="counts" id="last-apply">([\s\S]*?)<\/dl>/.exec(after)?.[1] ?? '';
      expect(lastApply).toMatch(/<dt>Kind<\/dt>\s*<dd>apply<\/dd>/);
      expect(lastApply.replace(/\s+/g, ' ')).toContain('1 change: 1 profile update, 0 photos, 0 signatures');
      expect(after.replace(/\s+/g, ' ')).toContain('Latest plan: succeeded');

      // Live: the first event is the overview as it is now, the apply included.
      const stream = new AbortController();
      const live = await fetch(`${server.url}/events`, { signal: stream.signal });
      expect(live.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = live.body!.getReader();
      let received = '';
      while (!received.includes('\n\n')) received += new TextDecoder().decode((await reader.read()).value);
      stream.abort();
      expect(received).toMatch(/^event: overview\ndata: /);
      const event = JSON.parse(received.slice(received.indexOf('data: ') + 6)) as {
        overview: { lastApply?: { kind: string }; checks: { database: { ok: boolean } } };
      };
      expect(event.overview.lastApply?.kind).toBe('apply');
      expect(event.overview.checks.database.ok).toBe(true);

      // Read back: token-guarded; through the controller's runtime (photos and signatures are off here).
      const readBack = (headers: Record<string, string>) =>
        fetch(`${server.url}/employees/bjorn.okland@example.no/read-back`, { method: 'POST', headers });
      expect((await readBack({})).status).toBe(401);
      const read = await readBack({ authorization: `Bearer ${TOKEN}` });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ email: 'bjorn.okland@example.no', matched: true });
      const unknown = await fetch(`${server.url}/employees/nobody@example.no/read-back`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(unknown.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('a batch apply stopped by a guardrail is reported as stopped, never as nothing to do', async () => {
    await using world = await createTestWorld({
      settings: {
        ...controllerSettings('observe', '1h'),
        photos: { enabled: false },
        signatures: { enabled: false },
        // No change at all may pass: the one-employee apply below must stop.
        guardrails: { maxChanges: 0, maxSourceShrinkPercent: 20 },
      },
      users: async ({ desired }) =>
        usersFromDesired(await desired()).map((u) =>
          u.userPrincipalName === 'bjorn.okland@example.no' ? { ...u, department: 'Gammel avdeling' } : u,
        ),
    });
    const server = await startControllerServer({
      dir: world.dir,
      env: { ...world.env, ROSTER_API_TOKEN: TOKEN },
      logger: captureLogger().logger,
      port: 0,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      await waitFor(() => server.controller.latestOverview(), 20_000, 'the start run');
      const started = await fetch(`${server.url}/actions/apply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ emails: ['bjorn.okland@example.no'] }),
      });
      const { jobId } = (await started.json()) as { jobId: string };
      const events = await (await fetch(`${server.url}/actions/${jobId}/events`)).text();
      expect(events).toContain('"outcome":"stopped"');
      expect(events).toContain('max-changes');
      expect(events).toContain('"stopped":1');
      expect(events).not.toContain('nothing-to-do');
      const users = world.sim.stateSnapshot().users as Array<{
        userPrincipalName: string;
        department: string | null;
      }>;
      expect(users.find((u) => u.userPrincipalName === 'bjorn.okland@example.no')?.department).toBe(
        'Gammel avdeling',
      );
      const runs = await server.controller.listRuns(5);
      expect(runs.find((r) => r.kind === 'apply')).toMatchObject({ outcome: 'stopped' });
    } finally {
      await server.close();
    }
  });
});
