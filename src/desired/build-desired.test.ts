import { describe, expect, it } from 'vitest';
import type { FieldMapping, Override, Settings } from '../config/settings.js';
import { buildConfig, buildSettings, override, row } from '../../test/support/builders.js';
import { desiredSignatureHash } from './signature-hash.js';
import { buildDesired, createDesiredBuilder } from './build-desired.js';
import type { DesiredSignature, DesiredState, SourceRow } from './model.js';
import { createSignatureMemo } from './signature-memo.js';
import { createSignatureRenderer, type SignatureRenderer } from './signature-renderer.js';

function build(
  rows: SourceRow[],
  overrides: Override[] = [],
  settings: Settings = buildSettings(),
): DesiredState {
  return buildDesired(rows, buildConfig({ settings, overrides }));
}

function withFields(fields: Settings['fields']): Settings {
  const s = buildSettings();
  return { ...s, fields: { ...s.fields, ...fields } };
}

function only(state: DesiredState) {
  expect(state.employees).toHaveLength(1);
  return state.employees[0]!;
}

const clearing = (from: string): FieldMapping => ({ from, clearWhenEmpty: true });

/** The real templates' renderer, counting what it renders. */
function countingRenderer(): SignatureRenderer & { renders: number } {
  const real = createSignatureRenderer(buildConfig().templates);
  const counting = {
    renders: 0,
    render: (...args: Parameters<SignatureRenderer['render']>) => {
      counting.renders++;
      return real.render(...args);
    },
    renderDesired: (signature: DesiredSignature) => real.renderDesired(signature),
  };
  return counting;
}

const rendered = (signature: DesiredSignature | undefined) =>
  createSignatureRenderer(buildConfig().templates).renderDesired(signature!);

describe('buildDesired: the seed mapping', () => {
  it('maps a Norwegian employee field by field', () => {
    const state = build([row()]);
    expect(state).toEqual({
      employees: [
        {
          key: 'soren.aero@contoso.no',
          email: 'soren.aero@contoso.no',
          sourceId: '1',
          officeName: 'Oslo',
          fields: {
            givenName: 'Søren',
            surname: 'Ærø',
            displayName: 'Søren Ærø',
            jobTitle: 'Senior rådgiver',
            mobilePhone: '+47 91 23 45 67',
            department: 'Oslo',
            officeLocation: 'Oslo',
          },
          photoUrl: 'https://hr.contoso.no/photos/1.jpg',
        },
      ],
      excluded: [],
      issues: [],
      sourceCount: 1,
    });
  });
});

describe('buildDesired: precedence override > source > leave alone', () => {
  const oslo = (o: Partial<Override>) => override({ office: 'Oslo', ...o });
  it.each<[string, Override[], string | null | undefined]>([
    ['source only', [], 'Senior rådgiver'],
    ['office override beats source', [oslo({ fields: { jobTitle: 'Kontorsjef' } })], 'Kontorsjef'],
    ['office override matched by id', [override({ office: '10', fields: { jobTitle: 'Via id' } })], 'Via id'],
    [
      'office name matched case-insensitively',
      [override({ office: ' oslo ', fields: { jobTitle: 'Lower' } })],
      'Lower',
    ],
    [
      'employee override beats office override',
      [override({ fields: { jobTitle: 'Direktør' } }), oslo({ fields: { jobTitle: 'Kontorsjef' } })],
      'Direktør',
    ],
    [
      'later employee override wins',
      [override({ fields: { jobTitle: 'A' } }), override({ fields: { jobTitle: 'B' } })],
      'B',
    ],
    ['override null clears explicitly', [override({ fields: { jobTitle: null } })], null],
    ['override value is normalized', [override({ fields: { jobTitle: '  Ba\u030Arsjef ' } })], 'Bårsjef'],
  ])('%s', (_, overrides, expected) => {
    const fields = only(build([row()], overrides)).fields;
    if (expected === undefined) expect(fields).not.toHaveProperty('jobTitle');
    else expect(fields.jobTitle).toBe(expected);
  });

  it('formats an overridden phone like a source phone', () => {
    const e = only(build([row()], [override({ fields: { mobilePhone: '+4798765432' } })]));
    expect(e.fields.mobilePhone).toBe('+47 98 76 54 32');
  });

  it('refuses to clear displayName (Entra ID cannot) and says so', () => {
    const state = build([row()], [override({ fields: { displayName: null } })]);
    expect(only(state).fields).not.toHaveProperty('displayName');
    expect(state.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(
        /^override displayName \(desired-state\/overrides.yaml:\d+\) clears a value Entra ID cannot clear; the field is left alone$/,
      ),
    ]);
  });

  it('uses company and override variables in mappings, override variables winning', () => {
    const s = withFields({ companyName: { from: '{{companyName}}', clearWhenEmpty: false } });
    s.signatures = { ...s.signatures, variables: { companyName: 'Contoso AS' } };
    expect(only(build([row()], [], s)).fields.companyName).toBe('Contoso AS');
    const o = override({ office: 'Oslo', variables: { companyName: 'Contoso Oslo AS' } });
    expect(only(build([row()], [o], s)).fields.companyName).toBe('Contoso Oslo AS');
  });
});

