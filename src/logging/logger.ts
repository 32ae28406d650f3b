import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { hideUrlQueries } from '../secrets/display-url.js';
import type { KnownSecret } from '../secrets/known-secrets.js';
import { REDACTED, createSecretScrubber } from '../secrets/secret-scrubber.js';

export type { Logger } from 'pino';
export type LogLevel = Level | 'silent';

/** Where log lines go: anything with `write(line)` (a stream, or a test's array collector). */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Human-friendly coloured lines instead of JSON (the CLI passes `process.stdout.isTTY`). */
  pretty?: boolean;
  /** Default: standard output. */
  destination?: LogDestination;
  /**
   * Literal secret values (client secret, API token, webhook URL, database password, …) replaced
   * by `[redacted]` in every line, wherever they appear — also inside message strings.
   */
  secrets?: readonly (KnownSecret | string)[];
}

const CENSOR = REDACTED;

/** Keys whose values never reach a log line, at the top level and one level down (pino `redact`). */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'secret',
  'clientSecret',
  'client_secret',
  'client_assertion',
  'password',
  'apiToken',
  'webhookUrl',
  'databaseUrl',
  'connectionString',
];

export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

/**
 * A pino logger writing JSON lines (or pretty lines when asked), with secret keys redacted and
 * every line passed through the secret scrubber before it leaves the process. Bind context with
 * `logger.child({ runId })` and `logger.child({ employee })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const scrub = createSecretScrubber(options.secrets);
  const target: LogDestination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const prettify = options.pretty
    ? pinoPretty.prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : undefined;
  const stream: DestinationStream = {
    write(line: string) {
      // HR photo URLs carry tokens in their query strings; no log line needs them.
      const clean = hideUrlQueries(scrub(line));
      target.write(prettify ? prettify(clean) : clean);
    },
  };
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/** A child logger bound to one run. */
export function runLogger(logger: Logger, runId: string): Logger {
  return logger.child({ runId });
}

/** A child logger bound to one employee (by email) within a run. */
export function employeeLogger(logger: Logger, employee: string): Logger {
  return logger.child({ employee });
}
