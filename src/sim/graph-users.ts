import { findUser } from './find-user.js';
import { graphError, graphJson, headerValue } from './graph-errors.js';
import { checkFilter, matchesFilter, parseFilter, type FilterNode } from './odata-filter.js';
import {
  GraphFault,
  badRequest,
  buildLink,
  decodeToken,
  encodeToken,
  hasEventualConsistency,
  parseSelect,
  parseTop,
  readQueryOptions,
  rejectOtherOptions,
  unsupportedQuery,
  withFaults,
} from './odata-query.js';
import type { SimContext, SimRequest, SimResponse, SimRoute, SimState, SimUser } from './types.js';
import { DEFAULT_USER_PROPERTIES, projectUser, usersContext } from './user-properties.js';
import { applyUserPatch } from './user-patch.js';
import { matchesSearch, parseSearch } from './user-search.js';

const READ_PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const WRITE_PERMISSIONS = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const DEFAULT_PAGE_SIZE = 100;

/** `/v1.0/users/{id|upn}` or `/v1.0/users('upn')`; `delta` and `$count` belong to other routes. */
const USER_PATH = /^\/v1\.0\/users(?:\/(?!delta$|delta\(\)$|\$count$)([^/]+)|\('((?:[^']|'')*)'\))$/;

/** The key as the client meant it: `('…')` unquoted, `%23` decoded where the server did not. */
function userKey(match: RegExpMatchArray): string {
  const quoted = match[2];
  if (quoted !== undefined) return quoted.replace(/''/g, "'");
  const raw = match[1] ?? '';
  const key = /%[0-9A-Fa-f]{2}/.test(raw) ? decodeURIComponent(raw) : raw;
  // Graph reads a leading `$` as a system segment: such UPNs need the ('…') form.
  if (key.startsWith('$')) throw badRequest(`Invalid object identifier '${key}'.`);
  return key;
}

function lookup(state: SimState, match: RegExpMatchArray): SimUser {
  const key = userKey(match);
  const user = findUser(state, key);
  if (!user) throw notFound(key);
  return user;
}

