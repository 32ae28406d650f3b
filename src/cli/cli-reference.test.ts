import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

const reference = await readFile(new URL('../../docs/cli.md', import.meta.url), 'utf8');

/** The part of docs/cli.md about one command: from its heading to the next. */
function sectionOf(name: string): string {
  const heading = new RegExp(`^## \`roster ${name}\\b.*$`, 'm').exec(reference);
  expect(heading, `docs/cli.md has a section "## \`roster ${name}…\`"`).not.toBeNull();
  const rest = reference.slice(heading!.index + heading![0].length);
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

/** A flag as the reference writes it: `--lock-timeout <duration>`, `--no-source`. */
function flagOf(option: Command['options'][number]): string {
  return option.flags.replace(/^-\w, /, '');
}

describe('docs/cli.md', () => {
  const program = buildProgram();

  it('documents every command', () => {
    const documented = [...reference.matchAll(/^## `roster (\w+)/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(program.commands.map((c) => c.name()).sort());
  });

  it.each(program.commands.map((c) => [c.name(), c] as const))(
    'documents every flag of %s',
    (name, command) => {
      const section = sectionOf(name);
      for (const option of command.options) {
        expect(section, `${name} ${option.flags}`).toContain(`\`${flagOf(option)}\``);
      }
    },
  );

  it('documents the global options', () => {
    for (const option of program.options) expect(reference).toContain(`\`${option.flags}\``);
  });
});
