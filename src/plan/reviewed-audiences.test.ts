import { describe, expect, it } from 'vitest';
import type { Campaign } from '../desired/campaign-model.js';
import { boundary, testCampaign } from '../desired/test-campaign.js';
import { evaluateGuardrails } from './guardrails.js';
import { countSwitches, reviewedBounds, shownAudiences } from './reviewed-audiences.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 14, 8);
const iso = (ms: number) => new Date(ms).toISOString();

function campaign(id: string, start = T0, end = T0 + 24 * HOUR): Campaign {
  return testCampaign(id, { start: boundary(start), end: boundary(end, 'finishBy') });
}

const shown = [
  { campaign: 'winter', kind: 'start' as const, at: iso(T0), audience: 812 },
  { campaign: 'winter', kind: 'end' as const, at: iso(T0 + 24 * HOUR), audience: 790 },
];

describe('reviewedBounds', () => {
  it("bounds a running campaign by its start's reviewed audience, an ended one by its end's", () => {
    const winter = campaign('winter');
    expect(reviewedBounds([winter], T0 - 1, shown)).toEqual({});
    expect(reviewedBounds([winter], T0, shown)).toEqual({ winter: 812 });
    expect(reviewedBounds([winter], T0 + 24 * HOUR - 1, shown)).toEqual({ winter: 812 });
    expect(reviewedBounds([winter], T0 + 48 * HOUR, shown)).toEqual({ winter: 790 });
  });

  it('allows none where no reviewed plan showed that very boundary (a start moved since)', () => {
    expect(reviewedBounds([campaign('winter', T0 + HOUR)], T0 + 2 * HOUR, shown)).toEqual({ winter: 0 });
    expect(reviewedBounds([campaign('spring')], T0 + HOUR, shown)).toEqual({ spring: 0 });
  });
});

describe('countSwitches', () => {
  it('exempts every switch of a plan that is itself reviewed', () => {
    expect(countSwitches({ winter: 812, spring: 3 }, undefined)).toEqual({ exempt: 815, beyond: [] });
  });

  it('exempts up to each bound and names what lies beyond', () => {
    expect(countSwitches({ winter: 830, spring: 3 }, { winter: 812 })).toEqual({
      exempt: 812,
      beyond: [
        { campaign: 'spring', switched: 3, reviewed: 0 },
        { campaign: 'winter', switched: 830, reviewed: 812 },
      ],
    });
  });

  it('makes the max-changes guardrail count what lies beyond', () => {
    const [maxChanges] = evaluateGuardrails({
      changedUsers: 835,
      campaignSwitches: countSwitches({ winter: 830 }, { winter: 812 }),
      signatureActions: true,
      managedUsers: 5000,
      sourceCount: 5000,
      previousSourceCount: undefined,
      roamingSignaturesPostponed: true,
      whenRoamingEnabled: 'refuse',
      settings: { maxChanges: { absolute: 20 }, maxSourceShrinkPercent: 20 },
      signaturesEnabled: true,
    });
    // 5 ordinary changes and 18 beyond the reviewed 812: 23 counted, over the limit of 20.
    expect(maxChanges).toEqual({
      name: 'max-changes',
      tripped: true,
      message:
        'the plan changes 23 users (and 812 users switching a campaign banner within the reviewed audience, not counted; 18 users beyond the 812 a reviewed plan showed for campaign winter, counted), more than the limit of 20 per run (guardrails.maxChanges)',
    });
  });
});

describe('shownAudiences', () => {
  it('records a running campaign under its start and each upcoming boundary under its own', () => {
    const winter = campaign('winter');
    const spring = campaign('spring', T0 + 48 * HOUR, T0 + 72 * HOUR);
    expect(
      shownAudiences({
        at: T0 + HOUR,
        active: [{ campaign: winter, audience: 812 }],
        upcoming: [
          {
            transition: { campaign: 'winter', kind: 'end', instant: winter.end.instant, rollout: 'finishBy' },
            campaign: winter,
            audience: 812,
          },
          {
            transition: {
              campaign: 'spring',
              kind: 'start',
              instant: spring.start.instant,
              rollout: 'notBefore',
            },
            campaign: spring,
            audience: 40,
          },
        ],
      }),
    ).toEqual([
      { campaign: 'winter', kind: 'start', at: iso(T0), audience: 812 },
      { campaign: 'winter', kind: 'end', at: iso(T0 + 24 * HOUR), audience: 812 },
      { campaign: 'spring', kind: 'start', at: iso(T0 + 48 * HOUR), audience: 40 },
    ]);
  });
});
