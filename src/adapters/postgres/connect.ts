import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { SourceSettings } from '../../config/settings.js';
import { SourceError } from '../../errors/roster-error.js';

/** Environment variables as read by the composition root (never `process.env` here). */
export type Env = Readonly<Record<string, string | undefined>>;

/** libpq's `sslmode` values; `allow` and `prefer` cannot fall back in node-postgres, see below. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** What `buildSslOptions` needs: the mode and the PEM contents already read from their files. */
export interface SslInput {
  mode: SslMode;
  ca?: string;
  cert?: string;
  key?: string;
}

/** Which database a connection is for: only used to word error messages. */
export type DatabaseRole = 'HR' | 'state';

const SSL_URL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * TLS options with libpq's meaning of each mode (node-postgres' own reading of `sslmode`
 * treats `require` as `verify-full`, which surprises anyone coming from psql).
 */
export function buildSslOptions(input: SslInput): false | ConnectionOptions {
  const files = {
    ...(input.ca !== undefined && { ca: input.ca }),
    ...(input.cert !== undefined && { cert: input.cert }),
    ...(input.key !== undefined && { key: input.key }),
  };
  switch (input.mode) {
    case 'disable':
    case 'allow':
      return false;
    case 'prefer':
      return { ...files, rejectUnauthorized: false };
    case 'require':
      // libpq: with a root certificate, `require` verifies the chain like `verify-ca`.
      if (input.ca !== undefined)
        return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
      return { ...files, rejectUnauthorized: false };
    case 'verify-ca':
      if (input.ca === undefined) {
        throw new SourceError(
          'sslmode verify-ca needs a CA certificate (source.ssl.caFile or sslrootcert in the URL); use verify-full to trust the system CAs',
        );
      }
      // The chain must lead to the CA; the host name is deliberately not checked.
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
  }
}

/** `host:port/database` of a connection string, never its user or password. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    const db =
      decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
    return `${host}:${u.port || '5432'}/${db}`;
  } catch {
    return '(unparseable connection string)';
  }
}

/**
 * node-postgres options for one database URL: SSL from settings when given, else from the URL's
 * `sslmode`/`sslrootcert`/`sslcert`/`sslkey` (read like libpq), else from `PGSSLMODE`, else off.
 * The SSL parameters are taken out of the URL because node-postgres would otherwise let them
 * override the options built here.
 */
export function postgresConfig(
  url: string,
  ssl: SourceSettings['ssl'] | undefined,
  env: Env = {},
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): pg.ClientConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceError('the database URL is not a valid postgres:// URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new SourceError(`the database URL must start with postgres:// (got ${parsed.protocol}//)`);
  }
  const params = parsed.searchParams;
  const urlMode = params.get('sslmode') ?? undefined;
  const mode = ssl?.mode ?? urlMode ?? env.PGSSLMODE ?? 'disable';
  if (!SSL_MODES.includes(mode as SslMode)) {
    throw new SourceError(`unknown sslmode "${mode}" (expected one of ${SSL_MODES.join(', ')})`);
  }
  const read = (path: string | undefined | null, what: string): string | undefined => {
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SourceError(`cannot read the ${what} file ${path}: ${code}`, { cause: error });
    }
  };
  const sslOptions = buildSslOptions({
    mode: mode as SslMode,
    ca: read(ssl?.caFile ?? params.get('sslrootcert'), 'CA certificate'),
    cert: read(params.get('sslcert'), 'client certificate'),
    key: read(params.get('sslkey'), 'client key'),
  });
  for (const name of SSL_URL_PARAMS) params.delete(name);
  return { connectionString: parsed.toString(), ssl: sslOptions, connectionTimeoutMillis: 15_000 };
}

/** The HR database: `DATABASE_URL`. */
export function hrDatabaseConfig(env: Env, ssl?: SourceSettings['ssl']): pg.ClientConfig {
  const url = env.DATABASE_URL;
  if (!url) throw new SourceError('DATABASE_URL is not set: it must point at the HR database');
  return postgresConfig(url, ssl, env);
}

/** Roster's own state: `ROSTER_STATE_DATABASE_URL` when set, else the HR database's `DATABASE_URL`. */
export function stateDatabaseConfig(env: Env, ssl?: SourceSettings['ssl']): pg.ClientConfig {
  const url = env.ROSTER_STATE_DATABASE_URL || env.DATABASE_URL;
  if (!url) throw new SourceError('neither ROSTER_STATE_DATABASE_URL nor DATABASE_URL is set');
  return postgresConfig(url, ssl, env);
}

/** Where a config points, for messages. */
export function describeConfig(config: pg.ClientConfig): string {
  if (config.connectionString) return describeDatabase(config.connectionString);
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? 'postgres'}`;
}

/**
 * A transport or server error while connecting, as a `SourceError` that names the database
 * and the reason but never the password (which is also scrubbed from the reason, should a
 * driver ever echo it).
 */
export function connectionError(error: unknown, config: pg.ClientConfig, role: DatabaseRole): SourceError {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  let reason: string;
  if (e instanceof pg.DatabaseError) reason = `${e.message} (${e.code ?? 'unknown'})`;
  else reason = e.code ?? e.errors?.[0]?.code ?? e.message ?? String(error);
  const password = passwordOf(config);
  if (password) reason = reason.split(password).join('***');
  return new SourceError(`cannot connect to the ${role} database at ${describeConfig(config)}: ${reason}`, {
    cause: error,
  });
}

/**
 * A statement on an open connection failed: the server went away, the connection was cut, or
 * it refused the statement. A `SourceError` naming the database (never its password), so the
 * run stops with a clear message instead of an internal error. Anything else is rethrown as is.
 */
export function queryFailure(error: unknown, config: pg.ClientConfig, role: DatabaseRole): unknown {
  if (error instanceof SourceError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const lost =
    error instanceof Error &&
    (/connection terminated|connection (is )?closed|connection ended|not queryable/i.test(error.message) ||
      (typeof e.code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|57P0)/.test(e.code)));
  if (!(error instanceof pg.DatabaseError) && !lost) return error;
  let reason =
    error instanceof pg.DatabaseError ? `${error.message} (${error.code ?? 'unknown'})` : String(e.message);
  const password = passwordOf(config);
  if (password) reason = reason.split(password).join('***');
  return new SourceError(`the ${role} database at ${describeConfig(config)} failed: ${reason}`, {
    cause: error,
  });
}

function passwordOf(config: pg.ClientConfig): string | undefined {
  if (typeof config.password === 'string' && config.password) return config.password;
  if (!config.connectionString) return undefined;
  try {
    const p = decodeURIComponent(new URL(config.connectionString).password);
    return p || undefined;
  } catch {
    return undefined;
  }
}

/** A connected client, or a `SourceError` that says where and why not. */
export async function connectClient(config: pg.ClientConfig, role: DatabaseRole): Promise<pg.Client> {
  const client = new pg.Client(config);
  // An idle client whose server goes away emits 'error'; unhandled, that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error, config, role);
  }
  return client;
}
