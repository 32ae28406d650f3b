import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DesiredConfig, Override, Settings, SignatureTemplate } from '../../src/config/settings.js';
import type { SourceRow } from '../../src/desired/model.js';

/** Small in-memory builders for desired-state tests, defaulting to the seed's field mapping. */

export function buildSettings(partial: Partial<Settings> = {}): Settings {
  return {
    tenant: { id: '00000000-0000-0000-0000-000000000001', domain: 'contoso.no' },
    scope: { domains: ['contoso.no'] },
    source: { query: 'SELECT 1', pageSize: 500 },
    fields: {
      givenName: { from: '{{employee.first_name}}', clearWhenEmpty: false },
      surname: { from: '{{employee.last_name}}', clearWhenEmpty: false },
      displayName: { from: '{{employee.first_name}} {{employee.last_name}}', clearWhenEmpty: false },
      jobTitle: { from: '{{employee.title}}', clearWhenEmpty: false },
      mobilePhone: { from: '{{employee.phone}}', format: 'phone', clearWhenEmpty: false },
      department: { from: '{{office.name}}', clearWhenEmpty: false },
      officeLocation: { from: '{{office.city}}', clearWhenEmpty: false },
    },
    phone: { defaultRegion: 'NO', format: 'INTERNATIONAL' },
    photos: {
      enabled: true,
      allowedHosts: ['hr.contoso.no'],
      allowPrivateAddresses: false,
      maxBytes: 4_000_000,
      connectTimeoutMs: 5_000,
      totalTimeoutMs: 20_000,
    },
    signatures: {
      enabled: false,
      defaultTemplate: 'default',
      autoAddSignature: true,
      autoAddSignatureOnReply: false,
      autoAddSignatureOnMobile: true,
      useDefaultSignatureOnMobile: false,
      whenRoamingEnabled: 'warn',
      maxBannerBytes: 102_400,
      variables: {},
    },
    guardrails: { maxChanges: { percent: 10 }, maxSourceShrinkPercent: 20 },
    rateLimits: {
      graphReadsPer10s: 100,
      graphWritesPer150s: 100,
      graphConcurrency: 4,
      photoConcurrencyPerMailbox: 1,
      photoRequestsPer10min: 100,
      exchangeRequestsPerMinute: 30,
      exchangeConcurrency: 2,
      maxRetries: 5,
      maxBackoffMs: 60_000,
    },
    schedule: { intervalSeconds: 900, jitterSeconds: 30, mode: 'observe', deepCheckIntervalSeconds: 86_400 },
    ...partial,
  };
}

/** A realistic active employee of the Oslo office; every column can be replaced or nulled. */
export function row(
  employee: Record<string, string | null> = {},
  office: Record<string, string | null> = {},
): SourceRow {
  return {
    employee: {
      id: '1',
      office_id: '10',
      first_name: 'Søren',
      last_name: 'Ærø',
      email: 'soren.aero@contoso.no',
      title: 'Senior rådgiver',
      phone: '91234567',
      profile_image_url: 'https://hr.contoso.no/photos/1.jpg',
      status: 'active',
      ...employee,
    },
    office: {
      id: '10',
      name: 'Oslo',
      city: 'Oslo',
      street_address: 'Karl Johans gate 1',
      postal_code: '0154',
      phone: '22 12 34 56',
      email: 'oslo@contoso.no',
      homepage_url: 'https://contoso.no/oslo',
      ...office,
    },
  };
}

let line = 0;

/** An employee override (by email) unless `target` says otherwise. */
export function override(partial: Partial<Override> & { email?: string; office?: string } = {}): Override {
  const { email, office, ...rest } = partial;
  line += 1;
  return {
    file: 'desired-state/overrides.yaml',
    line,
    target:
      office !== undefined
        ? { kind: 'office', office }
        : { kind: 'employee', email: email ?? 'soren.aero@contoso.no' },
    fields: {},
    variables: {},
    exclude: false,
    ...rest,
  };
}

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

/** The real templates from `templates/` (tests may read files; the core never does). */
export function loadTemplate(name: string): SignatureTemplate {
  const htmlFile = `templates/${name}.html.mustache`;
  const textFile = `templates/${name}.txt.mustache`;
  return {
    name,
    html: readFileSync(`${templatesDir}${name}.html.mustache`, 'utf8'),
    text: readFileSync(`${templatesDir}${name}.txt.mustache`, 'utf8'),
    htmlFile,
    textFile,
  };
}

export function buildConfig(partial: Partial<DesiredConfig> = {}): DesiredConfig {
  return {
    settings: buildSettings(),
    overrides: [],
    templates: new Map([
      ['default', loadTemplate('default')],
      ['compact', loadTemplate('compact')],
    ]),
    revision: 'test',
    ...partial,
  };
}
