import { readFile, writeFile } from 'node:fs/promises';
import { createServer, Socket, type Server } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { startControllerServer } from '../../src/runtime/controller-runtime.js';
import { createMetrics } from '../../src/server/metrics.js';
import type { TestWorld } from '../support/roster-world.js';

/** Profile fields only, a 1 s interval without jitter, and a guardrail that lets small drift through. */
export function controllerSettings(mode: 'observe' | 'apply', interval = '1s'): Record<string, unknown> {
  return {
    photos: { enabled: false },
    signatures: { enabled: false },
    guardrails: { maxChanges: 100, maxSourceShrinkPercent: 20 },
    schedule: { interval, jitter: '0s', mode, deepCheckInterval: '24h' },
  };
}

/** A logger whose JSON lines land in `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', destination: { write: (l) => lines.push(l) } }), lines };
}

/** Changes `desired-state/roster.yaml` of a config folder (top-level merge). */
export async function editSettings(dir: string, change: Record<string, unknown>): Promise<void> {
  const file = join(dir, 'desired-state/roster.yaml');
  const current = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, stringify({ ...current, ...change }));
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  ms = 10_000,
  what = 'condition',
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of a PostgreSQL server that can be closed (every connection
 * cut, new ones refused) and reopened on the same port: a database that is lost and comes back.
 */
export interface TcpProxy extends AsyncDisposable {
  port: number;
  /** `databaseUrl` with host and port replaced by the proxy's. */
  url(databaseUrl: string): string;
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function createTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  async function open(): Promise<void> {
    if (server) return;
    const s = createServer((client) => {
      const upstream = new Socket();
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(target.port, target.host, () => {
        client.pipe(upstream).pipe(client);
      });
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as { port: number }).port;
    server = s;
  }

  async function close(): Promise<void> {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await open();
  return {
    get port() {
      return port;
    },
    url(databaseUrl) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    open,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Checks every line is Prometheus text exposition: HELP/TYPE comments or `name{labels} value`. */
export function prometheusProblems(text: string): string[] {
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const label = '[a-zA-Z_][a-zA-Z0-9_]*="(?:\\\\.|[^"\\\\])*"';
  const sample = new RegExp(
    `^${name}(?:\\{(?:${label}(?:,${label})*,?)?\\})? (?:NaN|[+-]?Inf|[-+]?\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?)(?: -?\\d+)?$`,
  );
  const comment = new RegExp(
    `^# (?:HELP ${name} .*|TYPE ${name} (?:counter|gauge|histogram|summary|untyped))$`,
  );
  return text
    .split('\n')
    .filter((line) => line !== '')
    .filter((line) => !sample.test(line) && !comment.test(line));
}

/** A controller server on a free port over a test world, its metrics its own (no default ones). */
export function startTestController(
  world: Pick<TestWorld, 'dir' | 'env'>,
  logger: Logger = captureLogger().logger,
): ReturnType<typeof startControllerServer> {
  return startControllerServer({
    dir: world.dir,
    env: world.env,
    logger,
    port: 0,
    metrics: createMetrics({ defaultMetrics: false }),
  });
}
