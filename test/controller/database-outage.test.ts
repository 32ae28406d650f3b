import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startControllerServer } from '../../src/runtime/controller-runtime.js';
import { createMetrics } from '../../src/server/metrics.js';
import { CLIENT_SECRET, createTestWorld, usersFromDesired } from '../support/roster-world.js';
import { captureLogger, controllerSettings, createTcpProxy, waitFor } from './controller-harness.js';

/** A local webhook receiver collecting what the controller posts. */
async function startWebhook(): Promise<{
  url: string;
  events: { type: string; summary: string }[];
  close(): Promise<void>;
}> {
  const events: { type: string; summary: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      events.push(JSON.parse(body) as { type: string; summary: string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    events,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('controller and a database that is lost and comes back', () => {
  it('stays up with /readyz failing while PostgreSQL is unreachable, and recovers when it returns', async () => {
    await using world = await createTestWorld({
      settings: controllerSettings('observe', '1s'),
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    const target = new URL(world.db.url);
    await using proxy = await createTcpProxy({ host: target.hostname, port: Number(target.port) });
    await proxy.close();
    const webhook = await startWebhook();
    const { logger, lines } = captureLogger();
    const server = await startControllerServer({
      dir: world.dir,
      env: { ...world.env, DATABASE_URL: proxy.url(world.db.url), ROSTER_WEBHOOK_URL: webhook.url },
      logger,
      port: 0,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    const readyz = async () => {
      const res = await fetch(`${server.url}/readyz`);
      return {
        status: res.status,
        body: (await res.json()) as { checks: Record<string, { ok: boolean; message?: string }> },
      };
    };
    try {
      // Unreachable at start: alive, not ready, and the reason is plain.
      const down = await waitFor(
        async () => {
          const r = await readyz();
          return r.body.checks.leader?.message?.includes('cannot') ? r : undefined;
        },
        10_000,
        'the first lock check',
      );
      expect(down.status).toBe(503);
      expect(down.body.checks.database).toEqual({
        ok: false,
        message: expect.stringMatching(
          new RegExp(
            `^cannot connect to the state database at 127\\.0\\.0\\.1:${proxy.port}/roster_test_\\w+: ECONNREFUSED$`,
          ),
        ),
      });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.controller.status().conditions.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'LeaderLockUnavailable',
      });
      expect(server.controller.status().lastRun).toBeUndefined();

      // The database comes back: the next tick takes the lock and runs.
      await proxy.open();
      await waitFor(async () => (await readyz()).status === 200, 10_000, 'readiness');
      await waitFor(() => server.controller.status().lastRun?.outcome === 'succeeded', 10_000, 'a run');
      expect(server.controller.status().leader.isLeader).toBe(true);

      // Lost again mid-life: runs fail (no write: observe mode, and apply needs a full plan), /readyz fails.
      world.sim.patchUser('bjorn.okland@example.no', { department: 'Drifted' });
      await waitFor(
        () => webhook.events.some((e) => e.type === 'drift-detected'),
        10_000,
        'the drift webhook',
      );
      await proxy.close();
      await waitFor(async () => (await readyz()).status === 503, 10_000, 'readiness to fail');
      await waitFor(
        () => server.controller.status().conditions.some((c) => c.type === 'Ready' && c.status === 'False'),
        10_000,
        'Ready=False',
      );
      await proxy.open();
      await waitFor(async () => (await readyz()).status === 200, 10_000, 'readiness to recover');
      await waitFor(() => server.controller.status().lastRun?.outcome === 'succeeded', 10_000, 'a run');
      // The same drift is announced once, however many runs see it.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(webhook.events.filter((e) => e.type === 'drift-detected')).toHaveLength(1);
      expect(world.sim.statsSnapshot().writesPerUser).toEqual({});
    } finally {
      await server.close();
      await webhook.close();
    }
    for (const line of lines) expect(line).not.toContain(CLIENT_SECRET);
  });
});
