import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

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
  secrets?: readonly string[];
}

const CENSOR = '[redacted]';

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

/** Secret literals shorter than this are not scrubbed: replacing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;

const PATTERNS: [RegExp, string][] = [
  // JWTs (access tokens, client assertions): header.payload[.signature], base64url.
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, CENSOR],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${CENSOR}`],
  [
    /\b(client_secret|client_assertion|access_token|refresh_token|id_token|password|sig)=[^&\s"']+/gi,
    `$1=${CENSOR}`,
  ],
  // Credentials in URLs: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+):[^@\s"'/]+@/gi, `$1:${CENSOR}@`],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function that replaces the given secret literals (raw and JSON-escaped), bearer and basic
 * credentials, JWTs, token-bearing query/form parameters and URL passwords with `[redacted]`.
 * Used on log lines, API responses and webhook payloads alike.
 */
export function createSecretScrubber(secrets: readonly string[] = []): (text: string) => string {
  const literals = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    literals.add(secret);
    literals.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret containing another is replaced whole.
  const sorted = [...literals].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const literal = sorted.length > 0 ? new RegExp(sorted.join('|'), 'g') : undefined;
  return (text) => {
    let out = literal ? text.replace(literal, CENSOR) : text;
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}

/** The secret values Roster knows of in an environment, for `LoggerOptions.secrets`. */
export function secretsFromEnv(env: Record<string, string | undefined>): string[] {
  const values = ['AZURE_CLIENT_SECRET', 'ROSTER_API_TOKEN', 'ROSTER_WEBHOOK_URL', 'PGPASSWORD']
    .map((name) => env[name])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    try {
      const password = decodeURIComponent(new URL(databaseUrl).password);
      if (password) values.push(password);
    } catch {
      // Not a URL (a libpq keyword string): the URL-password pattern and the key redaction still apply.
    }
  }
  return values;
}

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
      const clean = scrub(line);
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