describe('buildDesired: empty source values', () => {
  const absent = Symbol('absent');
  const fullName = '{{employee.first_name}} {{employee.last_name}}';
  it.each<[string, Record<string, string | null>, Settings, string | null | symbol, string | null | symbol]>([
    ['null title leaves jobTitle alone', { title: null }, buildSettings(), absent, 'Søren Ærø'],
    ['blank title leaves jobTitle alone', { title: '   ' }, buildSettings(), absent, 'Søren Ærø'],
    [
      'clearWhenEmpty clears it',
      { title: null },
      withFields({ jobTitle: clearing('{{employee.title}}') }),
      null,
      'Søren Ærø',
    ],
    [
      'displayName is never cleared, even with clearWhenEmpty',
      { first_name: '', last_name: null, title: null },
      withFields({ displayName: clearing(fullName), jobTitle: clearing('{{employee.title}}') }),
      null,
      absent,
    ],
    [
      'a missing variable renders empty',
      {},
      withFields({ jobTitle: { from: '{{employee.nope}}', clearWhenEmpty: false } }),
      absent,
      'Søren Ærø',
    ],
  ])('%s', (_, employee, settings, jobTitle, displayName) => {
    const fields = only(build([row(employee)], [], settings)).fields;
    for (const [key, expected] of [
      ['jobTitle', jobTitle],
      ['displayName', displayName],
    ] as const) {
      if (expected === absent) expect(fields).not.toHaveProperty(key);
      else expect(fields[key]).toBe(expected);
    }
  });

  it('collapses the gap an empty first name leaves in displayName', () => {
    expect(only(build([row({ first_name: null })])).fields.displayName).toBe('Ærø');
  });
});

describe('buildDesired: text normalization', () => {
  it('composes NFC and keeps Ærø, Søren, Åse, emoji and right-to-left text intact', () => {
    const state = build([
      row({ first_name: 'A\u030Ase', last_name: 'Ærø', title: 'Tech lead 👩🏽‍💻' }),
      row({ id: '2', email: 'yael@contoso.no', first_name: 'יעל', last_name: 'כהן', title: 'مدير المبيعات' }),
    ]);
    expect(state.issues).toEqual([]);
    const [ase, yael] = [state.employees[0]!, state.employees[1]!];
    expect(ase.fields).toMatchObject({ givenName: 'Åse', displayName: 'Åse Ærø', jobTitle: 'Tech lead 👩🏽‍💻' });
    expect(ase.fields.givenName).toHaveLength(3);
    expect(yael.fields).toMatchObject({ displayName: 'יעל כהן', jobTitle: 'مدير المبيعات' });
  });

  it('refuses control characters and invalid UTF-8 per field, never clearing with them', () => {
    const s = withFields({ jobTitle: clearing('{{employee.title}}') });
    const state = build([row({ title: 'Sales\u0007Lead', first_name: 'S\uFFFDren' })], [], s);
    expect(only(state).fields).toEqual({
      surname: 'Ærø',
      mobilePhone: '+47 91 23 45 67',
      department: 'Oslo',
      officeLocation: 'Oslo',
    });
    expect(state.issues).toEqual([
      {
        employee: 'soren.aero@contoso.no',
        kind: 'invalid-value',
        severity: 'warning',
        field: 'employee.first_name',
        message:
          'employee.first_name contains U+FFFD (the source text was not valid UTF-8) at position 2; fields using it are left alone',
      },
      {
        employee: 'soren.aero@contoso.no',
        kind: 'invalid-value',
        severity: 'warning',
        field: 'employee.title',
        message:
          'employee.title contains a control character (U+0007) at position 6; fields using it are left alone',
      },
    ]);
  });
});

