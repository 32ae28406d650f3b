import { buildState, type SimSeedUser } from '../../src/sim/seed.js';
import type { SimContext, SimResponse, SimState } from '../../src/sim/types.js';
import { graphDeltaRoutes } from '../../src/sim/graph-delta.js';
import { graphUserRoutes } from '../../src/sim/graph-users.js';
import { routeContext, simRequest } from './route-context.js';
import type { IncomingHttpHeaders } from 'node:http';

/** Named users covering each filter form, plus `extra` generated ones. */
export function directoryState(extra = 0): SimState {
  const users: SimSeedUser[] = [
    {
      userPrincipalName: 'alice@contoso.com',
      givenName: 'Alice',
      surname: 'Able',
      jobTitle: 'Engineer',
      department: 'Berlin',
      employeeId: 'E-1',
      proxyAddresses: ['SMTP:alice@contoso.com', 'smtp:al@contoso.com'],
    },
    {
      userPrincipalName: 'bob@contoso.com',
      givenName: 'Bob',
      surname: 'Baker',
      jobTitle: 'Manager',
      department: 'Paris',
    },
    {
      userPrincipalName: 'sync@contoso.com',
      givenName: 'Sam',
      surname: 'Synced',
      onPremisesSyncEnabled: true,
    },
    { userPrincipalName: 'admin@contoso.com', givenName: 'Ada', surname: 'Admin', isAdmin: true },
    { userPrincipalName: 'guest@fabrikam.onmicrosoft.com', mail: 'guest@fabrikam.com', displayName: 'Guest' },
    { userPrincipalName: '$svc@contoso.com', displayName: 'Service', hasMailbox: false },
    { userPrincipalName: 'ext_x#EXT#@contoso.onmicrosoft.com', displayName: 'External', hasMailbox: false },
  ];
  for (let i = 0; i < extra; i++) {
    users.push({
      userPrincipalName: `user${String(i).padStart(3, '0')}@contoso.com`,
      givenName: `U${i}`,
      surname: 'Bulk',
    });
  }
  return buildState({ tenant: { domain: 'contoso.onmicrosoft.com', domains: ['contoso.com'] }, users });
}

export function userId(state: SimState, upn: string): string {
  for (const u of state.users.values()) if (u.userPrincipalName === upn) return u.id;
  throw new Error(`no user ${upn}`);
}

/** A context routing to the users and delta routes, with a clock tests can move. */
export function usersContext(state: SimState): SimContext & { clock: number } {
  const ctx = Object.assign(routeContext(state, [...graphDeltaRoutes, ...graphUserRoutes]), {
    clock: Date.parse('2025-01-01T00:00:00Z'),
  });
  ctx.now = () => ctx.clock;
  return ctx;
}

/** Sends one request; absolute URLs (nextLinks) are accepted as the server would see them. */
export function send(
  ctx: SimContext,
  method: string,
  url: string,
  opts: { headers?: IncomingHttpHeaders; body?: Buffer | string | object } = {},
): Promise<SimResponse> {
  const relative = url.startsWith('https://') ? url.slice(new URL(url).origin.length) : url;
  return ctx.dispatch(simRequest(method, relative, opts));
}

/** The JSON body of a Graph response, typed loosely for assertions. */
export function json(res: SimResponse): Record<string, unknown> & { value: Array<Record<string, unknown>> } {
  return res.body as Record<string, unknown> & { value: Array<Record<string, unknown>> };
}

export function errorOf(res: SimResponse): { status: number; code: string; message: string } {
  const e = (res.body as { error: { code: string; message: string } }).error;
  return { status: res.status, code: e.code, message: e.message };
}