function notFound(key: string): GraphFault {
  return new GraphFault(
    404,
    'Request_ResourceNotFound',
    `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** The query a list request asks for, after Graph's checks. */
interface ListQuery {
  select?: ReturnType<typeof parseSelect>;
  filter?: FilterNode;
  search?: ReturnType<typeof parseSearch>;
  orderBy?: { prop: 'displayName' | 'userPrincipalName'; desc: boolean };
  top: number;
  count: boolean;
}

/**
 * Applies Graph's rules for directory queries: `ne`, `not`, `endsWith`, `$search`, `$count` and
 * `$filter` + `$orderby` need `ConsistencyLevel: eventual` and `$count=true`.
 * https://learn.microsoft.com/graph/aad-advanced-queries
 */
function parseListQuery(req: SimRequest, options: Map<string, string>, countSegment: boolean): ListQuery {
  const countRaw = options.get('$count');
  if (countRaw !== undefined && countRaw !== 'true' && countRaw !== 'false') {
    throw badRequest(`Invalid value '${countRaw}' for query option '$count'.`);
  }
  const eventual = hasEventualConsistency(req);
  const advanced = eventual && (countSegment || countRaw === 'true');
  const query: ListQuery = {
    select: parseSelect(options.get('$select')),
    top: parseTop(options.get('$top'), DEFAULT_PAGE_SIZE),
    count: advanced && countRaw === 'true',
  };
  const filterRaw = options.get('$filter');
  if (filterRaw !== undefined) {
    query.filter = parseFilter(filterRaw);
    checkFilter(query.filter, advanced);
  }
  const searchRaw = options.get('$search');
  if (searchRaw !== undefined) {
    if (!advanced) {
      throw unsupportedQuery(
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual' and $count=true.",
      );
    }
    query.search = parseSearch(searchRaw);
  }
  const orderRaw = options.get('$orderby');
  if (orderRaw !== undefined) {
    const m = /^\s*(displayName|userPrincipalName)(?:\s+(asc|desc))?\s*$/.exec(orderRaw);
    if (!m) throw unsupportedQuery('Sorting not supported for current query.');
    if ((query.filter || query.search) && !advanced)
      throw unsupportedQuery('Sorting not supported for current query.');
    query.orderBy = { prop: m[1] as 'displayName' | 'userPrincipalName', desc: m[2] === 'desc' };
  }
  return query;
}

/** Matching users in a stable order: by id, or by the `$orderby` property then id. */
function matchingUsers(state: SimState, q: ListQuery): SimUser[] {
  const users = [...state.users.values()].filter(
    (u) => (!q.filter || matchesFilter(u, q.filter)) && (!q.search || matchesSearch(u, q.search)),
  );
  const byId = (a: SimUser, b: SimUser): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const order = q.orderBy;
  if (!order) return users.sort(byId);
  return users.sort((a, b) => {
    const av = a[order.prop]?.toLowerCase() ?? '\uffff';
    const bv = b[order.prop]?.toLowerCase() ?? '\uffff';
    const c = av < bv ? -1 : av > bv ? 1 : byId(a, b);
    return order.desc ? -c : c;
  });
}

function pageStart(users: SimUser[], q: ListQuery, raw: string | undefined): number {
  if (raw === undefined) return 0;
  const token = decodeToken(raw) as { a?: unknown; o?: unknown } | undefined;
  if (!q.orderBy && typeof token?.a === 'string') {
    const after = token.a;
    const i = users.findIndex((u) => u.id > after);
    return i === -1 ? users.length : i;
  }
  if (q.orderBy && typeof token?.o === 'number' && Number.isInteger(token.o) && token.o >= 0) return token.o;
  throw badRequest('The specified page token value is invalid.');
}

/**
 * GET /v1.0/users — https://learn.microsoft.com/graph/api/user-list
 * Paging: https://learn.microsoft.com/graph/paging
 */
function listUsers(req: SimRequest, _m: RegExpMatchArray, sim: SimContext): SimResponse {
  return withFaults(req, () => {
    const options = readQueryOptions(req.url);
    rejectOtherOptions(options, [
      '$select',
      '$filter',
      '$top',
      '$skiptoken',
      '$count',
      '$orderby',
      '$search',
    ]);
    const q = parseListQuery(req, options, false);
    const users = matchingUsers(sim.state, q);
    const start = pageStart(users, q, options.get('$skiptoken'));
    const page = users.slice(start, start + q.top);
    const body: Record<string, unknown> = { '@odata.context': usersContext(sim.origin, q.select) };
    if (q.count) body['@odata.count'] = users.length;
    const end = start + page.length;
    if (end < users.length) {
      const last = page[page.length - 1] as SimUser;
      const token = encodeToken(q.orderBy ? { o: end } : { a: last.id });
      const kept = [...options].filter(([k]) => k !== '$skiptoken');
      body['@odata.nextLink'] = buildLink(sim.origin, '/v1.0/users', [...kept, ['$skiptoken', token]]);
    }
    body['value'] = page.map((u) => projectUser(u, q.select ?? DEFAULT_USER_PROPERTIES));
    return graphJson(req, 200, body);
  });
}

/**
 * GET /v1.0/users/$count — needs `ConsistencyLevel: eventual`; answers text/plain.
 * https://learn.microsoft.com/graph/api/user-list#example-3-get-only-a-count-of-users
 */
function countUsers(req: SimRequest, _m: RegExpMatchArray, sim: SimContext): SimResponse {
  return withFaults(req, () => {
    if (!hasEventualConsistency(req)) throw badRequest('$count is not currently supported.');
    const options = readQueryOptions(req.url);
    rejectOtherOptions(options, ['$filter', '$search']);
    const count = matchingUsers(sim.state, parseListQuery(req, options, true)).length;
    return {
      status: 200,
      headers: {
        'content-type': 'text/plain',
        'request-id': req.requestId,
        'client-request-id': headerValue(req, 'client-request-id') ?? req.requestId,
      },
      body: Buffer.from(String(count), 'utf8'),
    };
  });
}

/** GET /v1.0/users/{id | userPrincipalName} — https://learn.microsoft.com/graph/api/user-get */
function getUser(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse {
  return withFaults(req, () => {
    const options = readQueryOptions(req.url);
    rejectOtherOptions(options, ['$select']);
    const select = parseSelect(options.get('$select'));
    const user = lookup(sim.state, match);
    return graphJson(req, 200, {
      '@odata.context': usersContext(sim.origin, select, true),
      ...projectUser(user, select ?? DEFAULT_USER_PROPERTIES),
    });
  });
}

const UNREADABLE_BODY =
  'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';

/** PATCH /v1.0/users/{id | userPrincipalName} → 204 — https://learn.microsoft.com/graph/api/user-update */
function patchUser(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse {
  return withFaults(req, () => {
    const user = lookup(sim.state, match);
    const type = headerValue(req, 'content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) throw badRequest(UNREADABLE_BODY);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw badRequest(UNREADABLE_BODY);
    }
    const result = applyUserPatch(sim.state, user.id, body);
    if (!result.ok) return graphError(req, result.status, result.code, result.message);
    return {
      status: 204,
      headers: {
        'request-id': req.requestId,
        'client-request-id': headerValue(req, 'client-request-id') ?? req.requestId,
      },
    };
  });
}

/** Graph user routes: list, count, get, update. */
export const graphUserRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/v1\.0\/users$/,
    name: '/v1.0/users',
    permissions: READ_PERMISSIONS,
    handle: listUsers,
  },
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/v1\.0\/users\/\$count$/,
    name: '/v1.0/users/$count',
    permissions: READ_PERMISSIONS,
    handle: countUsers,
  },
  {
    service: 'graph',
    method: 'GET',
    pattern: USER_PATH,
    name: '/v1.0/users/{id}',
    permissions: READ_PERMISSIONS,
    handle: getUser,
  },
  {
    service: 'graph',
    method: 'PATCH',
    pattern: USER_PATH,
    name: '/v1.0/users/{id}',
    permissions: WRITE_PERMISSIONS,
    handle: patchUser,
  },
];