describe('buildDesired: phones', () => {
  it.each<[string, Settings['phone'], string | undefined]>([
    ['+47 912 34 567', { defaultRegion: 'NO', format: 'INTERNATIONAL' }, '+47 91 23 45 67'],
    ['91234567', { defaultRegion: 'NO', format: 'INTERNATIONAL' }, '+47 91 23 45 67'],
    ['91234567', { defaultRegion: 'NO', format: 'E.164' }, '+4791234567'],
    ['garbage', { defaultRegion: 'NO', format: 'INTERNATIONAL' }, undefined],
  ])('%s (%o) → %s', (phone, phoneSettings, expected) => {
    const state = build([row({ phone })], [], { ...buildSettings(), phone: phoneSettings });
    const e = only(state);
    expect(e.fields.mobilePhone).toBe(expected);
    if (expected === undefined) {
      expect(e.fields.jobTitle).toBe('Senior rådgiver');
      expect(state.issues).toEqual([
        {
          employee: 'soren.aero@contoso.no',
          kind: 'invalid-value',
          severity: 'warning',
          field: 'mobilePhone',
          message:
            'mobilePhone "garbage" is not a valid phone number (default region NO); the field is left alone',
        },
      ]);
    }
  });
});

describe('buildDesired: emails', () => {
  it('reports every row of a duplicate email (case-insensitive) and uses neither', () => {
    // Alone, row 1 has a problem of its own; as half of a duplicate it is not used, so not reported.
    const alone = build([row({ id: '1', email: 'Kari@Contoso.no', phone: 'garbage' })]);
    expect(alone.issues.map((i) => i.kind)).toEqual(['invalid-value']);
    const state = build([
      row({ id: '1', email: 'Kari@Contoso.no', phone: 'garbage' }),
      row({ id: '2', email: 'kari@contoso.no ' }),
      row({ id: '3', email: 'ola@contoso.no' }),
    ]);
    expect(state.employees.map((e) => e.key)).toEqual(['ola@contoso.no']);
    expect(state.sourceCount).toBe(3);
    expect(state.issues.map((i) => [i.employee, i.kind, i.message])).toEqual([
      [
        'kari@contoso.no',
        'duplicate-email',
        'source id 1 shares the email kari@contoso.no with source id 2; none of these rows is used',
      ],
      [
        'kari@contoso.no',
        'duplicate-email',
        'source id 2 shares the email kari@contoso.no with source id 1; none of these rows is used',
      ],
    ]);
  });

  it.each([
    ['not-an-email', 'not-an-email', 'source id 1: email is not a valid address'],
    [null, 'source id 1', 'source id 1: email is empty'],
    [
      'a\u0000@contoso.no',
      'source id 1',
      'source id 1: email contains a control character (U+0000) at position 2',
    ],
  ])('refuses email %j', (email, employee, message) => {
    const state = build([row({ email }), row({ id: '2', email: 'ola@contoso.no' })]);
    expect(state.employees.map((e) => e.key)).toEqual(['ola@contoso.no']);
    expect(state.issues).toEqual([
      { employee, kind: 'invalid-email', severity: 'error', field: 'employee.email', message },
    ]);
  });

  it('keys by lowercased email and sorts employees by key whatever the input order', () => {
    const state = build([
      row({ id: '3', email: 'Zoe@contoso.no' }),
      row({ id: '1', email: 'anna@contoso.no' }),
      row({ id: '2', email: 'Mia@contoso.no' }),
    ]);
    expect(state.employees.map((e) => [e.key, e.email])).toEqual([
      ['anna@contoso.no', 'anna@contoso.no'],
      ['mia@contoso.no', 'Mia@contoso.no'],
      ['zoe@contoso.no', 'Zoe@contoso.no'],
    ]);
  });
});

