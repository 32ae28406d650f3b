import { describe, expect, it } from 'vitest';
import { campaignLines, formatSpan } from './plan-campaigns.js';
import { checkPlanMoment } from './plan-checks.js';
import type { PlanCampaigns } from './plan-model.js';

const banner = {
  image: 'https://www.example.no/w.png',
  link: 'https://www.example.no/sale?utm_campaign=winter-sale',
};
const campaigns: PlanCampaigns = {
  at: '2026-12-11T03:56:00.000Z',
  active: [{ campaign: 'autumn', name: 'Autumn', audience: 1, ...banner }],
  upcoming: [
    {
      campaign: 'winter-sale',
      name: 'Winter sale',
      kind: 'start',
      at: '2026-12-14T08:00:00.000Z',
      local: '2026-12-14T09:00 Europe/Oslo',
      rollout: 'notBefore',
      audience: 812,
      ...banner,
    },
    {
      campaign: 'winter-sale',
      name: 'Winter sale',
      kind: 'end',
      at: '2027-01-05T23:00:00.000Z',
      local: '2027-01-06T00:00 Europe/Oslo',
      rollout: 'finishBy',
      audience: 812,
      ...banner,
    },
  ],
  validFrom: '2026-12-01T00:00:00.000Z',
  validUntil: '2026-12-14T08:00:00.000Z',
  switchedUsers: 0,
};

describe('campaign lines', () => {
  it('say who switches when, relative to the plan moment, with the link whole', () => {
    expect(campaignLines({ campaigns })).toEqual([
      'campaign autumn (Autumn) is running for 1 employee: https://www.example.no/w.png → https://www.example.no/sale?utm_campaign=winter-sale',
      'campaign winter-sale starts for 812 employees in 3 d 4 h (2026-12-14T09:00 Europe/Oslo): https://www.example.no/w.png → https://www.example.no/sale?utm_campaign=winter-sale',
      'campaign winter-sale ends for 812 employees in 25 d 19 h (2027-01-06T00:00 Europe/Oslo, finished by then)',
    ]);
    expect([59_000, 3_600_000, 5_400_000, 86_400_000].map(formatSpan)).toEqual([
      '59 s',
      '1 h',
      '1 h 30 min',
      '1 d',
    ]);
  });
});

describe('checkPlanMoment', () => {
  it('accepts a saved plan within its span and refuses it once a boundary has passed, or before it has come', () => {
    expect(() => checkPlanMoment({ campaigns }, new Date('2026-12-14T07:59:59Z'))).not.toThrow();
    expect(() => checkPlanMoment({ campaigns }, new Date('2026-12-14T08:00:00Z'))).toThrow(
      'the plan is stale: it shows the signatures of 2026-12-11T03:56:00.000Z, and campaign winter-sale started since (2026-12-14T09:00 Europe/Oslo); run roster plan again and review the new plan',
    );
    expect(() => checkPlanMoment({ campaigns }, new Date('2026-11-30T23:59:59Z'))).toThrow(/not come yet/);
    expect(() => checkPlanMoment({}, new Date(0))).not.toThrow();
  });
});
