import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXCHANGE_AUDIENCE, GRAPH_AUDIENCE, type AccessTokens } from './access-tokens.js';
import { graphError } from './graph-errors.js';
import type {
  SimApp,
  SimContext,
  SimFaults,
  SimRequest,
  SimResponse,
  SimRoute,
  SimService,
  SimThrottle,
} from './types.js';

/** Request bodies above this are refused with 413 before routing. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** What the request pipeline runs on. */
export interface PipelineDeps {
  sim: SimContext;
  /** Identity, Graph and Exchange routes, in match order (the control plane is served apart). */
  routes: SimRoute[];
  tokens: AccessTokens;
  throttle: SimThrottle;
  faults: SimFaults;
  /** Sees every request the service origin receives (tests that check what a client calls). */
  onRequest?: (req: { method: string; path: string }) => void;
}

/**
 * Which emulated service a path belongs to. `/_sim` is no service here: the control plane has its
 * own listener, and the service origin answers such paths as the identity platform answers any
 * unknown path (404).
 */
export function serviceOf(path: string): Exclude<SimService, 'inspect'> {
  if (path.startsWith('/v1.0/') || path === '/v1.0' || path.startsWith('/beta/')) return 'graph';
  if (path.startsWith('/adminapi/')) return 'exchange';
  return 'identity';
}

/** Graph names the first segment it cannot resolve: after `users/{id}`, else the first one. */
function unknownSegment(path: string): string {
  const parts = path.split('/').filter(Boolean).slice(1);
  if (parts[0] === 'users' && parts.length > 2) return parts[2] ?? '';
  return parts[0] ?? '';
}

function notFound(req: SimRequest, service: SimService, methodMismatch: boolean): SimResponse {
  if (service !== 'graph') return { status: 404, headers: { 'request-id': req.requestId } };
  if (methodMismatch) {
    return graphError(
      req,
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
  }
  return graphError(
    req,
    400,
    'BadRequest',
    `Resource not found for the segment '${unknownSegment(req.path)}'.`,
  );
}

const GRAPH_WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

const AUTH_MESSAGES = {
  empty: 'Access token is empty.',
  expired: 'Access token has expired or is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
  invalid: 'Access token validation failure.',
} as const;

/**
 * Bearer token for the service's audience. Graph: 401 `InvalidAuthenticationToken`
 * (https://learn.microsoft.com/graph/errors). Exchange's admin API answers 401 as well, with its
 * own envelope; without `Exchange.ManageAsApp` in the token, or without a supported role assigned
 * to the app (`exchangeRole`, not in the token), it refuses the app (401) with the message
 * production clients report for a missing role (docs/microsoft-365.md#exo-role-check).
 */
async function authenticate(req: SimRequest, service: 'graph' | 'exchange', deps: PipelineDeps) {
  const audience = service === 'graph' ? GRAPH_AUDIENCE : EXCHANGE_AUDIENCE;
  const auth = req.headers.authorization;
  const check = await deps.tokens.check(deps.sim.state, auth, audience, deps.sim.now());
  if (check.ok && (service === 'graph' || exchangeAllowed(check.app, check.roles))) return check.app;
  const message = check.ok
    ? `The role assigned to application ${check.app.clientId} isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.`
    : AUTH_MESSAGES[check.reason];
  if (service === 'graph') {
    return graphError(req, 401, 'InvalidAuthenticationToken', message, {
      'www-authenticate': GRAPH_WWW_AUTHENTICATE,
    });
  }
  return {
    status: 401,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'request-id': req.requestId,
      'www-authenticate': `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", error="invalid_token"`,
    },
    body: { error: { code: 'Unauthorized', message } },
  } satisfies SimResponse;
}

/** `Exchange.ManageAsApp` in the token and a role on the service principal (default: granted). */
function exchangeAllowed(app: SimApp, roles: string[]): boolean {
  return roles.includes('Exchange.ManageAsApp') && app.exchangeRole !== false;
}

function count(deps: PipelineDeps, req: SimRequest, route: SimRoute | undefined, status: number) {
  const key = `${req.method} ${route ? (route.name ?? route.pattern.source) : `(unmatched ${serviceOf(req.path)})`} ${status}`;
  const requests = deps.sim.state.stats.requests;
  requests.set(key, (requests.get(key) ?? 0) + 1);
}

type Match = { route: SimRoute; m: RegExpMatchArray } | { route?: undefined; methodMismatch: boolean };

function match(routes: SimRoute[], service: SimService, req: SimRequest): Match {
  let methodMismatch = false;
  for (const route of routes) {
    if (route.service !== service) continue;
    const m = req.path.match(route.pattern);
    if (!m) continue;
    if (route.method === req.method) return { route, m };
    methodMismatch = true;
  }
  return { methodMismatch };
}