describe('buildDesired: Graph length limits', () => {
  it.each<[string, Record<string, string>, string, number]>([
    ['jobTitle at 129', { title: 'x'.repeat(129) }, 'jobTitle', 129],
    ['a 100 KB title', { title: 't'.repeat(100 * 1024) }, 'jobTitle', 102400],
    ['givenName at 65', { first_name: 'å'.repeat(65) }, 'givenName', 65],
    [
      'displayName at 258',
      { first_name: 'a'.repeat(64), last_name: 'b'.repeat(64), title: 'c'.repeat(128) },
      'displayName',
      258,
    ],
  ])('%s → error for that employee only', (_, employee, field, length) => {
    const settings =
      field === 'displayName'
        ? withFields({
            displayName: {
              from: '{{employee.first_name}} {{employee.last_name}} {{employee.title}}',
              clearWhenEmpty: false,
            },
          })
        : buildSettings();
    const state = build([row(employee), row({ id: '2', email: 'ola@contoso.no' })], [], settings);
    expect(state.employees.map((e) => e.key)).toEqual(['ola@contoso.no']);
    expect(state.issues).toHaveLength(1);
    const issue = state.issues[0]!;
    expect(issue).toMatchObject({
      employee: 'soren.aero@contoso.no',
      kind: 'too-long',
      severity: 'error',
      field,
    });
    expect(issue.message).toContain(`${field} is ${length} characters long; Microsoft Graph accepts at most`);
    expect(issue.message.length).toBeLessThan(120);
  });

  it('accepts values exactly at the limit', () => {
    expect(only(build([row({ title: 'x'.repeat(128) })])).fields.jobTitle).toHaveLength(128);
  });

  it('checks employeeId against 16', () => {
    const s = withFields({ employeeId: { from: 'E{{employee.id}}', clearWhenEmpty: false } });
    expect(only(build([row({ id: '123456789012345' })], [], s)).fields.employeeId).toBe('E123456789012345');
    expect(build([row({ id: '1234567890123456' })], [], s).issues).toMatchInlineSnapshot(`
      [
        {
          "employee": "soren.aero@contoso.no",
          "field": "employeeId",
          "kind": "too-long",
          "message": "employeeId is 17 characters long; Microsoft Graph accepts at most 16 (the value is not cut)",
          "severity": "error",
        },
      ]
    `);
  });
});

describe('buildDesired: overrides that match nothing, exclusion', () => {
  it('reports unknown employee and office targets with file and line', () => {
    const state = build(
      [row()],
      [
        { ...override({ email: 'gone@contoso.no' }), line: 12 },
        { ...override({ office: 'Bergen' }), file: 'desired-state/offices.yaml', line: 3 },
      ],
    );
    expect(state.employees).toHaveLength(1);
    expect(state.issues).toMatchInlineSnapshot(`
      [
        {
          "kind": "unknown-override-target",
          "message": "desired-state/overrides.yaml:12: override for employee "gone@contoso.no" matches no active employee in the source",
          "severity": "warning",
        },
        {
          "kind": "unknown-override-target",
          "message": "desired-state/offices.yaml:3: override for office "Bergen" matches no office (by id or name) of an active employee",
          "severity": "warning",
        },
      ]
    `);
  });

  it('excludes by employee or office override, with no issues for the excluded', () => {
    const state = build(
      [
        row({ title: 'x'.repeat(500) }),
        row({ id: '2', email: 'ola@contoso.no' }, { id: '20', name: 'Bergen' }),
        row({ id: '3', email: 'kari@contoso.no' }, { id: '30', name: 'Trondheim' }),
      ],
      [override({ exclude: true }), override({ office: 'Bergen', exclude: true })],
    );
    expect(state.employees.map((e) => e.key)).toEqual(['kari@contoso.no']);
    expect(state.excluded).toEqual(['ola@contoso.no', 'soren.aero@contoso.no']);
    expect(state.issues).toEqual([]);
    expect(state.sourceCount).toBe(3);
  });
});

