import { describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/validate.js';
import { smallHrFixture } from '../../src/local/seed-hr.js';
import { createTestWorld, type TestWorld } from '../support/roster-world.js';

async function validate(world: TestWorld, options: { source: boolean; env?: Record<string, string> }) {
  const ctx = world.context();
  const code = await runValidate({ ...ctx, env: options.env ?? ctx.env }, { source: options.source });
  return { code, lines: ctx.output().trim().split('\n') };
}

describe('roster validate exit codes', () => {
  it('exits 1 when the HR data has errors (a duplicate email, an over-long title), listing each', async () => {
    const hr = smallHrFixture({ photoBaseUrl: 'https://hr.example.no/photos' });
    const first = hr.employees[0]!;
    const longTitle = { ...first, id: 99, email: 'lang.tittel@example.no', title: 'Rådgiver '.repeat(15) };
    await using world = await createTestWorld({ hr: { ...hr, employees: [...hr.employees, longTitle] } });
    const { code, lines } = await validate(world, { source: true });
    expect(code).toBe(1);
    const errors = lines.filter((l) => l.startsWith('source: error:'));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^source: error: ola\.nordmann@example\.no: source id 7 shares the email/),
        expect.stringMatching(/^source: error: lang\.tittel@example\.no: jobTitle is 134 characters long/),
      ]),
    );
    expect(lines.at(-1)).toMatch(/^source: query valid; .* [1-9]\d* with errors \(left out of runs\)$/);
  });

  it('exits 0 when nothing is wrong, and 1 when the source could not be checked for want of DATABASE_URL', async () => {
    const hr = smallHrFixture({ photoBaseUrl: 'https://hr.example.no/photos' });
    // The fixture's deliberately broken employees are left out: the rest is clean.
    const probe = await createTestWorld({ hr });
    const broken = new Set(
      (await probe.desired()).issues.filter((i) => i.severity !== 'warning').map((i) => i.employee),
    );
    await probe[Symbol.asyncDispose]();
    expect(broken.size).toBeGreaterThan(0);
    await using world = await createTestWorld({
      hr: { ...hr, employees: hr.employees.filter((e) => !broken.has(e.email.toLowerCase())) },
    });
    const clean = await validate(world, { source: true });
    expect(clean.lines.filter((l) => l.includes('error:'))).toEqual([]);
    expect(clean.code).toBe(0);

    const { DATABASE_URL: _unset, ...env } = world.env;
    const unchecked = await validate(world, { source: true, env });
    expect(unchecked.code).toBe(1);
    expect(unchecked.lines.at(-1)).toBe(
      'source: error: DATABASE_URL is not set, so the source query and HR data were not checked (--no-source checks the configuration only)',
    );

    const configOnly = await validate(world, { source: false, env });
    expect(configOnly.code).toBe(0);
    expect(configOnly.lines.at(-1)).toBe('source: not checked (--no-source)');
  });
});
