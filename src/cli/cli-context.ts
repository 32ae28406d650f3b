import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';

/** What every command gets from the environment: read once here, passed down as data. */
export interface CliContext {
  dir: string;
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  actor: string;
}

export function cliContext(command: Command): CliContext {
  const globals = command.optsWithGlobals<{ dir: string }>();
  const env = process.env;
  return {
    dir: resolve(globals.dir),
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    actor: env.ROSTER_ACTOR || (env.GITHUB_ACTOR ? `github:${env.GITHUB_ACTOR}` : safeUser()),
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
