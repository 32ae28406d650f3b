import { describe, expect, it } from 'vitest';
import { planChanges } from './plan-changes.js';
import { createHash } from 'node:crypto';
import { planHash } from './plan-file.js';
import { PlanFileError, planJsonChunks, readPlanJson, renderPlanJson } from './plan-file.js';
import { renderPlanMarkdown } from './render-markdown.js';
import { renderPlanText } from './render-text.js';
import {
  desiredState,
  employee,
  observedSig,
  observedState,
  planOptions,
  signature,
  user,
} from './test-builders.js';

function samplePlan(count = 2) {
  const emails = Array.from({ length: count }, (_, i) => `person${String(i).padStart(4, '0')}@example.no`);
  return planChanges(
    desiredState(
      emails.map((m) =>
        employee(m, {
          fields: { jobTitle: 'Seniorrådgiver <b>|x|</b>', mobilePhone: '+47 912 34 567' },
          photoUrl: 'https://hr.example.no/p.jpg',
          signature: signature('<p>new</p>', 'Åse Ærø\nSeniorrådgiver\nMobil: +47 912 34 567'),
        }),
      ),
      {
        issues: [
          {
            kind: 'duplicate-email',
            employee: 'dup@example.no',
            message: 'dup@example.no appears twice in the HR source (rows 7, 9)',
          },
        ],
      },
    ),
    observedState(
      emails.map((m) => user(m, { fields: { jobTitle: 'Rådgiver', mobilePhone: null } })),
      { signatures: new Map(emails.map((m) => [`id-${m}`, observedSig('<p>old</p>', 'Åse Ærø\nRådgiver')])) },
    ),
    new Map(),
    planOptions(),
  );
}

