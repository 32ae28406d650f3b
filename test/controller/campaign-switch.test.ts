import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConfig } from '../../src/adapters/postgres/connect.js';
import { createPostgresPacingStore } from '../../src/adapters/postgres/pacing-store.js';
import { openRuntime } from '../../src/runtime/open-runtime.js';
import { SIGNATURE_WRITES_PACE } from '../../src/runtime/signature-write-meter.js';
import { run } from '../../src/runs/run.js';
import { localBannerSettings, startBannerServer, type BannerServer } from '../support/banner-server.js';
import { createTestWorld, TENANT_ID, usersFromDesired, type TestWorld } from '../support/roster-world.js';
import { captureLogger, startTestController, controllerSettings, waitFor } from './controller-harness.js';

/** Every mailbox's signature html in the simulator, by user id. */
function tenantSignatures(world: TestWorld): Record<string, string | undefined> {
  return Object.fromEntries([...world.sim.state.mailboxConfig].map(([id, c]) => [id, c.SignatureHtml]));
}

const second = (instant: number) => new Date(instant).toISOString().slice(0, 19);

/** A campaign file for the Bergen office (three employees), from `start` to `end`, its banner at `image`. */
async function writeCampaign(dir: string, image: string, start: number, end: number): Promise<void> {
  await mkdir(join(dir, 'desired-state/campaigns'), { recursive: true });
  await writeFile(
    join(dir, 'desired-state/campaigns/flash.yaml'),
    [
      'id: flash-sale',
      'name: Flash sale',
      `banner: { image: '${image}', width: 300, alt: Flash sale, link: https://www.example.no/flash }`,
      `start: { at: '${second(start)}', timeZone: UTC }`,
      `end: { at: '${second(end)}', timeZone: UTC }`,
      'target: { offices: [Bergen Bryggen] }',
      '',
    ].join('\n'),
  );
}

// Each run downloads the banner from here (as from a CDN): nothing leaves the machine.
let banners: BannerServer;
let FLASH: string;
beforeAll(async () => {
  banners = await startBannerServer();
  FLASH = banners.url('/small.gif');
});
afterAll(() => banners[Symbol.asyncDispose]());

describe('the controller and a campaign', () => {
  it('runs at the start and at the end, whatever its interval, and reports prediction and outcome', async () => {
    // Whole seconds, far enough ahead for the start run to be done first.
    const start = Math.ceil((Date.now() + 10_000) / 1000) * 1000;
    const end = start + 6_000;
    await using world = await createTestWorld({
      settings: {
        ...controllerSettings('apply', '1h'),
        ...localBannerSettings(),
      },
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    // An earlier apply measured 2 signature writes a second; the controller predicts from that.
    const pacing = createPostgresPacingStore(postgresConfig(world.db.url, undefined));
    await pacing.savePacing(TENANT_ID, [
      { api: SIGNATURE_WRITES_PACE, lanes: { achieved: { rate: 2 } }, concurrency: 1, learnedAt: new Date() },
    ]);
    await pacing.close();
    await writeCampaign(world.dir, FLASH, start, end);
    const { logger } = captureLogger();
    const server = await startTestController(world, logger);
    try {
      await waitFor(() => server.controller.status().lastRun, 20_000, 'the start run');
      const before = tenantSignatures(world);
      const status = (await (await fetch(`${server.url}/status`)).json()) as {
        campaigns?: { upcoming: { campaign: string; kind: string; audience?: number; runAt: string }[] };
      };
      expect(status.campaigns?.upcoming.map((u) => [u.kind, u.audience, u.runAt])).toEqual([
        ['start', 3, new Date(start).toISOString()],
        ['end', 3, new Date(end).toISOString()],
      ]);

      // The dashboard lists it with its audience, and previews a signature with and without it.
      const list = await (await fetch(`${server.url}/campaigns`)).text();
      expect(list).toMatch(/Flash sale[\s\S]*Upcoming[\s\S]*<td>3<\/td>/);
      const page = await (
        await fetch(`${server.url}/campaigns/flash-sale?email=bjorn.okland@example.no`)
      ).text();
      expect(page).toContain('https://www.example.no/flash?utm_campaign=flash-sale');
      const preview = (banner: string) =>
        fetch(`${server.url}/campaigns/flash-sale/preview/bjorn.okland@example.no/${banner}`).then((r) =>
          r.text(),
        );
      expect(await preview('with')).toContain(FLASH);
      expect(await preview('without')).not.toContain('flash');
      expect(await preview('without')).toContain('bjorn.okland@example.no');

      const started = await waitFor(
        () => server.controller.status().campaigns?.lastSwitch,
        20_000,
        'the start switch',
      );
      expect(started).toMatchObject({
        switches: [{ campaign: 'flash-sale', kind: 'start' }],
        mode: 'apply',
        outcome: 'succeeded',
        signatures: 3,
      });
      expect(Date.parse(started.startedAt)).toBeGreaterThanOrEqual(start);
      // 3 signatures at the 2 a second measured (no run that wrote nothing came first to add its
      // planning time: the first run wrote); the outcome beside it.
      expect(started.predictedSeconds).toBe(1.5);
      expect(started.tookSeconds).toBeGreaterThanOrEqual(0);
      const during = tenantSignatures(world);
      expect(Object.values(during).filter((html) => html?.includes(FLASH))).toHaveLength(3);

      await waitFor(
        () => server.controller.status().campaigns?.lastSwitch?.switches[0]?.kind === 'end',
        20_000,
        'the end switch',
      );
      expect(Date.parse(server.controller.status().campaigns!.lastSwitch!.startedAt)).toBeGreaterThanOrEqual(
        end,
      );
      expect(tenantSignatures(world)).toEqual(before);
      // Two switch runs and the start run: the hourly interval made none of its own.
      const runs = await server.controller.listRuns(10);
      expect(runs).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('counts a switch no reviewed plan showed against maxChanges, and stops it', async () => {
    const start = Math.ceil((Date.now() + 6_000) / 1000) * 1000;
    await using world = await createTestWorld({
      settings: {
        ...controllerSettings('apply', '1h'),
        ...localBannerSettings(),
        guardrails: { maxChanges: 2, maxSourceShrinkPercent: 20 },
      },
      users: async ({ desired }) => usersFromDesired(await desired()),
    });
    // Every signature set once by a person's apply, before the campaign file exists.
    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      const baseline = await run(runtime, { kind: 'apply', actor: 'test', allowLargeChange: true });
      expect(baseline.failure).toBeUndefined();
    } finally {
      await runtime.close();
    }
    const before = tenantSignatures(world);
    // Merged without a plan that showed it: its three users have no reviewed audience.
    await writeCampaign(world.dir, FLASH, start, start + 3_600_000);
    const { logger } = captureLogger();
    const server = await startTestController(world, logger);
    try {
      const switched = await waitFor(
        () => server.controller.status().campaigns?.lastSwitch,
        20_000,
        'the start switch',
      );
      expect(switched).toMatchObject({
        switches: [{ campaign: 'flash-sale', kind: 'start' }],
        outcome: 'stopped',
      });
      expect(tenantSignatures(world)).toEqual(before);
    } finally {
      await server.close();
    }
  });
});
