import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignSubject } from './campaign-model.js';
import { boundary, testCampaign } from './test-campaign.js';
import { campaignFor, isActive, isTargeted, transitionsAfter, withUtm } from './campaigns.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 14, 8);

function campaign(id: string, over: Partial<Campaign> = {}): Campaign {
  return testCampaign(id, { start: boundary(T0), end: boundary(T0 + 24 * HOUR), ...over });
}

const kari: CampaignSubject = {
  key: 'kari@example.no',
  title: 'Senior Sales Manager',
  officeName: 'Oslo',
  officeId: '1',
};
const ola: CampaignSubject = {
  key: 'ola@example.no',
  title: 'Engineer',
  officeName: 'Bergen',
  officeId: '2',
};

describe('isActive', () => {
  it('runs from its start, up to but not including its end', () => {
    const c = campaign('c');
    expect([T0 - 1, T0, T0 + 24 * HOUR - 1, T0 + 24 * HOUR].map((t) => isActive(c, t))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

describe('isTargeted', () => {
  const target = (t: Partial<Campaign['target']>) =>
    campaign('c', { target: { offices: [], titles: [], employees: [], exclude: [], ...t } });
  it.each([
    { name: 'office by name', t: { offices: ['oslo'] }, who: kari, yes: true },
    { name: 'office by id', t: { offices: ['2'] }, who: ola, yes: true },
    { name: 'another office', t: { offices: ['oslo'] }, who: ola, yes: false },
    { name: 'title pattern, case-insensitive', t: { titles: ['*sales*'] }, who: kari, yes: true },
    { name: 'title pattern must match whole', t: { titles: ['Sales'] }, who: kari, yes: false },
    {
      name: 'regex characters are literal',
      t: { titles: ['Senior Sales Manager (EMEA)'] },
      who: kari,
      yes: false,
    },
    { name: 'employee by email', t: { employees: ['ola@example.no'] }, who: ola, yes: true },
    {
      name: 'exclusion wins over every match',
      t: { offices: ['oslo'], employees: ['kari@example.no'], exclude: ['kari@example.no'] },
      who: kari,
      yes: false,
    },
    { name: 'group member', t: { group: 'g-1' }, who: { ...ola, groups: new Set(['g-1']) }, yes: true },
    { name: 'group, groups not read', t: { group: 'g-1' }, who: ola, yes: false },
  ])('$name', ({ t, who, yes }) => {
    expect(isTargeted(target(t), who)).toBe(yes);
  });
});

describe('campaignFor', () => {
  const everyone = { offices: ['oslo', 'bergen'], titles: [], employees: [], exclude: [] };
  it('the highest priority active campaign that targets the employee wins; ties go by id', () => {
    const low = campaign('b-low', { target: everyone, priority: 1 });
    const high = campaign('z-high', { target: { ...everyone, offices: ['bergen'] }, priority: 9 });
    const tie = campaign('a-tie', { target: everyone, priority: 1 });
    const later = campaign('later', {
      target: everyone,
      priority: 99,
      start: { ...low.start, instant: T0 + HOUR },
    });
    expect(campaignFor([low, high, tie, later], kari, T0)?.id).toBe('a-tie');
    expect(campaignFor([low, high, tie, later], ola, T0)?.id).toBe('z-high');
    expect(campaignFor([low, high, tie, later], kari, T0 + HOUR)?.id).toBe('later');
    expect(campaignFor([low, high, tie, later], kari, T0 - 1)).toBeUndefined();
  });
});

describe('transitionsAfter', () => {
  it('every start and end after the moment, in time order', () => {
    const a = campaign('a');
    const b = campaign('b', {
      start: { ...a.start, instant: T0 + HOUR },
      end: { ...a.end, instant: T0 + 24 * HOUR },
    });
    expect(
      transitionsAfter([b, a], T0).map((t) => `${t.campaign} ${t.kind} ${(t.instant - T0) / HOUR}`),
    ).toEqual(['b start 1', 'a end 24', 'b end 24']);
  });
});

describe('withUtm', () => {
  it('adds utm parameters, keeping the ones the link already has', () => {
    expect(withUtm('https://x.no/a?utm_source=own#top', { source: 'sig', medium: 'email' })).toBe(
      'https://x.no/a?utm_source=own&utm_medium=email#top',
    );
  });
});