describe('buildDesired: photo URL', () => {
  it.each<[string, Override[], Record<string, string | null>, string | undefined, string | undefined]>([
    ['source URL', [], {}, 'https://hr.contoso.no/photos/1.jpg', undefined],
    [
      'override beats source',
      [override({ photoUrl: 'https://hr.contoso.no/p.png' })],
      {},
      'https://hr.contoso.no/p.png',
      undefined,
    ],
    [
      'a host off photos.allowedHosts refused, override or source',
      [override({ photoUrl: 'https://cdn.contoso.no/p.png' })],
      {},
      undefined,
      'photo URL has the host "cdn.contoso.no", which is not on photos.allowedHosts; the photo is left alone',
    ],
    ['override null means no photo', [override({ photoUrl: null })], {}, undefined, undefined],
    [
      'http is accepted (the fetcher decides)',
      [],
      { profile_image_url: 'http://hr.contoso.no/1.jpg' },
      'http://hr.contoso.no/1.jpg',
      undefined,
    ],
    [
      'javascript: refused',
      [],
      { profile_image_url: 'javascript:alert(1)' },
      undefined,
      'photo URL uses the scheme "javascript:"; only "https:" or "http:" is allowed; the photo is left alone',
    ],
    [
      'data: refused',
      [],
      { profile_image_url: 'data:image/png;base64,AAAA' },
      undefined,
      'photo URL uses the scheme "data:"; only "https:" or "http:" is allowed; the photo is left alone',
    ],
    [
      'file: refused',
      [],
      { profile_image_url: 'file:///etc/passwd' },
      undefined,
      'photo URL uses the scheme "file:"; only "https:" or "http:" is allowed; the photo is left alone',
    ],
    [
      'relative refused',
      [],
      { profile_image_url: '/photos/1.jpg' },
      undefined,
      'photo URL is not an absolute URL; the photo is left alone',
    ],
    [
      'credentials refused',
      [],
      { profile_image_url: 'https://u:p@hr.contoso.no/1.jpg' },
      undefined,
      'photo URL must not carry a user name or password; the photo is left alone',
    ],
  ])('%s', (_, overrides, employee, expected, issue) => {
    const state = build([row(employee)], overrides);
    expect(only(state).photoUrl).toBe(expected);
    expect(state.issues.map((i) => i.message)).toEqual(issue ? [issue] : []);
  });

  it('reads the photo through photos.from and never uses a refused value', () => {
    const s = buildSettings();
    const settings = {
      ...s,
      photos: { ...s.photos, from: 'https://hr.contoso.no/photos/{{employee.id}}.jpg' },
    };
    expect(only(build([row({ id: '42' })], [], settings)).photoUrl).toBe(
      'https://hr.contoso.no/photos/42.jpg',
    );
    const bad = build([row({ id: '4\u00002' })], [], settings);
    expect(only(bad)).not.toHaveProperty('photoUrl');
    expect(bad.issues.map((i) => i.field)).toEqual(['employee.id']);
  });

  it('leaves photoUrl out when photos are disabled', () => {
    const s = buildSettings();
    expect(only(build([row()], [], { ...s, photos: { ...s.photos, enabled: false } }))).not.toHaveProperty(
      'photoUrl',
    );
  });
});

