import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignYaml, startBannerServer, type BannerServer } from '../../test/support/banner-server.js';
import { startPhotoServer } from '../../test/support/photo-servers.js';
import { createBannerImages } from '../adapters/photo-fetch/banner-images.js';
import { formatProblem } from '../errors/roster-error.js';
import { checkCampaignBanners } from './check-campaign-banners.js';
import { buildDesiredConfig } from './load-desired-config.js';
import type { DesiredConfig } from './settings.js';

const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8')) as object;
const schemas = {
  settings: schema('settings.schema.json'),
  overrides: schema('overrides.schema.json'),
  campaign: schema('campaign.schema.json'),
};
const LIMIT = 10_000;

function settings(allowPrivateAddresses = true): string {
  return `tenant: { id: t-1, domain: contoso.onmicrosoft.com }
scope: { domains: [example.no] }
photos: { enabled: false, allowPrivateAddresses: ${allowPrivateAddresses}, connectTimeoutMs: 1000, totalTimeoutMs: 3000 }
signatures: { allowedHosts: ['127.0.0.1', www.example.no], maxBannerBytes: ${LIMIT} }
`;
}

/** A campaign file whose `banner.image` is on line 4, column 10. */
function campaign(
  id: string,
  image: string,
  end = '2099-01-01T00:00',
  start = '2026-01-01T00:00',
): { file: string; text: string } {
  return {
    file: `desired-state/campaigns/${id}.yaml`,
    text: campaignYaml(id, image, 'Oslo', { start, end }),
  };
}

function configWith(
  campaigns: { file: string; text: string }[],
  allowPrivateAddresses = true,
): DesiredConfig {
  const loaded = buildDesiredConfig(
    {
      settings: { file: 'desired-state/roster.yaml', text: settings(allowPrivateAddresses) },
      overrides: [],
      templates: [
        { file: 'templates/default.html.mustache', text: '<b>{{employee.displayName}}</b>' },
        { file: 'templates/default.txt.mustache', text: '{{employee.displayName}}' },
      ],
      campaigns,
    },
    {},
    schemas,
  );
  if (!loaded.config) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  expect(loaded.config.campaigns?.length).toBe(campaigns.length);
  return loaded.config;
}

describe('checkCampaignBanners against an https server on 127.0.0.1', () => {
  let banners: BannerServer;
  beforeAll(async () => {
    banners = await startBannerServer();
  });
  afterAll(async () => {
    await banners[Symbol.asyncDispose]();
  });
  const JUNE = Date.parse('2026-06-01T00:00Z');
  const check = (config: DesiredConfig, campaigns: 'running' | 'not-ended' = 'running', at = JUNE) =>
    checkCampaignBanners(config, createBannerImages(config.settings, { ca: banners.ca }), { at, campaigns });

  it('keeps campaigns whose banner is a PNG or GIF under signatures.maxBannerBytes', async () => {
    const config = configWith([
      campaign('png', banners.url('/small.png')),
      campaign('gif', banners.url('/small.gif')),
    ]);
    const checked = await check(config);
    expect(checked.problems).toEqual([]);
    expect(checked.config).toBe(config);
  });

  it('leaves out a campaign whose banner is over the limit, at its banner.image line, with both sizes', async () => {
    const config = configWith([
      campaign('big', banners.url('/large.png')),
      campaign('chunked', banners.url('/large-chunked.png')),
      campaign('fine', banners.url('/small.png')),
    ]);
    const checked = await check(config);
    expect(checked.problems.map(formatProblem)).toEqual([
      `desired-state/campaigns/big.yaml:4:10 /banner/image: error: campaign big: the banner image ${banners.url('/large.png')} is ${banners.sizes.large} bytes; the limit is ${LIMIT} bytes (signatures.maxBannerBytes)`,
      `desired-state/campaigns/chunked.yaml:4:10 /banner/image: error: campaign chunked: the banner image ${banners.url('/large-chunked.png')} is more than ${LIMIT} bytes (the download stopped there); the limit is ${LIMIT} bytes (signatures.maxBannerBytes)`,
    ]);
    expect(checked.config.campaigns?.map((c) => c.id)).toEqual(['fine']);
    expect(checked.config.campaignProblems).toEqual(checked.problems);
  });

  it('leaves out a campaign whose banner is not an image, or is gone (404)', async () => {
    const checked = await check(
      configWith([campaign('html', banners.url('/page.html')), campaign('gone', banners.url('/gone.png'))]),
    );
    expect(checked.problems.map(formatProblem)).toEqual([
      `desired-state/campaigns/gone.yaml:4:10 /banner/image: error: campaign gone: the banner image ${banners.url('/gone.png')} is refused: the banner image server answered HTTP 404`,
      `desired-state/campaigns/html.yaml:4:10 /banner/image: error: campaign html: the banner image ${banners.url('/page.html')} is refused: the banner image is not an image: the bytes are not a recognizable file type (JPEG, PNG or GIF expected)`,
    ]);
    expect(checked.config.campaigns).toEqual([]);
  });

  it('refuses a banner on a loopback address as photos are refused, unless private addresses are allowed', async () => {
    const checked = await check(configWith([campaign('local', banners.url('/small.png'))], false));
    expect(checked.problems.map((p) => [p.severity, p.message])).toEqual([
      [
        'error',
        `campaign local: the banner image ${banners.url('/small.png')} is refused: the banner image host 127.0.0.1 is in the loopback range; banner images are only fetched from public addresses`,
      ],
    ]);
    expect(checked.config.campaigns).toEqual([]);
  });

  it('keeps the campaign, with a warning, when the server answers 503 or is down', async () => {
    const down = await startPhotoServer({});
    const downUrl = `https://127.0.0.1:${down.port}/banner.png`;
    await down.close();
    const config = configWith([campaign('busy', banners.url('/unavailable.png')), campaign('down', downUrl)]);
    const checked = await check(config);
    expect(checked.problems.map(formatProblem)).toEqual([
      `desired-state/campaigns/busy.yaml:4:10 /banner/image: warning: campaign busy: the banner image ${banners.url('/unavailable.png')} could not be checked this run (the banner image server answered HTTP 503); the campaign stays as it is`,
      `desired-state/campaigns/down.yaml:4:10 /banner/image: warning: campaign down: the banner image ${downUrl} could not be checked this run (the banner image download from "127.0.0.1" failed (ECONNREFUSED)); the campaign stays as it is`,
    ]);
    expect(checked.config.campaigns?.map((c) => c.id)).toEqual(['busy', 'down']);
  });

  it('downloads an image once however many campaigns use it; a run only the running ones, validate all not ended', async () => {
    const config = configWith([
      campaign('one', banners.url('/small.png?same')),
      campaign('two', banners.url('/small.png?same')),
      campaign('over', banners.url('/large.png?ended'), '2026-02-01T00:00'),
      campaign('later', banners.url('/large.png?later'), '2099-01-01T00:00', '2027-01-01T00:00'),
    ]);
    const paths = async (which: 'running' | 'not-ended') => {
      const before = banners.server.requests.length;
      const checked = await check(config, which);
      return {
        paths: banners.server.requests
          .slice(before)
          .map((r) => r.path)
          .sort(),
        checked,
      };
    };
    const run = await paths('running');
    expect(run.paths).toEqual(['/small.png?same']);
    expect(run.checked.problems).toEqual([]);
    const validate = await paths('not-ended');
    expect(validate.paths).toEqual(['/large.png?later', '/small.png?same']);
    expect(validate.checked.config.campaigns?.map((c) => c.id).sort()).toEqual(['one', 'over', 'two']);
  });
});
