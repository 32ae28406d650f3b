import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { DEFAULT_HR_QUERY } from '../adapters/postgres/default-hr-query.js';
import { formatProblem } from '../errors/roster-error.js';
import { loadSettings } from './load-settings.js';

const schema = JSON.parse(
  await readFile(new URL('../../schemas/settings.schema.json', import.meta.url), 'utf8'),
) as object;

const MINIMAL = `tenant:
  id: t-1
  domain: contoso.onmicrosoft.com
scope:
  domains: [example.no]
`;

function load(text: string, env: Record<string, string | undefined> = {}) {
  const result = loadSettings('roster.yaml', text, env, schema);
  return { ...result, text: result.problems.map(formatProblem) };
}

describe('loadSettings: one problem per case, with file, line, column and key', () => {
  const cases: { name: string; yaml: string; env?: Record<string, string>; expected: string[] }[] = [
    {
      name: 'unknown top-level key, with a suggestion',
      yaml: `${MINIMAL}schedul:\n  mode: apply\n`,
      expected: ["roster.yaml:6:1 /schedul: error: unknown key 'schedul' (did you mean 'schedule'?)"],
    },
    {
      name: 'unknown nested key',
      yaml: `${MINIMAL}photos:\n  enabled: false\n  maxSize: 5\n`,
      expected: ["roster.yaml:8:3 /photos/maxSize: error: unknown key 'maxSize'"],
    },
    {
      name: 'unknown key inside a field mapping object',
      yaml: `${MINIMAL}fields:\n  mobilePhone:\n    from: '{{employee.phone}}'\n    formatt: phone\n`,
      expected: [
        "roster.yaml:9:5 /fields/mobilePhone/formatt: error: unknown key 'formatt' (did you mean 'format'?)",
      ],
    },
    {
      name: 'an unmanageable field',
      yaml: `${MINIMAL}fields:\n  mail: '{{employee.email}}'\n`,
      expected: ["roster.yaml:7:3 /fields/mail: error: unknown key 'mail'"],
    },
    {
      name: 'type error',
      yaml: `${MINIMAL}source:\n  pageSize: many\n`,
      expected: ['roster.yaml:7:13 /source/pageSize: error: must be an integer'],
    },
    {
      name: 'union type error',
      yaml: `${MINIMAL}fields:\n  jobTitle: 12\n`,
      expected: ['roster.yaml:7:13 /fields/jobTitle: error: must be a string or a map'],
    },
    {
      name: 'enum',
      yaml: `${MINIMAL}schedule:\n  mode: fix\n`,
      expected: ['roster.yaml:7:9 /schedule/mode: error: must be one of "observe", "apply"'],
    },
    {
      name: 'bad duration',
      yaml: `${MINIMAL}schedule:\n  interval: 15 minutes\n`,
      expected: [
        'roster.yaml:7:13 /schedule/interval: error: must be a duration such as 30s, 15m, 24h or 1h30m',
      ],
    },
    {
      name: 'bad percentage',
      yaml: `${MINIMAL}guardrails:\n  maxChanges: ten\n`,
      expected: [
        'roster.yaml:7:15 /guardrails/maxChanges: error: must be a number or a percentage such as 10%',
      ],
    },
    {
      name: 'percentage over 100',
      yaml: `${MINIMAL}guardrails:\n  maxChanges: 150%\n`,
      expected: ['roster.yaml:7:15 /guardrails/maxChanges: error: a percentage must be at most 100%'],
    },
    {
      name: 'missing required keys',
      yaml: `tenant:\n  id: x\nscope: {}\n`,
      expected: [
        "roster.yaml:1:1 /tenant/domain: error: missing required key 'domain'",
        "roster.yaml:3:1 /scope/domains: error: missing required key 'domains'",
      ],
    },
    {
      name: 'missing environment variable (named, value never printed)',
      yaml: `tenant:\n  id: \${AZURE_TENANT_ID}\n  domain: contoso.onmicrosoft.com\nscope:\n  domains: [example.no]\n`,
      env: { OTHER: 'secret-value' },
      expected: ['roster.yaml:2:7 /tenant/id: error: environment variable AZURE_TENANT_ID is not set'],
    },
    {
      name: 'a secret of the environment cannot be read, with or without a fallback',
      yaml: `tenant:\n  id: x\n  domain: contoso.onmicrosoft.com\nscope:\n  domains: [example.no]\nsignatures:\n  variables:\n    companyName: "S:\${AZURE_CLIENT_SECRET} D:\${DATABASE_URL:-none} T:\${ROSTER_API_TOKEN}"\n`,
      env: {
        AZURE_CLIENT_SECRET: 'client-secret-value',
        DATABASE_URL: 'postgres://u:db-password@h/db',
        ROSTER_API_TOKEN: 'api-token-value',
      },
      expected: [
        'roster.yaml:8:18 /signatures/variables/companyName: error: environment variable AZURE_CLIENT_SECRET may not be read by the settings file: only ROSTER_VAR_* variables and AZURE_TENANT_ID, AZURE_CLIENT_ID can be referenced (write $${ for a literal ${)',
        'roster.yaml:8:18 /signatures/variables/companyName: error: environment variable DATABASE_URL may not be read by the settings file: only ROSTER_VAR_* variables and AZURE_TENANT_ID, AZURE_CLIENT_ID can be referenced (write $${ for a literal ${)',
        'roster.yaml:8:18 /signatures/variables/companyName: error: environment variable ROSTER_API_TOKEN may not be read by the settings file: only ROSTER_VAR_* variables and AZURE_TENANT_ID, AZURE_CLIENT_ID can be referenced (write $${ for a literal ${)',
      ],
    },
    {
      name: 'a reference that is not a variable name',
      yaml: `tenant:\n  id: "\${not a name}"\n  domain: contoso.onmicrosoft.com\nscope:\n  domains: [example.no]\n`,
      expected: [
        "roster.yaml:2:7 /tenant/id: error: '${not a name}' is not a variable reference: write ${NAME} or ${NAME:-fallback}, or $${ for a literal ${",
      ],
    },
    {
      name: 'YAML syntax error',
      yaml: `${MINIMAL}photos:\n  allowedHosts: [a.example.no\n`,
      expected: [
        'roster.yaml:8:1: error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    },
    {
      name: 'duplicate YAML key',
      yaml: `${MINIMAL}schedule:\n  mode: apply\n  mode: observe\n`,
      expected: ["roster.yaml:8:3: error: duplicate key 'mode'"],
    },
    {
      name: 'mustache syntax error in a field expression',
      yaml: `${MINIMAL}fields:\n  jobTitle: '{{#employee.title}}{{employee.title}}'\n`,
      expected: [
        'roster.yaml:7:13 /fields/jobTitle: error: template syntax error: unclosed section "employee.title"',
      ],
    },
    {
      name: 'cron and interval both given',
      yaml: `${MINIMAL}schedule:\n  cron: '*/5 * * * *'\n  interval: 5m\n`,
      expected: ['roster.yaml:7:3 /schedule/cron: error: give either cron or interval, not both'],
    },
    {
      name: 'invalid cron',
      yaml: `${MINIMAL}schedule:\n  cron: '61 * * * *'\n`,
      expected: [
        'roster.yaml:7:9 /schedule/cron: error: invalid cron expression: Invalid value for minute: 61',
      ],
    },
    {
      name: 'unknown phone region',
      yaml: `${MINIMAL}phone:\n  defaultRegion: XX\n`,
      expected: ["roster.yaml:7:18 /phone/defaultRegion: error: unknown phone region 'XX'"],
    },
    {
      name: 'bad host pattern',
      yaml: `${MINIMAL}photos:\n  allowedHosts: ['https://hr.example.no']\n`,
      expected: ['roster.yaml:7:18 /photos/allowedHosts/0: error: must be a host name or *.suffix'],
    },
    {
      name: 'bad variable name',
      yaml: `${MINIMAL}signatures:\n  variables:\n    logo-url: x\n`,
      expected: [
        "roster.yaml:8:5 /signatures/variables/logo-url: error: invalid key 'logo-url': must be a variable name (letters, digits and _)",
      ],
    },
  ];

  test.each(cases)('$name', ({ yaml, env, expected }) => {
    const result = load(yaml, env);
    expect(result.text).toEqual(expected);
    expect(result.settings).toBeUndefined();
  });
});

describe('loadSettings', () => {
  test('reports every error at once', () => {
    const yaml = `tenant:
  id: \${ROSTER_VAR_TENANT}
  domain: not a domain
scope:
  domains: []
source:
  pageSize: 0
  colour: blue
schedule:
  interval: soon
  jitter: 5x
`;
    expect(load(yaml).text).toMatchInlineSnapshot(`
      [
        "roster.yaml:2:7 /tenant/id: error: environment variable ROSTER_VAR_TENANT is not set",
        "roster.yaml:3:11 /tenant/domain: error: must be a domain name such as example.com",
        "roster.yaml:5:12 /scope/domains: error: must list at least 1 item",
        "roster.yaml:7:13 /source/pageSize: error: must be >= 1",
        "roster.yaml:8:3 /source/colour: error: unknown key 'colour'",
        "roster.yaml:10:13 /schedule/interval: error: must be a duration such as 30s, 15m, 24h or 1h30m",
        "roster.yaml:11:11 /schedule/jitter: error: must be a duration such as 30s, 15m, 24h or 1h30m",
      ]
    `);
  });

  test('applies the defaults of the schema, including the seed field mapping and the default SQL', () => {
    const { settings, problems } = load(MINIMAL);
    expect(problems).toEqual([]);
    expect(settings?.source).toEqual({ query: DEFAULT_HR_QUERY, pageSize: 500 });
    expect(settings?.fields).toEqual({
      givenName: { from: '{{employee.first_name}}', clearWhenEmpty: false },
      surname: { from: '{{employee.last_name}}', clearWhenEmpty: false },
      displayName: { from: '{{employee.first_name}} {{employee.last_name}}', clearWhenEmpty: false },
      jobTitle: { from: '{{employee.title}}', clearWhenEmpty: false },
      mobilePhone: { from: '{{employee.phone}}', format: 'phone', clearWhenEmpty: false },
      department: { from: '{{office.name}}', clearWhenEmpty: false },
      officeLocation: { from: '{{office.city}}', clearWhenEmpty: false },
    });
    expect(settings?.schedule).toEqual({
      intervalSeconds: 900,
      jitterSeconds: 30,
      mode: 'observe',
      deepCheckIntervalSeconds: 86_400,
    });
    expect(settings?.guardrails).toEqual({ maxChanges: { percent: 10 }, maxSourceShrinkPercent: 20 });
    expect(settings?.phone).toEqual({ defaultRegion: 'NO', format: 'INTERNATIONAL' });
    expect(settings?.signatures.defaultTemplate).toBe('default');
    expect(settings?.photos).toMatchObject({
      enabled: true,
      from: '{{employee.profile_image_url}}',
      maxBytes: 4_194_304,
    });
    expect(settings?.rateLimits.photoConcurrencyPerMailbox).toBe(4);
  });

  test('fields listed replace the default mapping; the object form keeps format and clearWhenEmpty', () => {
    const { settings } = load(
      `${MINIMAL}fields:\n  jobTitle: '{{employee.title}}'\n  businessPhones:\n    from: '{{office.phone}}'\n    format: phone\n    clearWhenEmpty: true\n`,
    );
    expect(settings?.fields).toEqual({
      jobTitle: { from: '{{employee.title}}', clearWhenEmpty: false },
      businessPhones: { from: '{{office.phone}}', format: 'phone', clearWhenEmpty: true },
    });
  });

  test('normalizes durations, cron, absolute maxChanges and domain case', () => {
    const { settings } = load(
      `${MINIMAL.replace('example.no', 'Example.NO')}guardrails:\n  maxChanges: 250\nschedule:\n  cron: '0 */2 * * *'\n  jitter: 1m30s\n  deepCheckInterval: 2d\n  mode: apply\n`,
    );
    expect(settings?.scope.domains).toEqual(['example.no']);
    expect(settings?.guardrails.maxChanges).toEqual({ absolute: 250 });
    expect(settings?.schedule).toEqual({
      cron: '0 */2 * * *',
      jitterSeconds: 90,
      mode: 'apply',
      deepCheckIntervalSeconds: 172_800,
    });
  });

  test('resolves environment references, with fallbacks and $${ escapes', () => {
    const yaml = `tenant:\n  id: \${AZURE_TENANT_ID:-fallback-tenant}\n  domain: \${ROSTER_VAR_TENANT_DOMAIN}\nscope:\n  domains: [example.no]\nsignatures:\n  variables:\n    note: 'costs $\${AMOUNT} at \${ROSTER_VAR_SITE:-home}'\n    app: '\${AZURE_CLIENT_ID:-none}'\n`;
    const withEnv = load(yaml, {
      AZURE_TENANT_ID: 'guid-1',
      AZURE_CLIENT_ID: 'app-1',
      ROSTER_VAR_TENANT_DOMAIN: 'contoso.onmicrosoft.com',
      ROSTER_VAR_SITE: 'oslo',
    });
    expect(withEnv.settings?.tenant).toEqual({ id: 'guid-1', domain: 'contoso.onmicrosoft.com' });
    expect(withEnv.settings?.signatures.variables).toEqual({ note: 'costs ${AMOUNT} at oslo', app: 'app-1' });
    const fallback = load(yaml, { ROSTER_VAR_TENANT_DOMAIN: 'contoso.onmicrosoft.com', AZURE_TENANT_ID: '' });
    expect(fallback.settings?.tenant.id).toBe('fallback-tenant');
    expect(fallback.settings?.signatures.variables['note']).toBe('costs ${AMOUNT} at home');
  });

  test('an environment value is checked like a written one, and never echoed', () => {
    const { text } = load(MINIMAL.replace('contoso.onmicrosoft.com', '${ROSTER_VAR_DOMAIN}'), {
      ROSTER_VAR_DOMAIN: 'hunter2 secret',
    });
    expect(text).toEqual([
      'roster.yaml:3:11 /tenant/domain: error: must be a domain name such as example.com',
    ]);
    expect(text.join('\n')).not.toContain('hunter2');
  });

  test('photos enabled without allowed hosts is a warning, and settings are still returned', () => {
    const { settings, problems } = load(`${MINIMAL}photos:\n  enabled: true\n`);
    expect(problems.map(formatProblem)).toEqual([
      'roster.yaml:6:1 /photos: warning: photos are enabled but photos.allowedHosts is empty: no photo will be fetched',
    ]);
    expect(settings?.photos.allowedHosts).toEqual([]);
  });

  test('a signature URL variable off the signature hosts is an error at its line', () => {
    const yaml = `${MINIMAL}signatures:\n  variables:\n    logoUrl: https://cdn.evil.example/logo.png\n    website: https://www.example.no\n    bannerUrl: javascript:alert(1)\n`;
    expect(load(yaml).text).toEqual([
      'roster.yaml:8:14 /signatures/variables/logoUrl: error: logoUrl has the host "cdn.evil.example", which is not on signatures.allowedHosts (by default the scope domains)',
      'roster.yaml:10:16 /signatures/variables/bannerUrl: error: bannerUrl uses the scheme "javascript:"; only "https:" is allowed',
    ]);
    const listed = `${yaml.replace('    bannerUrl: javascript:alert(1)\n', '')}  allowedHosts: [cdn.evil.example]\n`;
    expect(load(listed).text).toEqual([
      'roster.yaml:9:14 /signatures/variables/website: error: website has the host "www.example.no", which is not on signatures.allowedHosts',
    ]);
  });

  test('an empty file reports the required keys', () => {
    expect(load('').text).toEqual([
      "roster.yaml:1:1 /tenant: error: missing required key 'tenant'",
      "roster.yaml:1:1 /scope: error: missing required key 'scope'",
    ]);
  });
});
