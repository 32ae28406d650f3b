import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { buildState } from '../../src/sim/seed.js';
import type { SimContext, SimRequest, SimResponse, SimRoute, SimState } from '../../src/sim/types.js';

export const ORIGIN = 'https://127.0.0.1:4443';

/** A small tenant: Alice and Carol with mailboxes, Bob without one. */
export function photoState(): SimState {
  return buildState({
    tenant: { domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] },
    users: [
      { userPrincipalName: 'alice@contoso.com', givenName: 'Alice', surname: 'Able' },
      { userPrincipalName: 'bob@contoso.com', givenName: 'Bob', hasMailbox: false },
      {
        userPrincipalName: 'carol@contoso.com',
        displayName: 'Carol Cole',
        proxyAddresses: ['SMTP:carol@contoso.com', 'smtp:cc@contoso.com'],
      },
    ],
  });
}

/** A request as the server would hand it to a route (path decoded, body a Buffer). */
export function simRequest(
  method: string,
  pathAndQuery: string,
  opts: { headers?: IncomingHttpHeaders; body?: Buffer | string | object } = {},
): SimRequest {
  const url = new URL(pathAndQuery, ORIGIN);
  const b = opts.body;
  const body =
    b === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(b)
        ? b
        : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
  return {
    method,
    url,
    path: decodeURIComponent(url.pathname),
    headers: opts.headers ?? {},
    body,
    requestId: randomUUID(),
  };
}

/**
 * An in-process SimContext whose `dispatch` routes to the given routes (no auth, no throttling;
 * `intercept` may answer first, e.g. with a 429, to stand in for the pipeline).
 */
export function routeContext(
  state: SimState,
  routes: SimRoute[],
  intercept?: (req: SimRequest, route: SimRoute) => SimResponse | undefined,
): SimContext & { dispatched: SimRequest[] } {
  const dispatched: SimRequest[] = [];
  const ctx: SimContext & { dispatched: SimRequest[] } = {
    state,
    origin: ORIGIN,
    dispatched,
    now: () => Date.now(),
    async dispatch(req) {
      dispatched.push(req);
      for (const route of routes) {
        const match = route.method === req.method ? route.pattern.exec(req.path) : null;
        if (!match) continue;
        return intercept?.(req, route) ?? (await route.handle(req, match, ctx));
      }
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: { error: { code: 'NotFound' } },
      };
    },
  };
  return ctx;
}

/** Runs one request through `routeContext`'s router. */
export function call(ctx: SimContext, req: SimRequest): Promise<SimResponse> {
  return ctx.dispatch(req);
}
