import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send } from './server.js';
import type { SimContext, SimRequest, SimResponse, SimRoute } from './types.js';

/**
 * The request listener of the control plane: the `/_sim` routes (state, stats, drift, faults,
 * throttle, the hidden budget, the clock) on a listener of their own, on 127.0.0.1, apart from
 * the service origin a client is given. Roster is only ever told the service origin, so it has no
 * way to read the budget it must discover by being throttled. No authentication, no faults, no
 * throttling: it is the test's and the benchmark's side of the tenant.
 */
export function controlListener(routes: SimRoute[], sim: SimContext, origin: () => string) {
  return (incoming: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const requestId = randomUUID();
      const url = new URL(incoming.url ?? '/', origin());
      const body = await readBody(incoming);
      if (!body) {
        send(res, controlError(413, 'the body is too large'));
        return;
      }
      const req: SimRequest = {
        method: incoming.method ?? 'GET',
        url,
        path: safeDecode(url.pathname),
        headers: incoming.headers,
        body,
        requestId,
      };
      try {
        send(res, await dispatchControl(routes, req, sim));
      } catch (error) {
        console.error('simulator: control route failed', error);
        send(res, controlError(500, 'the control operation failed'));
      }
    })();
  };
}

/** Runs the control route the request names; 404 or 405 when there is none. */
async function dispatchControl(routes: SimRoute[], req: SimRequest, sim: SimContext): Promise<SimResponse> {
  let methodMismatch = false;
  for (const route of routes) {
    const m = req.path.match(route.pattern);
    if (!m) continue;
    if (route.method === req.method) return route.handle(req, m, sim);
    methodMismatch = true;
  }
  return methodMismatch
    ? controlError(405, `${req.method} is not allowed on ${req.path}`)
    : controlError(404, `no control route ${req.path}`);
}

function controlError(status: number, message: string): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: { error: message },
  };
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