describe('text', () => {
  it('shows per-field before → after and a summary, without colour off a TTY', () => {
    const text = renderPlanText(samplePlan(1), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "Roster plan for tenant tenant-1 (configuration rev-1)

        ~ person0000@example.no (person0000@example.no)
          ~ profile (2 fields differ from the HR source)
            ~ jobTitle: "Rådgiver" → "Seniorrådgiver <b>|x|</b>"
            + mobilePhone: "+47 912 34 567"
          ~ photo: Roster has not set this photo yet ← https://hr.example.no/p.jpg
          ~ signature (template default): Roster has not set this signature yet

      Warnings:
        ! employee-error: dup@example.no appears twice in the HR source (rows 7, 9)

      Plan: 3 changes (1 profile update, 1 photo, 1 signature); 1 employee, 1 matched, 0 in sync; 1 warning.
      "
    `);
    expect(text).not.toContain('\x1b[');
    expect(renderPlanText(samplePlan(1), { color: true })).toContain('\x1b[33m~\x1b[0m');
  });

  it('says "No changes" for an empty plan', () => {
    const plan = planChanges(
      desiredState([employee('a@example.no')]),
      observedState([user('a@example.no')]),
      new Map(),
      planOptions(),
    );
    expect(renderPlanText(plan, { color: false })).toContain(
      'No changes: 1 employee, 1 matched, 1 in sync; 0 warnings.',
    );
  });
});

describe('warnings in the text plan', () => {
  function planWithWarnings() {
    return planChanges(
      desiredState([employee('kari@example.no', { fields: { jobTitle: 'Rådgiver', surname: 'Nord' } })], {
        issues: [
          {
            kind: 'invalid-value',
            severity: 'warning',
            employee: 'kari@example.no',
            message:
              'mobilePhone "garbage" is not a valid phone number (default region NO); the field is left alone',
          },
        ],
      }),
      observedState([user('kari@example.no')]),
      new Map(),
      planOptions({ guardrails: { maxChanges: { absolute: 0 }, maxSourceShrinkPercent: 20 } }),
    );
  }

  it('name the employee a message leaves out, once', () => {
    const text = renderPlanText(planWithWarnings(), { color: false });
    expect(text).toContain(
      '! employee-error: kari@example.no: mobilePhone "garbage" is not a valid phone number (default region NO)',
    );
    expect(renderPlanText(samplePlan(1), { color: false })).toContain(
      '! employee-error: dup@example.no appears twice',
    );
  });

  it('give the max-changes advice that fits the flags', () => {
    const plan = planWithWarnings();
    const limit = 'the plan changes 1 user, more than the limit of 0 per run (guardrails.maxChanges)';
    expect(renderPlanText(plan, { color: false })).toContain(
      `! guardrail: ${limit}; apply stops here: review the plan, then apply with --allow-large-change to proceed`,
    );
    const overridden = renderPlanText(plan, { color: false, allowLargeChange: true });
    expect(overridden).toContain(`! guardrail: ${limit}; overridden for this apply by --allow-large-change`);
    expect(overridden).not.toContain('re-run');
  });
});

describe('json', () => {
  it('is byte-identical for the same state and round-trips through the schema', () => {
    const a = renderPlanJson(samplePlan(3));
    expect(renderPlanJson(samplePlan(3))).toBe(a);
    const back = readPlanJson(a, 'plan.json');
    expect(renderPlanJson(back)).toBe(a);
    expect(Object.keys(JSON.parse(a))).toEqual([...Object.keys(JSON.parse(a))].sort());
  });

  it('comes out in pieces that are byte for byte JSON.stringify of the key-sorted plan', () => {
    const sortKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sortKeys)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
            )
          : value;
    const longHtml = `<table style="font-family:Arial">${'<tr><td style="color:#111">Åse «Ærø»</td></tr>'.repeat(40)}</table>`;
    const plans = [
      samplePlan(3),
      samplePlan(0),
      planChanges(
        desiredState([employee('long@example.no', { signature: signature(longHtml, 'Åse') })]),
        observedState([user('long@example.no')], {
          signatures: new Map([['id-long@example.no', observedSig(`${longHtml}<p>old</p>`, 'Åse')]]),
        }),
        new Map(),
        planOptions(),
      ),
    ];
    const sig = plans[2]!.actions.find((a) => a.kind === 'set-signature');
    expect(sig && 'html' in sig ? sig.html : undefined).toBe(longHtml);
    for (const plan of plans) {
      const reference = `${JSON.stringify(sortKeys(plan), null, 2)}\n`;
      const pieces = [...planJsonChunks(plan)];
      expect(pieces.join('')).toBe(reference);
      expect(renderPlanJson(plan)).toBe(reference);
      expect(planHash(plan)).toBe(createHash('sha256').update(reference).digest('hex'));
      if (plan.actions.length > 1) expect(pieces.length).toBeGreaterThan(plan.actions.length);
    }
  });

  it('refuses an unknown major version, garbage and schema violations', () => {
    const plan = JSON.parse(renderPlanJson(samplePlan(1)));
    expect(() => readPlanJson(JSON.stringify({ ...plan, formatVersion: '2.0' }), 'p.json')).toThrowError(
      'p.json: plan format version "2.0" is not supported (this Roster reads 1.x); re-run roster plan',
    );
    expect(() => readPlanJson('{', 'p.json')).toThrowError(PlanFileError);
    expect(() =>
      readPlanJson(JSON.stringify({ ...plan, actions: [{ kind: 'delete-user' }] }), 'p.json'),
    ).toThrowError(/invalid plan file/);
    expect(readPlanJson(JSON.stringify({ ...plan, formatVersion: '1.7' }), 'p.json').formatVersion).toBe(
      '1.7',
    );
  });
});

describe('markdown', () => {
  it('keeps the summary outside folds, details per employee, signature as a diff, and escapes HTML', () => {
    const md = renderPlanMarkdown(samplePlan(2));
    const firstFold = md.indexOf('<details>');
    expect(md.indexOf('| Profile updates | 2 |')).toBeLessThan(firstFold);
    expect(md).toContain('<details><summary>person0000@example.no — profile, photo, signature</summary>');
    expect(md).toContain('<code>Seniorrådgiver &#60;b&#62;&#124;x&#124;&#60;&#47;b&#62;</code>');
    expect(md).not.toContain('<b>|x|</b>');
    expect(md).toMatch(/```diff\n[\s\S]*-Rådgiver\n\+Seniorrådgiver\n\+Mobil: \+47 912 34 567/);
  });

  it('stays under the limit with thousands of employees and always keeps the summary', () => {
    const md = renderPlanMarkdown(samplePlan(2000));
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain('| Profile updates | 2000 |');
    expect(md).toMatch(/\*\*\d+ more employees with changes are not shown\*\*/);
    const shown = md.match(/<details><summary>person/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`**${2000 - shown} more employees`);
  });

  it('shows tripped guardrails as a caution outside the folds', () => {
    const plan = {
      ...samplePlan(1),
      guardrails: [{ name: 'max-changes' as const, tripped: true, message: 'too many' }],
    };
    const md = renderPlanMarkdown(plan);
    expect(md.indexOf('> **max-changes**: too many')).toBeLessThan(md.indexOf('<details>'));
  });
});
