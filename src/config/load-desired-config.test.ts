import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../errors/roster-error.js';
import { loadDesiredConfig } from './load-desired-config.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const SETTINGS = `# yaml-language-server: $schema=../schemas/settings.schema.json
tenant:
  id: \${AZURE_TENANT_ID:-t-1}
  domain: contoso.onmicrosoft.com
scope:
  domains: [example.no]
`;

async function tempConfig(files: Record<string, string>): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-config-'));
  await writeFiles(dir, files);
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
}

const GOOD = {
  'desired-state/roster.yaml': SETTINGS,
  'desired-state/overrides/people.yaml': 'employees:\n  - email: kari@example.no\n    template: short\n',
  'desired-state/overrides/README.md': 'not an override file',
  'templates/default.html.mustache': '<b>{{employee.displayName}}</b>',
  'templates/default.txt.mustache': '{{employee.displayName}}',
  'templates/short.html.mustache': '{{employee.givenName}}',
  'templates/short.txt.mustache': '{{employee.givenName}}',
};

describe('loadDesiredConfig', () => {
  test('the example in desired-state/ loads cleanly on a fresh clone, with no environment', async () => {
    const { config, problems } = await loadDesiredConfig(repo, {});
    expect(problems.map(formatProblem)).toEqual([]);
    expect(config?.settings.scope.domains).toEqual(['example.no']);
    expect(config?.overrides.map((o) => o.target)).toEqual([
      { kind: 'employee', email: 'soren.aero@example.no' },
      { kind: 'employee', email: 'stale.krakenes@example.no' },
      { kind: 'office', office: 'Tromsø Sentrum' },
    ]);
    expect(config?.templates.has('default')).toBe(true);
    expect(config?.campaigns?.map((c) => c.id)).toEqual(['annual-report-2027']);
    expect(config?.campaigns?.[0]?.banner.href).toBe(
      'https://www.example.no/annual-report?utm_source=email-signature&utm_medium=email&utm_campaign=annual-report-2027',
    );
  });

  test('reads settings, override files and template pairs from real files', async () => {
    await using t = await tempConfig(GOOD);
    const { config, problems } = await loadDesiredConfig(t.dir, { AZURE_TENANT_ID: 'guid-9' });
    expect(problems).toEqual([]);
    expect(config?.settings.tenant.id).toBe('guid-9');
    expect(config?.overrides).toHaveLength(1);
    expect(config?.overrides[0]?.file).toBe('desired-state/overrides/people.yaml');
    expect([...(config?.templates.keys() ?? [])]).toEqual(['default', 'short']);
    expect(config?.templates.get('short')?.htmlFile).toBe('templates/short.html.mustache');
    expect(config?.revision).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the revision is stable, and changes with any file and with the environment', async () => {
    await using t = await tempConfig(GOOD);
    const revision = async (env: Record<string, string> = {}) =>
      (await loadDesiredConfig(t.dir, env)).config?.revision;
    const first = await revision();
    expect(await revision()).toBe(first);
    expect(await revision({ AZURE_TENANT_ID: 'other' })).not.toBe(first);

    await writeFiles(t.dir, { 'templates/short.txt.mustache': '{{employee.givenName}}!' });
    const afterTemplate = await revision();
    expect(afterTemplate).not.toBe(first);

    await writeFiles(t.dir, { 'desired-state/roster.yaml': `${SETTINGS}# a comment\n` });
    const afterComment = await revision();
    expect(afterComment).not.toBe(afterTemplate);

    await writeFiles(t.dir, { 'desired-state/overrides/more.yaml': 'offices: []\n' });
    expect(await revision()).not.toBe(afterComment);
  });

  test('reports every problem of every file at once, in file and line order, and returns no config', async () => {
    await using t = await tempConfig({
      ...GOOD,
      'desired-state/roster.yaml': `${SETTINGS}schedule:\n  interval: 15 min\nsignatures:\n  defaultTemplate: fancy\n`,
      'desired-state/overrides/people.yaml':
        'employees:\n  - email: kari@example.no\n    template: short\n  - email: Kari@example.no\n',
      'desired-state/overrides/teams.yml':
        'offices:\n  - office: 2\n    template: missing\n    colour: red\n',
      'templates/short.html.mustache': '<p>\n{{#employee.jobTitle}}\n</p>',
      'templates/lonely.html.mustache': 'x',
    });
    const { config, problems } = await loadDesiredConfig(t.dir, {});
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toMatchInlineSnapshot(`
      [
        "desired-state/overrides/people.yaml:2:12 /employees/0/email: error: employee 'kari@example.no' is overridden again at desired-state/overrides/people.yaml:4:12",
        "desired-state/overrides/people.yaml:4:12 /employees/1/email: error: duplicate override for employee 'kari@example.no' (first at desired-state/overrides/people.yaml:2:12)",
        "desired-state/overrides/teams.yml:4:5 /offices/0/colour: error: unknown key 'colour'",
        "desired-state/roster.yaml:8:13 /schedule/interval: error: must be a duration such as 30s, 15m, 24h or 1h30m",
        "templates/lonely.html.mustache: error: template 'lonely' has no twin: templates/lonely.txt.mustache is missing",
        "templates/short.html.mustache:2:1: error: template syntax error: unclosed section "employee.jobTitle"",
      ]
    `);
  });

  test('unknown template names are errors at the reference', async () => {
    await using t = await tempConfig({
      ...GOOD,
      'desired-state/roster.yaml': `${SETTINGS}signatures:\n  defaultTemplate: fancy\n`,
      'desired-state/overrides/teams.yml': 'offices:\n  - office: 2\n    template: missing\n',
    });
    const { config, problems } = await loadDesiredConfig(t.dir, {});
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      "desired-state/overrides/teams.yml:3:15 /offices/0/template: error: unknown template 'missing' (templates/missing.html.mustache not found; known: default, short)",
      "desired-state/roster.yaml:8:20 /signatures/defaultTemplate: error: unknown template 'fancy' (templates/fancy.html.mustache not found; known: default, short)",
    ]);
  });

  test('with signatures off, a missing template is only a warning', async () => {
    await using t = await tempConfig({
      'desired-state/roster.yaml': `${SETTINGS}signatures:\n  enabled: false\n`,
    });
    const { config, problems } = await loadDesiredConfig(t.dir, {});
    expect(problems.map(formatProblem)).toEqual([
      "desired-state/roster.yaml:7:1 /signatures/defaultTemplate: warning: unknown template 'default' (templates/default.html.mustache not found; known: none)",
    ]);
    expect(config?.settings.signatures.enabled).toBe(false);
    expect(config?.overrides).toEqual([]);
  });

  test('a campaign file with an error is reported with file and line and left out; the configuration still loads', async () => {
    const campaign = (id: string, image: string) =>
      [
        `id: ${id}`,
        'name: Sale',
        'banner:',
        `  image: ${image}`,
        '  width: 300',
        '  alt: Sale',
        '  link: https://www.example.no/sale',
        "start: { at: '2027-01-01T00:00', timeZone: Europe/Oslo }",
        "end: { at: '2027-02-01T00:00', timeZone: Europe/Oslo }",
        'target: { titles: [Seller] }',
        '',
      ].join('\n');
    await using t = await tempConfig({
      ...GOOD,
      'desired-state/campaigns/good.yaml': campaign('good', 'https://cdn.example.no/a.png'),
      'desired-state/campaigns/elsewhere.yaml': campaign('elsewhere', 'https://tracker.example.com/a.png'),
    });
    const { config, problems } = await loadDesiredConfig(t.dir, {});
    expect(problems.map(formatProblem)).toEqual([
      'desired-state/campaigns/elsewhere.yaml:4:10 /banner/image: error: https://tracker.example.com/a.png has the host "tracker.example.com", which is not on signatures.allowedHosts (by default the scope domains)',
    ]);
    expect(config?.campaigns?.map((c) => c.id)).toEqual(['good']);
    expect(config?.campaignProblems).toHaveLength(1);
    const before = config?.revision;
    await writeFiles(t.dir, {
      'desired-state/campaigns/good.yaml': campaign('good', 'https://cdn.example.no/b.png'),
    });
    expect((await loadDesiredConfig(t.dir, {})).config?.revision).not.toBe(before);
  });

  test('a missing settings file is one clear error', async () => {
    await using t = await tempConfig({ 'templates/a.txt': 'x' });
    expect((await loadDesiredConfig(t.dir, {})).problems.map(formatProblem)).toEqual([
      'desired-state/roster.yaml: error: settings file not found',
    ]);
  });
});
