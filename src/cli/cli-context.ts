import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger, type Logger, type LogLevel } from '../logging/logger.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import { scrubbedStream } from '../secrets/scrubbed-stream.js';
import { createScrubber, type SecretScrubber } from '../secrets/secret-scrubber.js';

/** What every command gets from the environment: read once here, passed down as data. */
export interface CliContext {
  dir: string;
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  actor: string;
  /** Log lines go to standard error, so standard output carries only the command's result. */
  logger: Logger;
  /** The environment's secrets: scrubbed from everything the command writes (stdout, stderr, files). */
  scrubber: SecretScrubber;
}

export function cliContext(command: Command): CliContext {
  const globals = command.optsWithGlobals<{ dir: string; logLevel?: LogLevel }>();
  const env = process.env;
  const level = globals.logLevel ?? (env.ROSTER_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
  const secrets = environmentSecrets(env);
  const scrubber = createScrubber(secrets);
  return {
    dir: resolve(globals.dir),
    logger: createLogger({
      level,
      pretty: process.stderr.isTTY === true,
      destination: process.stderr,
      secrets,
    }),
    env,
    stdout: scrubbedStream(process.stdout, scrubber.text),
    stderr: scrubbedStream(process.stderr, scrubber.text),
    scrubber,
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
