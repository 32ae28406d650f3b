import { describe, expect, it } from 'vitest';
import { SourceError } from '../../errors/roster-error.js';
import { freePort } from '../../local/local-postgres.js';
import { createTestDatabase } from '../../../test/support/database.js';
import {
  buildSslOptions,
  connectClient,
  describeDatabase,
  hrDatabaseConfig,
  postgresConfig,
  stateDatabaseConfig,
} from './connect.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('buildSslOptions', () => {
  it('maps each sslmode the way libpq does', () => {
    expect(buildSslOptions({ mode: 'disable' })).toBe(false);
    expect(buildSslOptions({ mode: 'allow' })).toBe(false);
    expect(buildSslOptions({ mode: 'prefer' })).toEqual({ rejectUnauthorized: false });
    expect(buildSslOptions({ mode: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(buildSslOptions({ mode: 'verify-full' })).toEqual({ rejectUnauthorized: true });
    expect(buildSslOptions({ mode: 'verify-full', ca: CA })).toEqual({ ca: CA, rejectUnauthorized: true });
  });

  it('verify-ca checks the chain against the CA but not the host name', () => {
    const options = buildSslOptions({ mode: 'verify-ca', ca: CA });
    expect(options).toMatchObject({ ca: CA, rejectUnauthorized: true });
    const check = (options as { checkServerIdentity: (host: string, cert: unknown) => unknown })
      .checkServerIdentity;
    expect(check('db.example.no', { subject: { CN: 'someone-else' } })).toBeUndefined();
  });

  it('require with a CA behaves like verify-ca', () => {
    const options = buildSslOptions({ mode: 'require', ca: CA });
    expect(options).toMatchObject({ ca: CA, rejectUnauthorized: true });
    expect(options).toHaveProperty('checkServerIdentity');
  });

  it('refuses verify-ca without a CA', () => {
    expect(() => buildSslOptions({ mode: 'verify-ca' })).toThrowErrorMatchingInlineSnapshot(
      `[SourceError: sslmode verify-ca needs a CA certificate (source.ssl.caFile or sslrootcert in the URL); use verify-full to trust the system CAs]`,
    );
  });
});

describe('postgresConfig', () => {
  const files: Record<string, string> = { '/etc/roster/ca.pem': CA, '/tmp/url-ca.pem': 'URL-CA' };
  const readFile = (path: string) => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return content;
  };

  it('reads sslmode and sslrootcert from the URL and takes them out of the connection string', () => {
    const config = postgresConfig(
      'postgres://hr:pw@db.example.no:6543/hr?sslmode=verify-ca&sslrootcert=/tmp/url-ca.pem&application_name=x',
      undefined,
      {},
      readFile,
    );
    expect(config.connectionString).toBe('postgres://hr:pw@db.example.no:6543/hr?application_name=x');
    expect(config.ssl).toMatchObject({ ca: 'URL-CA', rejectUnauthorized: true });
    expect(config.ssl).toHaveProperty('checkServerIdentity');
  });

  it('lets settings override the URL and reads the CA file from the settings path', () => {
    const config = postgresConfig(
      'postgres://hr@db.example.no/hr?sslmode=disable',
      { mode: 'verify-full', caFile: '/etc/roster/ca.pem' },
      {},
      readFile,
    );
    expect(config.ssl).toEqual({ ca: CA, rejectUnauthorized: true });
  });

  it('falls back to PGSSLMODE, then to no TLS', () => {
    expect(postgresConfig('postgres://h/db', undefined, { PGSSLMODE: 'require' }).ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(postgresConfig('postgres://h/db', undefined, {}).ssl).toBe(false);
  });

  it('says which CA file it cannot read, and rejects unknown modes and non-postgres URLs', () => {
    expect(() =>
      postgresConfig('postgres://h/db', { mode: 'verify-full', caFile: '/nope.pem' }, {}, readFile),
    ).toThrowErrorMatchingInlineSnapshot(
      `[SourceError: cannot read the CA certificate file /nope.pem: ENOENT]`,
    );
    expect(() =>
      postgresConfig('postgres://h/db?sslmode=sometimes', undefined),
    ).toThrowErrorMatchingInlineSnapshot(
      `[SourceError: unknown sslmode "sometimes" (expected one of disable, allow, prefer, require, verify-ca, verify-full)]`,
    );
    expect(() => postgresConfig('mysql://u:secret@h/db', undefined)).toThrow(
      'the database URL must start with postgres:// (got mysql://)',
    );
  });

  it('takes the HR URL from DATABASE_URL and the state URL from ROSTER_STATE_DATABASE_URL when set', () => {
    const env = { DATABASE_URL: 'postgres://a/hr', ROSTER_STATE_DATABASE_URL: 'postgres://b/state' };
    expect(hrDatabaseConfig(env).connectionString).toBe('postgres://a/hr');
    expect(stateDatabaseConfig(env).connectionString).toBe('postgres://b/state');
    expect(stateDatabaseConfig({ DATABASE_URL: 'postgres://a/hr' }).connectionString).toBe('postgres://a/hr');
    expect(() => hrDatabaseConfig({})).toThrow('DATABASE_URL is not set');
  });

  it('describes a database without its credentials', () => {
    expect(describeDatabase('postgres://roster:hunter2@db.example.no:6543/hr?sslmode=require')).toBe(
      'db.example.no:6543/hr',
    );
    expect(describeDatabase('postgresql://roster:hunter2@10.0.0.5/hr')).toBe('10.0.0.5:5432/hr');
  });
});

describe('connectClient', () => {
  it('turns a refused connection into a SourceError that names the database but not the password', async () => {
    const port = await freePort();
    const config = postgresConfig(`postgres://roster:S3cret-pw@127.0.0.1:${port}/hr`, undefined);
    const error = await connectClient(config, 'HR').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(
      `cannot connect to the HR database at 127.0.0.1:${port}/hr: ECONNREFUSED`,
    );
    expect((error as Error).message).not.toContain('S3cret');
  });

  it('reports a server that refuses TLS when TLS is required', async () => {
    await using db = await createTestDatabase();
    const config = postgresConfig(db.url, { mode: 'require' });
    const error = await connectClient(config, 'HR').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(
      /^cannot connect to the HR database at 127\.0\.0\.1:\d+\/roster_test_\w+: The server does not support SSL connections$/,
    );
  });

  it('reports a database that does not exist with the server reason and code', async () => {
    await using db = await createTestDatabase();
    const url = new URL(db.url);
    url.pathname = '/no_such_db';
    const error = await connectClient(postgresConfig(url.toString(), undefined), 'state').catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /^cannot connect to the state database at 127\.0\.0\.1:\d+\/no_such_db: database "no_such_db" does not exist \(3D000\)$/,
    );
  });
});
