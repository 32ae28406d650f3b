import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBannerImages } from '../../src/adapters/photo-fetch/banner-images.js';
import type { SetSignatureAction } from '../../src/plan/plan-model.js';
import { collectPlan } from '../../src/runs/collect-plan.js';
import { run } from '../../src/runs/run.js';
import { openRuntime } from '../../src/runtime/open-runtime.js';
import { campaignYaml, startBannerServer } from '../support/banner-server.js';
import { createTestWorld, usersFromDesired } from '../support/roster-world.js';

const LIMIT = 10_000;

describe('a campaign whose banner image is too large', () => {
  it('is left out of the plan with a warning, while every other signature update is planned', async () => {
    await using banners = await startBannerServer();
    await using world = await createTestWorld({
      users: async ({ desired }) => usersFromDesired(await desired()),
      settings: {
        photos: { enabled: false, allowPrivateAddresses: true },
        signatures: {
          enabled: true,
          variables: { companyName: 'Eksempel AS', website: 'https://www.example.no' },
          allowedHosts: ['example.no', '*.example.no', '127.0.0.1'],
          maxBannerBytes: LIMIT,
        },
      },
    });
    await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
    await writeFile(
      join(world.dir, 'desired-state/campaigns/oslo.yaml'),
      campaignYaml('oslo', banners.url('/small.png'), 'Oslo Sentrum'),
    );
    await writeFile(
      join(world.dir, 'desired-state/campaigns/bergen.yaml'),
      campaignYaml('bergen', banners.url('/large.png'), 'Bergen Bryggen'),
    );
    const desired = await world.desired();
    const officeOf = new Map(desired.employees.map((e) => [e.key, e.officeName]));

    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      const collected = collectPlan();
      // The real banner adapter, trusting the test server's CA instead of Node's store.
      const bannerImages = createBannerImages(runtime.config.settings, { ca: banners.ca });
      const result = await run({ ...runtime, bannerImages }, { kind: 'plan', actor: 'test' }, collected);
      expect(result.failure).toBeUndefined();
      const plan = collected.plan()!;
      expect(plan.warnings.filter((w) => w.kind === 'campaign').map((w) => w.message)).toEqual([
        `campaign left out: desired-state/campaigns/bergen.yaml:4:10 /banner/image: error: campaign bergen: the banner image ${banners.url('/large.png')} is ${banners.sizes.large} bytes; the limit is ${LIMIT} bytes (signatures.maxBannerBytes)`,
      ]);
      const set = plan.actions.filter((a): a is SetSignatureAction => a.kind === 'set-signature');
      // Every employee's signature is planned (none was set yet), Bergen's without a banner.
      expect(new Set(set.map((a) => a.employee))).toEqual(new Set(desired.employees.map((e) => e.key)));
      const byOffice = (office: string) => set.filter((a) => officeOf.get(a.employee) === office);
      expect(byOffice('Bergen Bryggen').length).toBeGreaterThan(0);
      expect(byOffice('Oslo Sentrum').length).toBeGreaterThan(0);
      for (const a of byOffice('Oslo Sentrum')) expect(a.html).toContain('/small.png');
      for (const a of set) expect(a.html).not.toContain('/large.png');
      // One download per banner, whatever the number of employees.
      expect(banners.server.requests.map((r) => r.path).sort()).toEqual(['/large.png', '/small.png']);
    } finally {
      await runtime.close();
    }
  });

  it('a banner server answering 503 keeps its running campaign on, with a warning', async () => {
    await using banners = await startBannerServer();
    await using world = await createTestWorld({
      users: async ({ desired }) => usersFromDesired(await desired()),
      settings: {
        photos: { enabled: false, allowPrivateAddresses: true },
        signatures: { enabled: true, allowedHosts: ['example.no', '*.example.no', '127.0.0.1'] },
      },
    });
    await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
    await writeFile(
      join(world.dir, 'desired-state/campaigns/oslo.yaml'),
      campaignYaml('oslo', banners.url('/unavailable.png'), 'Oslo Sentrum'),
    );
    const runtime = await openRuntime({ dir: world.dir, env: world.env });
    try {
      const collected = collectPlan();
      const bannerImages = createBannerImages(runtime.config.settings, { ca: banners.ca });
      await run({ ...runtime, bannerImages }, { kind: 'plan', actor: 'test' }, collected);
      const plan = collected.plan()!;
      expect(plan.warnings.filter((w) => w.kind === 'campaign').map((w) => w.message)).toEqual([
        `desired-state/campaigns/oslo.yaml:4:10 /banner/image: warning: campaign oslo: the banner image ${banners.url('/unavailable.png')} could not be checked this run (the banner image server answered HTTP 503); the campaign stays as it is`,
      ]);
      expect(plan.campaigns?.active).toMatchObject([{ campaign: 'oslo' }]);
      const withBanner = plan.actions.filter(
        (a): a is SetSignatureAction => a.kind === 'set-signature' && a.html.includes('/unavailable.png'),
      );
      expect(withBanner.length).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
  });
});
