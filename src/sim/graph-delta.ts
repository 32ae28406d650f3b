import { graphJson } from './graph-errors.js';
import { behaviourOf } from './seed.js';
import { parseFilter, type FilterNode } from './odata-filter.js';
import {
  GraphFault,
  badRequest,
  buildLink,
  decodeToken,
  encodeToken,
  parseSelect,
  preferences,
  readQueryOptions,
  rejectOtherOptions,
  unsupportedQuery,
  withFaults,
} from './odata-query.js';
import type { SimChange, SimContext, SimRequest, SimResponse, SimRoute, SimState, SimUser } from './types.js';
import {
  DEFAULT_USER_PROPERTIES,
  isUserProperty,
  projectUser,
  userValue,
  usersContext,
  type UserPropertyName,
} from './user-properties.js';

const DELTA_PATH = '/v1.0/users/delta';
const DEFAULT_PAGE_SIZE = 200;
const MAX_FILTER_IDS = 50;
/** "Delta tokens are only valid for a specific period … for directory objects, it's 7 days." */
const TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What every delta link carries. `s`: changes with `seq >= s` are still to be reported;
 * `t`: when the token was issued; `p`/`f`: the `$select` and `$filter` ids of the first call.
 * Skip tokens add the page position: `a` (last id, initial sync) or `o`/`e` (offset, upper seq).
 */
interface DeltaState {
  k: 'i' | 'c' | 'd';
  s: number;
  t: number;
  p?: UserPropertyName[];
  f?: string[];
  a?: string;
  o?: number;
  e?: number;
  m?: number;
}

/**
 * Makes every delta token issued so far answer 410 Gone (`resyncRequired`), as Entra does when it
 * cannot serve incremental changes any more. For tests and the inspection endpoint.
 */
export function invalidateDeltaTokens(state: SimState): void {
  state.nextSeq += 1;
  state.deltaResetBefore = state.nextSeq;
}

function readState(raw: string): DeltaState {
  const v = decodeToken(raw) as Partial<DeltaState> | undefined;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    (v.k === 'i' || v.k === 'c' || v.k === 'd') &&
    Number.isInteger(v.s) &&
    Number.isInteger(v.t) &&
    (v.p === undefined || (Array.isArray(v.p) && v.p.every((x) => isUserProperty(x)))) &&
    (v.f === undefined || (Array.isArray(v.f) && v.f.every((x) => typeof x === 'string')));
  if (!ok)
    throw new GraphFault(
      400,
      'syncStateNotFound',
      'The sync state token is invalid or was not issued by this service.',
    );
  return v as DeltaState;
}

/** The `$filter` delta accepts: `id eq '…'` joined by `or`, at most 50. */
function filterIds(raw: string): string[] {
  const ids: string[] = [];
  const walk = (n: FilterNode): void => {
    if (n.kind === 'or') {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === 'compare' && n.op === 'eq' && n.prop === 'id' && typeof n.value === 'string') {
      ids.push(n.value.toLowerCase());
    } else {
      throw unsupportedQuery(
        "Delta query on users supports $filter only as id eq '…' clauses joined by 'or'.",
      );
    }
  };
  walk(parseFilter(raw));
  if (ids.length > MAX_FILTER_IDS) {
    throw unsupportedQuery(`Delta query on users supports at most ${MAX_FILTER_IDS} ids in $filter.`);
  }
  return ids;
}

function restartLink(origin: string, st: DeltaState | undefined): string {
  const params: Array<[string, string]> = [];
  if (st?.p) params.push(['$select', st.p.join(',')]);
  if (st?.f) params.push(['$filter', st.f.map((id) => `id eq '${id}'`).join(' or ')]);
  params.push(['$deltatoken', '']);
  return buildLink(origin, DELTA_PATH, params);
}

/**
 * Refuses tokens Entra would no longer serve. An expired one (older than 7 days) gets, by default,
 * `400 SyncStateNotFound`: the devblog documents a BadRequest with `syncStateNotFound`, and real
 * bodies spell the code with a capital S (docs/microsoft-365.md#graph-delta-reset); the seed's
 * `behaviour.expiredDeltaToken` can choose `410` (with the Location of a full sync, which
 * delta-query-overview documents for resets) or another spelling.
 */
function checkFresh(sim: SimContext, st: DeltaState): void {
  const location = { location: restartLink(sim.origin, st) };
  if (sim.now() - st.t > TOKEN_LIFETIME_MS) {
    const { status, code } = behaviourOf(sim.state).expiredDeltaToken;
    throw new GraphFault(
      status,
      code,
      'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
      status === 410 ? location : {},
    );
  }
  const resetBefore = sim.state.deltaResetBefore;
  if (resetBefore !== undefined && st.s < resetBefore) {
    throw new GraphFault(
      410,
      'resyncRequired',
      'Resync required. Replace any local copy with the results of a full synchronization from the URL in the Location header.',
      location,
    );
  }
}

function pageSize(req: SimRequest, st: DeltaState | undefined): { size: number; applied?: string } {
  for (const pref of preferences(req)) {
    const m = /^odata\.maxpagesize=(\d+)$/.exec(pref);
    if (m) {
      const size = Math.min(999, Math.max(1, Number(m[1])));
      return { size, applied: `odata.maxpagesize=${size}` };
    }
  }
  return { size: st?.m ?? DEFAULT_PAGE_SIZE };
}

