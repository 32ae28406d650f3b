import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DEMO_COMPANY, DEMO_TENANT } from './demo-tenant.js';
import type { HrData } from './seed-hr.js';

/** What the demo's settings depend on. */
export interface DemoSettingsOptions {
  /** Base of the photo URLs in HR (e.g. `http://127.0.0.1:41234/photos`): its host is allowed. */
  photoBaseUrl: string;
  tenantId?: string;
  tenantDomain?: string;
  /** Managed mail domains (default: the demo's `example.no`). */
  scopeDomains?: string[];
}

/** The repo's signature templates: two levels up from both src/local and dist/local. */
const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * `desired-state/roster.yaml` for the demo: the shipped defaults, except that photos come from
 * the loopback photo server (so its host is allowed and private addresses are, explicitly), the
 * change guardrail lets the first run fix everything, and the controller applies.
 */
export function demoSettingsYaml(options: DemoSettingsOptions): string {
  const photoHost = new URL(options.photoBaseUrl).hostname.replace(/^\[|\]$/g, '');
  const settings = {
    tenant: {
      id: `\${AZURE_TENANT_ID:-${options.tenantId ?? DEMO_TENANT.tenantId}}`,
      domain: options.tenantDomain ?? DEMO_TENANT.tenantDomain,
    },
    scope: { domains: options.scopeDomains ?? [...DEMO_TENANT.domains] },
    source: { pageSize: 500 },
    fields: {
      givenName: '{{employee.first_name}}',
      surname: '{{employee.last_name}}',
      displayName: '{{employee.first_name}} {{employee.last_name}}',
      jobTitle: '{{employee.title}}',
      mobilePhone: { from: '{{employee.phone}}', format: 'phone', clearWhenEmpty: false },
      department: '{{office.name}}',
      officeLocation: '{{office.city}}',
    },
    phone: { defaultRegion: 'NO', format: 'INTERNATIONAL' },
    photos: {
      enabled: true,
      from: '{{employee.profile_image_url}}',
      allowedHosts: [photoHost],
      allowPrivateAddresses: true,
    },
    signatures: {
      enabled: true,
      defaultTemplate: 'default',
      autoAddSignature: true,
      autoAddSignatureOnReply: true,
      whenRoamingEnabled: 'refuse',
      variables: {
        companyName: DEMO_COMPANY,
        logoUrl: 'https://www.example.no/logo.png',
        logoWidth: '160',
        website: 'https://www.example.no',
        websiteLabel: 'www.example.no',
      },
    },
    guardrails: { maxChanges: '100%', maxSourceShrinkPercent: 50 },
    schedule: { interval: '1m', jitter: '0s', mode: 'observe', deepCheckInterval: '1h' },
  };
  return [
    '# yaml-language-server: $schema=../../schemas/settings.schema.json',
    '# Written by `roster demo`: settings for the local demo world (simulated tenant, loopback photos).',
    '# allowPrivateAddresses is for this demo only: never turn it on against real HR photo hosts.',
    stringify(settings, { lineWidth: 0 }),
  ].join('\n');
}

/** The demo's overrides: one employee with a signing title, one office on the compact template. */
export function demoOverridesYaml(hr: HrData): string {
  const active = hr.employees.filter((e) => e.status === 'active');
  const count = new Map<string, number>();
  for (const e of active) count.set(e.email.toLowerCase(), (count.get(e.email.toLowerCase()) ?? 0) + 1);
  const employee = active.find((e) => e.title && count.get(e.email.toLowerCase()) === 1);
  const office = hr.offices[hr.offices.length - 1];
  const overrides = {
    employees: employee
      ? [
          {
            email: employee.email,
            reason: 'Signs as office manager; HR keeps the formal title.',
            fields: { jobTitle: 'Kontorsjef' },
          },
        ]
      : [],
    offices: office
      ? [
          {
            office: office.name,
            reason: `The ${office.name} office signs with the short template.`,
            template: 'compact',
          },
        ]
      : [],
  };
  return [
    '# yaml-language-server: $schema=../../../schemas/overrides.schema.json',
    '# Written by `roster demo`: exceptions to what the demo HR database says.',
    stringify(overrides, { lineWidth: 0 }),
  ].join('\n');
}

/**
 * Writes a complete configuration folder for the demo into `dir`: `desired-state/roster.yaml`,
 * `desired-state/overrides/demo.yaml` and a copy of the repo's `templates/`. Returns `dir`,
 * ready for `loadDesiredConfig(dir, env)` or `roster plan --config <dir>`.
 */
export async function writeDemoDesiredState(
  dir: string,
  options: DemoSettingsOptions & { hr: HrData },
): Promise<string> {
  await mkdir(join(dir, 'desired-state', 'overrides'), { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'desired-state', 'roster.yaml'), demoSettingsYaml(options)),
    writeFile(join(dir, 'desired-state', 'overrides', 'demo.yaml'), demoOverridesYaml(options.hr)),
    cp(TEMPLATES_DIR, join(dir, 'templates'), { recursive: true }),
  ]);
  return dir;
}