/** Permission check, throttling and the handler for an authenticated graph/exchange request. */
async function runRoute(deps: PipelineDeps, req: SimRequest, service: SimService): Promise<SimResponse> {
  const found = match(deps.routes, service, req);
  if (!found.route) {
    const res = notFound(req, service, found.methodMismatch);
    count(deps, req, undefined, res.status);
    return res;
  }
  const { route, m } = found;
  // Grants are read from the app registration (admin consent), for outer and batch items alike.
  const granted = req.app?.graphPermissions ?? [];
  if (
    route.permissions &&
    route.permissions.length > 0 &&
    !route.permissions.some((p) => granted.includes(p))
  ) {
    const res = graphError(
      req,
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
    count(deps, req, route, res.status);
    return res;
  }
  const refused = deps.throttle.admit(req, route, deps.sim);
  if (refused) {
    count(deps, req, route, refused.status);
    return refused;
  }
  let res: SimResponse;
  try {
    await serviceTime(deps, route);
    res = await route.handle(req, m, deps.sim);
  } finally {
    deps.throttle.release(req, route);
  }
  res = { ...res, headers: { ...deps.throttle.responseHeaders(req, route), ...res.headers } };
  count(deps, req, route, res.status);
  return res;
}

/** The call's service time (`callLatencyMs`, scaled), spent holding what `admit` granted. */
async function serviceTime(deps: PipelineDeps, route: SimRoute): Promise<void> {
  const t = deps.sim.state.throttle;
  const ms = (t.callLatencyMs ?? 0) * t.timeScale;
  if (ms > 0 && !route.envelope) await new Promise((resolve) => setTimeout(resolve, ms));
}

/** The whole pipeline for a request from the wire. */
export async function handleRequest(deps: PipelineDeps, req: SimRequest): Promise<SimResponse> {
  deps.onRequest?.({ method: req.method, path: req.path });
  const service = serviceOf(req.path);
  const fault = await deps.faults.before(req, service);
  if (fault) {
    count(deps, req, undefined, fault.status);
    return fault;
  }
  if (service === 'identity') {
    const found = match(deps.routes, service, req);
    if (!found.route) return notFound(req, service, false);
    const res = await found.route.handle(req, found.m, deps.sim);
    count(deps, req, found.route, res.status);
    return res;
  }
  const app = await authenticate(req, service, deps);
  if ('status' in app) {
    count(deps, req, undefined, app.status);
    return app;
  }
  return runRoute(deps, { ...req, app }, service);
}

/**
 * An inner `$batch` item: no token check (it inherits the outer request's app), no fault
 * injection, but permissions, throttling and routing as if sent alone.
 */
export async function dispatchInner(deps: PipelineDeps, req: SimRequest): Promise<SimResponse> {
  if (!req.app) return graphError(req, 401, 'InvalidAuthenticationToken', AUTH_MESSAGES.empty);
  return runRoute(deps, { ...req, inner: true }, serviceOf(req.path));
}

export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function send(res: ServerResponse, out: SimResponse) {
  if (out.drop) {
    // A connection lost mid-response: status line, headers and part of the body, then a reset.
    const partial = typeof out.body === 'string' || Buffer.isBuffer(out.body) ? out.body : '';
    res.writeHead(out.status, { ...out.headers, 'content-length': '4096' });
    res.write(partial, () => res.socket?.destroy());
    return;
  }
  const headers: Record<string, string> = { ...out.headers };
  let payload: Buffer | undefined;
  if (out.status !== 204 && out.status !== 304 && out.body !== undefined) {
    if (Buffer.isBuffer(out.body)) payload = out.body;
    else if (typeof out.body === 'string') {
      payload = Buffer.from(out.body, 'utf8');
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = Buffer.from(JSON.stringify(out.body), 'utf8');
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
  }
  headers['content-length'] = String(payload?.length ?? 0);
  res.writeHead(out.status, headers);
  res.end(payload);
}

/** The node:https request listener around `handleRequest`. */
export function requestListener(deps: PipelineDeps) {
  return (incoming: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const requestId = randomUUID();
      const url = new URL(incoming.url ?? '/', deps.sim.origin);
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        path = url.pathname;
      }
      const base = { method: incoming.method ?? 'GET', url, path, headers: incoming.headers, requestId };
      const body = await readBody(incoming);
      if (!body) {
        send(res, {
          status: 413,
          headers: { 'content-type': 'text/plain', 'request-id': requestId, connection: 'close' },
          body: 'Request Entity Too Large',
        });
        return;
      }
      try {
        send(res, await handleRequest(deps, { ...base, body }));
      } catch (error) {
        // A bug in a route: answer like a service's 500, never with a stack trace.
        console.error('simulator: route failed', error);
        send(
          res,
          graphError({ ...base, body }, 500, 'InternalServerError', 'An internal server error occurred.'),
        );
      }
    })();
  };
}
