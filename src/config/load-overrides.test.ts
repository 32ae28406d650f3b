import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../errors/roster-error.js';
import { loadOverrides } from './load-overrides.js';
import { loadSettings } from './load-settings.js';

const schema = JSON.parse(
  await readFile(new URL('../../schemas/overrides.schema.json', import.meta.url), 'utf8'),
) as object;
const settingsSchema = JSON.parse(
  await readFile(new URL('../../schemas/settings.schema.json', import.meta.url), 'utf8'),
) as object;
const settings = loadSettings(
  'roster.yaml',
  'tenant: {id: t, domain: contoso.onmicrosoft.com}\nscope: {domains: [example.no]}\n',
  {},
  settingsSchema,
).settings;

const A = 'overrides/a.yaml';
const B = 'overrides/b.yaml';

function load(files: Record<string, string>) {
  const result = loadOverrides(
    Object.entries(files).map(([file, text]) => ({ file, text })),
    schema,
    settings,
  );
  return { ...result, text: result.problems.map(formatProblem) };
}

describe('loadOverrides: errors name file, line, column and key', () => {
  const cases: { name: string; yaml: string; expected: string[] }[] = [
    {
      name: 'unknown key in an employee override',
      yaml: 'employees:\n  - email: a@example.no\n    titel: Boss\n',
      expected: ["overrides/a.yaml:3:5 /employees/0/titel: error: unknown key 'titel'"],
    },
    {
      name: 'unknown field',
      yaml: 'employees:\n  - email: a@example.no\n    fields:\n      title: Boss\n',
      expected: ["overrides/a.yaml:4:7 /employees/0/fields/title: error: unknown key 'title'"],
    },
    {
      name: 'missing email',
      yaml: 'employees:\n  - exclude: true\n',
      expected: ["overrides/a.yaml:2:5 /employees/0/email: error: missing required key 'email'"],
    },
    {
      name: 'not an email',
      yaml: 'employees:\n  - email: kari\n',
      expected: ['overrides/a.yaml:2:12 /employees/0/email: error: must be an email address'],
    },
    {
      name: 'type error',
      yaml: 'employees:\n  - email: a@example.no\n    exclude: yes please\n',
      expected: ['overrides/a.yaml:3:14 /employees/0/exclude: error: must be a boolean'],
    },
    {
      name: 'photo URL must be https',
      yaml: 'employees:\n  - email: a@example.no\n    photoUrl: http://x.example.no/a.jpg\n',
      expected: ['overrides/a.yaml:3:15 /employees/0/photoUrl: error: must be an https:// URL'],
    },
    {
      name: 'offices must be a list',
      yaml: 'offices:\n  office: Oslo\n',
      expected: ['overrides/a.yaml:2:3 /offices: error: must be a list'],
    },
    {
      name: 'duplicate YAML key',
      yaml: 'employees:\n  - email: a@example.no\n    email: b@example.no\n',
      expected: ["overrides/a.yaml:3:5: error: duplicate key 'email'"],
    },
  ];
  test.each(cases)('$name', ({ yaml, expected }) => {
    const result = load({ [A]: yaml });
    expect(result.text).toEqual(expected);
    expect(result.overrides).toEqual([]);
  });
});

describe('loadOverrides', () => {
  test('normalizes employee and office overrides, in file order', () => {
    const result = load({
      [B]: 'offices:\n  - office: 3\n    template: compact\n    variables: {website: https://example.no/3}\n',
      [A]: [
        'employees:',
        '  - email: Kari.Nordmann@Example.no',
        '    reason: acting manager',
        '    fields: {jobTitle: Daglig leder, mobilePhone: null}',
        '    photoUrl: null',
        '  - email: ola@example.no',
        '    exclude: true',
        '',
      ].join('\n'),
    });
    expect(result.problems).toEqual([]);
    expect(result.overrides).toEqual([
      {
        file: A,
        line: 2,
        column: 5,
        target: { kind: 'employee', email: 'kari.nordmann@example.no' },
        fields: { jobTitle: 'Daglig leder', mobilePhone: null },
        variables: {},
        photoUrl: null,
        exclude: false,
        reason: 'acting manager',
      },
      {
        file: A,
        line: 6,
        column: 5,
        target: { kind: 'employee', email: 'ola@example.no' },
        fields: {},
        variables: {},
        exclude: true,
      },
      {
        file: B,
        line: 2,
        column: 5,
        target: { kind: 'office', office: '3' },
        fields: {},
        variables: { website: 'https://example.no/3' },
        template: 'compact',
        exclude: false,
      },
    ]);
    expect(result.templateReferences).toEqual([
      { name: 'compact', file: B, line: 3, column: 15, key: '/offices/0/template' },
    ]);
  });

  test('a duplicate employee override (case-insensitive, across files) is reported at both places', () => {
    const result = load({
      [A]: 'employees:\n  - email: kari@example.no\n',
      [B]: '# more\nemployees:\n  - email: ola@example.no\n  - email: KARI@example.no\n',
    });
    expect(result.text).toMatchInlineSnapshot(`
      [
        "overrides/b.yaml:4:12 /employees/1/email: error: duplicate override for employee 'kari@example.no' (first at overrides/a.yaml:2:12)",
        "overrides/a.yaml:2:12 /employees/0/email: error: employee 'kari@example.no' is overridden again at overrides/b.yaml:4:12",
      ]
    `);
  });

  test('a duplicate office override within one file is reported at both places', () => {
    const result = load({ [A]: 'offices:\n  - office: Oslo\n  - office: oslo\n    template: x\n' });
    expect(result.text).toMatchInlineSnapshot(`
      [
        "overrides/a.yaml:3:13 /offices/1/office: error: duplicate override for office 'oslo' (first at overrides/a.yaml:2:13)",
        "overrides/a.yaml:2:13 /offices/0/office: error: office 'oslo' is overridden again at overrides/a.yaml:3:13",
      ]
    `);
  });

  test('warns about overrides of unmanaged fields and about settings of excluded employees', () => {
    const result = load({
      [A]: 'employees:\n  - email: a@example.no\n    exclude: true\n    fields:\n      companyName: X\n',
    });
    expect(result.text).toEqual([
      'overrides/a.yaml:3:5 /employees/0/exclude: warning: this employee is excluded: the other settings of this override are ignored',
      "overrides/a.yaml:5:7 /employees/0/fields/companyName: warning: field 'companyName' is not managed (not listed under fields in the settings): this override has no effect",
    ]);
    expect(result.overrides).toHaveLength(1);
  });

  test('errors in several files are all reported', () => {
    const result = load({ [A]: 'employees: [{email: x}]\n', [B]: 'office: []\n' });
    expect(result.text).toEqual([
      'overrides/a.yaml:1:21 /employees/0/email: error: must be an email address',
      "overrides/b.yaml:1:1 /office: error: unknown key 'office' (did you mean 'offices'?)",
    ]);
  });

  test('an empty file is no overrides', () => {
    expect(load({ [A]: '# nothing yet\n' })).toMatchObject({ overrides: [], problems: [] });
  });
});
