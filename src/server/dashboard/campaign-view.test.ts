import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../desired/campaign-model.js';
import { campaignRows } from './campaign-view.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 14, 12);

function campaign(id: string, start: number, end: number, priority = 0): Campaign {
  const side = (instant: number) => ({
    instant,
    at: new Date(instant).toISOString().slice(0, 16),
    timeZone: 'UTC',
    rollout: 'notBefore' as const,
  });
  return {
    id,
    name: id,
    priority,
    file: `desired-state/campaigns/${id}.yaml`,
    banner: {
      imageUrl: 'https://cdn/x.png',
      width: 400,
      alt: id,
      link: 'https://x/',
      href: 'https://x/?utm_campaign=' + id,
    },
    start: side(start),
    end: side(end),
    target: { offices: [], titles: [], employees: [], exclude: [] },
  };
}

describe('campaignRows', () => {
  it('lists running, then upcoming, then ended campaigns, with the audiences the latest plan counted', () => {
    const rows = campaignRows(
      [
        campaign('old', NOW - 9 * DAY, NOW - 2 * DAY),
        campaign('next', NOW + DAY, NOW + 3 * DAY),
        campaign('low', NOW - DAY, NOW + DAY, 1),
        campaign('high', NOW - DAY, NOW + DAY, 9),
      ],
      {
        at: new Date(NOW).toISOString(),
        active: [
          { campaign: 'high', name: 'high', audience: 40, image: '', link: '' },
          { campaign: 'low', name: 'low', audience: 2, image: '', link: '' },
        ],
        upcoming: [
          {
            campaign: 'next',
            name: 'next',
            kind: 'start',
            at: '',
            local: '',
            rollout: 'notBefore',
            audience: 7,
            image: '',
            link: '',
          },
        ],
        switchedUsers: 0,
      },
      NOW,
    );
    expect(rows.map((r) => [r.id, r.state, r.audience])).toEqual([
      ['high', 'active', 40],
      ['low', 'active', 2],
      ['next', 'upcoming', 7],
      ['old', 'ended', undefined],
    ]);
    expect(rows[0]?.link).toBe('https://x/?utm_campaign=high');
  });
});
