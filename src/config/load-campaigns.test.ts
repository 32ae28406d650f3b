import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../errors/roster-error.js';
import { loadCampaigns, localInstant } from './load-campaigns.js';

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/campaign.schema.json', import.meta.url), 'utf8'),
) as object;

const WINTER = `id: winter-sale
name: Winter sale
banner:
  image: https://cdn.example.no/winter.png
  width: 480
  alt: Winter sale, 20 % off
  link: https://www.example.no/sale?ref=sig
  utm: { source: email-signature, medium: email }
start: { at: '2026-12-14T09:00', timeZone: Europe/Oslo }
end: { at: '2027-01-06T00:00', timeZone: Europe/Oslo, rollout: finishBy }
target:
  offices: [Oslo, 3]
  titles: ['*Sales*']
  exclude: [Kari@Example.no]
priority: 5
`;

const file = (name: string, text: string) => ({ file: `desired-state/campaigns/${name}.yaml`, text });

describe('localInstant', () => {
  it('resolves a local time in its zone, winter and summer', () => {
    expect(new Date(localInstant('2026-12-14T09:00', 'Europe/Oslo')!).toISOString()).toBe(
      '2026-12-14T08:00:00.000Z',
    );
    expect(new Date(localInstant('2026-06-14T09:00', 'Europe/Oslo')!).toISOString()).toBe(
      '2026-06-14T07:00:00.000Z',
    );
    expect(new Date(localInstant('2026-06-14T09:00', 'America/New_York')!).toISOString()).toBe(
      '2026-06-14T13:00:00.000Z',
    );
  });

  it('moves a time the spring change skips forward, and takes the first of a time the autumn change repeats', () => {
    // Europe/Oslo: 2027-03-28 02:00 → 03:00; 2026-10-25 03:00 → 02:00.
    expect(new Date(localInstant('2027-03-28T02:30', 'Europe/Oslo')!).toISOString()).toBe(
      '2027-03-28T01:30:00.000Z',
    );
    expect(new Date(localInstant('2026-10-25T02:30', 'Europe/Oslo')!).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(new Date(localInstant('2026-10-25T03:30', 'Europe/Oslo')!).toISOString()).toBe(
      '2026-10-25T02:30:00.000Z',
    );
  });

  it('refuses a zone or a date that does not exist', () => {
    expect(localInstant('2026-12-14T09:00', 'Europe/Osloo')).toBeUndefined();
    expect(localInstant('2026-13-01T00:00', 'UTC')).toBeUndefined();
  });
});

describe('loadCampaigns', () => {
  it('loads a campaign: instants, the link with its utm parameters, the target normalized', () => {
    const { campaigns, problems } = loadCampaigns([file('winter', WINTER)], schema);
    expect(problems).toEqual([]);
    expect(campaigns).toEqual([
      {
        id: 'winter-sale',
        name: 'Winter sale',
        priority: 5,
        file: 'desired-state/campaigns/winter.yaml',
        banner: {
          imageUrl: 'https://cdn.example.no/winter.png',
          imageAt: { line: 4, column: 10 },
          width: 480,
          alt: 'Winter sale, 20 % off',
          link: 'https://www.example.no/sale?ref=sig',
          href: 'https://www.example.no/sale?ref=sig&utm_source=email-signature&utm_medium=email&utm_campaign=winter-sale',
        },
        start: {
          instant: Date.UTC(2026, 11, 14, 8),
          at: '2026-12-14T09:00',
          timeZone: 'Europe/Oslo',
          rollout: 'notBefore',
        },
        end: {
          instant: Date.UTC(2027, 0, 5, 23),
          at: '2027-01-06T00:00',
          timeZone: 'Europe/Oslo',
          rollout: 'finishBy',
        },
        target: { offices: ['oslo', '3'], titles: ['*Sales*'], employees: [], exclude: ['kari@example.no'] },
      },
    ]);
  });

  it('reports each broken campaign with file, line and key, and keeps the good ones', () => {
    const { campaigns, problems } = loadCampaigns(
      [
        file('a-good', WINTER),
        file(
          'b-backwards',
          WINTER.replace('id: winter-sale', 'id: backwards').replace(
            "'2027-01-06T00:00'",
            "'2026-12-01T00:00'",
          ),
        ),
        file(
          'c-http',
          WINTER.replace('id: winter-sale', 'id: plain').replace(
            'https://cdn.example.no',
            'http://cdn.example.no',
          ),
        ),
        file(
          'd-zone',
          WINTER.replace('id: winter-sale', 'id: zoned').replace(
            'timeZone: Europe/Oslo }',
            'timeZone: Mars/Olympus }',
          ),
        ),
        file('e-again', WINTER),
        file('f-unknown', `${WINTER}colour: red\n`.replace('id: winter-sale', 'id: colourful')),
      ],
      schema,
    );
    expect(campaigns.map((c) => c.id)).toEqual(['winter-sale']);
    expect(problems.map(formatProblem)).toEqual([
      'desired-state/campaigns/b-backwards.yaml:10:12 /end/at: error: the campaign ends (2026-12-01T00:00 Europe/Oslo) before it starts (2026-12-14T09:00 Europe/Oslo)',
      'desired-state/campaigns/c-http.yaml:4:10 /banner/image: error: must be an absolute https URL without user name or password',
      "desired-state/campaigns/d-zone.yaml:9:44 /start/timeZone: error: unknown time zone 'Mars/Olympus' (an IANA name such as Europe/Oslo)",
      "desired-state/campaigns/e-again.yaml:1:5 /id: error: campaign id 'winter-sale' is used by desired-state/campaigns/a-good.yaml too",
      "desired-state/campaigns/f-unknown.yaml:16:1 /colour: error: unknown key 'colour'",
    ]);
  });
});
