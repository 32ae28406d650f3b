import { describe, expect, it } from 'vitest';
import { formatProblem } from '../errors/roster-error.js';
import { MAX_YAML_BYTES, parseYaml } from './parse-yaml.js';

const text = (yaml: string) => parseYaml('roster.yaml', yaml).problems.map(formatProblem);

describe('parseYaml limits: every one a problem of the file at a line, never an internal error', () => {
  it('refuses an alias bomb at its first alias', () => {
    const bomb = [
      'tenant: {id: t, domain: x.no}',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      '',
    ].join('\n');
    const parsed = parseYaml('roster.yaml', bomb);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems.map(formatProblem)).toEqual([
      'roster.yaml:3:8: error: aliases here expand to more than 100 copies (an "alias bomb"); write the values out',
    ]);
  });

  it('still reads a few aliases', () => {
    expect(parseYaml('roster.yaml', 'a: &x {b: 1}\nc: *x\n').value).toEqual({ a: { b: 1 }, c: { b: 1 } });
  });

  it('refuses a file over the size limit at the line where the limit is passed', () => {
    const line = `key: ${'x'.repeat(1_000)}\n`;
    const lines = Math.ceil(MAX_YAML_BYTES / line.length) + 10;
    const problems = text(line.repeat(lines));
    expect(problems).toEqual([
      `roster.yaml:${Math.ceil(MAX_YAML_BYTES / line.length)}:1: error: the file is ${line.length * lines} bytes; at most ${MAX_YAML_BYTES} are read (the limit is passed on this line)`,
    ]);
  });

  it('refuses nesting too deep to read', () => {
    const problems = text(`${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems)
      expect(p).toMatch(/^roster\.yaml:1:\d+: error: the YAML is nested too deeply to read$/);
  });

  it('reports each duplicate key at the duplicate, however many keys the map has', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  k${i}: ${i}`);
    keys.push('  k7: again', '  "k8": again');
    expect(text(`variables:\n${keys.join('\n')}\n`)).toEqual([
      "roster.yaml:20002:3: error: duplicate key 'k7'",
      "roster.yaml:20003:3: error: duplicate key 'k8'",
    ]);
    expect(parseYaml('roster.yaml', 'a: {1: x, "1": y}\n').problems).toEqual([]);
  });

  it('locates values in a large map without scanning it per lookup', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: ${i}`);
    const parsed = parseYaml('roster.yaml', `variables:\n${keys.join('\n')}\n`);
    expect(parsed.locate(['variables', 'k49999'])).toEqual({ line: 50_001, column: 11 });
    expect(parsed.locate(['variables', 'k3'], 'key')).toEqual({ line: 5, column: 3 });
    expect(parsed.locate(['variables', 'missing'])).toEqual({ line: 1, column: 1 });
  });
});
