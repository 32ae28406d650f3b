import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PostgreSQL server that lives only as long as the process that started it. */
export interface LocalPostgres {
  /** Connection string for the superuser's `postgres` database. */
  readonly url: string;
  /** `server` = the machine's PostgreSQL binaries; `embedded` = PGlite over the wire protocol. */
  readonly kind: 'server' | 'embedded';
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Finds `initdb`/`pg_ctl`: on PATH, else in Debian's versioned folder. */
export function findPostgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian)
    .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(debian, versions[0], 'bin') : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a throwaway cluster in a temp dir with `initdb`/`pg_ctl` on a free loopback port.
 * PostgreSQL refuses to run as root, so as root the cluster is owned by the `postgres` user.
 */
export async function startServerPostgres(binDir: string): Promise<LocalPostgres> {
  const base = await mkdtemp(join(tmpdir(), 'roster-pg-'));
  const dataDir = join(base, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    uid = Number(stdout.trim());
    gid = Number(g.trim());
    await chmod(base, 0o755);
    await chown(base, uid, gid);
  }
  const exec = (cmd: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(binDir, cmd), ...args])
      : run(join(binDir, cmd), args);
  await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  await exec('pg_ctl', [
    '-D',
    dataDir,
    '-l',
    join(base, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -h 127.0.0.1 -k ${base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kind: 'server',
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** PGlite (PostgreSQL compiled to WASM) served over the wire protocol: for machines without PostgreSQL. */
export async function startEmbeddedPostgres(): Promise<LocalPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 100 });
  await server.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    await db.close();
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    kind: 'embedded',
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The machine's PostgreSQL when it has one, else the embedded one. */
export async function startLocalPostgres(options: { requireServer?: boolean } = {}): Promise<LocalPostgres> {
  const binDir = findPostgresBinDir();
  if (binDir) return startServerPostgres(binDir);
  if (options.requireServer) {
    throw new Error('a PostgreSQL server binary (initdb, pg_ctl) is required here but none was found');
  }
  return startEmbeddedPostgres();
}
