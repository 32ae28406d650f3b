import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Response } from 'express';
import type { ControllerApi } from '../controller/controller-api.js';
import { ConfigError } from '../errors/roster-error.js';
import type { Logger } from '../logging/logger.js';
import type { KnownSecret } from '../secrets/known-secrets.js';
import { hideUrlQueries } from '../secrets/display-url.js';
import { createSecretScrubber } from '../secrets/secret-scrubber.js';
import { renderPlanJson } from '../plan/plan-file.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText } from '../plan/render-text.js';
import { checkHostAndOrigin, parseAllowedHosts } from './check-host.js';
import { KEEP_URL_QUERIES, keepUrlQueries } from './keep-url-queries.js';
import type { RosterMetrics } from './metrics.js';
import { requireBearer } from './require-bearer.js';
import { sendError } from './send-error.js';

export interface StatusAppOptions {
  api: ControllerApi;
  metrics: RosterMetrics;
  /** Bearer token for the mutating routes; without it they answer 403. */
  apiToken?: string;
  logger: Logger;
  /** Largest request body (bytes or `16kb`); default 16 kB. */
  bodyLimit?: number | string;
  /** Secrets scrubbed from every response body, the dashboard's too (the API token is always included). */
  secrets?: readonly (KnownSecret | string)[];
  /**
   * Mounted at `/` after the API routes and before the JSON 404 (the dashboard's router). The API
   * paths win over anything it serves.
   */
  dashboard?: RequestHandler;
  /**
   * Host names (exact or `*.suffix`) the server answers to besides IP literals and `localhost`
   * (`ROSTER_ALLOWED_HOSTS`): any other `Host` is refused, so DNS rebinding reads nothing.
   */
  allowedHosts?: readonly string[];
}

/** Query and body shapes are in `schemas/status-api.openapi.yaml`; a test keeps the two in step. */
const PLAN_TYPES = {
  json: 'application/json; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  text: 'text/plain; charset=utf-8',
} as const;

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function refusalStatus(reason: 'busy' | 'not-leader' | 'unknown-employee'): number {
  return reason === 'unknown-employee' ? 404 : 409;
}

/**
 * The controller's HTTP face: health, readiness, status, plan, runs and metrics for anyone who
 * can reach the port (127.0.0.1 by default); plan-now and apply-now behind a bearer token. `/`
 * is left free for the dashboard. Every error is JSON and never carries internal detail.
 */
export function createStatusApp(options: StatusAppOptions): Express {
  const { api, metrics, logger } = options;
  const scrub = createSecretScrubber([
    ...(options.apiToken ? [options.apiToken] : []),
    ...(options.secrets ?? []),
  ]);
  const sendBody = (res: Response, status: number, type: string, body: string) =>
    res.status(status).type(type).send(body);
  const sendJson = (res: Response, status: number, value: unknown) =>
    sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  // Every body this server sends, the dashboard's pages and event streams included, is scrubbed
  // of secrets here, in one place, and shows URLs without their query strings (HR photo URLs
  // carry tokens there). Only the JSON plan (`apply PLANFILE` downloads from it) and the
  // signature preview (the signature as mailed) keep whole URLs: see `keepUrlQueries`.
  app.use((_req, res, next) => {
    const clean = (text: string) => {
      const scrubbed = scrub(text);
      return res.locals[KEEP_URL_QUERIES] === true ? scrubbed : hideUrlQueries(scrubbed);
    };
    const send = res.send.bind(res);
    res.send = (body?: unknown) => send(typeof body === 'string' ? clean(body) : body);
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' ? clean(chunk) : chunk, ...rest)) as typeof res.write;
    next();
  });

  app.use((req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Request-Id': requestId,
    });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = { requestId, method: req.method, path: req.path, status: res.statusCode, ms };
      if (QUIET_PATHS.has(req.path) && res.statusCode < 400) logger.debug(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  });

  app.use(checkHostAndOrigin(options.allowedHosts ?? []));

  const auth = requireBearer(options.apiToken);
  // Auth runs before the body is read: unauthenticated callers cannot make the server parse anything.
  const json = express.json({ limit: options.bodyLimit ?? '16kb', strict: true, type: () => true });

  app.get('/healthz', (_req, res) => {
    sendJson(res, 200, { status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    let readiness;
    try {
      readiness = await api.readiness();
    } catch (error) {
      logger.error({ err: error }, 'readiness check failed');
      readiness = { ready: false, checks: { controller: { ok: false, message: 'readiness check failed' } } };
    }
    sendJson(res, readiness.ready ? 200 : 503, readiness);
  });

  app.get('/status', (_req, res) => {
    sendJson(res, 200, api.status());
  });

  app.get('/plan', (req, res) => {
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'markdown' && format !== 'text') {
      sendError(res, 400, 'invalid_format', 'format must be json, markdown or text');
      return;
    }
    const plan = api.latestPlan();
    if (!plan) {
      sendError(res, 404, 'no_plan', 'no plan yet');
      return;
    }
    if (format === 'json') keepUrlQueries(res);
    const body =
      format === 'json'
        ? renderPlanJson(plan)
        : format === 'markdown'
          ? renderPlanMarkdown(plan)
          : renderPlanText(plan, { color: false });
    sendBody(res, 200, PLAN_TYPES[format], body);
  });

  app.post('/plan', auth, json, async (_req, res) => {
    const result = await api.planNow();
    if (!result.accepted) {
      sendError(res, refusalStatus(result.reason), result.reason, result.message);
      return;
    }
    sendJson(res, 200, { run: result.run, summary: result.plan?.summary ?? null });
  });

  app.post('/apply', auth, json, async (req, res) => {
    const body: unknown = req.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendError(res, 400, 'invalid_body', 'body must be a JSON object');
      return;
    }
    const unknown = Object.keys(body).filter((k) => k !== 'email');
    if (unknown.length > 0) {
      sendError(
        res,
        400,
        'invalid_body',
        `unknown field(s): ${unknown.slice(0, 5).join(', ').slice(0, 200)}`,
      );
      return;
    }
    const email = (body as { email?: unknown }).email;
    if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) {
      sendError(res, 400, 'invalid_body', 'email must be an email address');
      return;
    }
    const result = await api.applyNow(email === undefined ? {} : { email });
    if (!result.accepted) {
      sendError(res, refusalStatus(result.reason), result.reason, result.message);
      return;
    }
    sendJson(res, 200, { run: result.run });
  });

  app.get('/runs', async (req, res) => {
    const raw = req.query.limit ?? '20';
    const limit = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= 200)) {
      sendError(res, 400, 'invalid_limit', 'limit must be an integer from 1 to 200');
      return;
    }
    sendJson(res, 200, { runs: await api.listRuns(limit) });
  });

  app.get('/runs/:id', async (req, res) => {
    const id = req.params.id;
    const run = RUN_ID.test(id) ? await api.getRun(id) : undefined;
    if (!run) {
      sendError(res, 404, 'run_not_found', 'no such run');
      return;
    }
    sendJson(res, 200, run);
  });

  app.get('/metrics', async (_req, res) => {
    sendBody(res, 200, metrics.registry.contentType, await metrics.render());
  });

  if (options.dashboard) app.use('/', options.dashboard);
  finishApp(app, logger, options.bodyLimit ?? '16kb');
  return app;
}