const byId = (a: SimUser, b: SimUser): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** One entry per user changed in `[s, e)`, in order of its latest change. */
function changedEntries(state: SimState, st: DeltaState, end: number, minimal: boolean): unknown[] {
  const latest = new Map<string, { last: SimChange; props: Set<string> }>();
  for (const c of state.changes) {
    if (c.seq < st.s || c.seq >= end) continue;
    if (st.f && !st.f.includes(c.userId.toLowerCase())) continue;
    const entry = latest.get(c.userId) ?? { last: c, props: new Set<string>() };
    entry.last = c;
    for (const p of c.properties) entry.props.add(p);
    latest.delete(c.userId);
    latest.set(c.userId, entry);
  }
  const tracked = st.p ?? DEFAULT_USER_PROPERTIES;
  const out: unknown[] = [];
  for (const [userId, { last, props }] of latest) {
    const user = state.users.get(userId);
    if (!user) {
      out.push({ id: userId, '@removed': { reason: last.permanent ? 'deleted' : 'changed' } });
      continue;
    }
    const changed = last.kind === 'deleted' ? [...tracked] : tracked.filter((p) => props.has(p));
    if (changed.length === 0) continue;
    if (!minimal) {
      out.push(projectUser(user, tracked));
      continue;
    }
    const item: Record<string, unknown> = {};
    for (const p of changed) item[p] = userValue(user, p);
    item['id'] = user.id;
    out.push(item);
  }
  return out;
}

/**
 * GET /v1.0/users/delta — https://learn.microsoft.com/graph/api/user-delta
 * Semantics: https://learn.microsoft.com/graph/delta-query-users and /graph/delta-query-overview
 */
function usersDelta(req: SimRequest, _m: RegExpMatchArray, sim: SimContext): SimResponse {
  return withFaults(req, () => {
    const options = readQueryOptions(req.url);
    rejectOtherOptions(options, ['$select', '$filter', '$deltatoken', '$skiptoken']);
    const deltaRaw = options.get('$deltatoken');
    const skipRaw = options.get('$skiptoken');
    const tokenRaw = skipRaw ?? (deltaRaw === 'latest' || deltaRaw === '' ? undefined : deltaRaw);
    if (skipRaw !== undefined && deltaRaw !== undefined) {
      throw badRequest('$skiptoken and $deltatoken cannot be used together.');
    }
    let st: DeltaState;
    if (tokenRaw !== undefined) {
      if (options.has('$select') || options.has('$filter')) {
        throw badRequest(
          'Query options cannot be combined with a state token: they apply only to the first delta request.',
        );
      }
      st = readState(tokenRaw);
      checkFresh(sim, st);
    } else {
      const select = parseSelect(options.get('$select'));
      const filterRaw = options.get('$filter');
      st = { k: 'i', s: sim.state.nextSeq, t: sim.now() };
      if (select) st.p = select.includes('id') ? select : [...select, 'id'];
      if (filterRaw !== undefined) st.f = filterIds(filterRaw);
      if (deltaRaw === 'latest') st.k = 'd';
    }
    const prefs = preferences(req);
    const minimal = prefs.includes('return=minimal');
    const { size, applied } = pageSize(req, tokenRaw === undefined ? undefined : st);
    const headers: Record<string, string> = {};
    const appliedPrefs = [applied, minimal ? 'return=minimal' : undefined].filter((x) => x !== undefined);
    if (appliedPrefs.length > 0) headers['preference-applied'] = appliedPrefs.join(', ');

    const base = { k: st.k, s: st.s, t: st.t, ...(st.p ? { p: st.p } : {}), ...(st.f ? { f: st.f } : {}) };
    const body: Record<string, unknown> = { '@odata.context': usersContext(sim.origin, st.p) };
    const deltaLink = (s: number): string =>
      buildLink(sim.origin, DELTA_PATH, [['$deltatoken', encodeToken({ ...base, k: 'd', s, t: sim.now() })]]);
    const nextLink = (extra: Partial<DeltaState>): string =>
      buildLink(sim.origin, DELTA_PATH, [['$skiptoken', encodeToken({ ...base, m: size, ...extra })]]);

    if (deltaRaw === 'latest' && tokenRaw === undefined) {
      body['value'] = [];
      body['@odata.deltaLink'] = deltaLink(st.s);
    } else if (st.k === 'i') {
      // Initial round: every user (in scope) as it is now; changes made meanwhile come next round.
      const users = [...sim.state.users.values()]
        .filter((u) => !st.f || st.f.includes(u.id.toLowerCase()))
        .sort(byId);
      const after = st.a;
      const start = after === undefined ? 0 : users.filter((u) => u.id <= after).length;
      const page = users.slice(start, start + size);
      body['value'] = page.map((u) => projectUser(u, st.p ?? DEFAULT_USER_PROPERTIES));
      const last = page[page.length - 1];
      if (start + size < users.length && last) body['@odata.nextLink'] = nextLink({ k: 'i', a: last.id });
      else body['@odata.deltaLink'] = deltaLink(st.s);
    } else {
      const end = st.k === 'c' && st.e !== undefined ? st.e : sim.state.nextSeq;
      const entries = changedEntries(sim.state, st, end, minimal);
      const offset = st.k === 'c' ? (st.o ?? 0) : 0;
      body['value'] = entries.slice(offset, offset + size);
      if (offset + size < entries.length)
        body['@odata.nextLink'] = nextLink({ k: 'c', e: end, o: offset + size });
      else body['@odata.deltaLink'] = deltaLink(end);
    }
    return graphJson(req, 200, body, headers);
  });
}

/** Graph's users delta route (also reachable as `delta()`). */
export const graphDeltaRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/v1\.0\/users\/delta(?:\(\))?$/,
    name: '/v1.0/users/delta',
    permissions: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    handle: usersDelta,
  },
];
