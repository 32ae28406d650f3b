import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { referenceRows, renderReference } from './config-reference.js';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
const settingsSchema = JSON.parse(await read('schemas/settings.schema.json')) as Record<string, unknown>;
const overridesSchema = JSON.parse(await read('schemas/overrides.schema.json')) as Record<string, unknown>;
const readme = await read('docs/configuration.md');
const campaignSchema = JSON.parse(await read('schemas/campaign.schema.json')) as Record<string, unknown>;
const campaignDoc = await read('docs/campaigns.md');

function section(name: string, doc = readme): string {
  const start = `<!-- config-reference:${name}:start -->`;
  const end = `<!-- config-reference:${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  expect(from, `the docs have ${start}`).toBeGreaterThanOrEqual(0);
  expect(to, `the docs have ${end}`).toBeGreaterThan(from);
  return doc.slice(from + start.length, to).trim();
}

/** Every property schema in the file, with its JSON-pointer-like path. */
function properties(
  schema: Record<string, unknown>,
): { path: string; node: Record<string, unknown>; required: boolean }[] {
  const found: { path: string; node: Record<string, unknown>; required: boolean }[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const required = Array.isArray(n['required']) ? (n['required'] as string[]) : [];
    for (const [name, child] of Object.entries(
      (n['properties'] as Record<string, unknown> | undefined) ?? {},
    )) {
      const own = child as Record<string, unknown>;
      const ref = typeof own['$ref'] === 'string' ? own['$ref'].replace('#/$defs/', '') : undefined;
      const target = ref ? ((schema['$defs'] as Record<string, Record<string, unknown>>)[ref] ?? {}) : {};
      found.push({ path: `${path}/${name}`, node: { ...target, ...own }, required: required.includes(name) });
      visit(child, `${path}/${name}`);
    }
    visit(n['items'], `${path}/[]`);
    for (const [name, def] of Object.entries((n['$defs'] as Record<string, unknown> | undefined) ?? {}))
      visit(def, `#${name}`);
  };
  visit(schema, '');
  return found;
}

describe('the JSON Schemas, docs/configuration.md and the examples agree', () => {
  test('the settings reference is the one generated from schemas/settings.schema.json', () => {
    expect(section('settings')).toBe(renderReference(settingsSchema));
  });

  test('the overrides reference is the one generated from schemas/overrides.schema.json', () => {
    expect(section('overrides')).toBe(renderReference(overridesSchema));
  });

  test('the campaign reference in docs/campaigns.md is the one generated from schemas/campaign.schema.json', () => {
    expect(section('campaigns', campaignDoc)).toBe(renderReference(campaignSchema));
  });

  test('every top-level settings key is documented in docs/configuration.md', () => {
    const documented = section('settings');
    const keys = Object.keys(settingsSchema['properties'] as object).filter((k) => k !== '$schema');
    expect(keys).toEqual([
      'tenant',
      'scope',
      'source',
      'fields',
      'phone',
      'photos',
      'signatures',
      'guardrails',
      'rateLimits',
      'schedule',
    ]);
    for (const key of keys) expect(documented).toContain(`| \`${key}\` |`);
    expect(referenceRows(settingsSchema).length).toBeGreaterThan(40);
  });

  // Optional keys whose absence means something of its own ("use the URL's sslmode", "no cron").
  const NO_DEFAULT = new Set([
    '/$schema',
    '/source/ssl',
    '/source/ssl/caFile',
    '/schedule/cron',
    '/signatures/allowedHosts',
    // Unset rate limits: no ceiling, the learned pace alone (docs/pacing.md).
    '/rateLimits/graphReadsPer10s',
    '/rateLimits/graphWritesPer150s',
    '/rateLimits/graphConcurrency',
    '/rateLimits/photoRequestsPer10min',
    '/rateLimits/exchangeRequestsPerMinute',
    '/rateLimits/exchangeConcurrency',
    '#fieldMapping/format',
    '/employees/[]/template',
    '/employees/[]/photoUrl',
    '/offices/[]/template',
  ]);

  test.each([
    ['settings', settingsSchema],
    ['overrides', overridesSchema],
  ] as const)(
    'every key of the %s schema has a description, and a default unless required',
    (_name, schema) => {
      for (const { path, node, required } of properties(schema)) {
        const isManagedField = /\/fields\/|#fields\//.test(path);
        if (!isManagedField)
          expect(node['description'], `${path} has a description`).toEqual(expect.any(String));
        if (!required && !NO_DEFAULT.has(path) && !isManagedField) {
          expect(Object.keys(node), `${path} has a default`).toContain('default');
        }
      }
    },
  );

  test('settings and overrides name the same managed fields', () => {
    const settingsFields = Object.keys(
      (settingsSchema['properties'] as Record<string, { properties: object }>)['fields']?.properties ?? {},
    );
    const defs = overridesSchema['$defs'] as Record<string, { properties: object }>;
    expect(Object.keys(defs['fields']?.properties ?? {})).toEqual(settingsFields);
    expect(settingsFields).toHaveLength(14);
  });

  test('the examples point editors at the schemas and use only documented keys', async () => {
    const settings = await read('desired-state/roster.yaml');
    const overrides = await read('desired-state/overrides/examples.yaml');
    expect(settings).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/settings\.schema\.json$/m);
    expect(overrides).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/\.\.\/schemas\/overrides\.schema\.json$/m,
    );
    const documented = new Set(referenceRows(settingsSchema).map((r) => r.key));
    const walk = (value: unknown, prefix: string): void => {
      if (!value || typeof value !== 'object' || Array.isArray(value) || prefix === 'signatures.variables.')
        return;
      for (const [key, child] of Object.entries(value)) {
        const path = `${prefix}${key}`;
        const generic = path.replace(/^fields\.[A-Za-z]+/, 'fields.<field>');
        expect(documented.has(generic), `${path} is documented`).toBe(true);
        walk(child, `${path}.`);
      }
    };
    walk(parse(settings), '');
    const example = parse(overrides) as { employees: { exclude?: boolean }[]; offices: unknown[] };
    expect(example.employees.some((e) => e.exclude === true)).toBe(true);
    expect(example.offices.length).toBeGreaterThan(0);
  });
});
