import type { ConfigProblem } from '../errors/roster-error.js';
import type { Campaign } from '../desired/campaign-model.js';
import { isActive } from '../desired/campaigns.js';
import type { BannerImages, BannerVerdict } from '../ports/banner-images.js';
import type { DesiredConfig } from './settings.js';

/** A configuration whose campaigns' banner images were downloaded and judged, and what was found. */
export interface CheckedBanners {
  /** `campaigns` less those whose banner is invalid; `campaignProblems` with the new problems added. */
  config: DesiredConfig;
  /** The problems this check added: an error per campaign left out, a warning per banner not checked. */
  problems: ConfigProblem[];
}

/**
 * Downloads every campaign's banner image once (campaigns sharing an image share the download)
 * and judges it: over `signatures.maxBannerBytes`, not an image, refused by the URL or address
 * policy or answered with a 4xx → the campaign is left out with an error at its `banner.image`
 * line, like any other broken campaign file; a network error, timeout or 5xx → a warning and the
 * campaign stays (a failed check never takes a banner off, nor puts one on). Which banners are
 * downloaded: `running` (a run) those of the campaigns running at `at`, the only ones it writes;
 * `not-ended` (`roster validate`) those of every campaign that has not ended by `at`, so a broken
 * banner is found before its campaign starts. Called once per run: the result is not kept.
 */
export async function checkCampaignBanners(
  config: DesiredConfig,
  images: BannerImages,
  which: { at: number; campaigns: 'running' | 'not-ended' },
): Promise<CheckedBanners> {
  const campaigns = config.campaigns ?? [];
  const { at } = which;
  const due = campaigns.filter((c) => (which.campaigns === 'running' ? isActive(c, at) : c.end.instant > at));
  if (due.length === 0) return { config, problems: [] };
  const downloads = new Map<string, Promise<BannerVerdict>>();
  const verdicts = await Promise.all(
    due.map((campaign) => {
      const url = campaign.banner.imageUrl;
      let verdict = downloads.get(url);
      if (!verdict) downloads.set(url, (verdict = images.inspect(url)));
      return verdict.then((v) => ({ campaign, verdict: v }));
    }),
  );
  const problems: ConfigProblem[] = [];
  const leftOut = new Set<string>();
  for (const { campaign, verdict } of verdicts) {
    if (verdict.kind === 'ok') continue;
    if (verdict.kind === 'invalid') leftOut.add(campaign.id);
    problems.push(bannerProblem(campaign, verdict, config.settings.signatures.maxBannerBytes));
  }
  if (problems.length === 0) return { config, problems };
  return {
    config: {
      ...config,
      campaigns: campaigns.filter((c) => !leftOut.has(c.id)),
      campaignProblems: [...(config.campaignProblems ?? []), ...problems],
    },
    problems,
  };
}

function bannerProblem(
  campaign: Campaign,
  verdict: Exclude<BannerVerdict, { kind: 'ok' }>,
  limit: number,
): ConfigProblem {
  const { imageUrl, imageAt } = campaign.banner;
  const place = { file: campaign.file, ...(imageAt ?? {}), key: '/banner/image' };
  if (verdict.kind === 'unchecked') {
    return {
      ...place,
      severity: 'warning',
      message: `campaign ${campaign.id}: the banner image ${imageUrl} could not be checked this run (${verdict.message}); the campaign stays as it is`,
    };
  }
  const { size } = verdict;
  const found = size?.atLeast
    ? `more than ${size.limit} bytes (the download stopped there)`
    : `${size?.bytes} bytes`;
  const message = size
    ? `the banner image ${imageUrl} is ${found}; the limit is ${limit} bytes (signatures.maxBannerBytes)`
    : `the banner image ${imageUrl} is refused: ${verdict.message}`;
  return { ...place, severity: 'error', message: `campaign ${campaign.id}: ${message}` };
}
