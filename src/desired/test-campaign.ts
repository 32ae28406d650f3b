import type { Campaign } from './campaign-model.js';

/**
 * A campaign for tests: a day from `start` (default 2026-12-14 08:00 UTC), both boundaries in UTC,
 * targeting nobody until `over` says otherwise.
 */
export function testCampaign(id: string, over: Partial<Campaign> = {}): Campaign {
  const start = over.start?.instant ?? Date.UTC(2026, 11, 14, 8);
  return {
    id,
    name: id,
    priority: 0,
    file: `desired-state/campaigns/${id}.yaml`,
    banner: { imageUrl: 'https://cdn/x.png', width: 400, alt: id, link: 'https://x/', href: 'https://x/' },
    start: { instant: start, at: '', timeZone: 'UTC', rollout: 'notBefore' },
    end: { instant: start + 24 * 3_600_000, at: '', timeZone: 'UTC', rollout: 'notBefore' },
    target: { offices: [], titles: [], employees: [], exclude: [] },
    ...over,
  };
}

/** A boundary of `testCampaign` at `instant`. */
export function boundary(
  instant: number,
  rollout: Campaign['start']['rollout'] = 'notBefore',
): Campaign['start'] {
  return { instant, at: '', timeZone: 'UTC', rollout };
}