/** 405 for a known path with another method, 404 JSON for anything else, and the error handler. */
function finishApp(app: Express, logger: Logger, bodyLimit: number | string): void {
  const known = statusRoutes(app).map((r) => ({
    pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+')}/?$`),
    methods: r.methods,
  }));
  const notFound: RequestHandler = (req, res) => {
    const allowed = known.find((k) => k.pattern.test(req.path))?.methods;
    if (allowed) {
      res.set('Allow', allowed.map((m) => m.toUpperCase()).join(', '));
      sendError(res, 405, 'method_not_allowed', `method ${req.method} not allowed`);
      return;
    }
    sendError(res, 404, 'not_found', 'no such route');
  };
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const err = error as { type?: string; status?: number; expose?: boolean };
    if (err.type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', `request body larger than ${bodyLimit}`);
    } else if (err.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', 'request body is not valid JSON');
    } else if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
      sendError(res, 415, 'unsupported_encoding', 'request body encoding not supported');
    } else if (err.expose && err.status && err.status >= 400 && err.status < 500) {
      sendError(res, err.status, 'bad_request', 'bad request');
    } else {
      const requestId = String(res.locals.requestId ?? '');
      logger.error({ err: error, requestId }, 'status API request failed');
      sendError(res, 500, 'internal', 'internal error', requestId);
    }
  };
  app.use(notFound);
  app.use(onError);
}

interface RouteLayer {
  route?: { path: string; methods: object };
  handle?: { stack?: RouteLayer[] };
}

/**
 * The routes an app serves, read from its router (the OpenAPI test compares against this); with
 * `mounted`, also those of routers mounted at `/` (the dashboard's).
 */
export function statusRoutes(app: Express, mounted = false): { path: string; methods: string[] }[] {
  const top = (app.router as unknown as { stack: RouteLayer[] }).stack;
  const stack = mounted ? top.flatMap((l) => (l.route ? [l] : (l.handle?.stack ?? []))) : top;
  const byPath = new Map<string, string[]>();
  for (const layer of stack) {
    if (!layer.route) continue;
    const methods = byPath.get(layer.route.path) ?? [];
    methods.push(...Object.keys(layer.route.methods));
    byPath.set(layer.route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ path, methods }));
}

export interface StatusServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Listens on `host` (default 127.0.0.1; port 0 = any free port) and resolves once bound. */
export async function startStatusServer(options: {
  app: Express;
  host?: string;
  port: number;
}): Promise<StatusServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(options.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closed;
  };
  return { url, port, server, close, [Symbol.asyncDispose]: close };
}

/**
 * `ROSTER_API_TOKEN`, `ROSTER_STATUS_HOST` (default 127.0.0.1), `ROSTER_STATUS_PORT` (default
 * 8080), `ROSTER_ALLOWED_HOSTS` (comma-separated host names or `*.suffix`; default none).
 */
export function statusServerSettingsFromEnv(env: Record<string, string | undefined>): {
  apiToken?: string;
  host: string;
  port: number;
  allowedHosts: string[];
} {
  const port = Number(env.ROSTER_STATUS_PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError([
      { file: 'ROSTER_STATUS_PORT', message: 'must be a port number (0-65535)', severity: 'error' },
    ]);
  }
  const allowed = parseAllowedHosts(env.ROSTER_ALLOWED_HOSTS);
  if (allowed.invalid.length > 0) {
    throw new ConfigError([
      {
        file: 'ROSTER_ALLOWED_HOSTS',
        message: `must list host names or *.suffix, comma-separated, without scheme or port: ${allowed.invalid
          .slice(0, 3)
          .map((e) => JSON.stringify(e.slice(0, 80)))
          .join(', ')}`,
        severity: 'error',
      },
    ]);
  }
  return {
    ...(env.ROSTER_API_TOKEN ? { apiToken: env.ROSTER_API_TOKEN } : {}),
    host: env.ROSTER_STATUS_HOST || '127.0.0.1',
    port,
    allowedHosts: allowed.hosts,
  };
}
