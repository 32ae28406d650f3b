import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBannerImages } from '../../src/adapters/photo-fetch/banner-images.js';
import { runValidate } from '../../src/cli/validate.js';
import { startBannerServer } from '../support/banner-server.js';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

async function validate(world: TestWorld, options: { source: boolean; env?: Record<string, string> }) {
  const ctx = world.context();
  const code = await runValidate({ ...ctx, env: options.env ?? ctx.env }, { source: options.source });
  return { code, lines: ctx.output().trim().split('\n') };
}

describe('roster validate exit codes', () => {
  it('exits 1 when the HR data has errors (a duplicate email, an over-long title), listing each', async () => {
    const hr = smallHrFixture({ photoBaseUrl: 'https://hr.example.no/photos' });
    const first = hr.employees[0]!;
    const longTitle = { ...first, id: 99, email: 'lang.tittel@example.no', title: 'Rådgiver '.repeat(15) };
    await using world = await createTestWorld({ hr: { ...hr, employees: [...hr.employees, longTitle] } });
    const { code, lines } = await validate(world, { source: true });
    expect(code).toBe(1);
    const errors = lines.filter((l) => l.startsWith('source: error:'));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^source: error: ola\.nordmann@example\.no: source id 7 shares the email/),
        expect.stringMatching(/^source: error: lang\.tittel@example\.no: jobTitle is 134 characters long/),
      ]),
    );
    expect(lines.at(-1)).toMatch(/^source: query valid; .* [1-9]\d* with errors \(left out of runs\)$/);
  });

  it('exits 0 when nothing is wrong, and 1 when the source could not be checked for want of DATABASE_URL', async () => {
    const hr = smallHrFixture({ photoBaseUrl: 'https://hr.example.no/photos' });
    // The fixture's deliberately broken employees are left out: the rest is clean.
    const probe = await createTestWorld({ hr });
    const broken = new Set(
      (await probe.desired()).issues.filter((i) => i.severity !== 'warning').map((i) => i.employee),
    );
    await probe[Symbol.asyncDispose]();
    expect(broken.size).toBeGreaterThan(0);
    await using world = await createTestWorld({
      hr: { ...hr, employees: hr.employees.filter((e) => !broken.has(e.email.toLowerCase())) },
    });
    const clean = await validate(world, { source: true });
    expect(clean.lines.filter((l) => l.includes('error:'))).toEqual([]);
    expect(clean.code).toBe(0);

    const { DATABASE_URL: _unset, ...env } = world.env;
    const unchecked = await validate(world, { source: true, env });
    expect(unchecked.code).toBe(1);
    expect(unchecked.lines.at(-1)).toBe(
      'source: error: DATABASE_URL is not set, so the source query and HR data were not checked (--no-source checks the configuration only)',
    );

    const configOnly = await validate(world, { source: false, env });
    expect(configOnly.code).toBe(0);
    expect(configOnly.lines.at(-1)).toBe('source: not checked (--no-source)');
  });

  it('downloads each running campaign banner: too large or not an image exits 1, a 503 only warns', async () => {
    await using banners = await startBannerServer();
    await using world = await createTestWorld({
      settings: {
        photos: { enabled: false, allowPrivateAddresses: true },
        signatures: { allowedHosts: ['example.no', '*.example.no', '127.0.0.1'], maxBannerBytes: 10_000 },
      },
    });
    const campaign = (id: string, path: string) =>
      writeFile(
        join(world.dir, `desired-state/campaigns/${id}.yaml`),
        `id: ${id}\nname: ${id}\nbanner:\n  image: ${banners.url(path)}\n  width: 480\n  alt: ${id}\n` +
          `  link: https://www.example.no/${id}\nstart: { at: '2020-01-01T00:00', timeZone: UTC }\n` +
          `end: { at: '2099-01-01T00:00', timeZone: UTC }\ntarget: { offices: [Oslo Sentrum] }\n`,
      );
    await mkdir(join(world.dir, 'desired-state/campaigns'), { recursive: true });
    await campaign('busy', '/unavailable.png');
    await campaign('fine', '/small.png');
    const ctx = world.context();
    const check = (settings: Parameters<typeof createBannerImages>[0]) =>
      createBannerImages(settings, { ca: banners.ca });
    const warned = await runValidate(ctx, { source: false }, { bannerImages: check });
    expect(ctx.output()).toContain(
      `desired-state/campaigns/busy.yaml:4:10 /banner/image: warning: campaign busy: the banner image ${banners.url('/unavailable.png')} could not be checked this run (the banner image server answered HTTP 503); the campaign stays as it is`,
    );
    expect(ctx.output()).toContain('campaigns: 2 loaded\n');
    expect(warned).toBe(0);

    await campaign('huge', '/large.png');
    await campaign('page', '/page.html');
    const again = world.context();
    const failed = await runValidate(again, { source: false }, { bannerImages: check });
    const errors = again
      .output()
      .split('\n')
      .filter((l) => l.includes(': error: '));
    expect(errors).toEqual([
      `desired-state/campaigns/huge.yaml:4:10 /banner/image: error: campaign huge: the banner image ${banners.url('/large.png')} is ${banners.sizes.large} bytes; the limit is 10000 bytes (signatures.maxBannerBytes)`,
      expect.stringMatching(
        /^desired-state\/campaigns\/page\.yaml:4:10 \/banner\/image: error: campaign page: .* is not an image: /,
      ),
    ]);
    expect(again.output()).toContain(
      'campaigns: 2 loaded; campaign files with errors are left out (2 error(s) above)',
    );
    expect(failed).toBe(1);
  });
});
