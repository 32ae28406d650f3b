import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfig as baseConfig, buildSettings, row } from '../../test/support/builders.js';
import type { DesiredConfig } from '../config/settings.js';
import { loadCampaigns } from '../config/load-campaigns.js';
import { buildDesired, createDesiredBuilder } from './build-desired.js';
import type { Campaign } from './campaign-model.js';
import type { DesiredState, SourceRow } from './model.js';
import { createSignatureRenderer } from './signature-renderer.js';

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/campaign.schema.json', import.meta.url), 'utf8'),
) as object;

/** A campaign file as an editor writes it, loaded the way the configuration loads it. */
function campaign(id: string, lines: string): Campaign {
  const text = [
    `id: ${id}`,
    `name: ${id}`,
    'banner:',
    `  image: https://cdn.contoso.no/${id}.png`,
    '  width: 480',
    `  alt: ${id} banner`,
    '  link: https://contoso.no/offer',
    '  utm: { source: email-signature }',
    lines,
  ].join('\n');
  const { campaigns, problems } = loadCampaigns(
    [{ file: `desired-state/campaigns/${id}.yaml`, text }],
    schema,
  );
  expect(problems).toEqual([]);
  return campaigns[0]!;
}

/** The test configuration with signatures on. */
function buildConfig(partial: Partial<DesiredConfig> = {}): DesiredConfig {
  const settings = buildSettings();
  return baseConfig({
    settings: { ...settings, signatures: { ...settings.signatures, enabled: true } },
    ...partial,
  });
}

const SPRING = campaign(
  'spring',
  [
    // Europe/Oslo skips 02:00–03:00 on 2027-03-28: 02:30 does not exist and moves to 03:30 CEST.
    "start: { at: '2027-03-28T02:30', timeZone: Europe/Oslo }",
    "end: { at: '2027-04-04T00:00', timeZone: Europe/Oslo }",
    'target: { offices: [Oslo], exclude: [ola@contoso.no] }',
  ].join('\n'),
);
const SALES = campaign(
  'sales',
  [
    "start: { at: '2027-03-20T00:00', timeZone: UTC }",
    "end: { at: '2027-04-30T00:00', timeZone: UTC }",
    "target: { titles: ['*Sales*'] }",
    'priority: 5',
  ].join('\n'),
);

const kari = row({ id: '1', email: 'kari@contoso.no', title: 'Sales manager' });
const ola = row({ id: '2', email: 'ola@contoso.no', title: 'Engineer' });
const per = row({ id: '3', email: 'per@contoso.no', title: 'Engineer' }, { id: '20', name: 'Bergen' });

function at(iso: string, campaigns: Campaign[] = [SPRING, SALES], rows: SourceRow[] = [kari, ola, per]) {
  return buildDesired(rows, buildConfig({ campaigns }), { at: Date.parse(iso) });
}

function banners(state: DesiredState): Record<string, string | undefined> {
  return Object.fromEntries(state.employees.map((e) => [e.key, e.signature?.view.campaign?.id]));
}

describe('desired signatures at a moment', () => {
  it('starts a campaign at its local time across the spring daylight-saving change', () => {
    expect(banners(at('2027-03-28T01:29:59Z', [SPRING]))).toEqual({
      'kari@contoso.no': undefined,
      'ola@contoso.no': undefined,
      'per@contoso.no': undefined,
    });
    // 03:30 CEST is 01:30 UTC; Ola is excluded, Per works in Bergen.
    expect(banners(at('2027-03-28T01:30:00Z', [SPRING]))).toEqual({
      'kari@contoso.no': 'spring',
      'ola@contoso.no': undefined,
      'per@contoso.no': undefined,
    });
  });

  it('shows one banner per signature: the highest priority of the overlapping campaigns', () => {
    expect(banners(at('2027-03-29T12:00:00Z'))).toEqual({
      'kari@contoso.no': 'sales',
      'ola@contoso.no': undefined,
      'per@contoso.no': undefined,
    });
    const equal = { ...SALES, priority: SPRING.priority };
    // Equal priorities: the id decides ("sales" before "spring"), whatever the order of the files.
    expect(banners(at('2027-03-29T12:00:00Z', [SPRING, equal]))['kari@contoso.no']).toBe('sales');
    expect(banners(at('2027-03-29T12:00:00Z', [equal, SPRING]))['kari@contoso.no']).toBe('sales');
  });

  it('leaves every employee outside the audience exactly as without campaigns', () => {
    const none = buildDesired([kari, ola, per], buildConfig(), { at: Date.parse('2027-03-29T12:00:00Z') });
    const during = at('2027-03-29T12:00:00Z');
    for (const key of ['ola@contoso.no', 'per@contoso.no']) {
      const hash = (s: DesiredState) => s.employees.find((e) => e.key === key)?.signature?.hash;
      expect(hash(none)).toMatch(/\S/);
      expect(hash(during)).toBe(hash(none));
    }
  });

  it('brings the signature back byte for byte when the campaign ends', () => {
    const render = createSignatureRenderer(buildConfig().templates);
    const text = (iso: string) => {
      const signature = at(iso, [SALES], [kari]).employees[0]!.signature!;
      return { ...render.renderDesired(signature), hash: signature.hash };
    };
    const before = text('2027-03-19T23:59:59Z');
    const during = text('2027-03-20T00:00:00Z');
    const after = text('2027-04-30T00:00:00Z');
    expect(during.html).toContain(
      'https://contoso.no/offer?utm_source=email-signature&amp;utm_campaign=sales',
    );
    expect(during.text).toContain('sales banner: https://contoso.no/offer?utm_source=email-signature');
    expect(before.html).not.toContain('sales.png');
    expect(after).toEqual(before);
  });

  it('counts the audience now and at each upcoming start and end, and the span the plan holds for', () => {
    const builder = createDesiredBuilder(buildConfig({ campaigns: [SPRING, SALES] }), {
      at: Date.parse('2027-03-25T00:00:00Z'),
    });
    for (const r of [kari, ola, per]) builder.add(r);
    builder.finish();
    const outlook = builder.campaigns()!;
    expect(outlook.active.map((a) => [a.campaign.id, a.audience])).toEqual([['sales', 1]]);
    expect(
      outlook.upcoming.map((u) => [
        u.transition.kind,
        u.campaign.id,
        new Date(u.transition.instant),
        u.audience,
      ]),
    ).toEqual([
      // Kari is Sales's (priority 5) all along: Spring starts for nobody, and ends for nobody.
      ['start', 'spring', new Date('2027-03-28T01:30:00Z'), 0],
      ['end', 'spring', new Date('2027-04-03T22:00:00Z'), 0],
      ['end', 'sales', new Date('2027-04-30T00:00:00Z'), 1],
    ]);
    expect(new Date(outlook.validFrom!)).toEqual(new Date('2027-03-20T00:00:00Z'));
    expect(new Date(outlook.validUntil!)).toEqual(new Date('2027-03-28T01:30:00Z'));
  });

  it('shows no campaign without a moment (the builder reads no clock)', () => {
    const state = buildDesired([kari], buildConfig({ campaigns: [SALES] }));
    expect(state.employees[0]?.signature?.view.campaign).toBeUndefined();
  });
});
