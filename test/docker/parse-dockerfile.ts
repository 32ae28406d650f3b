/** One Dockerfile instruction with its continuation lines joined. */
export interface DockerInstruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

/** One `FROM` and the instructions up to the next. */
export interface DockerStage {
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}

/** A Dockerfile read as plain text: global `ARG`s (before the first `FROM`) and the stages. */
export interface ParsedDockerfile {
  globalArgs: Map<string, string>;
  stages: DockerStage[];
}

/**
 * Reads a Dockerfile the way BuildKit does for the parts the tests check: `#` lines are comments
 * (also inside a continuation), a trailing backslash continues the instruction.
 */
export function parseDockerfile(text: string): ParsedDockerfile {
  const instructions: DockerInstruction[] = [];
  let pending: DockerInstruction | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1).trim() : trimmed;
    if (pending) {
      pending.args = `${pending.args} ${body}`.trim();
    } else {
      const match = /^(\S+)\s*(.*)$/.exec(body);
      if (!match) return;
      pending = { keyword: match[1]!.toUpperCase(), args: match[2] ?? '', line: index + 1 };
    }
    if (!continued) {
      instructions.push(pending);
      pending = undefined;
    }
  });
  if (pending) instructions.push(pending);

  const globalArgs = new Map<string, string>();
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`line ${instruction.line}: unreadable FROM`);
      const image = match[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => {
        return globalArgs.get(a ?? b) ?? '';
      });
      stages.push({ image, ...(match[2] ? { name: match[2] } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: instruction before FROM`);
      const [name, value = ''] = instruction.args.split('=', 2);
      globalArgs.set(name!.trim(), value.trim());
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The JSON (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not a JSON array of strings: ${args}`);
  }
  return parsed;
}

/** Leading `--name=value` flags of an instruction, and the rest. */
export function splitFlags(args: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = args.trim();
  for (;;) {
    const match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!match) return { flags, rest };
    flags.set(match[1]!, match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
}