describe('buildDesired: signatures', () => {
  const signing = (variables: Record<string, string> = {}): Settings => {
    const s = buildSettings();
    return { ...s, signatures: { ...s.signatures, enabled: true, variables } };
  };

  it('renders the default template with the flags from settings', () => {
    const e = only(build([row()], [], signing()));
    expect(e.signature).toMatchObject({
      template: 'default',
      flags: {
        autoAddSignature: true,
        autoAddSignatureOnReply: false,
        autoAddSignatureOnMobile: true,
        useDefaultSignatureOnMobile: false,
      },
    });
    expect(rendered(e.signature).html).toContain('Senior rådgiver');
  });

  it('is a plain value of what it is rendered from, rendered once to be hashed', () => {
    const renderer = countingRenderer();
    const config = buildConfig({ settings: signing() });
    const e = only(buildDesired([row()], config, { renderer }));
    expect(renderer.renders).toBe(1);
    const signature = e.signature!;
    // Plain data: no getters, and reading or copying it renders nothing.
    const getters = Object.entries(Object.getOwnPropertyDescriptors(signature)).filter(([, d]) => d.get);
    expect(getters).toEqual([]);
    expect(JSON.parse(JSON.stringify({ ...signature }))).toEqual(signature);
    expect(renderer.renders).toBe(1);
    expect(Object.keys(signature)).toEqual(['template', 'view', 'flags', 'hash']);
    expect(signature.view.employee).toMatchObject({ displayName: 'Søren Ærø', jobTitle: 'Senior rådgiver' });
    const { html, text } = rendered(signature);
    expect(html).toContain('Senior rådgiver');
    expect(text).toContain('Senior rådgiver');
    expect(signature.hash).toBe(desiredSignatureHash(html, text, signature.flags));
  });

  it('lets an office override choose the template', () => {
    const e = only(build([row()], [override({ office: 'Oslo', template: 'compact' })], signing()));
    expect(e.signature?.template).toBe('compact');
  });

  it('makes an unknown template an error for that employee only', () => {
    const state = build(
      [row(), row({ id: '2', email: 'ola@contoso.no' })],
      [override({ template: 'fancy' })],
      signing(),
    );
    expect(state.employees.map((e) => e.key)).toEqual(['ola@contoso.no']);
    expect(state.issues).toEqual([
      {
        employee: 'soren.aero@contoso.no',
        kind: 'template-error',
        severity: 'error',
        message: 'signature template "fancy" does not exist (known: compact, default)',
      },
    ]);
  });

  it('makes a signature over 30,000 characters an error for that employee only', () => {
    const huge = override({ variables: { companyName: 'C'.repeat(27_000) } });
    const state = build([row(), row({ id: '2', email: 'ola@contoso.no' })], [huge], signing());
    expect(state.employees.map((e) => e.key)).toEqual(['ola@contoso.no']);
    expect(state.issues).toHaveLength(1);
    expect(state.issues[0]).toMatchObject({
      employee: 'soren.aero@contoso.no',
      kind: 'signature-too-long',
      severity: 'error',
    });
    expect(state.issues[0]?.message).toMatch(
      /^signature HTML is 3\d{4} characters; at most 30000 are allowed$/,
    );
  });

  it('drops an unsafe homepage from the signature and reports it, keeping the employee', () => {
    const state = build([row({}, { homepage_url: 'javascript:alert(1)' })], [], signing());
    expect(rendered(only(state).signature).html).not.toContain('javascript');
    expect(state.issues).toEqual([
      {
        employee: 'soren.aero@contoso.no',
        kind: 'invalid-url',
        severity: 'warning',
        field: 'signature.office.homepage',
        message:
          'office.homepage uses the scheme "javascript:"; only "https:" is allowed; left out of the signature',
      },
    ]);
  });

  it('does not put an http photo into a signature (https only there)', () => {
    const e = only(build([row({ profile_image_url: 'http://hr.contoso.no/1.jpg' })], [], signing()));
    expect(e.photoUrl).toBe('http://hr.contoso.no/1.jpg');
    expect(rendered(e.signature).html).not.toContain('hr.contoso.no/1.jpg');
  });
});

describe('buildDesired: values employees share are made once per build', () => {
  it("shares an office's values and repeated field values, and reports an office's warning to each employee", () => {
    const settings = buildSettings();
    const signing = { ...settings, signatures: { ...settings.signatures, enabled: true } };
    const state = build(
      [
        row({}, { phone: '12' }),
        row({ id: '2', email: 'ola@contoso.no' }, { phone: '12' }),
        row({ id: '3', email: 'kari@contoso.no' }, { id: '11', name: 'Bergen', city: 'Bergen' }),
      ],
      [],
      signing,
    );
    const [kari, ola, soren] = state.employees;
    // Two rows of Oslo (equal office columns, separate strings as a database gives them).
    expect(ola!.officeName).toBe('Oslo');
    expect(soren!.fields.jobTitle).toBe('Senior rådgiver');
    expect(kari!.officeName).toBe('Bergen');
    expect(rendered(ola!.signature).text).toContain('Oslo');
    expect(rendered(kari!.signature).text).toContain('Bergen');
    expect(rendered(kari!.signature).text).not.toContain('Oslo');
    // The invalid Oslo phone is reported for both of its employees, and Bergen's is not.
    expect(state.issues.filter((i) => i.field === 'office.phone').map((i) => i.employee)).toEqual([
      'ola@contoso.no',
      'soren.aero@contoso.no',
    ]);
    expect(rendered(ola!.signature).text).not.toContain('Office: 12');
  });
});

describe('buildDesired: signatures made by an earlier build are reused through a memo the caller keeps', () => {
  const config = () => {
    const s = buildSettings();
    return buildConfig({ settings: { ...s, signatures: { ...s.signatures, enabled: true } } });
  };
  const rows = () => [
    row({}, { homepage_url: 'javascript:alert(1)' }),
    row({ id: '2', email: 'ola@contoso.no', title: 'Rådgiver' }),
    row({ id: '3', email: 'kari@contoso.no' }),
  ];
  const signatureOf = (state: DesiredState, key: string) =>
    state.employees.find((e) => e.key === key)!.signature!;

  it('gives an unchanged employee the same signature, and renders a changed one anew', () => {
    const same = config();
    const memo = createSignatureMemo();
    const first = buildDesired(rows(), same, { memo });
    const changed = rows().map((r) =>
      r.employee['id'] === '2' ? row({ id: '2', email: 'ola@contoso.no', title: 'Leder' }) : r,
    );
    const renderer = countingRenderer();
    const second = buildDesired(changed, same, { memo, renderer });
    // Only Ola's signature is rendered again; the others keep their hashes without rendering.
    expect(renderer.renders).toBe(1);
    for (const key of ['kari@contoso.no', 'soren.aero@contoso.no']) {
      expect(signatureOf(second, key)).toEqual(signatureOf(first, key));
    }
    const ola = signatureOf(second, 'ola@contoso.no');
    expect(ola.hash).not.toBe(signatureOf(first, 'ola@contoso.no').hash);
    const { html, text } = rendered(ola);
    expect(html).toContain('Leder');
    expect(html).not.toContain('Rådgiver');
    expect(ola.hash).toBe(desiredSignatureHash(html, text, ola.flags));
    // A reused rendering still reports what rendering it reported (the refused homepage).
    expect(second.issues).toEqual(first.issues);
    expect(second.issues).toHaveLength(1);
    // Everything equals a build that rendered from scratch (no memo).
    expect(second).toEqual(buildDesired(changed, same));
    // A build without the memo renders every signature: nothing is kept anywhere else.
    const fresh = countingRenderer();
    buildDesired(changed, same, { renderer: fresh });
    expect(fresh.renders).toBe(3);
  });

  it('renders anew when the flags or the template change, and forgets employees that left', () => {
    const same = config();
    const memo = createSignatureMemo();
    const first = buildDesired(rows(), same, { memo });
    const flagged = {
      ...same,
      settings: {
        ...same.settings,
        signatures: { ...same.settings.signatures, autoAddSignatureOnReply: true },
      },
    };
    const renderer = countingRenderer();
    const second = buildDesired(rows(), flagged, { memo, renderer });
    expect(renderer.renders).toBe(3);
    expect(second.employees[0]!.signature!.flags.autoAddSignatureOnReply).toBe(true);
    expect(second.employees[0]!.signature!.hash).not.toBe(first.employees[0]!.signature!.hash);
    const compact = buildDesired(rows(), {
      ...same,
      overrides: [override({ office: 'Oslo', template: 'compact' })],
    });
    expect(compact.employees.map((e) => e.signature!.template)).toEqual(['compact', 'compact', 'compact']);
    memo.sweep();
    buildDesired(rows().slice(1), same, { memo });
    memo.sweep();
    expect(memo.size).toBe(2);
  });
});

describe('createDesiredBuilder', () => {
  it('gives the same result fed row by row as buildDesired over all rows', () => {
    const rows = [
      row(),
      row({ id: '2', email: 'ola@contoso.no', title: null }),
      row({ id: '3', email: 'bad' }),
    ];
    const config = buildConfig();
    const builder = createDesiredBuilder(config);
    for (const r of rows) builder.add(r);
    expect(builder.finish()).toEqual(buildDesired(rows, config));
  });
});
